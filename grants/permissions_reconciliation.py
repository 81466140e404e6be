"""Permission predicates of reconciliation (DESIGN.md §4.3, §7): each returns a Verdict, so the reconcile page
disables its buttons with the reason, from the same functions the services check."""

from django.utils.translation import gettext_lazy as _

from .models import BankAnswer, Payout, PayoutBatch, PayoutState, User
from .models.states import BATCH_FROZEN_STATES
from .permissions import YES, Verdict, payout_account_ready
from .permissions_batches import is_finance


def can_import_answer(user: User | None, batch: PayoutBatch) -> Verdict:
    """Whether `user` may read in the bank's answer to the batch: finance, and the batch's file exported."""
    verdict = is_finance(user)
    if not verdict:
        return verdict
    if batch.state not in BATCH_FROZEN_STATES:
        return Verdict(False, _("Underlaget är inte exporterat än: banken har inget att svara på."))
    return YES


def can_apply_answer(user: User | None, answer: BankAnswer, *, problems: int = 0, changes: int = 1) -> Verdict:
    """Whether `user` may book the answer: finance, not booked before, every row matching (`problems` is how
    many do not) and something to book (`changes`: payouts it marks paid or failed)."""
    verdict = is_finance(user)
    if not verdict:
        return verdict
    if answer.applied_at is not None:
        return Verdict(False, _("Filen är redan bokförd. Samma fil betalar aldrig något två gånger."))
    if problems:
        return Verdict(
            False, _("Filen har rader som inte stämmer med underlaget. Inget kan bokföras förrän de är rättade.")
        )
    if not changes:
        return Verdict(False, _("Filen innehåller inga utbetalningar att bokföra som betalda eller misslyckade."))
    return YES


def can_retry_payout(user: User | None, payout: Payout) -> Verdict:
    """Whether a failed payout may be made due again (for a later batch): finance, the payout FAILED, and the
    organisation's current account verified by a second person (perhaps a new one after the failure)."""
    verdict = is_finance(user)
    if not verdict:
        return verdict
    if payout.state != PayoutState.FAILED:
        return Verdict(False, _("Bara en misslyckad utbetalning kan betalas igen."))
    return payout_account_ready(payout)
