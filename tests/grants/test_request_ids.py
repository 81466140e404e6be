"""Ids from requests (grants.ids): only 1–18 ASCII digits within 1..2**63-1. Anything else gets the page's
ordinary "invalid" answer and changes nothing — never a 500 (`"²".isdigit()` is True but int("²") raises;
a number past 64 bits makes SQLite raise OverflowError in a `pk__in` list)."""

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from grants.ids import MAX_ID, coerce_id, parse_id, parse_ids
from grants.models import Application, ApplicationState, Decision
from tests.factories import UserFactory
from tests.workflows.lifecycle import bring_to
from workflows.models import CaseEvent

HUGE = "99999999999999999999"  # 20 digits: past the 64-bit range
BAD = ["²", "١٢", HUGE, str(MAX_ID + 1), "0", "-1", " 1", "1 ", "1.0", "0x1", "", "1" * 19]


@pytest.mark.parametrize("value", BAD + [None, 1, b"1"])
def test_bad_ids_are_refused(value):
    assert parse_id(value) is None
    assert parse_ids(["1", value]) is None
    with pytest.raises(ValueError):
        coerce_id(value)


def test_good_ids():
    assert parse_id("1") == 1 and parse_id("007") == 7 and parse_id("9" * 18) == 10**18 - 1
    assert parse_ids(["3", "1", "3"]) == [3, 1] and parse_ids([]) == []


@pytest.fixture
def proposed(draft, cast, now):
    return bring_to(draft, ApplicationState.PROPOSED, cast, now)


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize("bad", ["²", HUGE])
def test_bulk_decision_with_a_bad_id_decides_nothing(client, cast, proposed, bad):
    client.force_login(cast.decider)
    for cases in ([bad], [proposed.pk, bad]):
        response = client.post(reverse("staff_decision_bulk"), {"cases": cases}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("staff_decision_queue")
        assert "Välj minst ett ärende att besluta." in _messages(response)
    assert not Decision.objects.exists()
    assert Application.objects.get(pk=proposed.pk).state == ApplicationState.PROPOSED


@pytest.mark.parametrize("bad", ["²", HUGE])
def test_progress_pages_drop_bad_ids(client, cast, bad):
    client.force_login(cast.decider)
    page = client.get(reverse("staff_decision_progress"), {"ids": f"{bad},5"})
    assert page.status_code == 200 and page.context["ids"] == "" and page.context["progress"].total == 0
    data = client.get(reverse("staff_decision_progress_json"), {"ids": bad}).json()
    assert (data["total"], data["failed"]) == (0, 0)
    response = client.post(reverse("staff_decision_letters_retry"), {"ids": bad}, follow=True)
    assert "Inga misslyckade eller avbrutna beslutsbrev" in _messages(response)


@pytest.mark.parametrize("field", ["applications", "one"])
@pytest.mark.parametrize("bad", ["²", HUGE])
def test_queue_assign_with_a_bad_id_assigns_nothing(client, cast, proposed, field, bad):
    client.force_login(cast.officer2)
    response = client.post(reverse("staff_queue_assign"), {field: [proposed.pk, bad], "officer": "me"}, follow=True)
    assert "Välj ett ärende och en handläggare." in _messages(response)
    assert Application.objects.get(pk=proposed.pk).assigned_officer == cast.officer
    assert CaseEvent.objects.filter(event="application.assigned").count() == 1  # bring_to's own


def test_queue_filter_with_a_bad_call_or_officer_shows_the_queue(client, cast):
    client.force_login(cast.officer)
    for params in ({"call": HUGE}, {"call": "²"}, {"officer": HUGE}, {"page": HUGE}, {"page": "²"}):
        assert client.get(reverse("staff_queue"), params).status_code == 200


def _int_routes() -> list[tuple[str, dict]]:
    """(name, converters) of every non-admin URL with an `<int:…>` part."""
    found: list[tuple[str, dict]] = []

    def walk(patterns: list) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace != "admin":
                    walk(p.url_patterns)
            elif any(isinstance(c, IntConverter) for c in p.pattern.converters.values()):
                found.append((p.name, p.pattern.converters))

    walk(get_resolver().url_patterns)
    return found


def test_every_int_url_answers_404_for_a_huge_id(client, db):
    """`<int:pk>` takes any number of digits. Django (5.0+) turns an out-of-range `exact` lookup into "no
    match", so these are 404s, not OverflowErrors; this guards that for every such URL, GET and POST."""
    routes = _int_routes()
    assert len(routes) > 20
    client.force_login(UserFactory(roles=["case_officer", "reviewer", "decision_maker", "finance", "programme_admin"]))
    client.raise_request_exception = False
    failures = []
    for name, converters in routes:
        kwargs = {key: int(HUGE) if isinstance(c, IntConverter) else "project" for key, c in converters.items()}
        path = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            status = getattr(client, method)(path).status_code
            if status not in (404, 405):
                failures.append(f"{method.upper()} {path}: {status}")
    assert not failures, failures
