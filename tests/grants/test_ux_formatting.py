"""Issue 9 item 11: one way of writing money (`240 000 kr`, in Swedish and English pages alike) and orgnr
(`212095-1856`) in pages, form fields, e-mails and admin lists; the officer's page of a decided case shows the
decision (outcome, granted amount, who decided and when) and none of the handling forms that no longer apply."""

from decimal import Decimal

import lxml.html
import pytest
from django.urls import reverse

from grants.formatting import format_amount, format_money, format_orgnr
from grants.models import ApplicationState
from tests.workflows.lifecycle import bring_to

S = ApplicationState
HANDLING_URLS = (
    "staff_case_eligibility",
    "staff_case_request_completion",
    "staff_case_reviewer_assign",
    "staff_case_start_review",
    "staff_case_assign_self",
)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("240000.00"), "240\xa0000\xa0kr"),
        (Decimal("0.00"), "0\xa0kr"),
        (Decimal("1234.5"), "1\xa0234,50\xa0kr"),
    ],
)
def test_money(amount, text):
    assert format_money(amount) == text
    assert format_amount(amount) == text.removesuffix("\xa0kr")


@pytest.mark.parametrize(
    ("stored", "shown"), [("2120951856", "212095-1856"), ("212095-1856", "212095-1856"), ("123", "123"), ("", "")]
)
def test_orgnr(stored, shown):
    assert format_orgnr(stored) == shown


def _page(client, user, name, pk):
    client.force_login(user)
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_case_page_of_an_approved_case_shows_the_decision_and_no_handling_forms(
    client, draft, cast, now, settings, language
):
    app = bring_to(draft, S.APPROVED, cast, now)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = _page(client, cast.officer, "staff_case", app.pk)
    root = lxml.html.fromstring(html)
    (section,) = root.xpath("//section[@aria-labelledby='decision-title']")
    text = section.text_content()
    assert "400\xa0000\xa0kr" in text
    assert cast.decider.get_full_name() in text and cast.officer.get_full_name() in text
    assert ("Beviljad" if language == "sv" else "Granted") in text
    assert ("Beviljat belopp" if language == "sv" else "Amount granted") in text
    actions = {form.get("action") for form in root.xpath("//main//form")}
    for name in HANDLING_URLS:
        assert reverse(name, args=[app.pk]) not in actions, name
    assert not root.xpath("//main//button[@disabled]")
    assert format_orgnr(app.organisation.orgnr) in html


def test_the_case_page_of_a_rejected_case_says_rejected(client, draft, cast, now):
    app = bring_to(draft, S.REJECTED, cast, now)
    root = lxml.html.fromstring(_page(client, cast.officer, "staff_case", app.pk))
    (section,) = root.xpath("//section[@aria-labelledby='decision-title']")
    assert "Avslagen" in section.text_content() and "Beviljat belopp" not in section.text_content()


def test_a_proposed_case_shows_the_proposal_and_only_assignment(client, draft, cast, now):
    app = bring_to(draft, S.PROPOSED, cast, now)
    root = lxml.html.fromstring(_page(client, cast.officer, "staff_case", app.pk))
    (section,) = root.xpath("//section[@aria-labelledby='proposal-title']")
    assert "400\xa0000\xa0kr" in section.text_content()
    actions = {form.get("action") for form in root.xpath("//main//form")}
    assert reverse("staff_case_eligibility", args=[app.pk]) not in actions
    assert reverse("staff_case_assign_self", args=[app.pk]) in actions


def test_an_open_case_keeps_its_handling_forms(client, draft, cast, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    root = lxml.html.fromstring(_page(client, cast.officer, "staff_case", app.pk))
    actions = {form.get("action") for form in root.xpath("//main//form")}
    assert {reverse(n, args=[app.pk]) for n in HANDLING_URLS} <= actions
    assert not root.xpath("//section[@aria-labelledby='decision-title']")


def test_the_decision_page_writes_the_orgnr_with_a_dash(client, draft, cast, now):
    app = bring_to(draft, S.PROPOSED, cast, now)
    html = _page(client, cast.decider, "staff_decision", app.pk)
    orgnr = app.organisation.orgnr
    assert f"({orgnr})" not in html and f"({orgnr[:6]}-{orgnr[6:]})" in html


def test_amount_fields_show_stored_amounts_the_swedish_way(client, draft, cast, now, applicant):
    client.force_login(applicant)
    page = client.get(reverse("application_section", kwargs={"pk": draft.pk, "section": "budget"})).content.decode()
    root = lxml.html.fromstring(page)
    assert root.get_element_by_id("id_co_financing").get("value") == "0"
    assert root.get_element_by_id("id_form-0-amount").get("value") == "400\xa0000"
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    root = lxml.html.fromstring(_page(client, cast.officer, "staff_case_propose", app.pk))
    assert root.get_element_by_id("id_amount").get("value") == "400\xa0000"


def test_admin_lists_show_amounts_the_swedish_way(admin_client, draft, cast, now):
    bring_to(draft, S.APPROVED, cast, now)
    for model in ("decision", "proposal", "payout"):
        html = admin_client.get(reverse(f"admin:grants_{model}_changelist")).content.decode()
        assert "\xa0kr" in html and "400000.00" not in html and "400000,00" not in html, model
