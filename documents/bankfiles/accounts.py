"""Payment accounts a grant can be paid to: Swedish bankgiro, plusgiro, or IBAN with BIC.

Rules and their sources:

- **Bankgiro** (Bankgirot): 7 or 8 digits, the last a check digit by the Luhn (modulus 10) method over
  the whole number. Shown as `123-4567` or `1234-5678` (the last four digits after a dash).
- **Plusgiro** (PlusGirot, Nordea): 2 to 8 digits, the last a Luhn check digit. Shown with the check
  digit after a dash and the digits before it in pairs from the right: `12 34 56-7`, `1 23 45 67-8`.
- **IBAN** (ISO 13616) and **BIC** (ISO 9362), checked with `schwifty`: the IBAN's length, structure
  and check digits for its country; the BIC's structure, and that it exists in schwifty's bank registry
  (a BIC that ends in `XXX`, the bank's head office, is the same as its first eight characters). For a
  Swedish IBAN the bank is read from the IBAN (its three-digit bank code); when schwifty knows that bank,
  the BIC must be the bank's. The BIC schwifty derives from an IBAN is always accepted, and is used when
  no BIC is given. For other countries the BIC is not compared with the IBAN's bank: their registries
  map a bank code to branch BICs, and payments routed through a head office's BIC are normal there.

Input may contain spaces and dashes (as people copy numbers from invoices); `Account.number` is the
compact form that is stored and written to payment files (digits only; an IBAN in capitals without
spaces), `Account.display` the form shown to people. Every refusal is an `AccountError` whose message
says exactly what is wrong, in Swedish (English through the project's catalogue).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN, exceptions, registry
from stdnum import luhn

from .errors import AccountError, Text

# Characters people put between digit groups: spaces (also no-break and thin spaces) and dashes.
_SEPARATORS = re.compile(r"[\s\u00a0\u2009\u202f\-\u2010\u2011\u2012\u2013\u2212]+")
# The BIC as the pain.001.001.03 XSD writes it (BICIdentifier): a stricter form than ISO 9362 allows.
_BIC_PATTERN = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?")


class AccountKind(StrEnum):
    BANKGIRO = "bankgiro"
    PLUSGIRO = "plusgiro"
    IBAN = "iban"


@dataclass(frozen=True, slots=True)
class Account:
    """A checked account. `number` is the compact form; `bic` is set for IBAN accounts only."""

    kind: AccountKind
    number: str
    bic: str = ""

    @property
    def display(self) -> str:
        if self.kind is AccountKind.BANKGIRO:
            return format_bankgiro(self.number)
        if self.kind is AccountKind.PLUSGIRO:
            return format_plusgiro(self.number)
        return format_iban(self.number)

    def __str__(self) -> str:
        return f"{self.display} ({self.bic})" if self.bic else self.display


def parse_account(kind: AccountKind | str, number: str, bic: str = "") -> Account:
    """Check an account as typed and return it in compact form; raise AccountError saying what is wrong.

    `bic` is used for IBAN accounts only (and may be left empty when schwifty can derive it from the
    IBAN); for bankgiro and plusgiro it is ignored."""
    try:
        kind = AccountKind(kind)
    except ValueError:
        raise AccountError(_("Okänd kontotyp: välj bankgiro, plusgiro eller IBAN.")) from None
    if kind is AccountKind.BANKGIRO:
        return Account(kind, parse_bankgiro(number))
    if kind is AccountKind.PLUSGIRO:
        return Account(kind, parse_plusgiro(number))
    iban = parse_iban(number)
    return Account(kind, iban, parse_bic(bic, iban=iban))


def parse_bankgiro(number: str) -> str:
    """The bankgiro number's digits; raise AccountError unless it has 7 or 8 digits and a right check digit."""
    digits = _digits(
        number,
        empty=_("Ange ett bankgironummer."),
        bad=_("Bankgironumret får bara innehålla siffror, mellanslag och bindestreck."),
    )
    if not 7 <= len(digits) <= 8:
        raise AccountError(
            format_lazy(_("Bankgironumret ska ha 7 eller 8 siffror. Du angav {count}."), count=len(digits))
        )
    if not luhn.is_valid(digits):
        raise AccountError(
            format_lazy(
                _("Kontrollsiffran stämmer inte: {number} är inget giltigt bankgironummer. Kontrollera siffrorna."),
                number=format_bankgiro(digits),
            )
        )
    return digits


def parse_plusgiro(number: str) -> str:
    """The plusgiro number's digits; raise AccountError unless it has 2 to 8 digits and a right check digit."""
    digits = _digits(
        number,
        empty=_("Ange ett plusgironummer."),
        bad=_("Plusgironumret får bara innehålla siffror, mellanslag och bindestreck."),
    )
    if not 2 <= len(digits) <= 8:
        raise AccountError(
            format_lazy(_("Plusgironumret ska ha 2 till 8 siffror. Du angav {count}."), count=len(digits))
        )
    if not luhn.is_valid(digits):
        raise AccountError(
            format_lazy(
                _("Kontrollsiffran stämmer inte: {number} är inget giltigt plusgironummer. Kontrollera siffrorna."),
                number=format_plusgiro(digits),
            )
        )
    return digits


def parse_iban(number: str) -> str:
    """The IBAN in compact form (capitals, no spaces); raise AccountError saying what is wrong."""
    compact = _SEPARATORS.sub("", number or "").upper()
    if not compact:
        raise AccountError(_("Ange ett IBAN."))
    if not compact.isascii() or not compact.isalnum():
        raise AccountError(_("IBAN får bara innehålla bokstäver, siffror och mellanslag."))
    country = compact[:2]
    try:
        spec = registry.get_iban_spec(country)
    except exceptions.InvalidCountryCode:
        raise AccountError(
            format_lazy(_("IBAN ska börja med en landskod; {country} är ingen landskod för IBAN."), country=country)
        ) from None
    if len(compact) != spec.iban_length:
        raise AccountError(
            format_lazy(
                _("Ett IBAN från {country} ska ha {length} tecken. Du angav {count}."),
                country=country,
                length=spec.iban_length,
                count=len(compact),
            )
        )
    try:
        IBAN(compact)
    except exceptions.InvalidChecksumDigits:
        raise AccountError(_("Kontrollsiffrorna i IBAN stämmer inte. Kontrollera att alla tecken är rätt.")) from None
    except exceptions.SchwiftyException:
        raise AccountError(
            format_lazy(_("IBAN har inte den uppbyggnad som gäller för {country}."), country=country)
        ) from None
    return compact


def parse_bic(bic: str, *, iban: str) -> str:
    """The BIC in capitals for a (checked, compact) IBAN; raise AccountError saying what is wrong.

    An empty BIC is replaced by the one schwifty derives from the IBAN, when it can."""
    code = _SEPARATORS.sub("", bic or "").upper()
    own = _own_bic(iban)
    if not code:
        if own:
            return own
        raise AccountError(_("Ange bankens BIC (SWIFT-kod). Den kan inte läsas ut ur detta IBAN."))
    if own and _head_office(code) == _head_office(own):
        return code
    if len(code) not in (8, 11):
        raise AccountError(format_lazy(_("BIC ska ha 8 eller 11 tecken. Du angav {count}."), count=len(code)))
    if not _BIC_PATTERN.fullmatch(code):
        raise AccountError(
            format_lazy(
                _(
                    "BIC {bic} har fel format: fyra bokstäver för banken, två för landet, två tecken för orten "
                    "och ibland tre för kontoret."
                ),
                bic=code,
            )
        )
    try:
        BIC(code)
    except exceptions.SchwiftyException:
        raise AccountError(
            format_lazy(_("BIC {bic} har en okänd landskod ({country})."), bic=code, country=code[4:6])
        ) from None
    if not _bic_exists(code):
        raise AccountError(format_lazy(_("BIC {bic} finns inte i registret över banker. Kontrollera koden."), bic=code))
    if iban.startswith("SE"):
        banks = registry.get_banks_by_code("SE", iban[4:7])
        if banks and _head_office(code) not in {_head_office(b.bic) for b in banks if b.bic}:
            raise AccountError(
                format_lazy(
                    _("BIC {bic} hör inte till banken i IBAN ({bank}). Den bankens BIC är {expected}."),
                    bic=code,
                    bank=banks[0].name,
                    expected=banks[0].bic,
                )
            )
    return code


def format_bankgiro(digits: str) -> str:
    """`1234567` → `123-4567`, `12345678` → `1234-5678`."""
    return f"{digits[:-4]}-{digits[-4:]}"


def format_plusgiro(digits: str) -> str:
    """`1234567` → `12 34 56-7`: the check digit after a dash, pairs from the right before it."""
    body, check = digits[:-1], digits[-1]
    head = len(body) % 2
    groups = ([body[:head]] if head else []) + [body[i : i + 2] for i in range(head, len(body), 2)]
    return f"{' '.join(groups)}-{check}"


def format_iban(compact: str) -> str:
    """The IBAN in groups of four, as printed on paper (ISO 13616)."""
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _digits(number: str, *, empty: Text, bad: Text) -> str:
    digits = _SEPARATORS.sub("", number or "")
    if not digits:
        raise AccountError(empty)
    if not (digits.isascii() and digits.isdigit()):
        raise AccountError(bad)
    return digits


def _own_bic(iban: str) -> str:
    try:
        bic = IBAN(iban).bic
    except exceptions.SchwiftyException:
        return ""
    return str(bic) if bic else ""


def _head_office(code: str) -> str:
    return code[:8] if len(code) == 8 or code.endswith("XXX") else code


def _bic_exists(code: str) -> bool:
    # The registries hold a head office either as its 8-character BIC or with the branch code XXX.
    candidates = {code, code[:8], code[:8] + "XXX"} if _head_office(code) == code[:8] else {code}
    return any(BIC(c).exists for c in candidates)
