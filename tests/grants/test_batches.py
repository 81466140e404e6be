"""Payment batch services (grants/services/batches.py): assemble, remove, attest and freeze (DESIGN.md §4.4).
The export has its own file (test_batch_export.py); the race of 20 batches over the same payouts is in
test_batches_postgres.py."""

from decimal import Decimal

import pytest

from grants.errors import NotAllowed, ServiceError
from grants.models import (
    PaymentAccount,
    PaymentAccountType,
    Payout,
    PayoutBatch,
    PayoutBatchLine,
    PayoutBatchState,
    PayoutState,
)
from grants.models.states import Lifecycle
from grants.services.batches import batch_approve, batch_create, batch_remove_payout
from tests.factories import UserFactory
from tests.grants.batches import due_payout, finance_people
from workflows.base import TransitionRefused
from workflows.models import CaseEvent
from workflows.payout import PayoutFlow

P = PayoutState


@pytest.fixture
def people(db):
    return finance_people()


@pytest.fixture
def due(people):
    return [due_payout(people, kind=kind) for kind in PaymentAccountType.values]


def _snapshot():
    return (
        list(Payout.objects.order_by("pk").values()),
        list(PayoutBatch.objects.values()),
        list(PayoutBatchLine.objects.values()),
        CaseEvent.objects.count(),
    )


def test_create_puts_the_chosen_due_payouts_in_a_new_open_batch(people, due):
    batch = batch_create(actor=people.assembler, payout_ids=[p.pk for p in due[:2]], now=people.now)
    assert (batch.state, batch.created_by) == (PayoutBatchState.OPEN, people.assembler)
    states = dict(Payout.objects.values_list("pk", "state"))
    assert [states[p.pk] for p in due] == [P.IN_BATCH, P.IN_BATCH, P.DUE]
    assert set(batch.payouts.values_list("pk", flat=True)) == {due[0].pk, due[1].pk}
    created = CaseEvent.objects.get(lifecycle=Lifecycle.BATCH, subject_id=batch.pk)
    assert (created.event, created.to_state, created.application_id) == ("batch.created", "OPEN", None)


@pytest.mark.parametrize("who", ["case_officer", "decision_maker", "reviewer", "programme_admin", None])
def test_only_finance_creates_a_batch(people, due, who):
    actor = UserFactory(roles=[who] if who else [])
    before = _snapshot()
    with pytest.raises(NotAllowed):
        batch_create(actor=actor, payout_ids=[due[0].pk], now=people.now)
    assert _snapshot() == before


def test_no_choice_is_refused(people, due):
    with pytest.raises(ServiceError) as refused:
        batch_create(actor=people.assembler, payout_ids=[], now=people.now)
    assert refused.value.field == "payouts"
    assert not PayoutBatch.objects.exists()


def test_a_payout_in_a_batch_goes_in_no_second_one_and_nothing_changes(people, due):
    first = batch_create(actor=people.assembler, payout_ids=[due[0].pk], now=people.now)
    before = _snapshot()
    with pytest.raises(ServiceError) as refused:
        batch_create(actor=people.attester, payout_ids=[due[0].pk, due[1].pk], now=people.now)
    assert due[0].grant.application.reference_number in str(refused.value.message)
    assert _snapshot() == before
    assert Payout.objects.get(pk=due[0].pk).batch == first


def test_only_due_payouts_an_unknown_id_is_refused(people, due):
    planned = due[0].grant.payouts.get(state=P.PLANNED)  # the final payment waits for the final report
    for ids in ([planned.pk], [due[1].pk, 10**9]):
        before = _snapshot()
        with pytest.raises(ServiceError):
            batch_create(actor=people.assembler, payout_ids=ids, now=people.now)
        assert _snapshot() == before


def test_an_unverified_account_is_refused_naming_the_payee(people):
    payout = due_payout(people, verified=False)
    before = _snapshot()
    with pytest.raises(ServiceError) as refused:
        batch_create(actor=people.assembler, payout_ids=[payout.pk], now=people.now)
    assert payout.grant.application.organisation.name in str(refused.value.message)
    assert _snapshot() == before


def test_remove_a_payout_from_an_open_batch(people, due):
    batch = batch_create(actor=people.assembler, payout_ids=[p.pk for p in due], now=people.now)
    batch_remove_payout(actor=people.attester, batch=batch, payout_id=due[0].pk, now=people.now)
    payout = Payout.objects.get(pk=due[0].pk)
    assert (payout.state, payout.batch, payout.account) == (P.DUE, None, None)
    with pytest.raises(ServiceError):  # not in it any more
        batch_remove_payout(actor=people.attester, batch=batch, payout_id=due[0].pk, now=people.now)


def test_an_attested_batch_keeps_its_payouts(people, due):
    batch = batch_create(actor=people.assembler, payout_ids=[p.pk for p in due], now=people.now)
    batch_approve(actor=people.attester, batch=batch, now=people.now)
    before = _snapshot()
    with pytest.raises((ServiceError, TransitionRefused)):
        batch_remove_payout(actor=people.assembler, batch=batch, payout_id=due[0].pk, now=people.now)
    assert _snapshot() == before


def test_approve_freezes_one_line_per_payout(people, due):
    batch = batch_create(actor=people.assembler, payout_ids=[p.pk for p in due], now=people.now)
    batch_approve(actor=people.attester, batch=batch, now=people.now)
    batch.refresh_from_db()
    assert (batch.state, batch.approved_by, batch.approved_at) == (
        PayoutBatchState.APPROVED,
        people.attester,
        people.now,
    )
    lines = {line.payout_id: line for line in batch.lines.all()}
    assert set(lines) == {p.pk for p in due}
    for payout in due:
        line = lines[payout.pk]
        payout.refresh_from_db()
        organisation = payout.grant.application.organisation
        assert (line.amount, line.payee_name, line.payee_orgnr) == (
            payout.amount,
            organisation.name,
            organisation.orgnr,
        )
        assert (line.account, line.account_kind, line.account_number, line.bic) == (
            payout.account,
            payout.account.kind,
            payout.account.number,
            payout.account.bic,
        )
        assert line.reference.startswith(payout.grant.application.reference_number)
        assert len(line.reference) <= 25
    assert lines[due[2].pk].bic == "COBADEFF"


def test_four_eyes_the_assembler_cannot_approve_and_nothing_changes(people, due):
    batch = batch_create(actor=people.assembler, payout_ids=[due[0].pk], now=people.now)
    before = _snapshot()
    with pytest.raises(TransitionRefused) as refused:
        batch_approve(actor=people.assembler, batch=batch, now=people.now)
    assert "två personer" in str(refused.value.message)
    assert _snapshot() == before


def test_an_account_changed_after_batching_blocks_approval_naming_the_payee(people, due):
    batch = batch_create(actor=people.assembler, payout_ids=[p.pk for p in due], now=people.now)
    organisation = due[1].grant.application.organisation
    old = PaymentAccount.objects.get(organisation=organisation)
    old.superseded_at = people.now
    old.save()
    PaymentAccount.objects.create(
        organisation=organisation, kind=PaymentAccountType.BANKGIRO, number="9912346", created_by=people.assembler
    )
    before = _snapshot()
    with pytest.raises(TransitionRefused) as refused:
        batch_approve(actor=people.attester, batch=batch, now=people.now)
    message = str(refused.value.message)
    assert organisation.name in message
    assert due[0].grant.application.organisation.name not in message
    assert _snapshot() == before


def test_lines_are_never_rewritten_a_failed_payout_gets_a_new_line_in_a_later_batch(people, due):
    batch = batch_create(actor=people.assembler, payout_ids=[due[0].pk], now=people.now)
    batch_approve(actor=people.attester, batch=batch, now=people.now)
    first = list(PayoutBatchLine.objects.values())
    payout = Payout.objects.get(pk=due[0].pk)
    flow = PayoutFlow(payout, actor=people.attester)
    flow.mark_sent(now=people.now)
    flow.mark_failed(now=people.now, reason="AC04 Kontot avslutat")
    flow.make_due_again(now=people.now)
    later = batch_create(actor=people.attester, payout_ids=[payout.pk], now=people.now)
    batch_approve(actor=people.assembler, batch=later, now=people.now)
    assert list(PayoutBatchLine.objects.filter(batch=batch).values()) == first
    assert list(payout.lines.order_by("pk").values_list("batch_id", "amount")) == [
        (batch.pk, Decimal("80000.00")),
        (later.pk, Decimal("80000.00")),
    ]
