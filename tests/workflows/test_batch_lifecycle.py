"""The payout batch lifecycle of DESIGN.md §4.4 (workflows/batch.py).

The state table is written out from DESIGN.md, not read from the code: every allowed transition succeeds and
leaves exactly one case event of the batch lifecycle; every other (state, action) pair is refused and changes
nothing. Two people attest a batch: tested like the four-eyes rule of decisions, in the flow and in the database.
"""

import pytest
from django.db import IntegrityError, transaction

from grants.models import (
    PaymentAccount,
    PaymentAccountType,
    PayoutBatch,
    PayoutBatchState,
    PayoutState,
    PayoutTrigger,
)
from grants.models.states import Lifecycle
from grants.permissions_batches import can_approve_batch
from tests.factories import UserFactory
from tests.workflows.batches import (
    BATCH_ACTIONS,
    batch_act,
    batch_flow,
    batch_snapshot,
    batch_world,
    bring_batch_to,
    freeze_lines,
)
from tests.workflows.lifecycle import REFUSALS
from tests.workflows.payouts import bring_payout_to, flow, payout_world
from workflows.base import TransitionRefused
from workflows.batch import BatchFlow
from workflows.models import CaseEvent

B = PayoutBatchState

STATE_TABLE = [
    (B.OPEN, "approve", B.APPROVED),
    (B.APPROVED, "mark_exported", B.EXPORTED),
    (B.EXPORTED, "mark_reconciled", B.RECONCILED),
]
ALLOWED = {(source, action) for source, action, _ in STATE_TABLE}
FORBIDDEN = [(state, action) for state in B for action in sorted(BATCH_ACTIONS) if (state, action) not in ALLOWED]


@pytest.fixture
def world(db):
    return batch_world()


def test_the_table_names_exactly_the_flows_transitions():
    assert set(BATCH_ACTIONS) == set(BatchFlow.events)
    for source, action, target in STATE_TABLE:
        offered = {t.slug: t.target for t in BatchFlow.state.get_outgoing_transitions(source)}
        assert offered.get(action) == target, (source, action)
    # No way back: an attested batch is frozen.
    for state in (B.APPROVED, B.EXPORTED, B.RECONCILED):
        assert B.OPEN not in {t.target for t in BatchFlow.state.get_outgoing_transitions(state)}


@pytest.mark.parametrize(("source", "action", "target"), STATE_TABLE, ids=lambda v: str(v))
def test_every_allowed_transition(world, source, action, target):
    bring_batch_to(world, source)
    before = set(CaseEvent.objects.values_list("pk", flat=True))

    batch_act(action, world)

    batch = PayoutBatch.objects.get(pk=world.batch.pk)
    assert batch.state == target
    logged = list(CaseEvent.objects.exclude(pk__in=before).filter(lifecycle=Lifecycle.BATCH))
    assert len(logged) == 1
    event = logged[0]
    assert (event.application_id, event.subject_id) == (None, batch.pk)
    assert (event.from_state, event.to_state, event.event) == (source, target, BatchFlow.events[action])
    assert event.actor == world.payouts.finance2


@pytest.mark.parametrize(("source", "action"), FORBIDDEN, ids=lambda v: str(v))
def test_every_forbidden_transition_is_refused_and_changes_nothing(world, source, action):
    bring_batch_to(world, source)
    before = batch_snapshot(world.batch)
    with pytest.raises(REFUSALS):
        batch_act(action, world)
    assert batch_snapshot(world.batch) == before


def test_each_step_records_who_and_when(world):
    bring_batch_to(world, B.RECONCILED)
    batch = world.batch
    assert (batch.created_by, batch.approved_by) == (world.payouts.finance, world.payouts.finance2)
    assert batch.approved_at == batch.exported_at == batch.reconciled_at == world.now


# --- the guards of each row ------------------------------------------------------------------------------------


def _refused(call, batch):
    before = batch_snapshot(batch)
    with pytest.raises(TransitionRefused) as refused:
        call()
    batch.refresh_from_db()
    assert batch_snapshot(batch) == before
    assert batch.state in (B.OPEN, B.APPROVED, B.EXPORTED)
    return str(refused.value.message)


def test_four_eyes_the_assembler_cannot_approve(world):
    """Two people attest a batch: whoever assembled it is refused, finance role or not."""
    assembler = world.payouts.finance
    message = _refused(lambda: batch_flow(world, assembler).approve(now=world.now), world.batch)
    assert "två personer" in message
    verdict = can_approve_batch(assembler, world.batch)
    assert not verdict and verdict.reason == message  # the button says what the flow says
    assert can_approve_batch(world.payouts.finance2, world.batch)


def test_four_eyes_holds_for_a_person_with_every_staff_role(world):
    everything = UserFactory(roles=["finance", "case_officer", "decision_maker", "programme_admin"])
    batch = PayoutBatch.objects.create(created_by=everything)
    payout = world.batch.payouts.get()
    flow(payout, world.payouts).take_out_of_batch(now=world.now)
    flow(payout, world.payouts).put_in_batch(batch=batch, now=world.now)
    assert "två personer" in _refused(lambda: BatchFlow(batch, actor=everything).approve(now=world.now), batch)


def test_four_eyes_constraint_in_the_database(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=world.batch.pk).update(
            state=B.APPROVED, approved_by=world.payouts.finance, approved_at=world.now
        )


def test_only_finance_approves(world):
    officer = UserFactory(roles=["case_officer"])
    assert "ekonomihandläggare" in _refused(lambda: batch_flow(world, officer).approve(now=world.now), world.batch)


def test_an_empty_batch_cannot_be_approved(world):
    batch = PayoutBatch.objects.create(created_by=world.payouts.finance)
    message = _refused(lambda: BatchFlow(batch, actor=world.payouts.finance2).approve(now=world.now), batch)
    assert "inga utbetalningar" in message


def test_a_changed_account_blocks_approval_naming_the_payee(world):
    """The classic fraud: the account changes after the payout was batched. The new one waits for verification
    and the old one is no longer current, so the batch cannot be attested; the refusal names the payee."""
    old = world.payouts.account
    old.superseded_at = world.now
    old.save()
    PaymentAccount.objects.create(
        organisation=old.organisation,
        kind=PaymentAccountType.BANKGIRO,
        number="9912346",
        created_by=world.payouts.signatory,
    )
    message = _refused(lambda: batch_flow(world).approve(now=world.now), world.batch)
    assert old.organisation.name in message and "ersatts" in message


def test_an_invalid_account_number_blocks_approval_naming_each_payee(world):
    """Two payees with problems: both are named, each with its reason."""
    other = payout_world()
    other.account.superseded_at = other.now
    other.account.save()
    bad = PaymentAccount.objects.create(
        organisation=other.account.organisation,
        kind=PaymentAccountType.BANKGIRO,
        number="56788004",  # a check digit off: an account stored before the numbers were checked
        created_by=other.finance,
        verified_by=other.finance2,
        verified_at=other.now,
    )
    payout = bring_payout_to(other.grant.payouts.get(trigger=PayoutTrigger.ON_ACCEPTANCE), PayoutState.DUE, other)
    flow(payout, other).put_in_batch(batch=world.batch, now=world.now)
    assert payout.account == bad
    first = world.payouts.account
    first.superseded_at = world.now
    first.save()

    message = _refused(lambda: batch_flow(world).approve(now=world.now), world.batch)
    assert first.organisation.name in message and bad.organisation.name in message
    assert "ogiltigt" in message and "ersatts" in message


def test_exported_only_with_frozen_lines(world):
    batch_flow(world).approve(now=world.now)  # the flow alone: no lines written
    message = _refused(lambda: batch_flow(world).mark_exported(now=world.now), world.batch)
    assert "låsta rader" in message
    freeze_lines(world.batch)
    officer = UserFactory(roles=["case_officer"])
    _refused(lambda: batch_flow(world, officer).mark_exported(now=world.now), world.batch)


def test_reconciled_only_when_the_bank_has_answered_for_every_payout(world):
    bring_batch_to(world, B.EXPORTED)
    payout = world.batch.payouts.get()
    assert "väntar" in _refused(lambda: batch_flow(world).mark_reconciled(now=world.now), world.batch)
    flow(payout, world.payouts).mark_failed(now=world.now, reason="AC04 Kontot avslutat")
    batch_flow(world).mark_reconciled(now=world.now)
    world.batch.refresh_from_db()
    assert world.batch.state == B.RECONCILED


def test_a_failed_payout_keeps_its_line_when_it_goes_into_a_later_batch(world):
    bring_batch_to(world, B.EXPORTED)
    payout = world.batch.payouts.get()
    flow(payout, world.payouts).mark_failed(now=world.now, reason="AC04 Kontot avslutat")
    batch_flow(world).mark_reconciled(now=world.now)
    flow(payout, world.payouts).make_due_again(now=world.now)
    later = PayoutBatch.objects.create(created_by=world.payouts.finance2)
    flow(payout, world.payouts).put_in_batch(batch=later, now=world.now)
    BatchFlow(later, actor=world.payouts.finance).approve(now=world.now)
    freeze_lines(later)
    assert list(payout.lines.order_by("pk").values_list("batch_id", flat=True)) == [world.batch.pk, later.pk]
