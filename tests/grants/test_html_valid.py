"""Every portal page parses as HTML5 without a single parse error (html5lib in strict mode), has one h1,
a skip link to #main, a language switch and a link to the accessibility statement."""

import html5lib
import pytest
from django.urls import reverse

from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, UserFactory


def _check(response):
    assert response.status_code == 200, response
    html = response.content.decode()
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        doc = parser.parse(html)
    except html5lib.html5parser.ParseError as exc:  # pragma: no cover - the failure message is the point
        line = html.splitlines()[parser.errors[-1][0][0] - 1] if parser.errors else ""
        pytest.fail(f"{response.request['PATH_INFO']}: {exc}\n{line}")
    assert len(doc.findall(".//h1")) == 1
    assert doc.find(".//a[@class='skip-link']").get("href") == "#main"
    assert doc.find(".//main").get("id") == "main"
    # The language switch: its own form, or on a draft page buttons that send the draft form (issue 9 item 13).
    switch = doc.find(".//*[@class='lang-switch']")
    assert switch is not None and any(b.get("name") in ("language", "switch_language") for b in switch.iter("button"))
    assert any(a.get("href") == reverse("accessibility") for a in doc.iter("a"))
    ids = [e.get("id") for e in doc.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate id"
    for label in doc.iter("label"):
        target = label.get("for")
        assert target and target in ids, f"label for={target!r} points nowhere"


@pytest.fixture
def member_world(db):
    user = UserFactory()
    membership = MembershipFactory(user=user)
    call = CallFactory()
    draft = ApplicationFactory(call=call, organisation=membership.organisation, created_by=user)
    attach_required(draft, user)
    return user, call, draft, membership.organisation


def test_anonymous_pages_are_valid(client, member_world):
    _user, call, _draft, _org = member_world
    for path in ["/", "/calls/", f"/calls/{call.pk}/", "/accounts/login/", "/accounts/register/", "/accessibility/"]:
        _check(client.get(path))
    _check(client.post("/accounts/register/", {"email": "not-an-email"}))
    _check(client.post("/accounts/login/", {"username": "x@y.se", "password": "wrong"}))


def test_member_pages_are_valid(client, member_world):
    user, call, draft, org = member_world
    client.force_login(user)
    pk = draft.pk
    paths = [
        "/applications/",
        "/organisations/",
        "/organisations/new/",
        f"/organisations/{org.pk}/",
        f"/calls/{call.pk}/",
        f"/applications/{pk}/",
        f"/applications/{pk}/preview/",
        f"/applications/{pk}/delete/",
        f"/applications/{pk}/edit/attachments/",
        f"/applications/{pk}/edit/budget/",
    ]
    paths += [f"/applications/{pk}/edit/{s}/" for s in ("project", "site", "participants", "period", "contacts")]
    for path in paths:
        _check(client.get(path))
    # Pages with errors on them.
    _check(client.post(f"/applications/{pk}/edit/period/", {"start_date": "2027-05-01", "end_date": "2027-01-01"}))
    _check(
        client.post(
            f"/applications/{pk}/edit/budget/",
            {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-amount": "abc", "save": "1"},
        )
    )
    _check(client.post("/organisations/new/", {"name": "X", "orgnr": "123", "org_type": "MUNICIPALITY"}))
    client.post(f"/applications/{pk}/submit/")
    _check(client.get(f"/applications/{pk}/receipt/"))
    _check(client.get(f"/applications/{pk}/"))
    _check(client.get(f"/applications/{pk}/withdraw/"))
