"""Acceptance and lapse racing (DESIGN.md §4.2), on PostgreSQL with real parallel connections: 50 grants, each
accepted by its signatory while the daily job lapses it. Each ends either ACTIVE (nothing released) or
CANCELLED (released once, its payouts cancelled), and the call's budget gets back exactly the cancelled ones."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, connections

from grants.errors import REFUSALS
from grants.models import Application, Grant, GrantState, PayoutState
from grants.selectors.budget import call_budget
from grants.services.grants import grant_accept, grant_lapse, grants_lapse
from tests.workflows.payouts import GRANTED, payout_world
from workflows.models import CaseEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUNT = 50
WORKERS = 5


def test_acceptances_and_lapses_racing_release_exactly_once():
    assert connection.vendor == "postgresql"
    worlds = [payout_world(accepted=False) for _ in range(COUNT)]
    call = worlds[0].grant.application.call
    Application.objects.filter(pk__in=[w.grant.application_id for w in worlds]).update(call=call)
    # The signatory accepts one second before the deadline; the daily job lapses at the deadline.
    deadline = worlds[0].now + timedelta(days=30)
    Grant.objects.filter(pk__in=[w.grant.pk for w in worlds]).update(acceptance_deadline_at=deadline)

    # 50 grants, raced by 2 × WORKERS connections (the server is shared: not 100 at once): the acceptors take the
    # grants in one order, the lapsers in the reverse, so every grant meets both at about the same moment.
    barrier = threading.Barrier(WORKERS * 2 + 1)
    errors: list[BaseException] = []

    def accept(share):
        try:
            barrier.wait()
            for world in share:
                try:
                    grant_accept(
                        actor=world.signatory, grant=world.grant, now=deadline - timedelta(seconds=1), language="sv"
                    )
                except REFUSALS:
                    pass  # lapsed first
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    def lapse(share, index):
        try:
            barrier.wait()
            for world in share:
                try:
                    if index % 2:
                        grant_lapse(grant=world.grant.pk, now=deadline)  # waits for the row
                    else:
                        grants_lapse(now=deadline)  # the daily job: skips rows another transaction holds
                except REFUSALS:
                    pass  # accepted first
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    shares = [worlds[i::WORKERS] for i in range(WORKERS)]
    threads = [threading.Thread(target=accept, args=(share,)) for share in shares]
    threads += [threading.Thread(target=lapse, args=(share[::-1], i)) for i, share in enumerate(shares)]
    for t in threads:
        t.start()
    barrier.wait()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    # Whatever the daily job skipped while a signatory held the row is decided by now or on its next run.
    grants_lapse(now=deadline)

    grants = list(Grant.objects.filter(pk__in=[w.grant.pk for w in worlds]))
    assert {g.state for g in grants} <= {GrantState.ACTIVE, GrantState.CANCELLED}
    cancelled = [g for g in grants if g.state == GrantState.CANCELLED]
    for g in grants:
        events = CaseEvent.objects.filter(subject_id=g.pk, lifecycle="grant")
        assert events.count() == 1
        if g.state == GrantState.CANCELLED:
            assert g.released_amount == GRANTED
            assert set(g.payouts.values_list("state", flat=True)) == {PayoutState.CANCELLED}
        else:
            assert g.released_amount == 0
            assert PayoutState.CANCELLED not in set(g.payouts.values_list("state", flat=True))
    budget = call_budget(call)
    assert budget.released == GRANTED * len(cancelled)
    assert budget.committed == GRANTED * (COUNT - len(cancelled))
    assert budget.granted == GRANTED * COUNT == Decimal(budget.granted)
