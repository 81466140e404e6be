"""Payout batch lifecycle (DESIGN.md §4.4).

| from     | action          | to         | who / when                                                               |
|----------|-----------------|------------|--------------------------------------------------------------------------|
| OPEN     | approve         | APPROVED   | finance ≠ the batch's assembler (two people attest); not empty; every    |
|          |                 |            | payee's account current, verified by a second person and valid          |
| APPROVED | mark_exported   | EXPORTED   | finance, once the payment files of the frozen lines are made             |
| EXPORTED | mark_reconciled | RECONCILED | finance, once every payout of the batch is PAID or FAILED                |

There is no way back: an attested batch is frozen (its lines are rows of their own, PayoutBatchLine), and an
exported one takes no change but being reconciled (the PostgreSQL trigger of migration 0012). Payouts are
added and removed only while the batch is OPEN (workflows/payout.py put_in_batch, take_out_of_batch).

Each method checks the guards of the state change itself and raises TransitionRefused with a message for the
user, from the predicates of grants/permissions_batches.py that the batch page shows; the state table (viewflow)
refuses a transition from any other state. The success hook saves the batch and writes the case event
(lifecycle=batch, subject_id=the batch, no application: a batch spans many cases) in one transaction, inside
the caller's. Writing the frozen lines and the files is the services' work (grants/services/batches.py).
"""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from viewflow import fsm

from grants import permissions_batches as rules
from grants.models import Application, Payout, PayoutBatch, PayoutBatchState, PayoutState, User
from grants.models.states import Lifecycle

from .base import CaseFlow, TransitionRefused

B = PayoutBatchState

# The bank has answered for the payout: reconciled (a failed one goes into a later batch with a line of its own).
RECONCILED_PAYOUT_STATES = frozenset({PayoutState.PAID, PayoutState.FAILED})


class BatchFlow(CaseFlow):
    lifecycle = Lifecycle.BATCH
    state = fsm.State(PayoutBatchState, default=PayoutBatchState.OPEN)

    events = {
        "approve": "batch.approved",
        "mark_exported": "batch.exported",
        "mark_reconciled": "batch.reconciled",
    }

    def __init__(
        self,
        batch: PayoutBatch,
        *,
        actor: User | None,
        now: datetime | None = None,
        payouts: list[Payout] | None = None,
    ):
        super().__init__(batch, actor=actor, now=now)  # type: ignore[arg-type]
        self.batch = batch
        # The batch's payouts as rules.batch_payouts() reads them, when the caller has them already (approval).
        self.payouts = payouts

    def case_of(self, record: Any) -> Application | None:
        return None  # a batch spans many cases; its events name only the batch

    @state.getter()
    def _get_state(self) -> str:
        return self.batch.state

    @state.setter()
    def _set_state(self, value: str) -> None:
        self.batch.state = value

    @state.on_success()
    def _on_success(self, descriptor: Any, source: str, target: str, **kwargs: Any) -> None:
        with transaction.atomic():
            self.save_transition(descriptor._func.__name__, source, target, note=kwargs.get("note", ""))

    def _at(self, now: datetime) -> None:
        if now is None:
            raise TypeError("now is required")
        self.now = now

    def _require(self, verdict: rules.Verdict) -> None:
        if not verdict:
            raise TransitionRefused(verdict.reason)

    # Inside a transition the state has already moved to the target, so the guards check who acts and what the
    # batch holds, not its state: the state table itself refuses a transition from the wrong state.

    @state.transition(source=B.OPEN, target=B.APPROVED)
    def approve(self, *, now: datetime) -> None:
        """Attest the batch for payment: a second finance officer, never the one who assembled it."""
        self._at(now)
        self._require(rules.is_finance(self.actor))
        self._require(rules.not_the_assembler(self.actor, self.batch))
        payouts = self.payouts if self.payouts is not None else rules.batch_payouts(self.batch)
        self._require(rules.batch_payees_ready(payouts))
        self.batch.approved_by = self.actor
        self.batch.approved_at = now

    @state.transition(source=B.APPROVED, target=B.EXPORTED)
    def mark_exported(self, *, now: datetime) -> None:
        """The payment files of the batch's frozen lines are made and stored: it never changes again."""
        self._at(now)
        self._require(rules.is_finance(self.actor))
        if not self.batch.lines.exists():  # type: ignore[attr-defined]
            raise TransitionRefused(_("Underlaget har inga låsta rader att exportera."))
        self.batch.exported_at = now

    @state.transition(source=B.EXPORTED, target=B.RECONCILED)
    def mark_reconciled(self, *, now: datetime) -> None:
        """The bank has answered for every payout of the batch (paid or failed)."""
        self._at(now)
        self._require(rules.is_finance(self.actor))
        waiting = self.batch.payouts.exclude(state__in=sorted(RECONCILED_PAYOUT_STATES)).count()  # type: ignore[attr-defined]
        if waiting:
            raise TransitionRefused(
                _("%(count)s utbetalningar i underlaget väntar fortfarande på bankens besked.") % {"count": waiting}
            )
        self.batch.reconciled_at = now
