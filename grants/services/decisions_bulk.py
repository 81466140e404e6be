"""Deciding several proposals at once (issue 4): each case as its proposal says, one at a time."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext_lazy as _
from viewflow.fsm import TransitionNotAllowed

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.models import Application, ApplicationState, Decision, Outcome, Proposal, User
from grants.services.cases import decision_approve, decision_reject
from grants.text import Text
from workflows.base import TransitionRefused, refusal_message

REFUSALS = (TransitionRefused, TransitionNotAllowed, ServiceError)
MAX_BULK = 200  # one form post; the queue never shows more at once


@dataclass(frozen=True)
class Refusal:
    application: Application
    message: Text


@dataclass
class BulkDecisionResult:
    decisions: list[Decision] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def decisions_bulk_decide(*, actor: User, application_ids: Iterable[int], now: datetime) -> BulkDecisionResult:
    """Decide each selected case as its current proposal says (approve or reject).

    Not atomic as a whole, on purpose: each case is decided by `decision_approve` / `decision_reject` in its
    own transaction, so a refusal (four-eyes, budget, a case no longer proposed) leaves the others decided,
    and each approved case's letter is enqueued when its own transaction commits. Cases are taken in queue
    order (oldest proposal first), so when the budget runs out it is the later proposals that are refused.
    Raises NotAllowed if the actor is not a decision-maker; refusals per case are returned, not raised."""
    if not permissions.has_role(actor, permissions.DECISION_MAKER):
        raise NotAllowed(_("Du har inte rollen beslutsfattare."))
    ids = sorted(set(application_ids))[:MAX_BULK]
    result = BulkDecisionResult()
    applications = list(
        Application.objects.filter(pk__in=ids).exclude(state=ApplicationState.DRAFT).select_related("organisation")
    )
    current = _current_proposals(applications)
    applications.sort(key=lambda a: (current[a.pk].proposed_at, a.pk) if a.pk in current else (now, a.pk))
    for application in applications:
        proposal = current.get(application.pk)
        if application.state != ApplicationState.PROPOSED or proposal is None:
            result.refusals.append(Refusal(application, _("Ärendet väntar inte längre på beslut.")))
            continue
        verdict = permissions.can_decide(actor, application, proposal.proposed_by_id)
        if not verdict:
            result.refusals.append(Refusal(application, verdict.reason))
            continue
        service = decision_approve if proposal.outcome == Outcome.APPROVE else decision_reject
        try:
            result.decisions.append(service(actor=actor, application=application, now=now))
        except REFUSALS as exc:
            message = getattr(exc, "message", None) or refusal_message(exc)
            result.refusals.append(Refusal(application, message))
    return result


def _current_proposals(applications: list[Application]) -> dict[int, Proposal]:
    latest: dict[int, Proposal] = {}
    rows = Proposal.objects.filter(application__in=applications).order_by("application_id", "-proposed_at", "-pk")
    for proposal in rows:
        latest.setdefault(proposal.application_id, proposal)
    return latest
