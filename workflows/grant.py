"""Grant lifecycle (DESIGN.md §4.2), the part before the project: acceptance.

| from                | action  | to        | who                           | guards and effects                     |
|---------------------|---------|-----------|-------------------------------|----------------------------------------|
| AWAITING_ACCEPTANCE | accept  | ACTIVE    | signatory of the organisation | before acceptance_deadline_at (server  |
|                     |         |           |                               | clock); records who, when and the      |
|                     |         |           |                               | SHA-256 of the terms text shown; the   |
|                     |         |           |                               | ACCEPTANCE payouts become DUE          |
| AWAITING_ACCEPTANCE | decline | CANCELLED | signatory of the organisation | a reason; releases the amount          |
| AWAITING_ACCEPTANCE | lapse   | CANCELLED | system (the daily job)        | at or after the deadline; releases the |
|                     |         |           |                               | amount to the call's budget            |

(close and claim_repayment come with the reports issue.) A cancelled grant releases what was not paid out
(granted − paid: all of it, since nothing is paid before acceptance) and cancels its PLANNED and DUE payouts
through the payout flow. The caller (grants/services/grants.py) holds the grant's row lock, so an acceptance
and a lapse racing each other leave exactly one of them done and the budget released at most once.
"""

import hashlib
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from viewflow import fsm

from grants import permissions
from grants.models import Application, Grant, GrantState, PayoutTrigger, User
from grants.models.states import Lifecycle, PayoutState

from .base import CaseFlow, TransitionRefused
from .payout import PayoutFlow, paid_total

G = GrantState


def terms_sha256(text: str) -> str:
    """The SHA-256 (hex) of the terms text exactly as shown, encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def grant_terms_text(grant: Grant, language: str) -> str:
    """The terms as the acceptance page shows them: the English text to an English reader when there is one,
    else the Swedish (the binding text)."""
    if language.startswith("en") and grant.terms_en.strip():
        return grant.terms_en
    return grant.terms


class GrantFlow(CaseFlow):
    lifecycle = Lifecycle.GRANT
    state = fsm.State(GrantState, default=GrantState.AWAITING_ACCEPTANCE)

    events = {"accept": "grant.accepted", "decline": "grant.declined", "lapse": "grant.lapsed"}

    def __init__(self, grant: Grant, *, actor: User | None, now: datetime):
        super().__init__(grant, actor=actor, now=now)
        self.grant = grant

    def case_of(self, record: Any) -> Application | None:
        return record.application

    @state.getter()
    def _get_state(self) -> str:
        return self.grant.state

    @state.setter()
    def _set_state(self, value: str) -> None:
        self.grant.state = value

    @state.on_success()
    def _on_success(self, descriptor: Any, source: str, target: str, **kwargs: Any) -> None:
        name = descriptor._func.__name__
        self.save_transition(name, source, target, note=kwargs.get("reason", ""))
        if name == "accept":
            for payout in self.grant.payouts.filter(trigger=PayoutTrigger.ON_ACCEPTANCE, state=PayoutState.PLANNED):
                PayoutFlow(payout, actor=self.actor).make_due(now=self.now)
        else:
            for payout in self.grant.payouts.filter(state__in=[PayoutState.PLANNED, PayoutState.DUE]):
                PayoutFlow(payout, actor=self.actor).cancel(now=self.now)

    def _require(self, verdict: permissions.Verdict) -> None:
        if not verdict:
            raise TransitionRefused(verdict.reason)

    def _release(self) -> None:
        grant = self.grant
        grant.cancelled_at = self.now
        grant.released_amount = grant.granted_amount - paid_total(grant.pk)

    @state.transition(source=G.AWAITING_ACCEPTANCE, target=G.ACTIVE)
    def accept(self, *, terms_text: str) -> None:
        """The signatory accepts the terms shown to them (`terms_text`, in the language shown)."""
        # Inside a transition the state has already moved: the table checks it, these check who and when.
        self._require(permissions.grant_signatory_verdict(self.actor, self.grant))  # type: ignore[arg-type]
        self._require(permissions.grant_deadline_verdict(self.grant, self.now))
        grant = self.grant
        grant.accepted_by = self.actor
        grant.accepted_at = self.now
        grant.terms_sha256 = terms_sha256(terms_text)

    @state.transition(source=G.AWAITING_ACCEPTANCE, target=G.CANCELLED)
    def decline(self, *, reason: str) -> None:
        """The signatory declines the grant, saying why."""
        self._require(permissions.grant_signatory_verdict(self.actor, self.grant))  # type: ignore[arg-type]
        if not reason.strip():
            raise TransitionRefused(_("Skriv varför organisationen avstår från bidraget."), "reason")
        self.grant.declined_reason = reason.strip()
        self._release()

    @state.transition(source=G.AWAITING_ACCEPTANCE, target=G.CANCELLED)
    def lapse(self) -> None:
        """Nobody accepted before the deadline (the daily job, by the server's clock)."""
        if self.now < self.grant.acceptance_deadline_at:
            raise TransitionRefused(_("Sista dag för att godta villkoren har inte passerat."))
        self._release()
