"""A call's budget (DESIGN.md §5 rule 2, issue 10 item 7): one definition, used by decision approval, the
decision queue, the admin and the finance budget page.

- total: the call's budget (Call.total_budget).
- granted: Σ granted_amount of every grant the call's decisions created, cancelled ones included.
- accepted: Σ granted_amount of the grants whose terms the signatory accepted (ACTIVE, CLOSED).
- paid: Σ amount of the call's payouts the bank has paid (PAID).
- released: Σ released_amount: what cancelled grants (declined or lapsed) gave back.
- committed: Σ granted_amount of the grants that are not cancelled (AWAITING_ACCEPTANCE, ACTIVE, CLOSED): the
  amount bound in the budget, which a new approval must fit beside (§5 rule 2). A grant is cancelled only
  before acceptance, when nothing of it can have been paid, so for every cancelled grant released = granted
  and committed = granted − released.
- left: total − committed.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from grants.models import Call, Grant, Payout, PayoutState
from grants.models.states import GRANT_ACCEPTED_STATES, GRANT_COMMITTED_STATES

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CallBudget:
    call: Call
    granted: Decimal = ZERO
    accepted: Decimal = ZERO
    paid: Decimal = ZERO
    released: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.call.total_budget

    committed: Decimal = ZERO

    @property
    def left(self) -> Decimal:
        return self.total - self.committed


def committed_annotation(prefix: str = "applications__grant__") -> Coalesce:
    """`committed` as an annotation on a Call queryset (the admin sorts by it)."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    committed = Sum(f"{prefix}granted_amount", filter=Q(**{f"{prefix}state__in": sorted(GRANT_COMMITTED_STATES)}))
    return Coalesce(committed, Value(ZERO), output_field=money)


def call_budgets(calls: Iterable[Call]) -> dict[int, CallBudget]:
    """The budget of each call, by call id: two queries, whatever the number of calls."""
    calls = list(calls)
    if not calls:
        return {}
    ids = [call.pk for call in calls]
    grants = {
        row["application__call_id"]: row
        for row in Grant.objects.filter(application__call_id__in=ids)
        .values("application__call_id")
        .annotate(
            granted=Sum("granted_amount"),
            released=Sum("released_amount"),
            committed=Sum("granted_amount", filter=Q(state__in=sorted(GRANT_COMMITTED_STATES))),
            accepted=Sum("granted_amount", filter=Q(state__in=sorted(GRANT_ACCEPTED_STATES))),
        )
        .order_by()
    }
    paid = dict(
        Payout.objects.filter(grant__application__call_id__in=ids, state=PayoutState.PAID)
        .values("grant__application__call_id")
        .annotate(paid=Sum("amount"))
        .order_by()
        .values_list("grant__application__call_id", "paid")
    )
    budgets = {}
    for call in calls:
        row = grants.get(call.pk, {})
        budgets[call.pk] = CallBudget(
            call=call,
            granted=row.get("granted") or ZERO,
            accepted=row.get("accepted") or ZERO,
            paid=paid.get(call.pk) or ZERO,
            released=row.get("released") or ZERO,
            committed=row.get("committed") or ZERO,
        )
    return budgets


def call_budget(call: Call) -> CallBudget:
    return call_budgets([call])[call.pk]
