"""Pages a Swedish public body can publish: axe-core (WCAG 2.1 A and AA rules) finds no violation, in
Swedish and English, including pages showing form errors; the skip link and the focus ring work."""

import pytest
from django.conf import settings

from tests.browser.conftest import axe_violations, session_cookie
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session_cookie(user, live_server):
    return session_cookie(user, live_server)


def _violations(page):
    return axe_violations(page)


@pytest.fixture
def world(db):
    user = UserFactory(email="a11y@example.se", full_name="Åsa Ärlig")
    membership = MembershipFactory(user=user)
    call = CallFactory()
    draft = ApplicationFactory(call=call, organisation=membership.organisation, created_by=user)
    attach_required(draft, user)
    return {"user": user, "call": call, "draft": draft, "org": membership.organisation}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_pages_have_no_axe_violations(browser, live_server, world, language):
    context = browser.new_context()
    context.add_cookies(
        [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    anonymous = [
        "/",
        "/calls/",
        f"/calls/{world['call'].pk}/",
        "/accounts/login/",
        "/accounts/register/",
        "/accessibility/",
        "/finns-inte/",  # the 404 page
    ]
    failures = {}
    for path in anonymous:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language
        if found := _violations(page):
            failures[path] = found

    # Forms showing their errors: the summary, the linked fields, aria-invalid.
    page.goto(live_server.url + "/accounts/register/")
    page.click("main button[type=submit]")
    assert page.locator("#error-summary").count() == 1
    if found := _violations(page):
        failures["register with errors"] = found

    context.add_cookies([_session_cookie(world["user"], live_server)])
    app = world["draft"].pk
    logged_in = [
        "/applications/",
        "/organisations/",
        "/organisations/new/",
        f"/organisations/{world['org'].pk}/",
        f"/applications/{app}/",
        f"/applications/{app}/edit/project/",
        f"/applications/{app}/edit/budget/",
        f"/applications/{app}/edit/period/",
        f"/applications/{app}/edit/attachments/",
        f"/applications/{app}/preview/",
        f"/applications/{app}/delete/",
    ]
    for path in logged_in:
        page.goto(live_server.url + path)
        if found := _violations(page):
            failures[path] = found

    page.goto(live_server.url + f"/applications/{app}/edit/period/")
    page.fill("#id_start_date", "2027-05-01")
    page.fill("#id_end_date", "2027-01-01")
    page.click("button[name=save]")
    assert page.locator("#error-summary a[href='#id_end_date']").count() == 1
    assert page.locator("#id_end_date").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_start_date").input_value() == "2027-05-01"  # typed work kept
    if found := _violations(page):
        failures["period with errors"] = found

    page.goto(live_server.url + f"/applications/{app}/preview/")
    page.click("form[action$='/submit/'] button")
    page.wait_for_url("**/receipt/")
    if found := _violations(page):
        failures["receipt"] = found
    context.close()
    assert failures == {}


def test_skip_link_and_visible_focus(browser, live_server, world):
    page = browser.new_page()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.close()


def test_axe_reports_a_known_violation(browser):
    """Guards the guard: if axe stopped running, the page tests above would pass on anything."""
    page = browser.new_page()
    page.set_content(
        '<html lang="sv"><head><title>x</title></head><body><main><input type="text"></main></body></html>'
    )
    assert "label" in {v[0] for v in _violations(page)}
    page.close()
