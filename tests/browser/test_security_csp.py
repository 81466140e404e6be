"""Issue 9 item 5 in Chromium: under the Content-Security-Policy (no 'unsafe-inline') nothing on the portal's or
the admin's pages is refused: no "Refused to …" report in the console, and the admin's own scripts still run."""

import pytest

from tests.browser.conftest import session_cookie
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    superuser = UserFactory(email="root@example.se", is_staff=True, is_superuser=True)
    member = UserFactory(email="member@example.se")
    membership = MembershipFactory(user=member)
    draft = ApplicationFactory(call=CallFactory(), organisation=membership.organisation, created_by=member)
    attach_required(draft, member)
    return {"superuser": superuser, "draft": draft}


def _refusals(page, live_server, paths):
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status < 400, path
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
    return refused


def test_the_portal_and_the_admin_run_under_the_csp(browser, live_server, world):
    context = browser.new_context()
    page = context.new_page()
    assert not _refusals(page, live_server, ["/", "/calls/", "/accounts/login/", "/accounts/password-reset/"])
    context.add_cookies([session_cookie(world["superuser"], live_server)])
    draft = world["draft"]
    admin_paths = [
        "/admin/",
        "/admin/grants/application/",
        "/admin/grants/application/?state__exact=DRAFT",
        f"/admin/grants/application/{draft.pk}/change/",
        "/admin/grants/organisation/add/",
        "/admin/grants/user/",
        "/admin/auth/group/add/",
    ]
    assert not _refusals(page, live_server, admin_paths)
    # The admin's scripts (static files) ran: jquery.init.js defined django.jQuery.
    page.goto(live_server.url + "/admin/grants/organisation/add/")
    assert page.evaluate("typeof django === 'object' && typeof django.jQuery === 'function'")
    context.close()
