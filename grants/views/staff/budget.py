"""The budget per call (issue 10 item 7, DESIGN.md §8) for finance officers and programme admins: each call's
budget, granted, accepted, paid, released and left, from the one definition in grants/selectors/budget.py,
as a table and as an inline SVG stacked bar per call (no script, no chart library). Everyone else gets 404:
the area does not exist for them.

    GET /staff/finance/budget/      staff_finance_budget
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from grants import permissions
from grants.charts import Segment, scale, stacked_segments
from grants.models import Call
from grants.selectors.budget import ZERO, CallBudget, call_budgets
from grants.views.base import AuthedRequest

BAR_WIDTH = 1000  # SVG user units; the SVG scales to the page's width
BAR_VIEWBOX = f"-3 0 {BAR_WIDTH + 6} 48"  # a little room either side for the outlines

# The bar's parts, left to right: together they are the call's budget (or the committed sum, when more has
# been granted than the budget now holds). What cancelled grants released is already back in "left".
PAID, ACCEPTED_UNPAID, AWAITING, LEFT = "paid", "accepted", "awaiting", "left"


@dataclass(frozen=True)
class BudgetBar:
    segments: list[Segment]
    budget_x: Decimal  # where the budget ends on the bar: BAR_WIDTH unless more is committed than budgeted
    over_by: Decimal  # committed − budget when positive, else 0

    @property
    def over(self) -> bool:
        return self.over_by > 0


def budget_bar(budget: CallBudget, width: int = BAR_WIDTH) -> BudgetBar:
    """The stacked bar of one call: paid, accepted but not yet paid, granted and awaiting acceptance, left.

    The whole bar is the budget; when more is committed than the budget (the budget was lowered after the
    approvals), the whole bar is the committed sum, nothing is left, and `budget_x` marks where the budget
    ends. A call without budget or grants has zero-width segments."""
    accepted_unpaid = max(budget.accepted - budget.paid, ZERO)
    awaiting = max(budget.committed - budget.accepted, ZERO)
    left = max(budget.left, ZERO)
    full = max(budget.total, budget.committed)
    segments = stacked_segments(
        [(PAID, budget.paid), (ACCEPTED_UNPAID, accepted_unpaid), (AWAITING, awaiting), (LEFT, left)],
        full=full,
        width=width,
    )
    return BudgetBar(
        segments=segments,
        budget_x=scale(budget.total, full=full, width=width),
        over_by=max(budget.committed - budget.total, ZERO),
    )


def _require_budget_role(request: AuthedRequest) -> None:
    if not permissions.has_any_role(request.user, permissions.BUDGET_ROLES):
        raise Http404


@login_required
@require_GET
def budget_page(request: AuthedRequest) -> HttpResponse:
    _require_budget_role(request)
    calls = list(Call.objects.order_by("-opens_at", "pk"))
    budgets = call_budgets(calls)
    rows = []
    for call in calls:
        budget = budgets[call.pk]
        bar = budget_bar(budget)
        rows.append(
            {
                "call": call,
                "budget": budget,
                "bar": bar,
                "parts": {segment.key: segment for segment in bar.segments},
            }
        )
    return render(
        request, "staff/finance/budget.html", {"rows": rows, "bar_width": BAR_WIDTH, "bar_viewbox": BAR_VIEWBOX}
    )


urlpatterns: list[URLPattern] = [
    path("finance/budget/", budget_page, name="staff_finance_budget"),
]
