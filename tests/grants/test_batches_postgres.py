"""A payout is in at most one batch (DESIGN.md §4.3), under concurrency, on PostgreSQL with real parallel
connections: 20 finance officers create a batch at the same instant, each over the same due payouts (in a
different order). The payout rows are locked in id order, so each payout ends up in exactly one batch, every
other creation is refused with a message and leaves nothing behind, and nobody deadlocks."""

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


def test_twenty_parallel_batches_over_the_same_payouts_put_each_in_exactly_one():
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
    payouts = list(Payout.objects.filter(pk__in=ids))
    assert {p.state for p in payouts} == {PayoutState.IN_BATCH}
    batches = set(PayoutBatch.objects.values_list("pk", flat=True))
    assert outcomes.count("created") == len(batches) >= 1
    # Each payout in exactly one batch, each batch non-empty, and the log says so once per payout.
    assert {p.batch_id for p in payouts} <= batches
    for batch in batches:
        assert Payout.objects.filter(batch_id=batch).exists()
    batched = CaseEvent.objects.filter(event="payout.batched", subject_id__in=ids)
    assert sorted(batched.values_list("subject_id", flat=True)) == sorted(ids)
