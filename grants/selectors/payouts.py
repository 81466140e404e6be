"""Reads for finance's workspace (DESIGN.md §8 Finance): due payouts with filters and totals, the batches, and
one batch with its payouts (while open) or its frozen lines, totals per call. Finance sees payouts, payees and
accounts here, nothing of reviews. Each list costs the same number of queries for few rows and many."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum

from grants.models import Call, PaymentAccount, Payout, PayoutBatch, PayoutBatchLine, PayoutState
from grants.models.states import BATCH_OPEN_STATES

# ?verified=yes|no filters on the organisation's current account.
VERIFIED_FILTERS = ("yes", "no")


@dataclass(frozen=True)
class DueFilters:
    call_id: int | None = None
    org_type: str = ""
    verified: str = ""  # "", "yes" or "no"


def _verified_account() -> Exists:
    return Exists(
        PaymentAccount.objects.filter(
            organisation_id=OuterRef("grant__application__organisation_id"),
            superseded_at__isnull=True,
            verified_at__isnull=False,
        )
    )


def due_payout_list(filters: DueFilters) -> QuerySet[Payout]:
    """The DUE payouts matching the filters, oldest case first, each with `account_verified` (its organisation's
    current account is verified: only those can go into a batch)."""
    payouts = (
        Payout.objects.filter(state=PayoutState.DUE)
        .annotate(account_verified=_verified_account())
        .select_related("grant__application__organisation", "grant__application__call")
        .order_by("grant__application__reference_number", "pk")
    )
    if filters.call_id:
        payouts = payouts.filter(grant__application__call_id=filters.call_id)
    if filters.org_type:
        payouts = payouts.filter(grant__application__organisation__org_type=filters.org_type)
    if filters.verified == "yes":
        payouts = payouts.filter(account_verified=True)
    elif filters.verified == "no":
        payouts = payouts.filter(account_verified=False)
    return payouts


def payout_totals(payouts: QuerySet[Payout]) -> dict[str, Decimal | int]:
    """Count and sum of a payout list (one query)."""
    totals = payouts.order_by().aggregate(count=Count("pk"), amount=Sum("amount"))
    return {"count": totals["count"] or 0, "amount": totals["amount"] or Decimal("0")}


def calls_with_due_payouts() -> QuerySet[Call]:
    """The calls to filter by: those with a due payout."""
    return Call.objects.filter(applications__grant__payouts__state=PayoutState.DUE).distinct().order_by("-opens_at")


def batch_list() -> QuerySet[PayoutBatch]:
    """Every batch, newest first, with who assembled and attested it."""
    return PayoutBatch.objects.select_related("created_by", "approved_by").order_by("-created_at", "-pk")


def batch_sums(batches: list[PayoutBatch]) -> dict[int, dict[str, Decimal | int]]:
    """Count and sum of each batch (two queries however many): of its frozen lines once attested, of the payouts
    in it while open."""
    open_ids = [b.pk for b in batches if b.state in BATCH_OPEN_STATES]
    attested_ids = [b.pk for b in batches if b.state not in BATCH_OPEN_STATES]
    sums: dict[int, dict[str, Decimal | int]] = {b.pk: {"count": 0, "amount": Decimal("0")} for b in batches}
    for model, ids in ((Payout, open_ids), (PayoutBatchLine, attested_ids)):
        if not ids:
            continue
        rows = (
            model.objects.filter(batch_id__in=ids).values("batch_id").annotate(count=Count("pk"), amount=Sum("amount"))
        )
        for row in rows.order_by():
            sums[row["batch_id"]] = {"count": row["count"], "amount": row["amount"]}
    return sums


def batch_payouts_for_page(batch: PayoutBatch) -> QuerySet[Payout]:
    """The payouts of an open batch, with their payee, call and account."""
    return batch.payouts.select_related(  # type: ignore[attr-defined]
        "account", "grant__application__organisation", "grant__application__call"
    ).order_by("pk")


def batch_lines_for_page(batch: PayoutBatch) -> QuerySet[PayoutBatchLine]:
    """The frozen lines of an attested batch, with the payout's case and call (for the totals per call)."""
    return batch.lines.select_related("payout__grant__application__call").order_by("pk")  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CallTotal:
    call: Call
    count: int
    amount: Decimal


def totals_per_call(calls_and_amounts: list[tuple[Call, Decimal]]) -> list[CallTotal]:
    """Count and sum per call of rows already read for the page (no query)."""
    totals: dict[int, list] = {}
    for call, amount in calls_and_amounts:
        entry = totals.setdefault(call.pk, [call, 0, Decimal("0")])
        entry[1] += 1
        entry[2] += amount
    return [CallTotal(*entry) for entry in totals.values()]
