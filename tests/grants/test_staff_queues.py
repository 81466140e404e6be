"""Case officer queues: membership of each queue, filters, search, sort, pagination, bulk assign, access,
a constant query count and valid HTML."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.errors import NotAllowed, ServiceError
from grants.models import Application, ApplicationState, OrganisationType, Review
from grants.selectors.queues import application_queue_list
from grants.services.cases import application_assign
from grants.services.queues import applications_assign_many
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    OrganisationFactory,
    ReviewFactory,
    UserFactory,
)
from tests.grants.test_html_valid import _check
from workflows.models import CaseEvent

S = ApplicationState
URL = "/staff/queue/"
ASSIGN_URL = "/staff/queue/assign/"


@pytest.fixture
def call(db):
    return CallFactory(title_sv="Coworking 2026")


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Östersunds kommun", org_type=OrganisationType.MUNICIPALITY)


_serial = iter(range(1, 99999))


def case(call, org, state=S.SUBMITTED, officer=None, days_ago=1, title="Hybridarbete", answer_by=None, **kw):
    n = next(_serial)
    return ApplicationFactory(
        call=call,
        organisation=org,
        created_by=UserFactory(),
        state=state,
        reference_number=None if state == S.DRAFT else f"2026-{n:05d}",
        submitted_at=None if state == S.DRAFT else timezone.now() - timedelta(days=days_ago),
        assigned_officer=officer,
        title=title,
        completion_answer_by_date=answer_by,
        lines=False,
        **kw,
    )


def refs(response):
    return [row["ref"] for row in response.context["rows"]]


def pks(qs):
    return {a.pk for a in qs}


# --- membership of each queue ------------------------------------------------------------------------------


def test_queue_membership(call, org, officer, officer2):
    draft = case(call, org, state=S.DRAFT)
    new = case(call, org)
    new_mine = case(call, org, officer=officer)
    review_mine = case(call, org, state=S.IN_REVIEW, officer=officer)
    review_other = case(call, org, state=S.IN_REVIEW, officer=officer2)
    completion = case(call, org, state=S.AWAITING_COMPLETION, officer=officer2, answer_by=date(2026, 5, 1))
    approved_mine = case(call, org, state=S.APPROVED, officer=officer)
    withdrawn = case(call, org, state=S.WITHDRAWN)

    def queue(key):
        return pks(application_queue_list(user=officer, queue=key))

    assert queue("new") == {new.pk}
    assert queue("mine") == {new_mine.pk, review_mine.pk}  # open cases only
    assert queue("completion") == {completion.pk}
    assert queue("ready") == {review_mine.pk, review_other.pk}  # no reviews at all: nothing pending
    everything = {new.pk, new_mine.pk, review_mine.pk, review_other.pk, completion.pk, approved_mine.pk}
    assert queue("all") == everything | {withdrawn.pk}
    for key in ("new", "mine", "completion", "ready", "all"):
        assert draft.pk not in queue(key)


def test_ready_for_proposal_needs_every_review_submitted_or_recused(call, org, officer):
    now = timezone.now()
    pending = case(call, org, state=S.IN_REVIEW, officer=officer)
    ReviewFactory(application=pending, submitted_at=now, conflict=Review.Conflict.NONE)
    ReviewFactory(application=pending)  # undeclared
    declared_not_submitted = case(call, org, state=S.IN_REVIEW, officer=officer)
    ReviewFactory(application=declared_not_submitted, conflict=Review.Conflict.NONE)
    done = case(call, org, state=S.IN_REVIEW, officer=officer)
    ReviewFactory(application=done, submitted_at=now, conflict=Review.Conflict.NONE)
    ReviewFactory(application=done, conflict=Review.Conflict.CONFLICT, conflict_reason="Min syster leder projektet.")
    submitted_only = case(call, org, state=S.SUBMITTED, officer=officer)  # not in review yet
    # An assignment the officer withdrew is owed by no one, whatever was declared before.
    withdrawn = case(call, org, state=S.IN_REVIEW, officer=officer)
    ReviewFactory(application=withdrawn, withdrawn_at=now)
    ReviewFactory(application=withdrawn, conflict=Review.Conflict.NONE, declared_at=now, withdrawn_at=now)

    ready = pks(application_queue_list(user=officer, queue="ready"))
    assert ready == {done.pk, withdrawn.pk}
    assert submitted_only.pk not in ready


def test_queues_through_the_real_services(cast, draft, now):
    from tests.workflows.lifecycle import bring_to

    submitted = bring_to(draft, S.SUBMITTED, cast, now)  # submitted, assigned to cast.officer, checked
    assert pks(application_queue_list(user=cast.officer, queue="mine")) == {submitted.pk}
    assert pks(application_queue_list(user=cast.officer, queue="new")) == set()
    applications_assign_many(actor=cast.officer, applications=[submitted], officer=cast.officer2, now=now)
    assert pks(application_queue_list(user=cast.officer, queue="mine")) == set()
    assert pks(application_queue_list(user=cast.officer2, queue="mine")) == {submitted.pk}
    assert CaseEvent.objects.filter(application=submitted, event="application.assigned").count() == 2


# --- filters, search, sort, pagination ---------------------------------------------------------------------


def test_filters_and_search(client, call, org, officer, officer2):
    other_call = CallFactory(title_sv="Annan utlysning", with_kinds=False)
    region = OrganisationFactory(name="Region Jämtland", org_type=OrganisationType.REGION)
    a = case(call, org, title="Coworking i Östersund", officer=officer)
    b = case(other_call, region, title="Distansarbete", state=S.IN_REVIEW, officer=officer2)
    c = case(call, region, title="Hubbar i Jämtland")
    client.force_login(officer)

    def get(**params):
        return set(refs(client.get(URL, {"queue": "all", **params})))

    assert get() == {a.reference_number, b.reference_number, c.reference_number}
    assert get(call=other_call.pk) == {b.reference_number}
    assert get(state="IN_REVIEW") == {b.reference_number}
    assert get(officer=officer.pk) == {a.reference_number}
    assert get(officer="none") == {c.reference_number}
    assert get(org_type="REGION") == {b.reference_number, c.reference_number}
    assert get(q=b.reference_number) == {b.reference_number}
    assert get(q="coworking") == {a.reference_number}  # title
    # (SQLite folds only ASCII case; PostgreSQL also folds å, ä, ö.)
    assert get(q="jäMTLAND") == {b.reference_number, c.reference_number}  # organisation name or title
    assert get(q="inget sådant") == set()
    # Filters combine; a filter value that is not a choice is an error shown on the page, not a crash.
    assert get(org_type="REGION", state="SUBMITTED") == {c.reference_number}
    response = client.get(URL, {"queue": "all", "state": "DRAFT"})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get(URL, {"queue": "bogus"}).context["queue_key"] == "new"


def test_sort_by_age_and_answer_by(client, call, org, officer):
    old = case(call, org, state=S.AWAITING_COMPLETION, days_ago=30, answer_by=date(2026, 6, 1))
    mid = case(call, org, state=S.AWAITING_COMPLETION, days_ago=10, answer_by=date(2026, 5, 1))
    young = case(call, org, state=S.AWAITING_COMPLETION, days_ago=2, answer_by=None)
    client.force_login(officer)

    def order(sort):
        return refs(client.get(URL, {"queue": "completion", "sort": sort}))

    assert order("oldest") == [old.reference_number, mid.reference_number, young.reference_number]
    assert order("newest") == [young.reference_number, mid.reference_number, old.reference_number]
    assert order("answer_by") == [mid.reference_number, old.reference_number, young.reference_number]
    rows = client.get(URL, {"queue": "completion"}).context["rows"]
    assert [r["age_days"] for r in rows] in ([30, 10, 2], [31, 11, 3], [29, 9, 1])


def _bulk_cases(call, org, n, **fields):
    now = timezone.now()
    creator = UserFactory()
    start = next(_serial)
    for _ in range(n):
        next(_serial)
    return Application.objects.bulk_create(
        [
            Application(
                **{
                    "call": call,
                    "organisation": org,
                    "created_by": creator,
                    "state": S.SUBMITTED,
                    "reference_number": f"2026-{start + i:05d}",
                    "submitted_at": now - timedelta(minutes=n - i),
                    "title": f"Ärende {i}",
                    **fields,
                }
            )
            for i in range(n)
        ]
    )


def test_pagination(client, call, org, officer):
    _bulk_cases(call, org, 120)
    client.force_login(officer)
    first = client.get(URL, {"queue": "new"})
    assert len(first.context["rows"]) == 50
    assert first.context["page"].paginator.count == 120
    third = client.get(URL, {"queue": "new", "page": 3})
    assert len(third.context["rows"]) == 20
    assert not set(refs(first)) & set(refs(third))
    assert client.get(URL, {"queue": "new", "page": 99}).context["page"].number == 3  # past the end: the last
    assert "page=2" in first.content.decode()


# --- bulk assign -------------------------------------------------------------------------------------------


def test_bulk_assign_many_to_a_colleague(client, call, org, officer, officer2):
    chosen = [case(call, org) for _ in range(3)]
    left = case(call, org)
    client.force_login(officer)
    response = client.post(
        ASSIGN_URL,
        {"applications": [a.pk for a in chosen], "officer": officer2.pk, "return_query": "queue=new&q=x&evil=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/staff/queue/?queue=new&q=x"
    for a in chosen:
        a.refresh_from_db()
        assert a.assigned_officer == officer2
        events = CaseEvent.objects.filter(application=a)
        assert [(e.event, e.actor_id) for e in events] == [("application.assigned", officer.pk)]
    left.refresh_from_db()
    assert left.assigned_officer is None
    assert not CaseEvent.objects.filter(application=left).exists()


def test_assign_to_me_one_click(client, call, org, officer):
    a, b = case(call, org), case(call, org)
    client.force_login(officer)
    # The row button wins over ticked boxes and the select: it means "this one, to me".
    response = client.post(
        ASSIGN_URL, {"one": a.pk, "applications": [b.pk], "officer": "me", "return_query": "queue=new"}
    )
    a.refresh_from_db(), b.refresh_from_db()
    assert a.assigned_officer == officer and b.assigned_officer is None
    assert CaseEvent.objects.filter(event="application.assigned").count() == 1
    # "Tilldela mig" leads on to the case (issue 9), with the confirmation shown there.
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{a.pk}/"
    assert "1 ärende tilldelat" in client.get(response["Location"]).content.decode()
    response = client.post(ASSIGN_URL, {"applications": [b.pk], "officer": "me", "return_query": "queue=new"})
    assert response["Location"] == "/staff/queue/?queue=new"  # a bulk assignment stays in the queue
    b.refresh_from_db()
    assert b.assigned_officer == officer


def test_bulk_assign_refused_for_non_officers(client, call, org, applicant, decider):
    a = case(call, org)
    for user in (applicant, decider):
        client.force_login(user)
        assert client.post(ASSIGN_URL, {"applications": [a.pk], "officer": "me"}).status_code == 404
    a.refresh_from_db()
    assert a.assigned_officer is None
    assert not CaseEvent.objects.exists()
    with pytest.raises(NotAllowed):
        applications_assign_many(actor=decider, applications=[a], officer=decider, now=timezone.now())


def test_bulk_assign_is_all_or_nothing(client, call, org, officer, officer2, decider):
    a = case(call, org)
    draft = case(call, org, state=S.DRAFT)
    now = timezone.now()
    with pytest.raises(ServiceError):
        applications_assign_many(actor=officer, applications=[a, draft], officer=officer, now=now)
    with pytest.raises(ServiceError):
        applications_assign_many(actor=officer, applications=[a.pk, 987654], officer=officer, now=now)
    with pytest.raises(ServiceError):  # the new officer must hold the role
        applications_assign_many(actor=officer, applications=[a], officer=decider, now=now)
    with pytest.raises(ServiceError):
        applications_assign_many(actor=officer, applications=[], officer=officer, now=now)
    a.refresh_from_db()
    assert a.assigned_officer is None and not CaseEvent.objects.exists()
    # Through the page: an error message, nothing changed.
    client.force_login(officer)
    response = client.post(ASSIGN_URL, {"applications": [a.pk, draft.pk], "officer": officer2.pk}, follow=True)
    assert "inte inskickad" in response.content.decode()
    a.refresh_from_db()
    assert a.assigned_officer is None
    response = client.post(ASSIGN_URL, {"officer": "me"}, follow=True)
    assert "Välj minst ett ärende" in response.content.decode()


# One rule for who takes an officer (grants.permissions.OPEN_STATES): the queue row's "Tilldela mig", the bulk
# service and the single-case service (case page, admin) all follow it.
CLOSED = [S.APPROVED, S.REJECTED, S.WITHDRAWN]


@pytest.mark.parametrize("state", [s for s in S if s != S.DRAFT])
def test_closed_cases_take_no_officer_in_the_queue_or_the_services(client, call, org, officer, officer2, state):
    a = case(call, org, state=state, officer=officer2)
    open_ = state not in CLOSED
    client.force_login(officer)
    row = _row_of(client.get(URL, {"queue": "all"}).content.decode(), a.reference_number)
    assert f'name="applications" value="{a.pk}"' in row  # the box stays; the service decides
    assert (f'name="one" value="{a.pk}"' in row) == open_
    now = timezone.now()
    if open_:
        assert applications_assign_many(actor=officer, applications=[a], officer=officer, now=now) == [a]
        assert application_assign(actor=officer, application=a, officer=officer2, now=now).assigned_officer == officer2
        return
    for assign in (
        lambda: applications_assign_many(actor=officer, applications=[a], officer=officer, now=now),
        lambda: application_assign(actor=officer, application=a, officer=officer, now=now),
    ):
        with pytest.raises(ServiceError, match=f"Ärende {a.reference_number} är avslutat"):
            assign()
    response = client.post(ASSIGN_URL, {"one": a.pk}, follow=True)
    assert f"Ärende {a.reference_number} är avslutat" in response.content.decode()
    a.refresh_from_db()
    assert a.assigned_officer == officer2 and not CaseEvent.objects.filter(application=a).exists()


def test_a_bulk_assignment_with_closed_cases_names_them_and_assigns_none(client, call, org, officer):
    open_ = [case(call, org), case(call, org, state=S.PROPOSED)]
    closed = [case(call, org, state=S.APPROVED), case(call, org, state=S.WITHDRAWN)]
    client.force_login(officer)
    response = client.post(ASSIGN_URL, {"applications": [a.pk for a in open_ + closed], "officer": "me"}, follow=True)
    html = response.content.decode()
    assert f"Ärendena {closed[0].reference_number}, {closed[1].reference_number} är avslutade" in html
    assert "Inget ärende har tilldelats" in html
    assert not Application.objects.filter(assigned_officer=officer).exists()
    assert not CaseEvent.objects.exists()
    client.cookies["django_language"] = "en"
    html = client.post(ASSIGN_URL, {"applications": [closed[0].pk], "officer": "me"}, follow=True).content.decode()
    assert f"Case {closed[0].reference_number} is closed and cannot be assigned" in html


def test_reassigning_to_the_same_officer_logs_nothing(call, org, officer):
    a = case(call, org, officer=officer)
    assert applications_assign_many(actor=officer, applications=[a], officer=officer, now=timezone.now()) == []
    assert not CaseEvent.objects.exists()


# --- access ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [[], ["reviewer"], ["finance"], ["decision_maker"], ["programme_admin"]])
def test_only_case_officers_see_the_queue(client, db, roles):
    user = UserFactory(roles=roles)
    client.force_login(user)
    assert client.get(URL).status_code == 404
    assert client.post(ASSIGN_URL, {"officer": "me"}).status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    for response in (client.get(URL), client.post(ASSIGN_URL)):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_case_officer_sees_the_queue_and_the_nav_entry(client, officer):
    client.force_login(officer)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'href="/staff/queue/"' in response.content.decode()
    assert client.get(ASSIGN_URL).status_code == 405


# --- cost --------------------------------------------------------------------------------------------------


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("queue", ["new", "mine", "ready", "all"])
def test_query_count_does_not_grow_with_the_cases(
    client, call, org, officer, officer2, queue, django_assert_max_num_queries
):
    client.force_login(officer)
    params = {"queue": queue, "q": "Ärende", "sort": "newest"}
    few = _bulk_cases(call, org, 5, state=S.IN_REVIEW, assigned_officer=officer)
    ReviewFactory(application=few[0], submitted_at=timezone.now(), conflict=Review.Conflict.NONE)
    client.get(URL, params)  # session and caches warm
    count_5, response = _queries(client, params)
    assert len(response.context["rows"]) == (5 if queue != "new" else 0)
    other = OrganisationFactory(name="Region Norr", org_type=OrganisationType.REGION)
    _bulk_cases(CallFactory(with_kinds=False), other, 495, state=S.IN_REVIEW, assigned_officer=officer2)
    count_500, response = _queries(client, params)
    assert count_500 == count_5
    with django_assert_max_num_queries(10):
        client.get(URL, params)


# --- what a row shows ----------------------------------------------------------------------------------------


def _row_of(html, ref, *, labels=False):
    """The row's HTML; without the column names each cell repeats for narrow screens unless `labels`."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    row = next(row for row in body.split("<tr>") if f">{ref}</a>" in row)
    return row if labels else re.sub(r' data-label="[^"]*"', "", row)


def test_a_row_shows_the_case_escaped_and_translated(client, call, org, officer, officer2):
    hostile = OrganisationFactory(name='<script>alert("org")</script> & Co', org_type=OrganisationType.REGION)
    mine = case(call, hostile, title='<b>Fett</b> & "citat"', officer=officer, state=S.IN_REVIEW)
    answer = case(call, org, state=S.AWAITING_COMPLETION, officer=officer2, answer_by=date(2026, 5, 1))
    untitled = case(call, org, title="")
    client.force_login(officer)
    html = client.get(URL, {"queue": "all"}).content.decode()
    assert "<script>" not in html and "<b>Fett" not in html
    row = _row_of(html, mine.reference_number)
    assert f'value="{mine.pk}" id="select-{mine.pk}"><label for="select-{mine.pk}">' in row
    assert f'<span class="visually-hidden">Välj {mine.reference_number}</span>' in row
    assert f'<a href="/staff/cases/{mine.pk}/">{mine.reference_number}</a>' in row
    assert "<td>&lt;b&gt;Fett&lt;/b&gt; &amp; &quot;citat&quot;</td>" in row
    assert '&lt;script&gt;alert(&quot;org&quot;)&lt;/script&gt; &amp; Co <span class="hint">(Region)</span>' in row
    assert "<td>Coworking 2026</td>" in row and "<td>Under handläggning</td>" in row
    assert "<td>Hanna Handläggare</td>" in row
    assert 'name="one"' not in row  # already mine: no "Tilldela mig"
    row = _row_of(html, answer.reference_number)
    assert "<td>Olle Handläggare</td>" in row and "<td>1 maj 2026</td>" in row
    assert f'name="one" value="{answer.pk}"' in row and "Tilldela mig" in row
    row = _row_of(html, untitled.reference_number)
    assert "<td>(utan titel)</td>" in row and '<span class="hint">Ingen</span>' in row

    client.cookies["django_language"] = "en"
    html = client.get(URL, {"queue": "all"}).content.decode()
    row = _row_of(html, answer.reference_number)
    assert f"Select {answer.reference_number}" in row and "Assign to me" in row and "<td>1 May 2026</td>" in row
    assert "<td>Awaiting supplementary information</td>" in row
    row = _row_of(html, untitled.reference_number)
    assert "<td>(untitled)</td>" in row and '<span class="hint">None</span>' in row
    # Each cell names its column, translated, for the stacked rows of a narrow screen (WCAG 1.4.10).
    row = _row_of(html, untitled.reference_number, labels=True)
    assert '<td data-label="Project title">(untitled)</td>' in row and '<td class="queue-action">' in row


def test_received_is_the_swedish_date(client, call, org, officer):
    from datetime import UTC, datetime

    late = case(call, org)  # 23:30 UTC on 31 March is 01:30 on 1 April in Stockholm
    Application.objects.filter(pk=late.pk).update(submitted_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    client.force_login(officer)
    row = _row_of(client.get(URL, {"queue": "new"}).content.decode(), late.reference_number)
    assert "<td>1 april 2026</td>" in row and "31 mars" not in row


def test_month_names_once_per_month_match_format_date():
    from django.utils import translation

    from grants.formatting import format_date
    from grants.views.staff.queues import _Dates

    for language in ("sv", "en"):
        with translation.override(language):
            day = _Dates()
            for value in (date(2026, m, d) for m in range(1, 13) for d in (1, 9, 28)):
                assert day(value) == format_date(value)


def test_html_escapes_as_format_html_does():
    from django.utils.functional import lazy
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    from grants.views.staff.queues import _html

    values = {
        "a": "<script>alert(\"x\")</script> & 'y'",
        "b": 42,
        "c": None,
        "d": mark_safe("<b>kept</b>"),
        "e": lazy(str, str)("<lazy>"),  # a lazy string, as gettext_lazy gives
    }
    template = '<p title="{a}">{a}{b}{c}{d}{e}</p>'
    assert _html(template, **values) == format_html(template, **values)
    assert "<script>" not in _html(template, **values)


def test_quick_select_writes_what_djangos_select_writes():
    from django import forms
    from django.test.html import parse_html

    from grants.views.staff.queues import QuickSelect

    choices = [("", "Alla"), ("a", "<A & B>"), ("Grupp", [("b", "B"), ("c", "C")]), (3, "Tre")]
    attrs = {"id": "id_x", "aria-describedby": "id_x_hint", "required": True, "disabled": False}
    for value in ("", "b", 3, ["a"], None):
        quick = QuickSelect(choices=choices).render("x", value, attrs=attrs)
        django = forms.Select(choices=choices).render("x", value, attrs=attrs)
        assert parse_html(quick) == parse_html(django), (value, quick, django)
        assert str(quick).replace("\n", "") == str(django).replace("\n", "")


# --- HTML --------------------------------------------------------------------------------------------------


def test_queue_pages_are_valid_html(client, call, org, officer, officer2):
    case(call, org, state=S.AWAITING_COMPLETION, officer=officer2, answer_by=date(2026, 5, 1))
    case(call, org)
    _bulk_cases(call, org, 60)
    client.force_login(officer)
    for params in (
        {},
        {"queue": "all", "page": 2},
        {"queue": "completion", "sort": "answer_by"},
        {"queue": "mine"},
        {"queue": "all", "state": "DRAFT"},  # with a form error
    ):
        response = client.get(URL, params)
        _check(response)
    html = client.get(URL, {"queue": "all"}).content.decode()
    assert 'aria-current="page"' in html and "<caption>" in html and 'scope="row"' in html
    assert "Välj 2026-" in html and "Mig själv" in html
    _check(client.post(ASSIGN_URL, {"officer": "me"}, follow=True))


def test_a_reviewer_of_a_case_cannot_become_its_officer_by_the_queue_or_a_service(client, call, org, officer):
    reviewed, other = case(call, org), case(call, org)
    Review.objects.create(application=reviewed, reviewer=officer, assigned_by=officer, conflict=Review.Conflict.NONE)
    client.force_login(officer)
    html = client.post(ASSIGN_URL, {"one": reviewed.pk}, follow=True).content.decode()
    assert f"är bedömare i ärende {reviewed.reference_number} och kan inte också vara dess handläggare" in html
    html = client.post(ASSIGN_URL, {"applications": [reviewed.pk, other.pk], "officer": "me"}, follow=True)
    assert "Inget ärende har tilldelats" in html.content.decode()
    assert not Application.objects.filter(assigned_officer=officer).exists()
    with pytest.raises(ServiceError):
        application_assign(actor=officer, application=reviewed, officer=officer, now=timezone.now())
    assert not CaseEvent.objects.exists()
    # A withdrawn assignment is no bar.
    Review.objects.filter(application=reviewed).update(withdrawn_at=timezone.now(), withdrawn_by=officer)
    application_assign(actor=officer, application=reviewed, officer=officer, now=timezone.now())
    assert Application.objects.get(pk=reviewed.pk).assigned_officer == officer
