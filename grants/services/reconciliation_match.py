"""What a bank's answer would do to a batch (DESIGN.md §7 Reconciliation): the parsed answer
(documents/bankfiles `Answer`) held against the batch's FROZEN lines and its payouts as they are now.

Reads only; grants/services/reconciliation.py calls it for the preview and again, with the payout rows locked,
when the answer is booked. Every row lands in exactly one list:

- `paid`, `failed`: a payout of this batch, SENT in it, that the row marks PAID or FAILED;
- `pending`: the bank has not paid it yet (changes nothing);
- `skipped`: already PAID, and the row says paid again (another answer booked it first: paid once);
- `problems`: every row that does not match, with its line and why: a line the parser could not read, an
  EndToEndId that is no payout, a payout not in this batch, an amount other than the frozen line's, a payout not
  SENT in this batch, a payout named twice, a bulk status about another payment file. Any problem means the
  whole file is refused and nothing changes.

A bulk status (a whole file rejected, or settled, without payment rows) applies to every payout of the batch
that no row of the answer names. In a camt.054 a payout may appear twice with different outcomes (booked, then
returned): the later row is the newer fact; the same outcome twice, or any repeat in pain.002, is a problem.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from documents.bankfiles import Answer, AnswerFormat, Outcome, reason_label
from grants.formatting import format_money
from grants.ids import parse_id
from grants.models import Payout, PayoutBatch, PayoutBatchLine, PayoutState
from grants.services.batch_files import message_id
from grants.text import Text


@dataclass(frozen=True)
class PreviewRow:
    line: int
    end_to_end_id: str
    payout_id: int
    reference: str  # the frozen line's reference: the diarienummer first
    payee: str
    amount: Decimal  # the frozen line's amount
    outcome: str  # Outcome value, or "SKIPPED"
    reason_code: str = ""
    reason: str = ""  # the bank's own text

    @property
    def reason_label(self) -> Text:
        """The reason in the reader's language for a known ISO code, else the bank's own text."""
        return reason_label(self.reason_code) or self.reason if self.reason_code else self.reason

    @property
    def note(self) -> str:
        """What the case log says (the bank's words, with the code): never empty for a failed payout."""
        text = " ".join(part for part in (self.reason_code, self.reason) if part)
        return text or str(_("Banken angav ingen orsak."))


@dataclass(frozen=True)
class Mismatch:
    line: int
    end_to_end_id: str
    message: Text


@dataclass
class Matched:
    paid: list[PreviewRow] = field(default_factory=list)
    failed: list[PreviewRow] = field(default_factory=list)
    pending: list[PreviewRow] = field(default_factory=list)
    skipped: list[PreviewRow] = field(default_factory=list)
    problems: list[Mismatch] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return len(self.paid) + len(self.failed)


@dataclass(frozen=True)
class _Said:
    line: int
    end_to_end_id: str
    amount: Decimal | None
    outcome: Outcome
    reason_code: str
    reason: str


def _statements(answer: Answer, batch: PayoutBatch, lines: dict[int, PayoutBatchLine], out: Matched) -> list[_Said]:
    """The answer's rows and its bulk statuses as one statement per payout it names, in file order."""
    said = [_Said(r.line, r.end_to_end_id, r.amount, r.outcome, r.reason_code, r.reason) for r in answer.rows]
    named = {r.end_to_end_id.strip() for r in answer.rows}
    ours = message_id(batch)
    for bulk in answer.bulk:
        if bulk.original_message_id != ours:
            out.problems.append(
                Mismatch(
                    bulk.line,
                    bulk.original_message_id,
                    _("Statusen gäller betalfilen %(theirs)s, inte detta underlags %(ours)s.")
                    % {"theirs": bulk.original_message_id, "ours": ours},
                )
            )
            continue
        for payout_id in sorted(lines):
            if str(payout_id) not in named:
                said.append(_Said(bulk.line, str(payout_id), None, bulk.outcome, bulk.reason_code, bulk.reason))
    return said


def _latest(said: list[_Said], answer_format: str, out: Matched) -> list[_Said]:
    """One statement per payout: a repeat is a problem, but for a camt.054 return after the booking."""
    kept: dict[str, _Said] = {}
    for statement in said:
        key = statement.end_to_end_id.strip()
        before = kept.get(key)
        if before is None:
            kept[key] = statement
        elif answer_format == AnswerFormat.CAMT054 and before.outcome != statement.outcome:
            kept[key] = statement  # the later row is the newer fact
        else:
            out.problems.append(
                Mismatch(
                    statement.line,
                    key,
                    _("Betalning %(id)s finns redan på rad %(line)s.") % {"id": key, "line": before.line},
                )
            )
    return sorted(kept.values(), key=lambda s: s.line)


def match_answer(answer: Answer, batch: PayoutBatch, payouts: dict[int, Payout]) -> Matched:
    """Hold `answer` against the batch's frozen lines and `payouts` (those of the lines, by id)."""
    out = Matched()
    for problem in answer.problems:
        out.problems.append(Mismatch(problem.line, "", problem.message))
    lines = {line.payout_id: line for line in batch.lines.all()}  # type: ignore[attr-defined]
    statements = _latest(_statements(answer, batch, lines, out), answer.format, out)
    strangers = {s.end_to_end_id.strip() for s in statements if _payout_id(s) not in lines}
    stranger_ids = [pk for pk in map(parse_id, strangers) if pk is not None]
    elsewhere = set(Payout.objects.filter(pk__in=stranger_ids).values_list("pk", flat=True))
    for s in statements:
        key = s.end_to_end_id.strip()
        pk = _payout_id(s)
        line = lines.get(pk) if pk is not None else None
        if line is None:
            message = (
                _("Utbetalning %(id)s finns inte i detta underlag.")
                if pk in elsewhere
                else _("Okänd betalning %(id)s: ingen utbetalning har det id:t.")
            )
            out.problems.append(Mismatch(s.line, key, message % {"id": key}))
            continue
        if s.amount is not None and s.amount != line.amount:
            out.problems.append(
                Mismatch(
                    s.line,
                    key,
                    _("Beloppet %(theirs)s stämmer inte med underlagets %(ours)s för utbetalning %(id)s.")
                    % {"theirs": format_money(s.amount), "ours": format_money(line.amount), "id": key},
                )
            )
            continue
        row = PreviewRow(
            s.line,
            key,
            line.payout_id,
            line.reference,
            line.payee_name,
            line.amount,
            s.outcome,
            s.reason_code,
            s.reason,
        )
        payout = payouts[line.payout_id]
        if s.outcome == Outcome.PENDING:
            out.pending.append(row)
        elif payout.state == PayoutState.PAID and s.outcome == Outcome.PAID:
            out.skipped.append(row)
        elif payout.state != PayoutState.SENT or payout.batch_id != batch.pk:
            out.problems.append(
                Mismatch(
                    s.line,
                    key,
                    _("Utbetalning %(id)s är %(state)s, inte skickad i detta underlag.")
                    % {"id": key, "state": str(payout.get_state_display()).lower()},
                )
            )
        elif s.outcome == Outcome.PAID:
            out.paid.append(row)
        else:
            out.failed.append(row)
    out.problems.sort(key=lambda m: m.line)
    return out


def _payout_id(statement: _Said) -> int | None:
    """The payout's id the EndToEndId names (we write str(payout.pk)); None for anything else ("²", 20 digits …)."""
    return parse_id(statement.end_to_end_id.strip())
