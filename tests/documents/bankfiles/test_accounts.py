"""Account validation: bankgiro and plusgiro (Luhn), IBAN and BIC (schwifty), compact and display forms."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from schwifty import IBAN
from stdnum import luhn

from documents.bankfiles.accounts import (
    Account,
    AccountKind,
    format_bankgiro,
    format_iban,
    format_plusgiro,
    parse_account,
    parse_bankgiro,
    parse_plusgiro,
)
from documents.bankfiles.errors import AccountError

SEB_IBAN = "SE4550000000058398257466"  # bank code 500: SEB, ESSESESS


def with_check_digit(body: str) -> str:
    return body + luhn.calc_check_digit(body)


def giro_numbers(min_digits: int, max_digits: int):
    return st.integers(min_digits - 1, max_digits - 1).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n).map(with_check_digit)
    )


def spaced(number: str, data) -> str:
    """The number as a person might type it: spaces and dashes between some digits, around it too."""
    out = []
    for digit in number:
        out.append(data.draw(st.sampled_from(["", "", " ", "-", " - "])))
        out.append(digit)
    return data.draw(st.sampled_from(["", " "])) + "".join(out) + data.draw(st.sampled_from(["", " ", "\t"]))


def one_digit_changed(number: str, data) -> str:
    i = data.draw(st.integers(0, len(number) - 1))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != number[i]]))
    return number[:i] + new + number[i + 1 :]


@given(giro_numbers(7, 8), st.data())
def test_a_bankgiro_number_with_a_right_check_digit_is_accepted_and_round_trips(number, data):
    assert parse_bankgiro(number) == number
    assert parse_bankgiro(spaced(number, data)) == number
    account = parse_account("bankgiro", format_bankgiro(number))
    assert account == Account(AccountKind.BANKGIRO, number)
    assert parse_bankgiro(account.display) == number


@given(giro_numbers(7, 8), st.data())
def test_any_single_digit_change_of_a_bankgiro_number_is_refused(number, data):
    wrong = one_digit_changed(number, data)
    with pytest.raises(AccountError, match="Kontrollsiffran stämmer inte"):
        parse_bankgiro(wrong)


@given(giro_numbers(2, 8), st.data())
def test_a_plusgiro_number_with_a_right_check_digit_is_accepted_and_round_trips(number, data):
    assert parse_plusgiro(spaced(number, data)) == number
    account = parse_account(AccountKind.PLUSGIRO, number)
    assert parse_plusgiro(account.display) == number
    assert account.display.endswith(f"-{number[-1]}")


@given(giro_numbers(2, 8), st.data())
def test_any_single_digit_change_of_a_plusgiro_number_is_refused(number, data):
    with pytest.raises(AccountError, match="Kontrollsiffran stämmer inte"):
        parse_plusgiro(one_digit_changed(number, data))


def test_display_forms():
    assert format_bankgiro("1234567") == "123-4567"
    assert format_bankgiro("12345678") == "1234-5678"
    assert format_plusgiro("1234567") == "12 34 56-7"
    assert format_plusgiro("12345678") == "1 23 45 67-8"
    assert format_plusgiro("123456") == "1 23 45-6"
    assert format_plusgiro("12") == "1-2"
    assert format_iban(SEB_IBAN) == "SE45 5000 0000 0583 9825 7466"
    assert str(parse_account("iban", SEB_IBAN)) == "SE45 5000 0000 0583 9825 7466 (ESSESESS)"


@pytest.mark.parametrize(
    ("kind", "number", "message"),
    [
        ("bankgiro", "", "Ange ett bankgironummer."),
        ("bankgiro", "123456", "Bankgironumret ska ha 7 eller 8 siffror. Du angav 6."),
        ("bankgiro", "123456789", "Bankgironumret ska ha 7 eller 8 siffror. Du angav 9."),
        ("bankgiro", "505O-1055", "Bankgironumret får bara innehålla siffror, mellanslag och bindestreck."),
        ("bankgiro", "5050-1056", "Kontrollsiffran stämmer inte: 5050-1056 är inget giltigt bankgironummer."),
        ("bankgiro", "٥٠٥٠١٠٥٥", "Bankgironumret får bara innehålla siffror"),  # Arabic-Indic digits
        ("plusgiro", "1", "Plusgironumret ska ha 2 till 8 siffror. Du angav 1."),
        ("plusgiro", "90 01 22-4", "Kontrollsiffran stämmer inte: 90 01 22-4 är inget giltigt plusgironummer."),
        ("plusgiro", "PG 90 01 22-3", "Plusgironumret får bara innehålla siffror, mellanslag och bindestreck."),
        ("swish", "1234567", "Okänd kontotyp"),
    ],
)
def test_a_wrong_giro_number_is_refused_with_what_is_wrong(kind, number, message):
    with pytest.raises(AccountError) as refused:
        parse_account(kind, number)
    assert str(refused.value).startswith(message)


def test_the_messages_are_lazy_and_translated():
    with pytest.raises(AccountError) as refused:
        parse_bankgiro("123")
    with translation.override("en"):
        assert str(refused.value) == "A bankgiro number has 7 or 8 digits. You entered 3."
    with translation.override("sv"):
        assert str(refused.value) == "Bankgironumret ska ha 7 eller 8 siffror. Du angav 3."


def test_a_bic_given_with_a_giro_number_is_ignored():
    assert parse_account("bankgiro", "5050-1055", "ESSESESS") == Account(AccountKind.BANKGIRO, "50501055")


@pytest.mark.parametrize(
    ("number", "bic", "expected"),
    [
        (SEB_IBAN, "ESSESESS", Account(AccountKind.IBAN, SEB_IBAN, "ESSESESS")),
        ("se45 5000 0000 0583 9825 7466", "essesess", Account(AccountKind.IBAN, SEB_IBAN, "ESSESESS")),
        (" SE45-5000-0000-0583-9825-7466 ", "ESSE SE SS", Account(AccountKind.IBAN, SEB_IBAN, "ESSESESS")),
        (SEB_IBAN, "", Account(AccountKind.IBAN, SEB_IBAN, "ESSESESS")),  # derived from the IBAN
        (SEB_IBAN, "ESSESESSXXX", Account(AccountKind.IBAN, SEB_IBAN, "ESSESESSXXX")),  # head office
        # A Swedish bank code schwifty does not know: the BIC only has to exist.
        ("SE4499900000000000000010", "HANDSESS", Account(AccountKind.IBAN, "SE4499900000000000000010", "HANDSESS")),
        ("DE89370400440532013000", "COBADEFFXXX", Account(AccountKind.IBAN, "DE89370400440532013000", "COBADEFFXXX")),
        ("DE89370400440532013000", "COBADEFF", Account(AccountKind.IBAN, "DE89370400440532013000", "COBADEFF")),
        ("NO9386011117947", "DABANO22", Account(AccountKind.IBAN, "NO9386011117947", "DABANO22")),
    ],
)
def test_a_valid_iban_with_its_bic_is_accepted_in_compact_form(number, bic, expected):
    assert parse_account("iban", number, bic) == expected


@pytest.mark.parametrize(
    ("number", "bic", "message"),
    [
        ("", "ESSESESS", "Ange ett IBAN."),
        ("SE45 5000 0000 0583 9825 7467", "ESSESESS", "Kontrollsiffrorna i IBAN stämmer inte."),
        ("SE45 5000 0000 0583 9825 746", "ESSESESS", "Ett IBAN från SE ska ha 24 tecken. Du angav 23."),
        ("XX45 5000 0000 0583 9825 7466", "ESSESESS", "IBAN ska börja med en landskod; XX är ingen landskod för IBAN."),
        ("SE45 5000 0000 0583 9825 746Ö", "ESSESESS", "IBAN får bara innehålla bokstäver, siffror och mellanslag."),
        ("SE45.5000.0000.0583.9825.7466", "ESSESESS", "IBAN får bara innehålla bokstäver, siffror och mellanslag."),
        (SEB_IBAN, "NDEASESS", "BIC NDEASESS hör inte till banken i IBAN (SEB). Den bankens BIC är ESSESESS."),
        (SEB_IBAN, "ESSESES", "BIC ska ha 8 eller 11 tecken. Du angav 7."),
        (SEB_IBAN, "ESSESE1O", "BIC ESSESE1O har fel format"),
        ("SE4499900000000000000010", "ABCDSESS", "BIC ABCDSESS finns inte i registret över banker."),
        ("SE4499900000000000000010", "ABCDXXSS", "BIC ABCDXXSS har en okänd landskod (XX)."),
        ("GB82WEST12345698765432", "", "Ange bankens BIC (SWIFT-kod). Den kan inte läsas ut ur detta IBAN."),
    ],
)
def test_a_wrong_iban_or_bic_is_refused_with_what_is_wrong(number, bic, message):
    with pytest.raises(AccountError) as refused:
        parse_account("iban", number, bic)
    assert str(refused.value).startswith(message)


SWEDISH_BANK_CODES = ["120", "300", "500", "600", "800", "902", "915", "927", "930", "950", "957"]


@given(st.sampled_from(SWEDISH_BANK_CODES), st.text("0123456789", min_size=16, max_size=16), st.data())
def test_a_swedish_iban_is_accepted_with_its_own_bic_and_round_trips(bank_code, account_code, data):
    iban = IBAN.generate("SE", bank_code=bank_code, account_code=account_code)
    account = parse_account("iban", iban.formatted.lower(), "")
    assert account == Account(AccountKind.IBAN, iban.compact, str(iban.bic))
    assert parse_account("iban", account.display, account.bic) == account
    # Any one character changed is refused (ISO 7064 mod 97 catches every single substitution).
    with pytest.raises(AccountError):
        parse_account("iban", "SE" + one_digit_changed(iban.compact[2:], data), account.bic)
