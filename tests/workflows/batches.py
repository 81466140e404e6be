"""Drive payout batches through DESIGN.md §4.4 with the real flows (workflows/batch.py, workflows/payout.py).

`batch_world()` is payout_world() (tests/workflows/payouts.py) with the grant's advance due and put in an open
batch assembled by `finance`; `finance2` attests. `bring_batch_to()` takes the batch to any state of the table
by running the transitions in order (it never writes the state). The frozen lines are written here the way
grants/services/batches.py writes them, so the flow can be tested on its own.
"""

from dataclasses import dataclass
from typing import Any

from grants.models import PayoutBatch, PayoutBatchLine, PayoutBatchState, PayoutState, PayoutTrigger
from tests.workflows.payouts import PayoutWorld, bring_payout_to, flow, payout_world
from workflows.batch import BatchFlow
from workflows.models import CaseEvent

B = PayoutBatchState


@dataclass
class BatchWorld:
    payouts: PayoutWorld
    batch: PayoutBatch

    @property
    def now(self) -> Any:
        return self.payouts.now


def batch_world(*, verified: bool = True) -> BatchWorld:
    world = payout_world()
    advance = bring_payout_to(world.grant.payouts.get(trigger=PayoutTrigger.ON_ACCEPTANCE), PayoutState.DUE, world)
    batch = PayoutBatch.objects.create(created_by=world.finance)
    flow(advance, world).put_in_batch(batch=batch, now=world.now)
    return BatchWorld(world, batch)


def freeze_lines(batch: PayoutBatch) -> None:
    for payout in batch.payouts.select_related("account", "grant__application__organisation"):  # type: ignore[attr-defined]
        organisation = payout.grant.application.organisation
        PayoutBatchLine.objects.create(
            batch=batch,
            payout=payout,
            amount=payout.amount,
            payee_name=organisation.name,
            payee_orgnr=organisation.orgnr,
            account=payout.account,
            account_kind=payout.account.kind,
            account_number=payout.account.number,
            bic=payout.account.bic,
            reference=payout.grant.application.reference_number,
        )


def batch_flow(world: BatchWorld, actor: Any = None) -> BatchFlow:
    return BatchFlow(world.batch, actor=actor if actor is not None else world.payouts.finance2)


def _approve(world: BatchWorld) -> Any:
    result = batch_flow(world).approve(now=world.now)
    freeze_lines(world.batch)
    return result


def _mark_exported(world: BatchWorld) -> Any:
    if world.batch.state == B.APPROVED:  # what the export does to the payouts before the batch is marked
        for payout in world.batch.payouts.all():  # type: ignore[attr-defined]
            flow(payout, world.payouts).mark_sent(now=world.now)
    return batch_flow(world).mark_exported(now=world.now)


def _mark_reconciled(world: BatchWorld) -> Any:
    if world.batch.state == B.EXPORTED:  # the bank's answer: every payout paid
        for payout in world.batch.payouts.filter(state=PayoutState.SENT):  # type: ignore[attr-defined]
            flow(payout, world.payouts).mark_paid(now=world.now)
    return batch_flow(world).mark_reconciled(now=world.now)


BATCH_ACTIONS = {"approve": _approve, "mark_exported": _mark_exported, "mark_reconciled": _mark_reconciled}

BATCH_PATHS: dict[str, list[str]] = {
    B.OPEN: [],
    B.APPROVED: ["approve"],
    B.EXPORTED: ["approve", "mark_exported"],
    B.RECONCILED: ["approve", "mark_exported", "mark_reconciled"],
}


def batch_act(action: str, world: BatchWorld) -> Any:
    return BATCH_ACTIONS[action](world)


def bring_batch_to(world: BatchWorld, state: str) -> BatchWorld:
    for action in BATCH_PATHS[state]:
        batch_act(action, world)
    world.batch = PayoutBatch.objects.get(pk=world.batch.pk)
    assert world.batch.state == state, f"could not bring the batch to {state}"
    return world


def batch_snapshot(batch: PayoutBatch) -> dict[str, Any]:
    """Everything about a batch a refused action must leave as it was."""
    return {
        "batch": PayoutBatch.objects.filter(pk=batch.pk).values().first(),
        "payouts": list(batch.payouts.order_by("pk").values()),  # type: ignore[attr-defined]
        "lines": list(PayoutBatchLine.objects.filter(batch=batch).values()),
        "events": list(CaseEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }
