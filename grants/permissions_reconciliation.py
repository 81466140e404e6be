"""Permission predicates of reconciliation (DESIGN.md §4.3, §7): each returns a Verdict, so the reconcile page
disables its buttons with the reason, from the same functions the services check."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from .models import BankAnswer, PaymentAccount, Payout, PayoutBatch, PayoutState, User
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


def current_accounts_ready(organisation_ids: Iterable[int]) -> dict[int, Verdict]:
    """payout_account_ready for many organisations in one query (a list page), with the same answers."""
    ids = set(organisation_ids)
    accounts = {
        a.organisation_id: a for a in PaymentAccount.objects.filter(organisation_id__in=ids, superseded_at__isnull=True)
    }
    verdicts = {}
    for organisation_id in ids:
        account = accounts.get(organisation_id)
        if account is None:
            verdicts[organisation_id] = Verdict(False, _("Organisationen har inget utbetalningskonto."))
        elif not account.usable_for_payouts():
            verdicts[organisation_id] = Verdict(False, _("Organisationens utbetalningskonto är inte verifierat."))
        else:
            verdicts[organisation_id] = YES
    return verdicts


def can_retry_payout(user: User | None, payout: Payout, *, account_ready: Verdict | None = None) -> Verdict:
    """Whether a failed payout may be made due again (for a later batch): finance, the payout FAILED, and the
    organisation's current account verified by a second person (perhaps a new one after the failure).
    `account_ready`: payout_account_ready's answer when the page has it already (current_accounts_ready)."""
    verdict = is_finance(user)
    if not verdict:
        return verdict
    if payout.state != PayoutState.FAILED:
        return Verdict(False, _("Bara en misslyckad utbetalning kan betalas igen."))
    return account_ready if account_ready is not None else payout_account_ready(payout)
