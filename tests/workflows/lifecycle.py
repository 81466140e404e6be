"""Drive an application through DESIGN.md §4.1 with the real services, as the people in it would.

`ACTIONS` maps every action of the state table to the service a person calls, with inputs that pass its
guards. `bring_to()` puts a draft in any state by running those services in order (it never writes the
state itself), and `snapshot()` records everything a refused action must leave alone.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from viewflow.fsm import TransitionNotAllowed

from grants.errors import ServiceError
from grants.models import (
    Application,
    ApplicationState,
    ApplicationVersion,
    Decision,
    EligibilityCheck,
    Grant,
    Message,
    Outcome,
    Proposal,
    RegistrationCounter,
    User,
)
from grants.services.applications import (
    application_complete,
    application_delete,
    application_submit,
    application_withdraw,
)
from grants.services.cases import (
    application_assign,
    application_propose,
    application_request_completion,
    application_start_review,
    decision_approve,
    decision_reject,
    eligibility_check_record,
    proposal_return,
)
from workflows.base import TransitionRefused
from workflows.models import CaseEvent

S = ApplicationState
STOCKHOLM = ZoneInfo("Europe/Stockholm")

# Whatever layer says no, a refusal is one of these; anything else (IntegrityError, KeyError …) is a bug.
REFUSALS = (TransitionRefused, TransitionNotAllowed, ServiceError)


@dataclass
class Cast:
    """The people of a case. `outsider` is an applicant of another organisation."""

    applicant: User
    outsider: User
    officer: User
    officer2: User
    decider: User
    reviewer: User | None = None

    def __getitem__(self, name: str) -> User:
        return getattr(self, name)


# Who may take each action when everything else is in order (DESIGN.md §4.1, column "who").
RIGHT_ACTOR = {
    "submit": "applicant",
    "delete": "applicant",
    "complete": "applicant",
    "withdraw": "applicant",
    "start_review": "officer",
    "request_completion": "officer",
    "propose": "officer",
    "return_": "decider",
    "approve": "decider",
    "reject": "decider",
}


def _submit(app: Application, actor: User, now: datetime, **kw: Any) -> Any:
    return application_submit(actor=actor, application=app, now=now)


def _delete(app: Application, actor: User, now: datetime, **kw: Any) -> Any:
    return application_delete(actor=actor, application=app, now=now)


def _complete(app: Application, actor: User, now: datetime, note: str = "Budgeten är förtydligad.") -> Any:
    return application_complete(actor=actor, application=app, note=note, now=now)


def _withdraw(app: Application, actor: User, now: datetime, reason: str = "Projektet blir inte av.") -> Any:
    return application_withdraw(actor=actor, application=app, reason=reason, now=now)


def _start_review(app: Application, actor: User, now: datetime, **kw: Any) -> Any:
    return application_start_review(actor=actor, application=app, now=now)


def _request_completion(
    app: Application,
    actor: User,
    now: datetime,
    message: str = "Förtydliga budgetens lokalkostnader.",
    answer_by: Any = "default",
    sections: tuple[str, ...] = ("budget",),
) -> Any:
    if answer_by == "default":
        answer_by = timezone.localtime(now, STOCKHOLM).date() + timedelta(days=14)
    return application_request_completion(
        actor=actor, application=app, message=message, answer_by=answer_by, sections=list(sections), now=now
    )


def _propose(
    app: Application,
    actor: User,
    now: datetime,
    outcome: str = Outcome.APPROVE,
    amount: Decimal | None | str = "requested",
    reasons: str = "Projektet uppfyller utlysningens kriterier.",
) -> Any:
    if amount == "requested":
        amount = Application.objects.get(pk=app.pk).requested_amount if outcome == Outcome.APPROVE else None
    return application_propose(actor=actor, application=app, outcome=outcome, amount=amount, reasons=reasons, now=now)


def _return(app: Application, actor: User, now: datetime, note: str = "Motivera beloppet närmare.") -> Any:
    return proposal_return(actor=actor, application=app, note=note, now=now)


def _approve(app: Application, actor: User, now: datetime, **kw: Any) -> Any:
    return decision_approve(actor=actor, application=app, now=now)


def _reject(app: Application, actor: User, now: datetime, **kw: Any) -> Any:
    return decision_reject(actor=actor, application=app, now=now)


ACTIONS: dict[str, Callable[..., Any]] = {
    "submit": _submit,
    "delete": _delete,
    "start_review": _start_review,
    "request_completion": _request_completion,
    "complete": _complete,
    "propose": _propose,
    "return_": _return,
    "approve": _approve,
    "reject": _reject,
    "withdraw": _withdraw,
}


def act(action: str, app: Application, cast: Cast, now: datetime, actor: str | User | None = None, **kw: Any) -> Any:
    """Take `action` on `app` as `actor` (a cast name or a user; the right actor by default)."""
    if actor is None:
        actor = RIGHT_ACTOR[action]
    user = cast[actor] if isinstance(actor, str) else actor
    return ACTIONS[action](app, user, now, **kw)


def assign(app: Application, cast: Cast, now: datetime, officer: User | None = None) -> None:
    application_assign(actor=cast.officer, application=app, officer=officer or cast.officer, now=now)


def check_eligibility(app: Application, cast: Cast, now: datetime, passed: bool = True) -> None:
    eligibility_check_record(
        actor=cast.officer,
        application=app,
        eligible_org_type=True,
        arrived_in_time=True,
        amount_within_ceiling=True,
        attachments_complete=True,
        within_purpose=passed,
        now=now,
    )


# The way into each state. A SUBMITTED case is also assigned and has passed its eligibility check, so that
# every action the table allows from a state can succeed there and every refusal is the state's doing.
PATHS: dict[str, list[str]] = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit", "assign", "eligibility"],
    S.IN_REVIEW: ["submit", "assign", "eligibility", "start_review"],
    S.AWAITING_COMPLETION: ["submit", "assign", "eligibility", "start_review", "request_completion"],
    S.PROPOSED: ["submit", "assign", "eligibility", "start_review", "propose"],
    S.APPROVED: ["submit", "assign", "eligibility", "start_review", "propose", "approve"],
    S.REJECTED: ["submit", "assign", "eligibility", "start_review", "propose", "reject"],
    S.WITHDRAWN: ["submit", "assign", "eligibility", "withdraw"],
}


def bring_to(
    app: Application, state: str, cast: Cast, now: datetime, outcome: str | None = None, officer: str = "officer"
) -> Application:
    """Run the services that take a draft to `state`, with `officer` (a cast name) as the case's officer.
    A proposal approves unless `outcome` or the target (REJECTED) says otherwise."""
    if outcome is None:
        outcome = Outcome.REJECT if state == S.REJECTED else Outcome.APPROVE
    for step in PATHS[state]:
        if step == "assign":
            assign(app, cast, now, officer=cast[officer])
        elif step == "eligibility":
            check_eligibility(app, cast, now)
        elif step == "propose":
            act("propose", app, cast, now, actor=officer, outcome=outcome)
        elif step == "start_review":
            act("start_review", app, cast, now, actor=officer)
        else:
            act(step, app, cast, now)
    app = Application.objects.get(pk=app.pk)
    assert app.state == state, f"could not bring the application to {state}"
    return app


def snapshot(app: Application) -> dict[str, Any]:
    """Everything about a case that a refused action must leave as it was."""
    row = Application.objects.filter(pk=app.pk).values().first()
    return {
        "application": row,
        "events": list(CaseEvent.objects.filter(application_id=app.pk).values_list("pk", flat=True)),
        "versions": ApplicationVersion.objects.filter(application_id=app.pk).count(),
        "checks": EligibilityCheck.objects.filter(application_id=app.pk).count(),
        "proposals": Proposal.objects.filter(application_id=app.pk).count(),
        "decisions": Decision.objects.filter(application_id=app.pk).count(),
        "grants": Grant.objects.filter(application_id=app.pk).count(),
        "messages": Message.objects.filter(application_id=app.pk).count(),
        "counters": dict(RegistrationCounter.objects.values_list("year", "last_number")),
    }
