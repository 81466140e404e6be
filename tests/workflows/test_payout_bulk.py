"""Many payouts at once (workflows.base.TransitionLog, PayoutFlow(accounts=..., log=...)): the same guards, the
same rows and the same case events as one payout at a time, written by one bulk UPDATE and one INSERT."""

import pytest

from grants.models import PaymentAccount, PaymentAccountType, Payout, PayoutState
from tests.workflows.payouts import bring_payout_to, open_batch, payout_world
from workflows.base import TransitionLog, TransitionRefused
from workflows.models import CaseEvent
from workflows.payout import PayoutFlow, current_accounts

P = PayoutState
EVENT_FIELDS = ("application_id", "lifecycle", "subject_id", "actor_id", "event", "from_state", "to_state", "note")


def _events(payout):
    return [
        tuple(getattr(e, f) if f != "subject_id" else "self" for f in EVENT_FIELDS)
        for e in CaseEvent.objects.filter(subject_id=payout.pk, lifecycle="payout").order_by("pk")
    ]


def _due(world):
    payout = world.grant.payouts.order_by("pk").first()
    return bring_payout_to(payout, P.DUE, world)


@pytest.mark.django_db
def test_logged_transitions_write_what_single_ones_write(django_assert_max_num_queries):
    single_world, bulk_world = payout_world(), payout_world()
    single, bulk = _due(single_world), _due(bulk_world)
    batch_a, batch_b = open_batch(single_world), open_batch(bulk_world)

    PayoutFlow(single, actor=single_world.finance).put_in_batch(batch=batch_a, now=single_world.now)

    accounts = current_accounts({bulk.grant.application.organisation_id})
    log = TransitionLog(Payout, ["state", "batch", "account"])
    PayoutFlow(bulk, actor=single_world.finance, accounts=accounts, log=log).put_in_batch(
        batch=batch_b, now=single_world.now
    )
    assert Payout.objects.get(pk=bulk.pk).state == P.DUE  # nothing written before the flush
    with django_assert_max_num_queries(2):  # one UPDATE, one INSERT
        log.flush()

    a, b = Payout.objects.get(pk=single.pk), Payout.objects.get(pk=bulk.pk)
    assert (a.state, a.batch_id, a.account_id) == (P.IN_BATCH, batch_a.pk, single_world.account.pk)
    assert (b.state, b.batch_id, b.account_id) == (P.IN_BATCH, batch_b.pk, bulk_world.account.pk)
    # The put_in_batch line: the same but for the case it belongs to.
    (*_, single_line), (*_, bulk_line) = _events(a), _events(b)
    assert single_line[1:] == bulk_line[1:]
    assert single_line[4] == "payout.batched"
    assert (single_line[0], bulk_line[0]) == (single.grant.application_id, bulk.grant.application_id)


@pytest.mark.django_db
def test_a_logged_transition_keeps_its_guards():
    world = payout_world(verified=False)
    payout = _due(payout_world())  # a due payout of another grant …
    unverified = world.grant.payouts.order_by("pk").first()
    Payout.objects.filter(pk=unverified.pk).update(state=P.DUE)  # … and one whose organisation's account is not
    unverified.refresh_from_db()
    batch = open_batch(world)
    accounts = current_accounts(
        {payout.grant.application.organisation_id, unverified.grant.application.organisation_id}
    )
    log = TransitionLog(Payout, ["state", "batch", "account"])
    PayoutFlow(payout, actor=world.finance, accounts=accounts, log=log).put_in_batch(batch=batch, now=world.now)
    with pytest.raises(TransitionRefused, match="inte verifierat"):
        PayoutFlow(unverified, actor=world.finance, accounts=accounts, log=log).put_in_batch(batch=batch, now=world.now)
    no_account = {unverified.grant.application.organisation_id: None}
    with pytest.raises(TransitionRefused, match="inget utbetalningskonto"):
        PayoutFlow(unverified, actor=world.finance, accounts=no_account, log=log).put_in_batch(
            batch=batch, now=world.now
        )
    assert len(log.records) == 1


@pytest.mark.django_db
def test_current_accounts_reads_the_current_one_of_each_organisation(django_assert_num_queries):
    world = payout_world()
    organisation = world.account.organisation
    PaymentAccount.objects.filter(pk=world.account.pk).update(superseded_at=world.now)
    newer = PaymentAccount.objects.create(
        organisation=organisation, kind=PaymentAccountType.BANKGIRO, number="50501055", created_by=world.finance
    )
    with django_assert_num_queries(1):
        found = current_accounts({organisation.pk, 999999})
    assert found == {organisation.pk: newer, 999999: None}
