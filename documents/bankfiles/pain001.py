"""The payment file: ISO 20022 pain.001.001.03 (CustomerCreditTransferInitiationV03), written with lxml.

Swedish banks take this message for domestic payments to bankgiro, plusgiro and bank accounts; Bankgirot's
old LB format closes in 2026 (DESIGN.md §7). Sources: the ISO 20022 message definition and its XSD
(`xsd/pain.001.001.03.xsd`), and the Swedish banks' common interpretation of it (Svenska Bankföreningen,
"Swedish Common Interpretation of ISO 20022 Payment Messages", appendix 1 "Common Payment Types in
Sweden") for how bankgiro and plusgiro payees are addressed.

What we write, in XSD order:

- `GrpHdr`: `MsgId` (the caller's, ≤ 35), `CreDtTm` (Stockholm time with its offset), `NbOfTxs`,
  `CtrlSum` (the exact sum, two decimals), `InitgPty` = the debtor's name (and organisation number).
- One `PmtInf` per file (a batch has one execution date): `PmtInfId` = `MsgId`, `PmtMtd` `TRF`,
  `BtchBookg` (false by default: one debit per payout on the authority's statement, which a camt.054
  reconciles line by line), `NbOfTxs`, `CtrlSum`, `PmtTpInf/SvcLvl/Cd` `NURG` (bankgiro and plusgiro
  payments are executed as non-urgent), `ReqdExctnDt`, `Dbtr/Nm` (+ `Id/OrgId/Othr/Id` = the
  organisation number with `SchmeNm/Cd` `BANK`, when given), `DbtrAcct/Id/IBAN`,
  `DbtrAgt/FinInstnId/BIC`, `ChrgBr` `SHAR`.
- Per payout a `CdtTrfTxInf`: `PmtId/InstrId` and `PmtId/EndToEndId` = the payout's id (the bank
  returns it in pain.002 and camt.054, so reconciliation finds the payout), `Amt/InstdAmt Ccy="SEK"`
  with two decimals, the creditor agent, `Cdtr/Nm` (≤ 70 characters), the creditor account, and
  `RmtInf/Ustrd` = the reference (the diarienummer first, ≤ 25 characters: what a bankgiro payee sees).
  By account kind:

  - bankgiro: `CdtrAgt/FinInstnId/ClrSysMmbId/ClrSysId/Cd` `SESBA` and `MmbId` `9900`;
    `CdtrAcct/Id/Othr/Id` = the bankgiro number's digits, `SchmeNm/Prtry` `BGNR`;
  - plusgiro: `ClrSysMmbId` `SESBA` with `MmbId` = `plusgiro_member_id` (9960 unless the bank says
    otherwise); `CdtrAcct/Id/Othr/Id` = the plusgiro number's digits, `SchmeNm/Cd` `BBAN`;
  - IBAN: `CdtrAgt/FinInstnId/BIC` and `CdtrAcct/Id/IBAN`.

Text is made safe for banks by `charset.bank_text` (basic Latin plus å ä ö); identifiers must already be
safe (`charset.check_identifier`). Bad input raises `ValueError` (an `AccountError` for the debtor's
account): the caller builds these values from checked records, so a failure here is a bug to see, not
a message for a user. `build_pain001` does not validate against the XSD; `schemas.validate` does, and the
export must call it before the file is offered (DESIGN.md §7).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from lxml import etree
from stdnum.se import orgnr as se_orgnr

from .accounts import Account, AccountKind, parse_bic, parse_iban
from .charset import bank_text, check_identifier

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
CURRENCY = "SEK"
NAME_MAX = 70
REFERENCE_MAX = 25
BANKGIRO_MEMBER_ID = "9900"
PLUSGIRO_MEMBER_ID = "9960"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
_CENT = Decimal("0.01")
_MEMBER_ID = re.compile(r"[0-9]{4,5}")
_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True, slots=True)
class Debtor:
    """The paying authority: its name, account (IBAN) and bank (BIC), and organisation number if known."""

    name: str
    iban: str
    bic: str
    orgnr: str = ""


@dataclass(frozen=True, slots=True)
class CreditTransfer:
    """One payment: the payout's id (EndToEndId), amount in SEK, payee, checked account and reference."""

    end_to_end_id: str
    amount: Decimal
    creditor_name: str
    account: Account
    reference: str


def build_pain001(
    *,
    message_id: str,
    created_at: datetime,
    execution_date: date,
    debtor: Debtor,
    transfers: Sequence[CreditTransfer],
    plusgiro_member_id: str = PLUSGIRO_MEMBER_ID,
    batch_booking: bool = False,
) -> bytes:
    """Write the pain.001.001.03 file paying `transfers` from `debtor` on `execution_date` (UTF-8 bytes).

    Raises ValueError for an empty batch, a duplicate or malformed id, an amount that is not a positive
    number of öre, a reference over 25 characters, an empty name, or an invalid debtor account."""
    check_identifier(message_id, "message_id")
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    if not _MEMBER_ID.fullmatch(plusgiro_member_id):
        raise ValueError(f"plusgiro_member_id must be 4 or 5 digits (got {plusgiro_member_id!r})")
    if not transfers:
        raise ValueError("a payment file needs at least one transfer")
    debtor_name = _name(debtor.name, "debtor name")
    debtor_iban = parse_iban(debtor.iban)
    debtor_bic = parse_bic(debtor.bic, iban=debtor_iban)
    debtor_orgnr = _orgnr(debtor.orgnr)
    seen: set[str] = set()
    total = Decimal(0)
    for transfer in transfers:
        check_identifier(transfer.end_to_end_id, "end_to_end_id")
        if transfer.end_to_end_id in seen:
            raise ValueError(f"end_to_end_id {transfer.end_to_end_id!r} occurs twice")
        seen.add(transfer.end_to_end_id)
        if not isinstance(transfer.account, Account):
            raise ValueError(f"account of {transfer.end_to_end_id} must be a checked Account")
        total += _amount(transfer)
    count = str(len(transfers))
    control_sum = f"{total:.2f}"

    q = _qualified
    root = etree.Element(q("Document"), nsmap={None: NAMESPACE})
    initiation = etree.SubElement(root, q("CstmrCdtTrfInitn"))
    header = etree.SubElement(initiation, q("GrpHdr"))
    _text(header, "MsgId", message_id)
    _text(header, "CreDtTm", created_at.astimezone(STOCKHOLM).replace(microsecond=0).isoformat())
    _text(header, "NbOfTxs", count)
    _text(header, "CtrlSum", control_sum)
    _party(etree.SubElement(header, q("InitgPty")), debtor_name, debtor_orgnr)

    payment = etree.SubElement(initiation, q("PmtInf"))
    _text(payment, "PmtInfId", message_id)
    _text(payment, "PmtMtd", "TRF")
    _text(payment, "BtchBookg", "true" if batch_booking else "false")
    _text(payment, "NbOfTxs", count)
    _text(payment, "CtrlSum", control_sum)
    _text(_path(payment, "PmtTpInf", "SvcLvl"), "Cd", "NURG")
    _text(payment, "ReqdExctnDt", execution_date.isoformat())
    _party(etree.SubElement(payment, q("Dbtr")), debtor_name, debtor_orgnr)
    _text(_path(payment, "DbtrAcct", "Id"), "IBAN", debtor_iban)
    _text(_path(payment, "DbtrAgt", "FinInstnId"), "BIC", debtor_bic)
    _text(payment, "ChrgBr", "SHAR")
    for transfer in transfers:
        _transfer(payment, transfer, plusgiro_member_id)
    return _DECLARATION + bytes(etree.tostring(root, encoding="UTF-8", pretty_print=True))


def _transfer(payment: etree._Element, transfer: CreditTransfer, plusgiro_member_id: str) -> None:
    q = _qualified
    reference = bank_text(transfer.reference, REFERENCE_MAX + 1)
    if len(reference) > REFERENCE_MAX:
        raise ValueError(
            f"reference {transfer.reference!r} of {transfer.end_to_end_id} is longer than {REFERENCE_MAX} characters"
        )
    account = transfer.account
    info = etree.SubElement(payment, q("CdtTrfTxInf"))
    ids = etree.SubElement(info, q("PmtId"))
    _text(ids, "InstrId", transfer.end_to_end_id)
    _text(ids, "EndToEndId", transfer.end_to_end_id)
    amount = etree.SubElement(etree.SubElement(info, q("Amt")), q("InstdAmt"), Ccy=CURRENCY)
    amount.text = f"{transfer.amount:.2f}"
    agent = _path(info, "CdtrAgt", "FinInstnId")
    if account.kind is AccountKind.IBAN:
        _text(agent, "BIC", account.bic)
    else:
        member = BANKGIRO_MEMBER_ID if account.kind is AccountKind.BANKGIRO else plusgiro_member_id
        clearing = etree.SubElement(agent, q("ClrSysMmbId"))
        _text(etree.SubElement(clearing, q("ClrSysId")), "Cd", "SESBA")
        _text(clearing, "MmbId", member)
    _text(etree.SubElement(info, q("Cdtr")), "Nm", _name(transfer.creditor_name, f"{transfer.end_to_end_id} name"))
    account_id = _path(info, "CdtrAcct", "Id")
    if account.kind is AccountKind.IBAN:
        _text(account_id, "IBAN", account.number)
    else:
        other = etree.SubElement(account_id, q("Othr"))
        _text(other, "Id", account.number)
        scheme = etree.SubElement(other, q("SchmeNm"))
        if account.kind is AccountKind.BANKGIRO:
            _text(scheme, "Prtry", "BGNR")
        else:
            _text(scheme, "Cd", "BBAN")
    if reference:
        _text(etree.SubElement(info, q("RmtInf")), "Ustrd", reference)


def _amount(transfer: CreditTransfer) -> Decimal:
    amount = transfer.amount
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0 or amount != amount.quantize(_CENT):
        raise ValueError(f"amount of {transfer.end_to_end_id} must be a positive Decimal in öre (got {amount!r})")
    return amount


def _name(value: str, what: str) -> str:
    name = bank_text(value, NAME_MAX)
    if not name:
        raise ValueError(f"{what} is empty once made safe for the bank (got {value!r})")
    return name


def _orgnr(value: str) -> str:
    if not value:
        return ""
    try:
        return str(se_orgnr.validate(value))
    except Exception as error:
        raise ValueError(f"debtor orgnr {value!r} is not a valid Swedish organisation number") from error


def _party(party: etree._Element, name: str, orgnr: str) -> None:
    _text(party, "Nm", name)
    if orgnr:
        other = _path(party, "Id", "OrgId", "Othr")
        _text(other, "Id", orgnr)
        _text(etree.SubElement(other, _qualified("SchmeNm")), "Cd", "BANK")


def _qualified(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _text(parent: etree._Element, tag: str, value: str) -> None:
    etree.SubElement(parent, _qualified(tag)).text = value


def _path(parent: etree._Element, *tags: str) -> etree._Element:
    for tag in tags:
        parent = etree.SubElement(parent, _qualified(tag))
    return parent
