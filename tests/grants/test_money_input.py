"""Amounts as Swedes write and paste them: thousands separated by any kind of space (Swedish number formatting
and Word use a narrow no-break space, U+202F), followed by "kr" or the price tag ":-". Anything else that is
not a number is refused with a message that says how to write it."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from grants.forms import CoFinancingForm

NNBSP = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("450 000", "450000"),
        (f"450{NNBSP}000", "450000"),
        (f"450{NBSP}000", "450000"),
        ("450 000:-", "450000"),
        ("450 000,-", "450000"),
        ("450 000 kr", "450000"),
        (f"450{NNBSP}000 kr", "450000"),
        (f"450{NNBSP}000{NNBSP}kr", "450000"),
        ("450 000 kr.", "450000"),
        ("450 000 KR", "450000"),
        ("450 000 SEK", "450000"),
        ("1 234,50 kr", "1234.50"),
        ("\t12 500,50 ", "12500.50"),
    ],
)
def test_amounts_as_people_write_them(typed, amount):
    form = CoFinancingForm({"co_financing": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["co_financing"] == Decimal(amount)


@pytest.mark.parametrize("typed", ["fyrahundra", "450 000 euro", "kr 450 000", "45kr0", "450:-000", "12:-:-", "1.2.3"])
def test_anything_else_is_not_a_number(typed):
    with translation.override("sv"):
        form = CoFinancingForm({"co_financing": typed})
        assert not form.is_valid()
        assert form.errors["co_financing"] == ["Skriv beloppet med siffror, till exempel 240 000 eller 1 234,50."]


def test_a_budget_pasted_from_word_is_saved(client, applicant, draft):
    applicant.refresh_from_db()
    client.force_login(applicant)
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-category": "PREMISES",
        "form-0-description": "Platser på Samverket",
        "form-0-amount": f"450{NNBSP}000:-",
        "form-1-category": "TRAVEL",
        "form-1-description": "Resor",
        "form-1-amount": f"12{NBSP}500,50 kr",
        "co_financing": f"100{NNBSP}000 kr",
        "save": "1",
    }
    response = client.post(reverse("application_section", kwargs={"pk": draft.pk, "section": "budget"}), data)
    assert response.status_code == 302, response.context["formset"].errors
    draft.refresh_from_db()
    assert list(draft.budget_lines.values_list("amount", flat=True)) == [Decimal("450000"), Decimal("12500.50")]
    assert (draft.requested_amount, draft.co_financing) == (Decimal("462500.50"), Decimal("100000"))
