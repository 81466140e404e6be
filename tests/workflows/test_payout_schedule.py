"""No double payment (DESIGN.md §5 rule 4), as far as this stage goes: an approval plans payouts that add
up to exactly the granted amount, none of them paid or due before the grant is accepted. Paying (batches,
bank files, reconciliation) comes with the finance issue, and its tests extend this file."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from grants.models import ApplicationState, Grant, PayoutPlanStep, PayoutState, PayoutTrigger
from tests.workflows.lifecycle import bring_to

S = ApplicationState


@pytest.mark.parametrize(
    ("advance_percent", "amount"), [(80, "400000.00"), (100, "327397.00"), (0, "221834.00"), (33, "100000.01")]
)
def test_planned_payouts_sum_to_the_granted_amount(draft, cast, now, advance_percent, amount):
    draft.call.payout_plan_steps.all().delete()
    plan = [(advance_percent, PayoutTrigger.ON_ACCEPTANCE), (100 - advance_percent, PayoutTrigger.ON_FINAL_REPORT)]
    for position, (percent, trigger) in enumerate(plan, start=1):
        if percent:
            PayoutPlanStep.objects.create(call=draft.call, position=position, percent=percent, trigger=trigger)
    draft.requested_amount = Decimal(amount)
    draft.save(update_fields=["requested_amount"])
    draft.budget_lines.update(amount=Decimal(amount))

    bring_to(draft, S.APPROVED, cast, now)

    grant = Grant.objects.get(application=draft)
    payouts = list(grant.payouts.all())
    assert grant.payouts.aggregate(total=Sum("amount"))["total"] == grant.granted_amount
    assert all(p.amount > 0 for p in payouts)
    assert {p.state for p in payouts} == {PayoutState.PLANNED}
    assert len({p.trigger for p in payouts}) == len(payouts)  # one payout per trigger, never two of one
    advance = [p for p in payouts if p.trigger == PayoutTrigger.ON_ACCEPTANCE]
    if advance_percent == 0:
        assert advance == []
    else:
        assert advance[0].amount == (grant.granted_amount * advance_percent / 100).quantize(Decimal("0.01"))
