"""Issue 9 item 6 and 11: an amount is ASCII digits, grouped in threes by a space, no-break space or narrow
no-break space, with at most two decimals after a comma or a point. Python's own Decimal parsing would take
Arabic-Indic digits, '+5' and '1_000'; the field refuses them with a message that says how to write it. A stored
amount is shown in the field as '240 000', not '240000.00'."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from grants.forms import BudgetLineForm, CoFinancingForm
from grants.forms_staff import ProposalForm

SEPARATORS = [" ", "\u00a0", "\u202f"]
MESSAGE_SV = "Skriv beloppet med siffror, till exempel 240 000 eller 1 234,50."


def parse(typed: str) -> CoFinancingForm:
    form = CoFinancingForm({"co_financing": typed})
    form.is_valid()
    return form


@pytest.mark.parametrize(
    "typed",
    [
        "\u0661\u0662\u0663",  # Arabic-Indic 123
        "\u06f1\u06f2\u06f3",  # Extended Arabic-Indic (Persian) 123
        "\uff11\uff12\uff13",  # full-width 123
        "+5",
        "1_000",
        "1e3",
        "NaN",
        "Infinity",
        "4 50 000",
        "450  000",
        "450000 000",
        "1,234",
        "1.000",
        "12,5,0",
        "0x10",
        "--5",
    ],
)
def test_what_is_not_an_amount_of_kronor_is_refused_with_a_message(typed):
    with translation.override("sv"):
        form = parse(typed)
        assert not form.is_valid()
        assert form.errors["co_financing"] == [MESSAGE_SV]
    with translation.override("en"):
        form = parse(typed)
        assert form.errors["co_financing"] == ["Write the amount in digits, for example 240 000 or 1 234.50."]


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("240 000", "240000"), ("1 234 567,5", "1234567.50"), ("1234.56", "1234.56"), ("0", "0"), ("12,5 kr", "12.5")],
)
def test_swedish_amounts_are_read(typed, amount):
    form = parse(typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["co_financing"] == Decimal(amount)


def test_a_negative_amount_gets_the_fields_own_limit_message():
    with translation.override("sv"):
        form = parse("\u2212100")
        assert not form.is_valid()
        assert "0" in form.errors["co_financing"][0] and form.errors["co_financing"] != [MESSAGE_SV]


def test_the_proposal_amount_is_read_the_same_way():
    form = ProposalForm({"outcome": "APPROVE", "amount": "1_000", "reasons": "Bra."})
    assert not form.is_valid() and "amount" in form.errors
    form = ProposalForm({"outcome": "APPROVE", "amount": "240 000 kr", "reasons": "Bra."})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("240000")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [(Decimal("240000.00"), "240\u00a0000"), (Decimal("0.00"), "0"), (Decimal("1234.50"), "1\u00a0234,50")],
)
def test_a_stored_amount_is_shown_in_the_field_the_swedish_way(stored, shown):
    html = str(CoFinancingForm(initial={"co_financing": stored})["co_financing"])
    assert f'value="{shown}"' in html
    html = str(ProposalForm(initial={"amount": stored})["amount"])
    assert f'value="{shown}"' in html
    html = str(BudgetLineForm(initial={"amount": stored})["amount"])
    assert f'value="{shown}"' in html


def test_what_was_typed_comes_back_as_typed_after_an_error():
    form = CoFinancingForm({"co_financing": "+5"})
    assert 'value="+5"' in str(form["co_financing"])


amounts = st.decimals(min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False)


def grouped(whole: int, sep: str) -> str:
    return f"{whole:,}".replace(",", sep)


@given(amounts, st.sampled_from(SEPARATORS), st.sampled_from([",", "."]), st.booleans(), st.sampled_from(["", " kr"]))
def test_every_swedish_spelling_of_an_amount_reads_back_as_that_amount(amount, sep, point, group, suffix):
    whole, cents = divmod(amount * 100, 100)
    text = grouped(int(whole), sep) if group else str(int(whole))
    text += f"{point}{int(cents):02d}{suffix}"
    form = parse(text)
    assert form.is_valid(), (text, form.errors)
    assert form.cleaned_data["co_financing"] == amount


@given(amounts)
def test_the_field_reads_back_what_it_shows(amount):
    shown = CoFinancingForm.base_fields["co_financing"].widget.format_value(amount)
    form = parse(shown)
    assert form.is_valid(), (shown, form.errors)
    assert form.cleaned_data["co_financing"] == amount


@given(st.text(min_size=1, max_size=12))
def test_only_ascii_digits_and_swedish_separators_are_ever_read(text):
    form = parse(text)
    if form.is_valid() and form.cleaned_data["co_financing"] is not None:
        number = text.strip()
        allowed = set("0123456789 \u00a0\u202f,.-\u2212:krKRsSeEnoNO")
        assert set(number) <= allowed | {"\t", "\n", "\r", "\x0b", "\x0c"} or number != text, text
        assert not any(ch.isdigit() and not ch.isascii() for ch in text), text
        assert "+" not in text and "_" not in text, text


@pytest.mark.parametrize(
    ("typed", "valid"), [("\u0666\u0660\u0660 \u0660\u0660\u0660", False), ("1_000", False), ("600 000", True)]
)
def test_the_calls_amounts_in_the_admin_are_read_the_same_way(db, typed, valid):
    from grants.admin.calls import CallAdminForm

    form = CallAdminForm({"total_budget": typed, "max_grant_amount": typed})
    form.is_valid()
    assert ("total_budget" not in form.errors) is valid
    assert ("max_grant_amount" not in form.errors) is valid
    html = str(CallAdminForm(initial={"max_grant_amount": Decimal("600000.00")})["max_grant_amount"])
    assert 'value="600\u00a0000"' in html
