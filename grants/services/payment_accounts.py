"""Organisations' payment accounts: a member registers one, finance verifies or rejects it (DESIGN.md §4.3).

A new account is a new row that supersedes the organisation's current one (history kept, nothing edited in
place) and is not used for payouts until a finance officer other than the person who registered it has
verified it: the classic grant fraud is a changed account. Any member may register or change the account; a
signatory is not needed, because nothing is paid to it before a second person has checked it. Every change is
logged in the organisation log (payment_account.registered, .verified, .rejected).
"""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from documents.bankfiles.accounts import Account, AccountKind, parse_bankgiro, parse_bic, parse_iban, parse_plusgiro
from documents.bankfiles.errors import AccountError
from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.models import Organisation, PaymentAccount, PaymentAccountType, User
from grants.services.memberships import organisation_event_log

REASON_MAX_LENGTH = 2000


def account_description(account: PaymentAccount) -> str:
    """How the organisation log names an account: its kind and the number as people write it."""
    bic = f" ({account.bic})" if account.bic else ""
    return f"{account.get_kind_display()} {account.display}{bic}"


def _checked(kind: str, number: str, bic: str) -> Account:
    """parse_account, step by step, so that each refusal names the form field it concerns."""
    if kind not in PaymentAccountType.values:
        raise ServiceError(_("Välj om kontot är ett bankgiro, ett plusgiro eller ett IBAN."), "kind")
    try:
        if kind == PaymentAccountType.BANKGIRO:
            return Account(AccountKind.BANKGIRO, parse_bankgiro(number))
        if kind == PaymentAccountType.PLUSGIRO:
            return Account(AccountKind.PLUSGIRO, parse_plusgiro(number))
        iban = parse_iban(number)
    except AccountError as exc:
        raise ServiceError(exc.message, "number") from exc
    try:
        return Account(AccountKind.IBAN, iban, parse_bic(bic, iban=iban))
    except AccountError as exc:
        raise ServiceError(exc.message, "bic") from exc


@transaction.atomic
def payment_account_register(
    *, actor: User, organisation: Organisation, kind: str, number: str, bic: str = "", now: datetime
) -> PaymentAccount:
    """Register a new payment account for the organisation, superseding its current one; it waits for finance.
    Raises NotAllowed unless the actor is a member, ServiceError (naming the field) for a number, IBAN or BIC
    that fails its checks, or for the account the organisation already has."""
    verdict = permissions.can_register_payment_account(actor, organisation)
    if not verdict:
        raise NotAllowed(verdict.reason)
    checked = _checked(kind, number, bic)
    # One registration at a time per organisation: the row lock orders them, and the unique constraint on
    # the current account backs it up.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    current = PaymentAccount.objects.select_for_update().filter(organisation=organisation, superseded_at__isnull=True)
    previous = current.first()
    if (
        previous is not None
        and not previous.is_rejected
        and (previous.kind, previous.number, previous.bic) == (kind, checked.number, checked.bic)
    ):
        raise ServiceError(_("Det här kontot är redan registrerat för organisationen."), "number")
    if previous is not None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    account = PaymentAccount.objects.create(
        organisation=organisation,
        kind=kind,
        number=checked.number,
        bic=checked.bic,
        created_by=actor,
        created_at=now,
    )
    organisation_event_log(
        organisation=organisation,
        actor=actor,
        event="payment_account.registered",
        note=account_description(account),
        now=now,
    )
    return account


def _locked(account: PaymentAccount) -> PaymentAccount:
    locked = PaymentAccount.objects.select_for_update().select_related("organisation").filter(pk=account.pk).first()
    if locked is None:
        raise ServiceError(_("Kontot finns inte."))
    return locked


def _refuse(verdict: permissions.Verdict, actor: User) -> None:
    if not verdict:
        if not permissions.has_role(actor, permissions.FINANCE):
            raise NotAllowed(verdict.reason)
        raise ServiceError(verdict.reason)


@transaction.atomic
def payment_account_verify(*, actor: User, account: PaymentAccount, now: datetime) -> PaymentAccount:
    """Verify the organisation's current account, so payouts may go to it. Raises NotAllowed unless the actor
    is a finance officer; ServiceError if they registered it (four eyes) or are a member of the organisation,
    or if the account is no longer current or already verified or rejected."""
    locked = _locked(account)
    _refuse(permissions.can_verify_payment_account(actor, locked), actor)
    locked.verified_by = actor
    locked.verified_at = now
    locked.save(update_fields=["verified_by", "verified_at"])
    organisation_event_log(
        organisation=locked.organisation,
        actor=actor,
        event="payment_account.verified",
        note=account_description(locked),
        now=now,
    )
    return locked


@transaction.atomic
def payment_account_reject(*, actor: User, account: PaymentAccount, reason: str, now: datetime) -> PaymentAccount:
    """Reject the organisation's current account, with the reason the organisation is shown; nothing is paid
    to it and a member registers a new one. Raises NotAllowed unless the actor is a finance officer;
    ServiceError without a reason, or if the account is no longer current or already verified or rejected."""
    locked = _locked(account)
    _refuse(permissions.can_reject_payment_account(actor, locked), actor)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Skriv varför kontot avvisas. Organisationen får se skälet."), "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ServiceError(_("Skälet får vara högst 2000 tecken."), "reason")
    locked.rejected_by = actor
    locked.rejected_at = now
    locked.rejection_reason = reason
    locked.save(update_fields=["rejected_by", "rejected_at", "rejection_reason"])
    organisation_event_log(
        organisation=locked.organisation,
        actor=actor,
        event="payment_account.rejected",
        note=f"{account_description(locked)}: {reason}",
        now=now,
    )
    return locked
