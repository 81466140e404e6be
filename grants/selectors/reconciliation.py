"""What the bank has answered for a batch (DESIGN.md §7): each frozen line with its payout's state now and the
booked outcome (PAID or FAILED, with the bank's reason), and the answers read in. A fixed number of queries
however many lines the batch has (the batch page and the reconcile page show these)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from grants.models import BankAnswer, PayoutBatch, PayoutBatchLine, ReconciliationEntry


@dataclass(frozen=True)
class ResultRow:
    line: PayoutBatchLine
    entry: ReconciliationEntry | None  # the booked outcome for this batch's line, if any

    @property
    def payout(self):  # type: ignore[no-untyped-def]
        return self.line.payout


def batch_answer_list(batch: PayoutBatch) -> QuerySet[BankAnswer]:
    return batch.bank_answers.select_related("imported_by", "applied_by").order_by("-imported_at", "-pk")  # type: ignore[attr-defined]


def batch_reconciliation_rows(batch: PayoutBatch) -> list[ResultRow]:
    """One row per frozen line, in line order, with the latest booked entry of this batch's answers."""
    lines = list(
        PayoutBatchLine.objects.filter(batch=batch).select_related("payout__grant__application").order_by("pk")
    )
    entries: dict[int, ReconciliationEntry] = {}
    booked = ReconciliationEntry.objects.filter(answer__batch=batch).order_by("answer__applied_at", "pk")
    for entry in booked:
        entries[entry.payout_id] = entry  # the later booking is the newer fact
    return [ResultRow(line, entries.get(line.payout_id)) for line in lines]
