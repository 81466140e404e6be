"""Reads of organisations' payment accounts (grants/models/payment_accounts.py): the one money may go to, an
organisation's history, and finance's list. Finance sees accounts and organisations, nothing of cases."""

from django.db.models import Q, QuerySet

from grants.models import Organisation, PaymentAccount

# Finance's list filters: ?state=waiting (the default), verified or all.
FINANCE_FILTERS = ("waiting", "verified", "all")

WAITING = Q(superseded_at__isnull=True, verified_at__isnull=True, rejected_at__isnull=True)


def organisation_current_account(organisation: Organisation | int) -> PaymentAccount | None:
    """The organisation's current account (waiting, verified or rejected), or None if it has never had one."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return (
        PaymentAccount.objects.filter(organisation_id=org_id, superseded_at__isnull=True)
        .select_related("created_by", "verified_by", "rejected_by")
        .first()
    )


def organisation_payable_account(organisation: Organisation | int) -> PaymentAccount | None:
    """The account payouts may go to: the current one, once a second person has verified it; else None."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return PaymentAccount.objects.filter(
        organisation_id=org_id, superseded_at__isnull=True, verified_at__isnull=False
    ).first()


def payment_account_history(organisation: Organisation) -> QuerySet[PaymentAccount]:
    """Every account the organisation has had, newest first, with who registered, verified or rejected it."""
    return (
        PaymentAccount.objects.filter(organisation=organisation)
        .select_related("created_by", "verified_by", "rejected_by")
        .order_by("-created_at", "-pk")
    )


def payment_account_list_for_finance(state: str = "waiting") -> QuerySet[PaymentAccount]:
    """Finance's list: accounts waiting for verification (oldest first: first come, first verified), every
    verified account, or all of them; with the organisation and the people in one query."""
    accounts = PaymentAccount.objects.select_related("organisation", "created_by", "verified_by", "rejected_by")
    if state == "verified":
        return accounts.filter(verified_at__isnull=False).order_by("-verified_at", "-pk")
    if state == "all":
        return accounts.order_by("-created_at", "-pk")
    return accounts.filter(WAITING).order_by("created_at", "pk")
