"""The call budget under concurrent approvals (DESIGN.md §5 rule 2), on PostgreSQL with real parallel
connections: 50 decision-makers press Bevilja at the same instant on 50 proposals of 100 000 kr each against
a call of 1 000 000 kr. The row lock on the call lets exactly ten through."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.utils import timezone

from grants.models import Application, ApplicationState, Decision, EligibilityCheck, Grant, Outcome, Proposal, User
from grants.services.cases import call_committed_amount, decision_approve
from tests.factories import ApplicationFactory, CallFactory, OrganisationFactory, UserFactory
from tests.workflows.lifecycle import REFUSALS

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COUNT = 50
AMOUNT = Decimal("100000.00")
BUDGET = Decimal("1000000.00")


def test_parallel_approvals_never_exceed_the_call_budget():
    assert connection.vendor == "postgresql"
    call = CallFactory(total_budget=BUDGET)
    officer = UserFactory(roles=["case_officer"])
    decider = UserFactory(roles=["decision_maker"])
    app_ids = []
    for i in range(COUNT):
        app = ApplicationFactory(
            call=call,
            organisation=OrganisationFactory(),
            requested_amount=AMOUNT,
            state=ApplicationState.PROPOSED,
            reference_number=f"2031-{i + 1:05d}",
            submitted_at=call.opens_at,
            assigned_officer=officer,
        )
        # Approval needs a passed eligibility check, re-checked when deciding.
        EligibilityCheck.objects.create(
            application=app,
            checked_by=officer,
            eligible_org_type=True,
            arrived_in_time=True,
            amount_within_ceiling=True,
            attachments_complete=True,
            within_purpose=True,
        )
        Proposal.objects.create(
            application=app, proposed_by=officer, outcome=Outcome.APPROVE, amount=AMOUNT, reasons="Uppfyller kraven."
        )
        app_ids.append(app.pk)

    barrier = threading.Barrier(COUNT)
    outcomes: dict[int, str] = {}
    lock = threading.Lock()

    def approve(pk: int) -> None:
        try:
            actor = User.objects.get(pk=decider.pk)
            application = Application.objects.get(pk=pk)
            barrier.wait(timeout=60)
            try:
                decision_approve(actor=actor, application=application, now=timezone.now())
                result = "approved"
            except REFUSALS as exc:
                result = f"refused: {getattr(exc, 'message', exc)}"
        except Exception as exc:  # anything else (deadlock, serialisation failure) is a bug
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes[pk] = result

    threads = [threading.Thread(target=approve, args=(pk,)) for pk in app_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)

    results = list(outcomes.values())
    assert len(results) == COUNT
    assert [r for r in results if r.startswith("error")] == []
    assert results.count("approved") == 10, results
    refused = [r for r in results if r.startswith("refused")]
    assert len(refused) == COUNT - 10
    assert all("Utlysningens budget räcker inte" in r for r in refused), refused[:3]

    assert call_committed_amount(call) == BUDGET
    assert Grant.objects.filter(application__call=call).count() == 10
    assert Decision.objects.filter(application__call=call).count() == 10
    assert Application.objects.filter(call=call, state=ApplicationState.APPROVED).count() == 10
    assert Application.objects.filter(call=call, state=ApplicationState.PROPOSED).count() == COUNT - 10
