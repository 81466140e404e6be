"""No double payment under concurrency (DESIGN.md §5 rule 4), on PostgreSQL with real parallel connections:
ten payouts of one grant, together worth more than it, are marked PAID at the same instant by ten connections.
The database trigger locks the grant's row, so the paid total never passes the granted amount."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Sum
from django.utils import timezone

from grants.models import ApplicationState, Payout, PayoutState, PayoutTrigger
from tests.factories import ApplicationFactory, CallFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUNT = 10
GRANTED = Decimal("600000.00")
EACH = Decimal("100000.00")  # ten of them: 1 000 000 kr against 600 000 kr granted


def _grant():
    from grants.models import Decision, Grant, Outcome, Proposal

    call = CallFactory()
    officer = UserFactory(roles=["case_officer"])
    decider = UserFactory(roles=["decision_maker"])
    app = ApplicationFactory(
        call=call,
        organisation=OrganisationFactory(),
        requested_amount=GRANTED,
        state=ApplicationState.APPROVED,
        reference_number="2032-00001",
        submitted_at=call.opens_at,
        assigned_officer=officer,
    )
    proposal = Proposal.objects.create(
        application=app, proposed_by=officer, outcome=Outcome.APPROVE, amount=GRANTED, reasons="Uppfyller kraven."
    )
    decision = Decision.objects.create(
        application=app,
        proposal=proposal,
        outcome=Outcome.APPROVE,
        amount=GRANTED,
        reasons="Uppfyller kraven.",
        decided_by=decider,
        proposed_by=officer,
        decided_at=timezone.now(),
    )
    return Grant.objects.create(
        application=app, decision=decision, granted_amount=GRANTED, acceptance_deadline_at=timezone.now()
    )


def test_parallel_payments_never_exceed_the_grant():
    assert connection.vendor == "postgresql"
    grant = _grant()
    ids = [
        Payout.objects.create(grant=grant, amount=EACH, trigger=PayoutTrigger.ON_ACCEPTANCE, state=PayoutState.DUE).pk
        for _ in range(COUNT)
    ]
    barrier = threading.Barrier(COUNT)
    outcomes: dict[int, str] = {}
    lock = threading.Lock()

    def pay(pk: int) -> None:
        try:
            barrier.wait(timeout=60)
            try:
                with transaction.atomic():
                    Payout.objects.filter(pk=pk).update(state=PayoutState.PAID, paid_at=timezone.now())
                result = "paid"
            except IntegrityError:
                result = "refused"
        except Exception as exc:  # a deadlock or anything else is a bug
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes[pk] = result

    threads = [threading.Thread(target=pay, args=(pk,)) for pk in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes.values()) == ["paid"] * 6 + ["refused"] * 4, outcomes
    paid = Payout.objects.filter(grant=grant, state=PayoutState.PAID).aggregate(total=Sum("amount"))["total"]
    assert paid == GRANTED
