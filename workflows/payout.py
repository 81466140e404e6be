"""Payout lifecycle (DESIGN.md §4.3).

| from          | action            | to        | who / when                                                     |
|---------------|-------------------|-----------|----------------------------------------------------------------|
| PLANNED       | make_due          | DUE       | its trigger: the grant accepted (final report: next issue)     |
| DUE           | put_in_batch      | IN_BATCH  | finance; an open batch, the organisation's account verified    |
| IN_BATCH      | take_out_of_batch | DUE       | finance; the batch still open                                  |
| IN_BATCH      | mark_sent         | SENT      | export of the attested batch                                   |
| SENT          | mark_paid         | PAID      | reconciliation; Σ paid ≤ granted (§5 rule 4)                   |
| SENT          | mark_failed       | FAILED    | reconciliation; with the bank's reason                         |
| FAILED        | make_due_again    | DUE       | finance, once the organisation's account is verified           |
| PLANNED, DUE  | cancel            | CANCELLED | the grant declined or lapsed, or finance                       |

Each method checks the guards of the state change itself and raises TransitionRefused with a message for the
user; the state table (viewflow) refuses a transition from any other state. The success hook saves the payout
and writes the case event (lifecycle=payout, subject_id=the payout) in one transaction, inside the caller's.
Σ paid ≤ granted is checked here with the grant's row locked, and again by the database (the trigger of
migration 0012), so no code path can pay a grant twice.
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from viewflow import fsm

from grants import permissions
from grants.formatting import format_money
from grants.models import Application, Grant, PaymentAccount, Payout, PayoutBatch, PayoutState, User
from grants.models.states import (
    BATCH_APPROVED_STATES,
    BATCH_OPEN_STATES,
    GRANT_ACCEPTED_STATES,
    PAYOUT_CANCELLABLE_STATES,
    Lifecycle,
)
from grants.selectors.payment_accounts import organisation_current_account

from .base import CaseFlow, TransitionLog, TransitionRefused

P = PayoutState

AccountReady = Callable[[Payout], permissions.Verdict]


def paid_total(grant_id: int, *, excluding: int | None = None) -> Decimal:
    """What has been paid on the grant (PAID payouts), leaving out payout `excluding`."""
    paid = Payout.objects.filter(grant_id=grant_id, state=P.PAID)
    if excluding is not None:
        paid = paid.exclude(pk=excluding)
    return paid.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def current_accounts(organisation_ids: set[int]) -> dict[int, PaymentAccount | None]:
    """The current account (verified or not) of each organisation, in one query: for PayoutFlow(accounts=...)."""
    found: dict[int, PaymentAccount | None] = dict.fromkeys(organisation_ids)
    for account in PaymentAccount.objects.filter(organisation_id__in=organisation_ids, superseded_at__isnull=True):
        found[account.organisation_id] = account
    return found


class PayoutFlow(CaseFlow):
    lifecycle = Lifecycle.PAYOUT
    state = fsm.State(PayoutState, default=PayoutState.PLANNED)

    events = {
        "make_due": "payout.due",
        "put_in_batch": "payout.batched",
        "take_out_of_batch": "payout.unbatched",
        "mark_sent": "payout.sent",
        "mark_paid": "payout.paid",
        "mark_failed": "payout.failed",
        "make_due_again": "payout.due_again",
        "cancel": "payout.cancelled",
    }

    def __init__(
        self,
        payout: Payout,
        *,
        actor: User | None,
        now: datetime | None = None,
        account_ready: AccountReady = permissions.payout_account_ready,
        accounts: dict[int, PaymentAccount | None] | None = None,
        log: TransitionLog | None = None,
    ):
        super().__init__(payout, actor=actor, now=now, log=log)  # type: ignore[arg-type]
        self.payout = payout
        # Whether money may go to the payout's organisation now (a verified current account).
        self.account_ready = account_ready
        # For many payouts at once: the organisations' current accounts, read in one query by the caller
        # (`current_accounts`), instead of one query per payout.
        self.accounts = accounts

    def case_of(self, record: Any) -> Application | None:
        return record.grant.application

    @state.getter()
    def _get_state(self) -> str:
        return self.payout.state

    @state.setter()
    def _set_state(self, value: str) -> None:
        self.payout.state = value

    @state.on_success()
    def _on_success(self, descriptor: Any, source: str, target: str, **kwargs: Any) -> None:
        note = kwargs.get("note") or kwargs.get("reason") or ""
        if self.log is not None:  # nothing is written now: the log's flush() writes it in the caller's transaction
            self.save_transition(descriptor._func.__name__, source, target, note=note)
            return
        with transaction.atomic():
            self.save_transition(descriptor._func.__name__, source, target, note=note)

    def _at(self, now: datetime) -> None:
        if now is None:
            raise TypeError("now is required")
        self.now = now

    def _require(self, verdict: permissions.Verdict) -> None:
        if not verdict:
            raise TransitionRefused(verdict.reason)

    def _take_account(self) -> None:
        """The account the payout goes to: the organisation's current one, which must be verified."""
        organisation_id = self.payout.grant.application.organisation_id
        if self.accounts is None:
            self._require(self.account_ready(self.payout))
            self.payout.account = organisation_current_account(organisation_id)
            return
        account = self.accounts.get(organisation_id)
        self._require(permissions.payout_account_verdict(account))
        self.payout.account = account

    # --- the trigger ---------------------------------------------------------------------------------------

    @state.transition(source=P.PLANNED, target=P.DUE)
    def make_due(self, *, now: datetime) -> None:
        """The payout's trigger has happened (the grant is accepted): it is to be paid."""
        self._at(now)
        if self.payout.grant.state not in GRANT_ACCEPTED_STATES:
            raise TransitionRefused(_("Bidraget är inte accepterat."))

    # --- batches -------------------------------------------------------------------------------------------

    @state.transition(source=P.DUE, target=P.IN_BATCH)
    def put_in_batch(self, *, batch: PayoutBatch, now: datetime) -> None:
        """Put the payout in an open batch, to the organisation's verified account."""
        self._at(now)
        if batch.state not in BATCH_OPEN_STATES:
            raise TransitionRefused(_("Utbetalningsunderlaget är inte längre öppet."))
        self._take_account()
        self.payout.batch = batch

    @state.transition(source=P.IN_BATCH, target=P.DUE)
    def take_out_of_batch(self, *, now: datetime) -> None:
        """Take the payout out of its batch while the batch is still being assembled."""
        self._at(now)
        batch = self.payout.batch
        if batch is None or batch.state not in BATCH_OPEN_STATES:
            raise TransitionRefused(_("Utbetalningsunderlaget är attesterat och kan inte ändras."))
        self.payout.batch = None
        self.payout.account = None

    @state.transition(source=P.IN_BATCH, target=P.SENT)
    def mark_sent(self, *, now: datetime) -> None:
        """The attested batch's payment file has been made: the payout is on its way to the bank."""
        self._at(now)
        batch = self.payout.batch
        if batch is None or batch.state not in BATCH_APPROVED_STATES:
            raise TransitionRefused(_("Utbetalningsunderlaget är inte attesterat."))

    # --- the bank's answer ---------------------------------------------------------------------------------

    @state.transition(source=P.SENT, target=P.PAID)
    def mark_paid(self, *, now: datetime, note: str = "") -> None:
        """The bank has paid it. Never more than the granted amount in all (§5 rule 4): the grant's row is
        locked while its paid total is read, so two payments of one grant are checked one after the other."""
        self._at(now)
        payout = self.payout
        granted = Grant.objects.select_for_update().values_list("granted_amount", flat=True).get(pk=payout.grant_id)
        paid = paid_total(payout.grant_id, excluding=payout.pk)
        if paid + payout.amount > granted:
            raise TransitionRefused(
                _("Utbetalningen skulle göra att mer än det beviljade beloppet betalas ut (%(paid)s av %(granted)s).")
                % {"paid": format_money(paid + payout.amount), "granted": format_money(granted)}
            )
        payout.paid_at = now

    @state.transition(source=P.SENT, target=P.FAILED)
    def mark_failed(self, *, now: datetime, reason: str) -> None:
        """The bank could not pay it; the reason goes in the case log."""
        self._at(now)
        if not str(reason).strip():
            raise TransitionRefused(_("Ange varför utbetalningen misslyckades."), "reason")

    @state.transition(source=P.FAILED, target=P.DUE)
    def make_due_again(self, *, now: datetime) -> None:
        """A failed payout is to be paid again, once the organisation's account is verified (perhaps a new
        one). Its old batch keeps its frozen line; the payout goes into a later batch with a line of its own."""
        self._at(now)
        self._require(self.account_ready(self.payout))
        self.payout.batch = None
        self.payout.account = None

    # --- cancellation --------------------------------------------------------------------------------------

    @state.transition(source=sorted(PAYOUT_CANCELLABLE_STATES), target=P.CANCELLED)
    def cancel(self, *, now: datetime, reason: str = "") -> None:
        """No money will be paid: the grant is declined or has lapsed (or finance cancels it)."""
        self._at(now)
