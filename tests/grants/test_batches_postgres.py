"""A payout is in at most one batch (DESIGN.md §4.3), under concurrency, on PostgreSQL with real parallel
connections: 20 finance officers create a batch at the same instant over the same due payouts (all of them or
overlapping parts, in different orders). The payout rows are locked in id order, so no payout ends up in two
batches, every creation but one is refused with a message and leaves nothing behind, and nobody deadlocks.
(The first test passed by luck of timing when it expected every payout batched: a part that wins leaves the
rest due, which is right.)"""

import random
import threading

import pytest
from django.db import connection, connections

from grants.errors import ServiceError
from grants.models import Payout, PayoutBatch, PayoutState
from tests.factories import UserFactory
from tests.grants.batches import due_payout, finance_people
from workflows.models import CaseEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PARALLEL = 20
PAYOUTS = 6


def test_twenty_parallel_batches_over_overlapping_payouts_let_exactly_one_win():
    from grants.services.batches import batch_create

    assert connection.vendor == "postgresql"
    people = finance_people()
    ids = [due_payout(people).pk for _ in range(PAYOUTS)]
    officers = [UserFactory(roles=["finance"]) for _ in range(PARALLEL)]
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[str] = []
    lock = threading.Lock()

    def create(officer, chosen):
        try:
            barrier.wait(timeout=60)
            try:
                batch_create(actor=officer, payout_ids=chosen, now=people.now)
                result = "created"
            except ServiceError:
                result = "refused"
        except Exception as exc:  # a deadlock or anything else is a bug
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    rng = random.Random(10)
    threads = []
    for i, officer in enumerate(officers):
        # Some take all of them, some a part: overlapping choices in shuffled order.
        chosen = ids if i % 2 else rng.sample(ids, PAYOUTS // 2 + 1)
        chosen = rng.sample(chosen, len(chosen))
        threads.append(threading.Thread(target=create, args=(officer, chosen)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == PARALLEL and not [o for o in outcomes if o.startswith("error")], outcomes
    # Any two choices overlap (each holds more than half of the payouts), and a batch takes all its payouts or
    # none: exactly one creation wins, whichever it was; every other is refused and leaves nothing behind.
    assert outcomes.count("created") == 1, outcomes
    batch = PayoutBatch.objects.get()
    payouts = {p.pk: p for p in Payout.objects.filter(pk__in=ids)}
    batched = {pk for pk, p in payouts.items() if p.batch_id == batch.pk}
    assert batched and all(payouts[pk].state == PayoutState.IN_BATCH for pk in batched)
    assert all(p.state == PayoutState.DUE and p.batch_id is None for pk, p in payouts.items() if pk not in batched)
    # The log says so once per batched payout, and of no other.
    logged = CaseEvent.objects.filter(event="payout.batched", subject_id__in=ids)
    assert sorted(logged.values_list("subject_id", flat=True)) == sorted(batched)


def test_twenty_parallel_batches_of_all_the_payouts_put_each_in_exactly_one():
    """The same race with every officer choosing every payout (in a different order): one batch holds them all."""
    from grants.services.batches import batch_create

    people = finance_people()
    ids = [due_payout(people).pk for _ in range(PAYOUTS)]
    officers = [UserFactory(roles=["finance"]) for _ in range(PARALLEL)]
    barrier = threading.Barrier(PARALLEL)
    outcomes: list[str] = []
    lock = threading.Lock()
    rng = random.Random(11)

    def create(officer, chosen):
        try:
            barrier.wait(timeout=60)
            try:
                batch_create(actor=officer, payout_ids=chosen, now=people.now)
                result = "created"
            except ServiceError:
                result = "refused"
        except Exception as exc:  # a deadlock or anything else is a bug
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=create, args=(o, rng.sample(ids, len(ids)))) for o in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["created"] + ["refused"] * (PARALLEL - 1), outcomes
    batch = PayoutBatch.objects.get()
    assert set(Payout.objects.filter(pk__in=ids).values_list("state", "batch_id")) == {(PayoutState.IN_BATCH, batch.pk)}
    logged = CaseEvent.objects.filter(event="payout.batched", subject_id__in=ids)
    assert sorted(logged.values_list("subject_id", flat=True)) == sorted(ids)
