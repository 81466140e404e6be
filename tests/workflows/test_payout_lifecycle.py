"""The payout lifecycle of DESIGN.md §4.3 (workflows/payout.py).

The state table is written out from DESIGN.md, not read from the code: every allowed transition succeeds and
leaves exactly one case event of the payout lifecycle; every other (state, action) pair is refused and changes
nothing. The guards of each row have their own tests below, and a property test runs random sequences.
"""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grants.models import Grant, GrantState, Payout, PayoutBatchState, PayoutState, PayoutTrigger
from grants.models.states import Lifecycle
from tests.workflows.lifecycle import REFUSALS
from tests.workflows.payouts import (
    PAYOUT_ACTIONS,
    accept_directly,
    approve_batch,
    bring_payout_to,
    flow,
    open_batch,
    paid_sum,
    payout_act,
    payout_snapshot,
    payout_world,
)
from workflows.base import TransitionRefused
from workflows.models import CaseEvent
from workflows.payout import PayoutFlow

P = PayoutState

STATE_TABLE = [
    (P.PLANNED, "make_due", P.DUE),
    (P.DUE, "put_in_batch", P.IN_BATCH),
    (P.IN_BATCH, "take_out_of_batch", P.DUE),
    (P.IN_BATCH, "mark_sent", P.SENT),
    (P.SENT, "mark_paid", P.PAID),
    (P.SENT, "mark_failed", P.FAILED),
    (P.FAILED, "make_due_again", P.DUE),
    (P.PLANNED, "cancel", P.CANCELLED),
    (P.DUE, "cancel", P.CANCELLED),
]
ALLOWED = {(source, action) for source, action, _ in STATE_TABLE}
FORBIDDEN = [(state, action) for state in P for action in sorted(PAYOUT_ACTIONS) if (state, action) not in ALLOWED]


@pytest.fixture
def world(db):
    return payout_world()


@pytest.fixture
def advance(world):
    return world.grant.payouts.get(trigger=PayoutTrigger.ON_ACCEPTANCE)


def test_the_table_names_exactly_the_flows_transitions():
    assert set(PAYOUT_ACTIONS) == set(PayoutFlow.events)
    for source, action, target in STATE_TABLE:
        offered = {t.slug: t.target for t in PayoutFlow.state.get_outgoing_transitions(source)}
        assert offered.get(action) == target, (source, action)


@pytest.mark.parametrize(("source", "action", "target"), STATE_TABLE, ids=lambda v: str(v))
def test_every_allowed_transition(world, advance, source, action, target):
    payout = bring_payout_to(advance, source, world)
    before = set(CaseEvent.objects.values_list("pk", flat=True))

    payout_act(action, payout, world)

    payout = Payout.objects.get(pk=payout.pk)
    assert payout.state == target
    new = list(CaseEvent.objects.exclude(pk__in=before))
    assert len(new) == 1
    logged = new[0]
    assert (logged.lifecycle, logged.subject_id, logged.application_id) == (
        Lifecycle.PAYOUT,
        payout.pk,
        world.grant.application_id,
    )
    assert (logged.from_state, logged.to_state, logged.event) == (source, target, PayoutFlow.events[action])
    assert logged.actor == world.finance


@pytest.mark.parametrize(("source", "action"), FORBIDDEN, ids=lambda v: str(v))
def test_every_forbidden_transition_is_refused_and_changes_nothing(world, advance, source, action):
    payout = bring_payout_to(advance, source, world)
    before = payout_snapshot(payout)
    with pytest.raises(REFUSALS):
        payout_act(action, payout, world)
    assert payout_snapshot(payout) == before


# --- the guards of each row ------------------------------------------------------------------------------------


def _refused(call, payout):
    before = payout_snapshot(payout)
    with pytest.raises(TransitionRefused) as refused:
        call()
    assert payout_snapshot(payout) == before
    return str(refused.value.message)


def test_nothing_is_due_before_the_grant_is_accepted(db):
    world = payout_world(accepted=False)
    payout = world.grant.payouts.get(trigger=PayoutTrigger.ON_ACCEPTANCE)
    assert "accepterat" in _refused(lambda: flow(payout, world).make_due(now=world.now), payout)


def test_a_batch_takes_payouts_only_while_open(world, advance):
    payout = bring_payout_to(advance, P.DUE, world)
    batch = open_batch(world)
    approve_batch(batch, world)
    _refused(lambda: flow(payout, world).put_in_batch(batch=batch, now=world.now), payout)


def test_into_a_batch_only_to_a_verified_account(db):
    world = payout_world(verified=False)
    payout = bring_payout_to(world.grant.payouts.get(trigger=PayoutTrigger.ON_ACCEPTANCE), P.DUE, world)
    message = _refused(lambda: flow(payout, world).put_in_batch(batch=open_batch(world), now=world.now), payout)
    assert "inte verifierat" in message


def test_put_in_batch_records_batch_and_account(world, advance):
    payout = bring_payout_to(advance, P.IN_BATCH, world)
    assert payout.account == world.account and payout.batch.state == PayoutBatchState.OPEN


def test_an_attested_batch_keeps_its_payouts(world, advance):
    payout = bring_payout_to(advance, P.IN_BATCH, world)
    approve_batch(payout.batch, world)
    _refused(lambda: flow(payout, world).take_out_of_batch(now=world.now), payout)


def test_taken_out_of_the_batch_it_is_in_none(world, advance):
    payout = bring_payout_to(advance, P.IN_BATCH, world)
    flow(payout, world).take_out_of_batch(now=world.now)
    payout.refresh_from_db()
    assert (payout.state, payout.batch, payout.account) == (P.DUE, None, None)


def test_sent_only_from_an_attested_batch(world, advance):
    payout = bring_payout_to(advance, P.IN_BATCH, world)
    _refused(lambda: flow(payout, world).mark_sent(now=world.now), payout)


def test_paid_records_when(world, advance):
    payout = bring_payout_to(advance, P.PAID, world)
    assert payout.paid_at == world.now


def test_never_more_paid_than_granted_in_code(world, advance):
    """A payout too many (a double payment) is refused by the flow with a message, before the database's
    trigger would refuse it with an error."""
    bring_payout_to(advance, P.PAID, world)
    extra = Payout.objects.create(grant=world.grant, amount=Decimal("20000.01"), trigger=PayoutTrigger.ON_ACCEPTANCE)
    extra = bring_payout_to(extra, P.SENT, world)
    message = _refused(lambda: flow(extra, world).mark_paid(now=world.now), extra)
    assert "beviljade beloppet" in message
    assert paid_sum(world.grant) == advance.amount


def test_a_failure_needs_its_reason_and_logs_it(world, advance):
    payout = bring_payout_to(advance, P.SENT, world)
    _refused(lambda: flow(payout, world).mark_failed(now=world.now, reason="  "), payout)
    flow(payout, world).mark_failed(now=world.now, reason="AC04 Kontot avslutat")
    assert CaseEvent.objects.filter(subject_id=payout.pk, event="payout.failed").get().note == "AC04 Kontot avslutat"


def test_due_again_only_with_a_verified_account(world, advance, now):
    payout = bring_payout_to(advance, P.FAILED, world)
    # The organisation registers a new account after the failure: not verified yet.
    from grants.models import PaymentAccount, PaymentAccountType

    PaymentAccount.objects.filter(pk=world.account.pk).update(superseded_at=now)
    new = PaymentAccount.objects.create(
        organisation=world.grant.application.organisation,
        kind=PaymentAccountType.PLUSGIRO,
        number="4789954",
        created_by=world.finance,
    )
    assert "inte verifierat" in _refused(lambda: flow(payout, world).make_due_again(now=now), payout)
    PaymentAccount.objects.filter(pk=new.pk).update(verified_by=world.finance2, verified_at=now)
    flow(payout, world).make_due_again(now=now)
    payout.refresh_from_db()
    assert (payout.state, payout.batch, payout.account) == (P.DUE, None, None)


def test_due_again_asks_the_predicate_it_is_given(world, advance):
    from grants.permissions import Verdict

    payout = bring_payout_to(advance, P.FAILED, world)
    no = PayoutFlow(payout, actor=world.finance, account_ready=lambda p: Verdict(False, "Kontot är spärrat."))
    with pytest.raises(TransitionRefused, match="spärrat"):
        no.make_due_again(now=world.now)


# --- property: random sequences never pay more than granted ----------------------------------------------------


class _Rollback(Exception):
    pass


OPERATIONS = sorted(PAYOUT_ACTIONS) + ["approve_batch", "new_account", "verify_account", "extra_payout"]
# A guided step takes one of the transitions the flow offers from the payout's state (cancel only rarely):
# random steps alone seldom get as far as paying.
STEPS = st.lists(
    st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 2), st.sampled_from([True, True, True, False])),
    min_size=5,
    max_size=40,
)


# Where the three payouts start (deep states are rare by chance; PAID would need the rule broken already).
STARTS = st.lists(st.sampled_from([P.PLANNED, P.DUE, P.IN_BATCH, P.SENT, P.SENT, P.FAILED]), min_size=3, max_size=3)


def _guided(operation, payout):
    offered = sorted(t.slug for t in PayoutFlow.state.get_outgoing_transitions(payout.state) if t.slug != "cancel")
    if not offered:
        return operation
    return offered[OPERATIONS.index(operation) % len(offered)]


def _operate(operation, payout, world, step):
    from grants.models import PaymentAccount, PaymentAccountType

    if operation == "approve_batch":
        if payout.batch is not None and payout.batch.state == PayoutBatchState.OPEN:
            approve_batch(payout.batch, world)
    elif operation == "new_account":
        PaymentAccount.objects.filter(
            organisation=world.grant.application.organisation, superseded_at__isnull=True
        ).update(superseded_at=world.now)
        PaymentAccount.objects.create(
            organisation=world.grant.application.organisation,
            kind=PaymentAccountType.PLUSGIRO,
            number="4789954",
            created_by=world.finance,
        )
    elif operation == "verify_account":
        PaymentAccount.objects.filter(
            organisation=world.grant.application.organisation, superseded_at__isnull=True, verified_at__isnull=True
        ).update(verified_by=world.finance2, verified_at=world.now)
    elif operation == "extra_payout":
        # A payout that should never have been made: together they are worth more than the grant.
        Payout.objects.create(grant=world.grant, amount=Decimal("30000.00"), trigger=PayoutTrigger.ON_ACCEPTANCE)
    else:
        payout_act(operation, payout, world)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS, starts=STARTS, start_accepted=st.booleans())
def test_random_sequences_never_pay_more_than_granted(steps, starts, start_accepted):
    try:
        with transaction.atomic():
            world = payout_world(accepted=True)
            # A payout that should never have been made: with either of the grant's own, more than it is worth.
            Payout.objects.create(grant=world.grant, amount=Decimal("90000.00"), trigger=PayoutTrigger.ON_ACCEPTANCE)
            for payout, state in zip(world.grant.payouts.order_by("pk"), starts, strict=True):
                bring_payout_to(payout, state, world)
            if not start_accepted:  # the grant awaits acceptance again: nothing more may become due until then
                Grant.objects.filter(pk=world.grant.pk).update(
                    state=GrantState.AWAITING_ACCEPTANCE, accepted_by=None, accepted_at=None, terms_sha256=""
                )
                world.grant.refresh_from_db()
            for step, (operation, index, guided) in enumerate(steps):
                if step == len(steps) // 2 and not start_accepted:
                    accept_directly(world.grant, world.signatory, world.now)
                payouts = list(world.grant.payouts.select_related("batch", "grant__application").order_by("pk"))
                payout = payouts[index % len(payouts)]
                if guided:
                    operation = _guided(operation, payout)
                before = payout_snapshot(payout)
                try:
                    with transaction.atomic():
                        _operate(operation, payout, world, step)
                except REFUSALS:
                    event(f"refused: {operation}")
                    assert payout_snapshot(payout) == before
                else:
                    event(f"done: {operation}")
                # §5 rule 4, and every batched payout has its batch and account.
                assert paid_sum(world.grant) <= world.grant.granted_amount
                for p in world.grant.payouts.all():
                    if p.state in (P.IN_BATCH, P.SENT):
                        assert p.batch_id is not None and p.account_id is not None
                    if p.state == P.DUE:
                        assert p.batch_id is None
            raise _Rollback
    except _Rollback:
        pass
