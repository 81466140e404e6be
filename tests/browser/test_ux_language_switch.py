"""Issue 9 item 13 in Chromium, scripts off: typing in a draft and then pressing "English" keeps what was typed;
pressing Enter in a field saves as before and does not switch the language."""

import pytest
from django.urls import reverse

from grants.models import Application
from tests.browser.conftest import axe_violations, language_cookie, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_switching_language_mid_draft_keeps_what_was_typed(browser, live_server, applicant, draft):
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies([language_cookie("sv", live_server), session_cookie(applicant, live_server)])
    page = context.new_page()
    url = live_server.url + reverse("application_section", kwargs={"pk": draft.pk, "section": "project"})
    page.goto(url)
    page.fill("#id_title", "Titel skriven på svenska")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.input_value("#id_title") == "Titel skriven på svenska"
    assert Application.objects.get(pk=draft.pk).title == "Titel skriven på svenska"

    page.fill("#id_title", "Titel efter Enter")
    page.press("#id_title", "Enter")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"  # Enter saved and went on, it did not switch back
    assert Application.objects.get(pk=draft.pk).title == "Titel efter Enter"
    assert page.url.endswith("/edit/site/")  # "Spara och fortsätt", the first button of the form
    context.close()


def test_the_draft_page_has_no_accessibility_violations(browser, live_server, applicant, draft):
    context = browser.new_context()
    context.add_cookies([language_cookie("sv", live_server), session_cookie(applicant, live_server)])
    page = context.new_page()
    for section in ("project", "budget"):
        page.goto(live_server.url + reverse("application_section", kwargs={"pk": draft.pk, "section": section}))
        assert axe_violations(page) == [], section
    context.close()
