"""The bank's debit notification: ISO 20022 camt.054.001.02 (BankToCustomerDebitCreditNotificationV02).

Source: the ISO 20022 message definition and its XSD (`xsd/camt.054.001.02.xsd`); the return reason
codes are ISO's external code list `ExternalReturnReason1Code` (AC01, AC04, AC06, MD07 …).

A notification lists entries (`Ntry`) booked on our account; each entry has details per payment
(`NtryDtls/TxDtls`) carrying our `Refs/EndToEndId`. One entry per payout when we sent `BtchBookg`
false, one entry with many `TxDtls` otherwise. What each entry means:

- **DBIT, Sts BOOK** (money left our account): each `TxDtls` → PAID (a `TxDtls` with `RtrInf` in a
  debit is our returning a payment we received, and is ignored). Amount: `AmtDtls/TxAmt/Amt`, else
  `AmtDtls/InstdAmt/Amt`, else the entry's `Amt` when the entry holds that one payment only.
- **A returned payment**: a `TxDtls` with `RtrInf` (its `Rsn/Cd` or `Prtry` and `AddtlInf` are the
  reason), or any `TxDtls` of a **CRDT entry with `RvslInd` true** (the bank reversed our debit) → FAILED.
  Returns come back as credits, usually days after the debit, and may come in the same file as the
  debit: the later row is the newer fact.
- **DBIT, Sts PDNG** (booked later) → PENDING, which changes nothing.
- **Ignored**: other credits (money coming in, such as repayments, is not an answer about our payouts,
  and treating it as a problem would block every notification of an account that also receives money),
  a DBIT entry with `RvslInd` true (it reverses a credit, not one of our payments), and `INFO` entries
  (information only, nothing booked).
- **Problems**: an entry that should be one of our payments but has no `TxDtls`, and a `TxDtls` without
  an `EndToEndId` (or `NOTPROVIDED`): we cannot tell which payout it is, and a person must look.
  An amount not in SEK is a problem too.

The file is validated against the XSD first; a file that fails raises `BankFileError` with the first
errors.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .isoxml import NOT_PROVIDED, Paths, amount, line, load
from .results import Answer, AnswerFormat, AnswerRow, Outcome, RowProblem
from .schemas import SchemaName

SCHEMA: SchemaName = "camt.054.001.02"
_p = Paths(SCHEMA)


def parse_camt054(data: bytes) -> Answer:
    """Read a camt.054.001.02 debit notification; raise BankFileError if it is not valid against the XSD."""
    notification = _p.find(load(data, SCHEMA), "BkToCstmrDbtCdtNtfctn")
    assert notification is not None  # the XSD requires it
    rows: list[AnswerRow] = []
    problems: list[RowProblem] = []
    for entry in _p.findall(notification, "Ntfctn/Ntry"):
        _entry(entry, rows, problems)
    return Answer(AnswerFormat.CAMT054, tuple(rows), tuple(problems))


def _entry(entry: etree._Element, rows: list[AnswerRow], problems: list[RowProblem]) -> None:
    debit = _p.text(entry, "CdtDbtInd") == "DBIT"
    reversal = _p.text(entry, "RvslInd") in ("true", "1")
    status = _p.text(entry, "Sts")
    details = _p.findall(entry, "NtryDtls/TxDtls")
    returned = [d for d in details if _p.find(d, "RtrInf") is not None]
    if status == "INFO" or (debit and reversal) or (status == "PDNG" and not debit):
        return
    if not debit and not reversal and not returned:
        return  # money coming in that is not a return: not about our payouts
    if debit:
        outcome = Outcome.PENDING if status == "PDNG" else Outcome.PAID
        if returned and len(returned) == len(details):
            return  # our returning a payment we received: not one of our payouts
        details = [d for d in details if _p.find(d, "RtrInf") is None]
    else:
        outcome = Outcome.FAILED
        details = details if reversal else returned
    if not details:
        problems.append(
            RowProblem(
                line(entry),
                _(
                    "Posten saknar transaktionsdetaljer (TxDtls med EndToEndId), så den kan inte kopplas till "
                    "någon utbetalning. Be banken om en notifiering med detaljer per betalning."
                ),
            )
        )
        return
    entry_amount = amount(_p.find(entry, "Amt")) if len(details) == 1 else None
    for detail in details:
        _detail(detail, outcome, entry_amount, rows, problems)


def _detail(
    detail: etree._Element,
    outcome: Outcome,
    entry_amount: tuple[Decimal, str] | None,
    rows: list[AnswerRow],
    problems: list[RowProblem],
) -> None:
    at = line(detail)
    end_to_end_id = _p.text(detail, "Refs/EndToEndId")
    if not end_to_end_id or end_to_end_id == NOT_PROVIDED:
        problems.append(
            RowProblem(at, _("Betalningen saknar EndToEndId, så den kan inte kopplas till en utbetalning."))
        )
        return
    found = (
        amount(_p.find(detail, "AmtDtls/TxAmt/Amt")) or amount(_p.find(detail, "AmtDtls/InstdAmt/Amt")) or entry_amount
    )
    if found is not None and found[1] != "SEK":
        problems.append(
            RowProblem(
                at, format_lazy(_("Betalning {id} är i {currency}, inte i SEK."), id=end_to_end_id, currency=found[1])
            )
        )
        return
    code, reason = _p.reason(detail, "RtrInf") if outcome is Outcome.FAILED else ("", "")
    rows.append(AnswerRow(at, end_to_end_id, found[0] if found else None, outcome, code, reason))
