"""Staff actions on a case: eligibility, review start, completion requests, proposal and decision."""

import calendar
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.models import (
    Application,
    ApplicationState,
    Call,
    Decision,
    EligibilityCheck,
    Grant,
    Outcome,
    Payout,
    Proposal,
    Report,
    ReportKind,
    User,
)
from grants.models.plans import call_payout_plan, payout_amounts, plan_total_error
from grants.models.states import APPLICATION_PRE_PROPOSAL_STATES
from grants.sections import SECTION_KEYS
from grants.selectors.budget import call_budget
from grants.selectors.versions import submitted_content
from grants.services.applications import completion_edits_discard
from grants.services.messages import notify_members
from grants.tasks import enqueue_in_transaction
from grants.workdays import deadline_after
from workflows.application import ApplicationFlow


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("call", "organisation")
        .get(pk=application.pk)
    )


def _require_case(application: Application) -> None:
    # A draft is not a case: staff records on it would also leave a case log that blocks deleting it.
    if application.state == ApplicationState.DRAFT:
        raise ServiceError(_("Ansökan är inte inskickad."))


@transaction.atomic
def eligibility_check_record(
    *,
    actor: User,
    application: Application,
    eligible_org_type: bool,
    arrived_in_time: bool,
    amount_within_ceiling: bool,
    attachments_complete: bool,
    within_purpose: bool,
    note: str = "",
    now: datetime,
) -> EligibilityCheck:
    """Record the formal check of a case. Raises NotAllowed unless the actor is a case officer, ServiceError
    for a draft or a case no longer open (proposed, decided, withdrawn)."""
    verdict = permissions.can_handle_case(actor, application)
    if not verdict:
        raise NotAllowed(verdict.reason)
    application = _locked(application)
    _require_case(application)
    if application.state not in APPLICATION_PRE_PROPOSAL_STATES:
        # The check decides whether a case goes on to review: once proposed or decided, it is history.
        raise ServiceError(_("Ärendet är inte längre öppet för handläggning."))
    check = EligibilityCheck.objects.create(
        application=application,
        checked_by=actor,
        checked_at=now,
        eligible_org_type=eligible_org_type,
        arrived_in_time=arrived_in_time,
        amount_within_ceiling=amount_within_ceiling,
        attachments_complete=attachments_complete,
        within_purpose=within_purpose,
        note=note,
    )
    from workflows.base import log_event

    log_event(
        application=application,
        actor=actor,
        event="eligibility.checked",
        now=now,
        note="OK" if check.passed else "FAIL",
    )
    return check


@transaction.atomic
def application_assign(*, actor: User, application: Application, officer: User, now: datetime) -> Application:
    """Make `officer` the case's officer. Raises NotAllowed unless the actor is a case officer; ServiceError
    if the officer is not one, or the case is a draft or closed (permissions.can_assign_officer)."""
    if not permissions.has_role(actor, permissions.CASE_OFFICER):
        raise NotAllowed(_("Du har inte rollen handläggare."))
    if not permissions.has_role(officer, permissions.CASE_OFFICER):
        raise ServiceError(_("Personen har inte rollen handläggare."), "officer")
    application = _locked(application)
    verdict = permissions.can_assign_officer([application], officer)
    if not verdict:
        raise ServiceError(verdict.reason)
    application.assigned_officer = officer
    application.save(update_fields=["assigned_officer", "updated_at"])
    from workflows.base import log_event

    log_event(application=application, actor=actor, event="application.assigned", now=now, note=officer.get_full_name())
    return application


@transaction.atomic
def application_start_review(*, actor: User, application: Application, now: datetime) -> Application:
    """Take a submitted case into review. Needs a passed eligibility check."""
    application = _locked(application)
    latest = application.eligibility_checks.order_by("-checked_at", "-pk").first()
    ApplicationFlow(application, actor=actor, now=now).start_review(eligibility_passed=bool(latest and latest.passed))
    return application


@transaction.atomic
def application_request_completion(
    *, actor: User, application: Application, message: str, answer_by: date | None, sections: list[str], now: datetime
) -> Application:
    """Ask the applicant for a completion of the chosen sections, answered by a date."""
    application = _locked(application)
    unknown = [s for s in sections if s not in SECTION_KEYS]
    if unknown:
        raise ServiceError(_("Okänt avsnitt."), "sections")
    ApplicationFlow(application, actor=actor, now=now).request_completion(
        message=message.strip(), answer_by=answer_by, sections=list(sections), note=message.strip()
    )
    notify_members(
        application, event="application.completion_requested", template="emails/completion_requested", now=now
    )
    return application


def latest_eligibility_check(application: Application) -> EligibilityCheck | None:
    """The case's most recent eligibility check: the one that counts."""
    return application.eligibility_checks.order_by("-checked_at", "-pk").first()


def reviews_done(application: Application) -> bool:
    """Every assigned review is submitted, recused for a conflict or withdrawn (Review.objects.pending())."""
    return not application.reviews.pending().exists()


@transaction.atomic
def application_propose(
    *,
    actor: User,
    application: Application,
    outcome: str,
    amount: Decimal | None,
    reasons: str,
    conditions: str = "",
    now: datetime,
) -> Proposal:
    """Present the case for decision (föredragning) with an outcome and reasons; the amount is checked against
    the amount as sent (the latest version). A completion request still open ends unanswered: the applicant's
    unsent edits are discarded (completion_edits_discard). Raises TransitionRefused (not the case's officer,
    reviews pending, approval without a passed eligibility check, bad amount)."""
    application = _locked(application)
    if outcome not in (Outcome.APPROVE, Outcome.REJECT):
        raise ServiceError(_("Välj bevilja eller avslå."), "outcome")
    if not reasons.strip():
        raise ServiceError(_("Motivering krävs."), "reasons")
    approve = outcome == Outcome.APPROVE
    completing = application.state == ApplicationState.AWAITING_COMPLETION
    ApplicationFlow(application, actor=actor, now=now).propose(
        approve=approve,
        amount=amount,
        requested=submitted_content(application).requested_amount if approve else None,
        reviews_done=reviews_done(application),
        latest_check=latest_eligibility_check(application) if approve else None,
        note=reasons.strip(),
    )
    if completing:
        # The request ends unanswered: the applicant hears so (and that unsent changes are gone, if any were).
        discarded = completion_edits_discard(application=application, actor=actor, now=now)
        notify_members(
            application,
            event="application.completion_closed",
            template="emails/completion_closed",
            context={"discarded": discarded},
            now=now,
        )
    return Proposal.objects.create(
        application=application,
        proposed_by=actor,
        proposed_at=now,
        outcome=outcome,
        amount=amount if approve else None,
        reasons=reasons.strip(),
        conditions=conditions.strip(),
    )


def _current_proposal(application: Application) -> Proposal:
    proposal = application.proposals.order_by("-proposed_at", "-pk").first()
    if proposal is None:
        raise ServiceError(_("Ärendet saknar föredragning."))
    return proposal


@transaction.atomic
def proposal_return(*, actor: User, application: Application, note: str, now: datetime) -> Application:
    """Send a proposal back to the case officer with a note."""
    application = _locked(application)
    ApplicationFlow(application, actor=actor, now=now).return_(note=note.strip())
    return application


def call_committed_amount(call: Call) -> Decimal:
    """What the call's grants bind of its budget (grants.selectors.budget: granted − released)."""
    return call_budget(call).committed


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def decision_approve(*, actor: User, application: Application, now: datetime) -> Decision:
    """Approve the current proposal: eligibility, the call's ceiling and budget re-checked under a row lock on
    the call; creates the Decision, the Grant and its payout and report schedules. The amount is the proposal's
    and the project period the one sent (the latest version), never the live row. Raises TransitionRefused
    (four-eyes, no passed eligibility check, amount above the ceiling, budget), ServiceError (a rejection
    proposal, the call's payout plan not summing to 100 %)."""
    application = _locked(application)
    proposal = _current_proposal(application)
    if proposal.outcome != Outcome.APPROVE or proposal.amount is None:
        raise ServiceError(_("Föredragningen gäller avslag; använd Avslå eller returnera den."))
    # The lock serialises approvals in one call, so two cannot both spend the last of the budget, and the
    # ceiling read here is the one in force: an admin may have lowered it after the proposal.
    call = Call.objects.select_for_update().get(pk=application.call_id)
    plan = call_payout_plan(call)
    plan_error = plan_total_error(p for p, _t in plan)
    if plan_error:  # an admin left the call's plan incomplete: no grant whose payouts do not add up
        raise ServiceError(plan_error)
    budget_left = call_budget(call).left
    ApplicationFlow(application, actor=actor, now=now).approve(
        proposed_by_id=proposal.proposed_by_id,
        budget_left=budget_left,
        ceiling=call.max_grant_amount,
        amount=proposal.amount,
        latest_check=latest_eligibility_check(application),
    )
    decision = Decision.objects.create(
        application=application,
        proposal=proposal,
        outcome=Outcome.APPROVE,
        amount=proposal.amount,
        reasons=proposal.reasons,
        conditions=proposal.conditions,
        decided_by=actor,
        proposed_by_id=proposal.proposed_by_id,
        decided_at=now,
    )
    grant = Grant.objects.create(
        application=application,
        decision=decision,
        granted_amount=proposal.amount,
        terms=call.general_terms_sv,
        terms_en=call.general_terms_en,
        acceptance_deadline_at=deadline_after(now, call.acceptance_days),
        created_at=now,
    )
    steps = {step.trigger: step for step in call.payout_plan_steps.all()}  # none under DEFAULT_PLAN
    for amount, trigger in payout_amounts(proposal.amount, plan):
        Payout.objects.create(grant=grant, amount=amount, trigger=trigger, step=steps.get(trigger))
    sent = submitted_content(application)
    start, end = sent.start_date, sent.end_date
    if start and call.interim_report_months:
        Report.objects.create(
            grant=grant, kind=ReportKind.INTERIM, due_date=_add_months(start, call.interim_report_months)
        )
    if end:
        Report.objects.create(grant=grant, kind=ReportKind.FINAL, due_date=_add_months(end, call.final_report_months))
    # The members hear of the decision once its letter exists: the letter's task e-mails them (one e-mail).
    from documents.tasks import decision_letter_generate  # documents imports grants: import lazily

    enqueue_in_transaction(decision_letter_generate, decision.pk)
    return decision


@transaction.atomic
def decision_reject(*, actor: User, application: Application, now: datetime) -> Decision:
    """Reject as proposed. Raises TransitionRefused for the proposer (four-eyes)."""
    application = _locked(application)
    proposal = _current_proposal(application)
    if proposal.outcome != Outcome.REJECT:
        raise ServiceError(_("Föredragningen gäller bifall; använd Bevilja eller returnera den."))
    ApplicationFlow(application, actor=actor, now=now).reject(proposed_by_id=proposal.proposed_by_id)
    decision = Decision.objects.create(
        application=application,
        proposal=proposal,
        outcome=Outcome.REJECT,
        amount=None,
        reasons=proposal.reasons,
        conditions=proposal.conditions,
        decided_by=actor,
        proposed_by_id=proposal.proposed_by_id,
        decided_at=now,
    )
    # The members hear of the decision once its letter exists: the letter's task e-mails them (one e-mail).
    from documents.tasks import decision_letter_generate  # documents imports grants: import lazily

    enqueue_in_transaction(decision_letter_generate, decision.pk)
    return decision
