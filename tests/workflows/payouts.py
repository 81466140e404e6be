"""Drive payouts through DESIGN.md §4.3 with the real flow (workflows/payout.py).

`payout_world()` makes an approved grant of 100 000 kr (80 % on acceptance, 20 % after the final report),
accepted by its signatory, with a verified account and two finance officers; `bring_payout_to()` takes a
payout to any state of the table by running the flow's transitions in order (it never writes the state).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from grants.models import (
    ApplicationState,
    Decision,
    Grant,
    GrantState,
    MembershipRole,
    Outcome,
    PaymentAccount,
    PaymentAccountType,
    Payout,
    PayoutBatch,
    PayoutBatchState,
    PayoutState,
    PayoutTrigger,
    Proposal,
    User,
)
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, OrganisationFactory, UserFactory
from workflows.models import CaseEvent
from workflows.payout import PayoutFlow

P = PayoutState
GRANTED = Decimal("100000.00")
BANKGIRO = "56788003"  # Luhn-valid


@dataclass
class PayoutWorld:
    grant: Grant
    signatory: User
    finance: User
    finance2: User
    account: PaymentAccount
    now: datetime


def make_grant(*, granted: Decimal = GRANTED, now: datetime | None = None, deadline_days: int = 30) -> Grant:
    """An approved grant awaiting acceptance, with the payouts of the default plan (80/20), made without the
    services (fast enough for property tests)."""
    now = now or timezone.now()
    call = CallFactory()
    officer = UserFactory(roles=["case_officer"])
    decider = UserFactory(roles=["decision_maker"])
    app = ApplicationFactory(
        call=call,
        organisation=OrganisationFactory(),
        requested_amount=granted,
        state=ApplicationState.APPROVED,
        reference_number=f"2032-{Grant.objects.count() + 1:05d}",
        submitted_at=call.opens_at,
        assigned_officer=officer,
    )
    proposal = Proposal.objects.create(
        application=app, proposed_by=officer, outcome=Outcome.APPROVE, amount=granted, reasons="Uppfyller kraven."
    )
    decision = Decision.objects.create(
        application=app,
        proposal=proposal,
        outcome=Outcome.APPROVE,
        amount=granted,
        reasons="Uppfyller kraven.",
        decided_by=decider,
        proposed_by=officer,
        decided_at=now,
    )
    grant = Grant.objects.create(
        application=app,
        decision=decision,
        granted_amount=granted,
        terms="Bidraget får bara användas till projektet.",
        terms_en="The grant may only be used for the project.",
        acceptance_deadline_at=now + timedelta(days=deadline_days),
    )
    advance = (granted * Decimal("0.8")).quantize(Decimal("0.01"))
    Payout.objects.create(grant=grant, amount=advance, trigger=PayoutTrigger.ON_ACCEPTANCE)
    Payout.objects.create(grant=grant, amount=granted - advance, trigger=PayoutTrigger.ON_FINAL_REPORT)
    return grant


def accept_directly(grant: Grant, user: User, now: datetime) -> None:
    """Record an acceptance without the grant flow (the payout tests need an accepted grant, nothing more)."""
    Grant.objects.filter(pk=grant.pk).update(
        state=GrantState.ACTIVE, accepted_by=user, accepted_at=now, terms_sha256="0" * 64
    )
    grant.refresh_from_db()


def payout_world(*, accepted: bool = True, verified: bool = True) -> PayoutWorld:
    now = timezone.now()
    grant = make_grant(now=now)
    signatory = MembershipFactory(organisation=grant.application.organisation, role=MembershipRole.SIGNATORY).user
    finance = UserFactory(roles=["finance"])
    finance2 = UserFactory(roles=["finance"])
    account = PaymentAccount.objects.create(
        organisation=grant.application.organisation,
        kind=PaymentAccountType.BANKGIRO,
        number=BANKGIRO,
        created_by=finance,
        verified_by=finance2 if verified else None,
        verified_at=now if verified else None,
    )
    if accepted:
        accept_directly(grant, signatory, now)
    return PayoutWorld(grant, signatory, finance, finance2, account, now)


def flow(payout: Payout, world: PayoutWorld) -> PayoutFlow:
    return PayoutFlow(payout, actor=world.finance)


def open_batch(world: PayoutWorld) -> PayoutBatch:
    return PayoutBatch.objects.create(created_by=world.finance)


def approve_batch(batch: PayoutBatch, world: PayoutWorld) -> None:
    PayoutBatch.objects.filter(pk=batch.pk).update(
        state=PayoutBatchState.APPROVED, approved_by=world.finance2, approved_at=world.now
    )
    batch.refresh_from_db()


def _make_due(p: Payout, w: PayoutWorld) -> Any:
    return flow(p, w).make_due(now=w.now)


def _put_in_batch(p: Payout, w: PayoutWorld) -> Any:
    return flow(p, w).put_in_batch(batch=open_batch(w), now=w.now)


def _take_out_of_batch(p: Payout, w: PayoutWorld) -> Any:
    return flow(p, w).take_out_of_batch(now=w.now)


def _mark_sent(p: Payout, w: PayoutWorld) -> Any:
    if p.state == P.IN_BATCH and p.batch is not None and p.batch.state == PayoutBatchState.OPEN:
        approve_batch(p.batch, w)
    return flow(p, w).mark_sent(now=w.now)


def _mark_paid(p: Payout, w: PayoutWorld) -> Any:
    return flow(p, w).mark_paid(now=w.now, note="Bokförd av banken.")


def _mark_failed(p: Payout, w: PayoutWorld) -> Any:
    return flow(p, w).mark_failed(now=w.now, reason="AC04 Kontot avslutat")


def _make_due_again(p: Payout, w: PayoutWorld) -> Any:
    return flow(p, w).make_due_again(now=w.now)


def _cancel(p: Payout, w: PayoutWorld) -> Any:
    return flow(p, w).cancel(now=w.now, reason="Bidraget makulerat.")


PAYOUT_ACTIONS = {
    "make_due": _make_due,
    "put_in_batch": _put_in_batch,
    "take_out_of_batch": _take_out_of_batch,
    "mark_sent": _mark_sent,
    "mark_paid": _mark_paid,
    "mark_failed": _mark_failed,
    "make_due_again": _make_due_again,
    "cancel": _cancel,
}

PAYOUT_PATHS: dict[str, list[str]] = {
    P.PLANNED: [],
    P.DUE: ["make_due"],
    P.IN_BATCH: ["make_due", "put_in_batch"],
    P.SENT: ["make_due", "put_in_batch", "mark_sent"],
    P.PAID: ["make_due", "put_in_batch", "mark_sent", "mark_paid"],
    P.FAILED: ["make_due", "put_in_batch", "mark_sent", "mark_failed"],
    P.CANCELLED: ["cancel"],
}


def payout_act(action: str, payout: Payout, world: PayoutWorld) -> Any:
    return PAYOUT_ACTIONS[action](payout, world)


def bring_payout_to(payout: Payout, state: str, world: PayoutWorld) -> Payout:
    for action in PAYOUT_PATHS[state]:
        payout_act(action, payout, world)
    payout = Payout.objects.select_related("grant__application", "batch").get(pk=payout.pk)
    assert payout.state == state, f"could not bring the payout to {state}"
    return payout


def payout_snapshot(payout: Payout) -> dict[str, Any]:
    """Everything about a payout a refused action must leave as it was."""
    return {
        "payout": Payout.objects.filter(pk=payout.pk).values().first(),
        "events": list(
            CaseEvent.objects.filter(application_id=payout.grant.application_id).values_list("pk", flat=True)
        ),
    }


def paid_sum(grant: Grant) -> Decimal:
    return grant.payouts.filter(state=P.PAID).aggregate(total=Sum("amount"))["total"] or Decimal("0")
