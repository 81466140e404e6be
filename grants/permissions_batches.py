"""Permission predicates of payment batches (DESIGN.md §4.4): each returns a Verdict, so the batch page
disables its buttons with the reason, from the same functions workflows/batch.py and the services check.
(Kept beside grants/permissions.py, which is near its size limit.)"""

from django.utils.translation import gettext_lazy as _

from documents.bankfiles.errors import AccountError

from .models import Payout, PayoutBatch, User
from .models.states import BATCH_OPEN_STATES, PayoutBatchState
from .permissions import FINANCE, YES, Verdict, has_role


def is_finance(user: User | None) -> Verdict:
    if user is None or not has_role(user, FINANCE):
        return Verdict(False, _("Du har inte rollen ekonomihandläggare."))
    return YES


def not_the_assembler(user: User | None, batch: PayoutBatch) -> Verdict:
    """Two people attest a batch (Swedish state payment practice): whoever assembled it cannot approve it."""
    if user is not None and batch.created_by_id == user.pk:
        return Verdict(
            False,
            _("Du har sammanställt underlaget och kan därför inte attestera det (två personer ska attestera)."),
        )
    return YES


def payout_payee_problem(payout: Payout) -> str:
    """Why money may not go to the payout's account now ("" if it may): the account it was batched to must still
    be the organisation's current one, verified by a second person, and a valid number (check digits, BIC)."""
    account = payout.account
    if account is None:
        return str(_("inget konto"))
    if not account.is_current:
        return str(_("kontot har ersatts av ett nytt"))
    if not account.is_verified:
        return str(_("kontot är inte verifierat"))
    try:
        valid = bool(account.account)  # parse_account checks the digits (and BIC) again
    except AccountError:
        valid = False
    return "" if valid else str(_("kontonumret är ogiltigt"))


def batch_payees_ready(payouts: list[Payout]) -> Verdict:
    """The batch has payouts, and each goes to a verified, valid account; the refusal names every payee that
    does not (payouts with account and grant__application__organisation loaded)."""
    if not payouts:
        return Verdict(False, _("Underlaget innehåller inga utbetalningar."))
    problems = []
    for payout in payouts:
        problem = payout_payee_problem(payout)
        if problem:
            problems.append(f"{payout.grant.application.organisation.name} ({problem})")
    if problems:
        return Verdict(
            False,
            _("Underlaget kan inte attesteras: %(payees)s. Ta ut utbetalningarna eller låt kontona verifieras.")
            % {"payees": "; ".join(problems)},
        )
    return YES


def batch_payouts(batch: PayoutBatch) -> list[Payout]:
    """The payouts in the batch now, with what the predicates and the frozen lines read."""
    return list(
        batch.payouts.select_related("account", "grant__application__organisation").order_by("pk")  # type: ignore[attr-defined]
    )


def can_approve_batch(user: User | None, batch: PayoutBatch, payouts: list[Payout] | None = None) -> Verdict:
    """Whether `user` may attest the batch now: finance, not its assembler, the batch open, and every payee's
    account verified and valid. `payouts` saves a query when the page has them already."""
    for verdict in (is_finance(user), not_the_assembler(user, batch)):
        if not verdict:
            return verdict
    if batch.state not in BATCH_OPEN_STATES:
        return Verdict(False, _("Underlaget är redan attesterat."))
    return batch_payees_ready(batch_payouts(batch) if payouts is None else payouts)


def can_export_batch(user: User | None, batch: PayoutBatch) -> Verdict:
    """Whether `user` may make the batch's payment files: finance, and the batch attested (not yet exported)."""
    verdict = is_finance(user)
    if not verdict:
        return verdict
    if batch.state == PayoutBatchState.OPEN:
        return Verdict(False, _("Underlaget måste attesteras innan det kan exporteras."))
    if batch.state != PayoutBatchState.APPROVED:
        return Verdict(False, _("Underlaget är redan exporterat."))
    return YES
