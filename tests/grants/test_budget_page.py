"""The budget per call (issue 10 item 7): /staff/finance/budget/ for finance and programme admins, the figures of
grants/selectors/budget.py as a table and as an inline SVG stacked bar whose geometry grants/charts.py and
budget_bar() compute; a constant number of queries whatever the number of calls."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.charts import stacked_segments
from grants.models import Application, Call, MembershipRole, Payout, PayoutState
from grants.selectors.budget import CallBudget
from grants.services.grants import grant_decline
from grants.views.staff.budget import budget_bar
from tests.factories import CallFactory, MembershipFactory, UserFactory
from tests.workflows.payouts import accept_directly, make_grant

URL = "/staff/finance/budget/"
D = Decimal


def test_the_url():
    assert reverse("staff_finance_budget") == URL


# --- geometry ----------------------------------------------------------------------------------------------


def _widths(segments):
    return [s.width for s in segments]


@pytest.mark.parametrize(
    "values",
    [
        [D(1), D(1), D(1)],  # thirds: rounding each width alone would give 333.3 × 3 = 999.9
        [D("0.01"), D("999999.98"), D("0.01")],
        [D(0), D(5), D(0), D(5)],
        [D("123456.78"), D("654321.09"), D("1000"), D("7")],
    ],
)
def test_widths_sum_to_the_bar_and_each_segment_starts_where_the_last_ended(values):
    segments = stacked_segments([(str(i), v) for i, v in enumerate(values)], full=sum(values), width=1000)
    assert sum(_widths(segments)) == 1000
    assert segments[0].x == 0
    for before, after in zip(segments, segments[1:], strict=False):
        assert after.x == before.x + before.width
    assert all(w >= 0 for w in _widths(segments))


def test_a_zero_full_gives_zero_widths():
    segments = stacked_segments([("a", D(0)), ("b", D(0))], full=D(0), width=1000)
    assert _widths(segments) == [0, 0]


def _budget(total, *, granted=0, accepted=0, paid=0, released=0, committed=0):
    call = Call(title_sv="X", total_budget=D(total))
    return CallBudget(
        call=call, granted=D(granted), accepted=D(accepted), paid=D(paid), released=D(released), committed=D(committed)
    )


def test_the_bar_is_the_budget_split_into_paid_accepted_awaiting_and_left():
    bar = budget_bar(_budget(1000, granted=700, accepted=500, paid=200, released=100, committed=600))
    assert [(s.key, s.value, s.width) for s in bar.segments] == [
        ("paid", 200, 200),
        ("accepted", 300, 300),
        ("awaiting", 100, 100),
        ("left", 400, 400),  # released money is back in "left"
    ]
    assert bar.budget_x == 1000 and not bar.over


def test_over_budget_the_bar_is_the_committed_sum_and_marks_where_the_budget_ends():
    bar = budget_bar(_budget(800, granted=1000, accepted=1000, paid=0, committed=1000))
    assert sum(_widths(bar.segments)) == 1000
    assert [s.width for s in bar.segments if s.key == "left"] == [0]
    assert bar.budget_x == 800 and bar.over_by == 200 and bar.over


def test_a_call_without_budget_or_grants():
    bar = budget_bar(_budget(0))
    assert sum(_widths(bar.segments)) == 0 and bar.budget_x == 0 and not bar.over


def test_a_call_without_grants_is_all_left():
    bar = budget_bar(_budget(5000))
    assert [(s.key, s.width) for s in bar.segments if s.width] == [("left", 1000)]


# --- the page ----------------------------------------------------------------------------------------------


def _in_call(grant, call):
    Application.objects.filter(pk=grant.application_id).update(call=call)
    return grant


@pytest.fixture
def budget_world(db):
    """A call of 1 000 000 kr: a grant of 100 000 accepted with its 80 000 advance paid, one of 50 000
    awaiting acceptance, one of 30 000 declined (released)."""
    now = timezone.now()
    call = CallFactory(title_sv="Budgetutlysningen", title_en="The budget call", total_budget=D("1000000"))
    paid = _in_call(make_grant(granted=D("100000")), call)
    signatory = MembershipFactory(organisation=paid.application.organisation, role=MembershipRole.SIGNATORY).user
    accept_directly(paid, signatory, now)
    Payout.objects.filter(grant=paid, amount=D("80000")).update(state=PayoutState.PAID, paid_at=now)
    _in_call(make_grant(granted=D("50000")), call)
    declined = _in_call(make_grant(granted=D("30000")), call)
    decliner = MembershipFactory(organisation=declined.application.organisation, role=MembershipRole.SIGNATORY).user
    grant_decline(actor=decliner, grant=declined, now=now, reason="Projektet blir inte av.")
    Call.objects.exclude(pk=call.pk).delete()  # make_grant's own calls, now empty
    return call


@pytest.mark.parametrize("role", ["finance", "programme_admin"])
def test_finance_and_programme_admins_see_the_figures(client, budget_world, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    nbsp = "\u00a0"
    row = html.split('<th scope="row">Budgetutlysningen</th>')[1].split("</tr>")[0]
    for amount in ("1 000 000", "180 000", "100 000", "80 000", "30 000", "850 000"):  # budget … left
        assert f"{amount.replace(' ', nbsp)}{nbsp}kr" in row, amount
    assert '<svg class="bar-chart" role="img"' in html
    assert f'aria-labelledby="bar-title-{budget_world.pk} bar-desc-{budget_world.pk}"' in html
    desc = html.split(f'<desc id="bar-desc-{budget_world.pk}">')[1].split("</desc>")[0]
    assert f"utbetalt 80{nbsp}000{nbsp}kr" in desc and f"kvar 850{nbsp}000{nbsp}kr" in desc
    # Geometry in the markup, with a dot whatever the language: paid 80 000 of 1 000 000 → 80 of 1 000.
    assert '<rect class="bar-paid" x="0.0" y="8" width="80.0" height="32">' in html
    assert '<rect class="bar-left" x="150.0" y="8" width="850.0" height="32">' in html
    assert f'<a href="{URL}" aria-current="page">Budget</a>' in html


def test_in_english_the_geometry_keeps_its_dot(client, budget_world):
    client.force_login(UserFactory(roles=["finance"]))
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The budget call" in html and "Budget per call" in html
    assert 'width="80.0"' in html and "paid 80" in html


def test_the_nav_links_the_page_for_both_roles_only(client, db):
    link = f'<a href="{URL}"'
    for roles, shown in ((["finance"], True), (["programme_admin"], True), (["case_officer"], False)):
        client.force_login(UserFactory(roles=roles))
        assert (link in client.get(reverse("staff_workspace")).content.decode()) is shown, roles


@pytest.mark.parametrize("role", ["case_officer", "decision_maker", "reviewer"])
def test_other_staff_do_not_find_the_page(client, db, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(URL).status_code == 404


def test_an_applicant_does_not_find_the_page(client, db):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 404


def _calls_with_grants(n):
    for i in range(n):
        call = CallFactory(title_sv=f"Utlysning {i}")
        grant = _in_call(make_grant(granted=D("1000")), call)
        Payout.objects.filter(grant=grant).update(state=PayoutState.DUE)
    Call.objects.filter(applications__isnull=True).delete()


@pytest.mark.parametrize("calls", [2, 12])
def test_the_number_of_queries_does_not_grow_with_the_calls(client, db, django_assert_max_num_queries, calls):
    _calls_with_grants(calls)
    assert Call.objects.count() == calls
    user = UserFactory(roles=["finance"])
    client.force_login(user)
    client.get(URL)  # warm the session and the user's groups
    with django_assert_max_num_queries(6):  # session, user, groups, calls, grant sums, paid sums
        response = client.get(URL)
    assert response.content.decode().count('<svg class="bar-chart"') == calls


def test_a_call_granted_over_its_budget_says_so_and_marks_the_budget(client, db):
    call = CallFactory(title_sv="Sänkt budget", total_budget=D("400000"))
    _in_call(make_grant(granted=D("500000")), call)
    Call.objects.exclude(pk=call.pk).delete()
    client.force_login(UserFactory(roles=["programme_admin"]))
    html = client.get(URL).content.decode()
    nbsp = "\u00a0"
    assert f"beviljat 100{nbsp}000{nbsp}kr över budgeten" in html
    assert f"Beviljat 100{nbsp}000{nbsp}kr mer än budgeten." in html  # the chart's description
    assert '<line class="bar-budget-line" x1="800.0" x2="800.0"' in html
    assert f'<td class="num over">−100{nbsp}000{nbsp}kr</td>' in html
