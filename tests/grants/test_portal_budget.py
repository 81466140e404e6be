"""The budget editor without JavaScript: adding or removing a row redraws the form and says that nothing is
saved yet; a row added and left completely blank is ignored when the budget is saved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.grants.test_html_valid import _check
from tests.grants.test_portal_journey import text

NOTICE = "Ändringen sparas när du trycker Spara."


@pytest.fixture
def member(client, applicant):
    applicant.refresh_from_db()
    client.force_login(applicant)
    return client


def _url(app):
    return reverse("application_section", kwargs={"pk": app.pk, "section": "budget"})


def _rows(*rows, initial=None):
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows) if initial is None else initial)}
    for i, (category, description, amount) in enumerate(rows):
        data.update({f"form-{i}-category": category, f"form-{i}-description": description, f"form-{i}-amount": amount})
    return {**data, "co_financing": "0"}


def _lines(app):
    return list(app.budget_lines.values_list("category", "description", "amount"))


@pytest.mark.parametrize("button", [{"add_line": "1"}, {"remove_line": "1"}])
def test_adding_or_removing_a_row_says_it_is_not_saved_yet(member, draft, button):
    before = _lines(draft)
    data = _rows(("PREMISES", "Platser", "100 000"), ("TRAVEL", "Resor", "5 000"))
    response = member.post(_url(draft), {**data, **button})
    _check(response)
    html = response.content.decode()
    assert f'<p class="message" role="status">{NOTICE}</p>' in html
    assert _lines(draft) == before


def test_the_notice_is_not_shown_otherwise(member, draft):
    assert NOTICE not in text(member.get(_url(draft)))
    refused = member.post(_url(draft), {**_rows(("PREMISES", "Platser", "fel")), "save": "1"})
    assert refused.status_code == 200 and NOTICE not in text(refused)


def test_the_notice_in_english(member, draft):
    response = member.post(
        _url(draft), {**_rows(("PREMISES", "Platser", "100 000")), "add_line": "1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The change is saved when you press Save." in text(response)


def test_a_blank_row_that_was_added_is_ignored_on_save(member, draft):
    # As the browser sends it after "Lägg till en budgetrad": the page counted the blank row as an initial form.
    page = member.post(_url(draft), {**_rows(("PREMISES", "Platser", "100 000")), "add_line": "1"})
    assert 'name="form-INITIAL_FORMS" value="2"' in page.content.decode()
    data = _rows(("PREMISES", "Platser", "100 000"), ("", "", ""), initial=2)
    response = member.post(_url(draft), {**data, "save": "1"})
    assert response.status_code == 302, response.context["formset"].errors
    assert _lines(draft) == [("PREMISES", "Platser", Decimal("100000.00"))]
    draft.refresh_from_db()
    assert draft.requested_amount == Decimal("100000.00")


def test_a_row_with_anything_in_it_is_still_checked(member, draft):
    before = _lines(draft)
    data = _rows(("PREMISES", "Platser", "100 000"), ("", "Resor", ""), initial=2)
    response = member.post(_url(draft), {**data, "save": "1"})
    assert response.status_code == 200
    errors = response.context["formset"].errors
    assert errors[0] == {} and set(errors[1]) == {"category", "amount"}
    assert _lines(draft) == before


def test_only_blank_rows_is_no_budget(member, draft):
    before = _lines(draft)
    response = member.post(_url(draft), {**_rows(("", "", ""), initial=1), "save": "1"})
    assert response.status_code == 200
    assert "Lägg till minst en budgetrad." in text(response)
    assert _lines(draft) == before
