"""Pages a Swedish public body can publish: axe-core (WCAG 2.1 A and AA rules) finds no violation, in
Swedish and English, including pages showing form errors; the skip link and the focus ring work."""

import os

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed (apt-get install chromium); .ci/run installs it.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def _session_cookie(user, live_server):
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }


def _violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


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
