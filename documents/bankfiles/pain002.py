"""The bank's status report on our payment file: ISO 20022 pain.002.001.03 (CustomerPaymentStatusReportV03).

Source: the ISO 20022 message definition and its XSD (`xsd/pain.002.001.03.xsd`); the status codes are
the XSD's `TransactionGroupStatus3Code` and `TransactionIndividualStatus3Code`, the reason codes ISO's
external code list `ExternalStatusReason1Code` (AC01 wrong account number, AC04 closed account …).

A report has one group status (`OrgnlGrpInfAndSts`, about our whole `MsgId`), optionally one status per
payment block (`OrgnlPmtInfAndSts`, about a `PmtInfId`), and optionally one per payment (`TxInfAndSts`,
by `OrgnlEndToEndId`). A payment without its own `TxSts` has its block's status, and a block without
one has the group's; a payment without its own reason has its block's, then the group's.

- `ACSC` (settlement completed: the money has left our account) → PAID.
- `RJCT` → FAILED, with `StsRsnInf/Rsn/Cd` (or `Prtry`) and the `AddtlInf` texts.
- `ACCP`, `ACSP`, `ACTC`, `ACWC`, `PDNG`, `RCVD` (received, accepted, pending: not yet paid) → PENDING.
- `PART` (partly accepted) says only that some payments were rejected; a payment that has nothing more
  specific than PART is a problem.

A status of the group, or of a block, that lists no payments under it is a `BulkOutcome`: most banks
answer a file rejected as a whole (a wrong debtor account, a bad signature) with a group `RJCT` and no
payment rows, and the caller then fails every payout of that batch. The file is validated against the
XSD first; a file that fails raises `BankFileError` with the first errors.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from lxml import etree

from .isoxml import NOT_PROVIDED, Paths, amount, line, load
from .results import Answer, AnswerFormat, AnswerRow, BulkOutcome, Outcome, RowProblem
from .schemas import SchemaName

SCHEMA: SchemaName = "pain.002.001.03"
STATUSES = {
    "ACSC": Outcome.PAID,
    "RJCT": Outcome.FAILED,
    "ACCP": Outcome.PENDING,
    "ACSP": Outcome.PENDING,
    "ACTC": Outcome.PENDING,
    "ACWC": Outcome.PENDING,
    "PDNG": Outcome.PENDING,
    "RCVD": Outcome.PENDING,
}
_p = Paths(SCHEMA)


def parse_pain002(data: bytes) -> Answer:
    """Read a pain.002.001.03 status report; raise BankFileError if it is not valid against the XSD."""
    report = _p.find(load(data, SCHEMA), "CstmrPmtStsRpt")
    assert report is not None  # the XSD requires it
    group = _p.find(report, "OrgnlGrpInfAndSts")
    assert group is not None
    message_id = _p.text(group, "OrgnlMsgId")
    group_status = _Status(_p.text(group, "GrpSts"), *_p.reason(group, "StsRsnInf"), line(group))
    blocks = _p.findall(report, "OrgnlPmtInfAndSts")
    rows: list[AnswerRow] = []
    problems: list[RowProblem] = []
    bulk: list[BulkOutcome] = []
    if not blocks:
        _bulk(group_status, message_id, "", bulk, problems)
    for block in blocks:
        status = _Status(_p.text(block, "PmtInfSts"), *_p.reason(block, "StsRsnInf"), line(block)).under(group_status)
        transactions = _p.findall(block, "TxInfAndSts")
        if not transactions:
            _bulk(status, message_id, _p.text(block, "OrgnlPmtInfId"), bulk, problems)
        for transaction in transactions:
            _transaction(transaction, status, rows, problems)
    return Answer(AnswerFormat.PAIN002, tuple(rows), tuple(problems), tuple(bulk))


class _Status:
    """A status code with its reason, as found at one level of the report."""

    def __init__(self, code: str, reason_code: str, reason: str, at_line: int) -> None:
        self.code, self.reason_code, self.reason, self.line = code, reason_code, reason, at_line

    def under(self, parent: _Status) -> _Status:
        """This status with what it lacks taken from the level above."""
        code = self.code or parent.code
        if self.reason_code or self.reason:
            return _Status(code, self.reason_code, self.reason, self.line)
        return _Status(code, parent.reason_code, parent.reason, self.line)


def _bulk(status: _Status, message_id: str, block_id: str, bulk: list[BulkOutcome], problems: list[RowProblem]) -> None:
    if not status.code:
        problems.append(RowProblem(status.line, _("Statusrapporten anger ingen status och listar inga betalningar.")))
        return
    outcome = STATUSES.get(status.code)
    if outcome is None:
        problems.append(
            RowProblem(
                status.line,
                format_lazy(
                    _("Status {status} gäller bara en del av betalningarna, men rapporten listar inga betalningar."),
                    status=status.code,
                ),
            )
        )
        return
    bulk.append(BulkOutcome(status.line, message_id, block_id, outcome, status.reason_code, status.reason))


def _transaction(
    transaction: etree._Element, block: _Status, rows: list[AnswerRow], problems: list[RowProblem]
) -> None:
    at = line(transaction)
    end_to_end_id = _p.text(transaction, "OrgnlEndToEndId")
    status = _Status(_p.text(transaction, "TxSts"), *_p.reason(transaction, "StsRsnInf"), at).under(block)
    if not end_to_end_id or end_to_end_id == NOT_PROVIDED:
        problems.append(
            RowProblem(at, _("Betalningen saknar OrgnlEndToEndId, så den kan inte kopplas till en utbetalning."))
        )
        return
    outcome = STATUSES.get(status.code)
    if outcome is None:
        if status.code:
            message = format_lazy(
                _("Betalning {id} har ingen egen status (bara {status})."), id=end_to_end_id, status=status.code
            )
        else:
            message = format_lazy(_("Betalning {id} har ingen status."), id=end_to_end_id)
        problems.append(RowProblem(at, message))
        return
    found = amount(_p.find(transaction, "OrgnlTxRef/Amt/InstdAmt"))
    if found is not None and found[1] != "SEK":
        problems.append(
            RowProblem(
                at, format_lazy(_("Betalning {id} är i {currency}, inte i SEK."), id=end_to_end_id, currency=found[1])
            )
        )
        return
    rows.append(
        AnswerRow(
            at,
            end_to_end_id,
            found[0] if found else None,
            outcome,
            status.reason_code if outcome is Outcome.FAILED else "",
            status.reason if outcome is Outcome.FAILED else "",
        )
    )
