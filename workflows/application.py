"""Application / case lifecycle (DESIGN.md §4.1).

| from                                      | action             | to                  | who                        |
|-------------------------------------------|--------------------|---------------------|----------------------------|
| DRAFT                                     | submit             | SUBMITTED           | applicant member           |
| DRAFT                                     | delete             | (row removed)       | applicant member           |
| SUBMITTED                                 | start_review       | IN_REVIEW           | case officer               |
| SUBMITTED, IN_REVIEW                      | request_completion | AWAITING_COMPLETION | case officer               |
| AWAITING_COMPLETION                       | complete           | IN_REVIEW           | applicant member           |
| SUBMITTED, IN_REVIEW, AWAITING_COMPLETION | propose            | PROPOSED            | assigned case officer      |
| PROPOSED                                  | return_            | IN_REVIEW           | decision-maker             |
| PROPOSED                                  | approve            | APPROVED            | decision-maker ≠ proposer  |
| PROPOSED                                  | reject             | REJECTED            | decision-maker ≠ proposer  |
| SUBMITTED, IN_REVIEW, AWAITING_COMPLETION | withdraw           | WITHDRAWN           | applicant member           |

Each method checks the guards that belong to the state change itself and raises TransitionRefused with a
message for the user. The success hook saves the application and writes the case event in the caller's
transaction. Records around the change (versions, decisions, grants, messages) are the services' work.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import fsm

from grants import permissions
from grants.formatting import STOCKHOLM, format_instant, format_money
from grants.models import Application, ApplicationState, Call, EligibilityCheck, RegistrationCounter, User
from grants.models.states import (
    APPLICATION_COMPLETION_REQUESTABLE_STATES,
    APPLICATION_DECIDED_STATES,
    APPLICATION_EDITABLE_STATES,
    APPLICATION_FINAL_STATES,
    APPLICATION_PRE_PROPOSAL_STATES,
)

from .base import CaseFlow, TransitionRefused, log_event

S = ApplicationState

# The groups live with the states (grants/models/states.py); the old names stay for older imports.
EDITABLE_STATES = APPLICATION_EDITABLE_STATES
OPEN_CASE_STATES = APPLICATION_PRE_PROPOSAL_STATES
COMPLETION_REQUESTABLE_STATES = APPLICATION_COMPLETION_REQUESTABLE_STATES
DECIDED_STATES = APPLICATION_DECIDED_STATES
FINAL_STATES = APPLICATION_FINAL_STATES


def require_call_open(call: Call, now: datetime) -> None:
    """The submit guard on the deadline (DESIGN.md §4.1, §5 rule 7): open from opens_at until, not at,
    closes_at, by the server's clock."""
    if not call.is_open(now):
        raise TransitionRefused(
            _("Utlysningen är stängd. Sista tidpunkt för ansökningar var %(closes)s.")
            % {"closes": format_instant(call.closes_at)}
        )


class ApplicationFlow(CaseFlow):
    state = fsm.State(ApplicationState, default=ApplicationState.DRAFT)

    events = {
        "submit": "application.submitted",
        "delete": "application.deleted",
        "start_review": "application.review_started",
        "request_completion": "application.completion_requested",
        "complete": "application.completed",
        "propose": "application.proposed",
        "return_": "application.returned",
        "approve": "application.approved",
        "reject": "application.rejected",
        "withdraw": "application.withdrawn",
    }

    def __init__(self, application: Application, *, actor: User | None, now: Any):
        super().__init__(application, actor=actor, now=now)
        self.application = application

    @state.getter()
    def _get_state(self) -> str:
        return self.application.state

    @state.setter()
    def _set_state(self, value: str) -> None:
        self.application.state = value

    @state.on_success()
    def _on_success(self, descriptor: Any, source: str, target: str, **kwargs: Any) -> None:
        name = descriptor._func.__name__
        if name == "delete":
            return  # the service removes the draft: drafts are not public records and leave no case
        if name == "submit":
            self._save_submission(source, target)
            return
        self.save_transition(name, source, target, note=kwargs.get("note", ""))

    def _save_submission(self, source: str, target: str) -> None:
        # Taking the number locks the year's counter row until commit, and in a deadline rush every submission
        # queues on it: write the case event first and take the number just before the application's UPDATE.
        app = self.application
        log_event(
            application=app,
            actor=self.actor,
            event=self.events["submit"],
            now=self.now,
            from_state=source,
            to_state=target,
        )
        app.reference_number = RegistrationCounter.next_reference(self.now)
        app.save(update_fields=["state", "submitted_at", "reference_number", "requested_amount", "updated_at"])

    # Inside a transition the state has already moved to the target, so these check who acts, not the state:
    # the state table itself (viewflow) refuses a transition from the wrong state.
    def _require(self, verdict: permissions.Verdict) -> None:
        if not verdict:
            raise TransitionRefused(verdict.reason)

    def _require_member(self) -> None:
        if self.actor is None or not permissions.is_member(self.actor, self.application):
            raise TransitionRefused(_("Du är inte medlem i organisationen."))

    def _require_role(self, role: str) -> None:
        if self.actor is None or not permissions.has_role(self.actor, role):
            raise TransitionRefused(_("Du har inte behörighet för den här åtgärden."))

    # --- applicant ---------------------------------------------------------------------------------

    @state.transition(
        source=S.DRAFT, target=S.SUBMITTED, permission=lambda f, u: bool(permissions.can_submit(u, f.application))
    )
    def submit(self) -> None:
        """Send the draft; it becomes a case with a diarienummer."""
        app = self.application
        self._require_member()
        call = app.call
        require_call_open(call, self.now)
        if app.requested_amount > call.max_grant_amount:
            raise TransitionRefused(
                _("Sökt belopp får vara högst %(max)s.") % {"max": format_money(call.max_grant_amount)}, "budget"
            )
        app.submitted_at = self.now  # the diarienummer comes in the success hook, as the last write

    @state.transition(source=S.DRAFT, permission=lambda f, u: bool(permissions.can_delete_draft(u, f.application)))
    def delete(self) -> None:
        """Remove a draft. Nothing submitted is ever deleted."""
        self._require_member()

    @state.transition(
        source=list(APPLICATION_PRE_PROPOSAL_STATES),
        target=S.WITHDRAWN,
        permission=lambda f, u: bool(permissions.can_withdraw(u, f.application)),
    )
    def withdraw(self, note: str = "") -> None:
        """Withdraw a submitted application; it stays on file."""
        self._require_member()
        self.application.withdrawn_reason = note

    @state.transition(
        source=S.AWAITING_COMPLETION,
        target=S.IN_REVIEW,
        permission=lambda f, u: bool(permissions.can_complete(u, f.application)),
    )
    def complete(self, note: str = "") -> None:
        """Answer a completion request; the service freezes a new version."""
        self._require_member()
        self.application.completion_sections = []

    # --- case officer ------------------------------------------------------------------------------

    @state.transition(
        source=S.SUBMITTED,
        target=S.IN_REVIEW,
        permission=lambda f, u: bool(permissions.can_handle_case(u, f.application)),
    )
    def start_review(self, *, eligibility_passed: bool, note: str = "") -> None:
        """Take the case into review after a passed eligibility check."""
        self._require_role(permissions.CASE_OFFICER)
        if not eligibility_passed:
            raise TransitionRefused(_("Den formella kontrollen är inte godkänd."))
        if self.application.assigned_officer_id is None:
            self.application.assigned_officer = self.actor

    @state.transition(
        source=list(APPLICATION_COMPLETION_REQUESTABLE_STATES),
        target=S.AWAITING_COMPLETION,
        permission=lambda f, u: bool(permissions.can_handle_case(u, f.application)),
    )
    def request_completion(self, *, message: str, answer_by: Any, sections: list[str], note: str = "") -> None:
        """Ask the applicant to complete the application by a date."""
        self._require_role(permissions.CASE_OFFICER)
        if not message.strip():
            raise TransitionRefused(_("Skriv vad som ska kompletteras."), "message")
        # "Today" is the Swedish date: just after midnight in Stockholm it is still yesterday in UTC.
        if answer_by is None or answer_by <= timezone.localtime(self.now, STOCKHOLM).date():
            raise TransitionRefused(_("Ange ett svarsdatum efter dagens datum."), "answer_by")
        if not sections:
            raise TransitionRefused(_("Välj minst ett avsnitt som sökanden får ändra."), "sections")
        self.application.completion_message = message
        self.application.completion_answer_by_date = answer_by
        self.application.completion_sections = sections

    @state.transition(
        source=list(APPLICATION_PRE_PROPOSAL_STATES),
        target=S.PROPOSED,
        permission=lambda f, u: bool(permissions.can_propose(u, f.application)),
    )
    def propose(
        self,
        *,
        approve: bool,
        amount: Decimal | None,
        requested: Decimal | None,
        reviews_done: bool,
        latest_check: EligibilityCheck | None,
        note: str = "",
    ) -> None:
        """Present the case for decision (föredragning). Approval needs a passed eligibility check (the latest);
        an ineligible case is proposed for rejection with the formal reason. `requested` is the amount as sent
        (the latest version, read by the caller): during a completion the live row holds the applicant's unsent
        edits, and they must not move the limit."""
        app = self.application
        self._require(permissions.can_propose(self.actor, app))  # type: ignore[arg-type]
        if not reviews_done:
            raise TransitionRefused(
                _("Alla tilldelade bedömare måste ha lämnat in sin bedömning eller avstått på grund av jäv.")
            )
        if approve:
            eligible = permissions.can_propose_approval(latest_check)
            if not eligible:
                raise TransitionRefused(eligible.reason, "outcome")
            if amount is None or amount <= 0:
                raise TransitionRefused(_("Ange ett belopp."), "amount")
            if requested is None or amount > requested:
                raise TransitionRefused(_("Beloppet får inte vara högre än det sökta beloppet."), "amount")
            if amount > app.call.max_grant_amount:
                raise TransitionRefused(_("Beloppet får inte vara högre än utlysningens tak."), "amount")

    # --- decision-maker ----------------------------------------------------------------------------

    @state.transition(
        source=S.PROPOSED,
        target=S.IN_REVIEW,
        permission=lambda f, u: permissions.has_role(u, permissions.DECISION_MAKER),
    )
    def return_(self, *, note: str) -> None:
        """Send the proposal back to the case officer with a note."""
        self._require_role(permissions.DECISION_MAKER)
        if not note.strip():
            raise TransitionRefused(_("Skriv varför föredragningen returneras."), "note")

    @state.transition(
        source=S.PROPOSED,
        target=S.APPROVED,
        permission=lambda f, u: permissions.has_role(u, permissions.DECISION_MAKER),
    )
    def approve(
        self,
        *,
        proposed_by_id: int,
        budget_left: Decimal,
        ceiling: Decimal,
        amount: Decimal,
        latest_check: EligibilityCheck | None,
        note: str = "",
    ) -> None:
        """Approve the proposal. The caller holds the row lock on the call while budget_left and ceiling (the
        call's max grant now: it may have been lowered since the proposal) are read."""
        self._require(permissions.can_decide(self.actor, self.application, proposed_by_id))  # type: ignore[arg-type]
        if not permissions.can_propose_approval(latest_check):
            # Proposals made before approval needed a passed check, or written around the flow.
            raise TransitionRefused(
                _("Ärendet saknar en godkänd formell kontroll och kan inte beviljas. Returnera föredragningen.")
            )
        if amount > ceiling:
            raise TransitionRefused(
                _(
                    "Det föreslagna beloppet %(amount)s är högre än utlysningens tak, som nu är %(max)s. "
                    "Returnera föredragningen så att beloppet kan prövas igen."
                )
                % {"amount": format_money(amount), "max": format_money(ceiling)}
            )
        if amount > budget_left:
            raise TransitionRefused(
                _("Utlysningens budget räcker inte: %(left)s kvar, %(amount)s föreslaget.")
                % {"left": format_money(budget_left), "amount": format_money(amount)}
            )

    @state.transition(
        source=S.PROPOSED,
        target=S.REJECTED,
        permission=lambda f, u: permissions.has_role(u, permissions.DECISION_MAKER),
    )
    def reject(self, *, proposed_by_id: int, note: str = "") -> None:
        """Reject the application as proposed."""
        self._require(permissions.can_decide(self.actor, self.application, proposed_by_id))  # type: ignore[arg-type]
