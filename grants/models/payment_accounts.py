"""An organisation's payment accounts (DESIGN.md §3, §4.3): bankgiro, plusgiro or IBAN + BIC, checked by
documents/bankfiles/accounts.py (`parse_account`: check digits with stdnum.luhn, IBAN and BIC with schwifty).

A payout goes only to an account a second person has verified: the classic grant fraud is a changed account.
So an account row is never edited: a new or changed account is a new row, which supersedes the organisation's
current one and waits for verification. The only changes a row takes are its verification (once, by someone
other than who entered it) or its rejection by finance (once, with a reason; never both), and being superseded
(once). History is the rows themselves. The database keeps these rules too: check constraints, one current
account per organisation, and on PostgreSQL a trigger (migrations 0012 and 0015) that refuses any other UPDATE
and every DELETE. grants/services/payment_accounts.py registers, verifies and rejects accounts.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.bankfiles.accounts import Account, parse_account
from documents.bankfiles.errors import AccountError

from .base import ImmutableRecordError
from .organisations import Organisation


class PaymentAccountType(models.TextChoices):
    BANKGIRO = "BANKGIRO", _("Bankgiro")
    PLUSGIRO = "PLUSGIRO", _("Plusgiro")
    IBAN = "IBAN", _("IBAN och BIC")


IBAN_FORM = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"
# The fields a stored account may still change, each once: who verified or rejected it and when (and why), and
# when it was replaced.
MUTABLE_FIELDS = ("verified_by", "verified_at", "rejected_by", "rejected_at", "rejection_reason", "superseded_at")


class PaymentAccountState(models.TextChoices):
    """Derived from the row (never stored): what finance has done with the account, and whether it is current."""

    WAITING = "WAITING", _("Väntar på verifiering")
    VERIFIED = "VERIFIED", _("Verifierat")
    REJECTED = "REJECTED", _("Avvisat")
    SUPERSEDED = "SUPERSEDED", _("Ersatt")


class PaymentAccount(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="payment_accounts", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kontotyp"), max_length=10, choices=PaymentAccountType.choices)
    number = models.CharField(_("kontonummer"), max_length=34, help_text=_("Lagras utan mellanslag och streck."))
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    # None only for an account carried over from before accounts had a history (migration 0011).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrerat av"),
    )
    created_at = models.DateTimeField(_("registrerat"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verifierat av"),
    )
    verified_at = models.DateTimeField(_("verifierat"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avvisat av"),
    )
    rejected_at = models.DateTimeField(_("avvisat"), null=True, blank=True)
    rejection_reason = models.TextField(_("skäl för avvisning"), blank=True)
    superseded_at = models.DateTimeField(_("ersatt"), null=True, blank=True)

    class Meta:
        verbose_name = _("utbetalningskonto")
        verbose_name_plural = _("utbetalningskonton")
        ordering = ["organisation", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=PaymentAccountType.values), name="account_kind_valid"),
            # The compact forms parse_account returns: bankgiro 7–8 digits, plusgiro 2–8, IBAN country + check.
            models.CheckConstraint(
                condition=(models.Q(kind=PaymentAccountType.BANKGIRO) & models.Q(number__regex=r"^[0-9]{7,8}$"))
                | (models.Q(kind=PaymentAccountType.PLUSGIRO) & models.Q(number__regex=r"^[0-9]{2,8}$"))
                | (models.Q(kind=PaymentAccountType.IBAN) & models.Q(number__regex=IBAN_FORM)),
                name="account_number_form",
            ),
            # A BIC belongs to an IBAN account, and an IBAN account has one.
            models.CheckConstraint(
                condition=(models.Q(kind=PaymentAccountType.IBAN) & ~models.Q(bic=""))
                | (~models.Q(kind=PaymentAccountType.IBAN) & models.Q(bic="")),
                name="account_bic_iff_iban",
            ),
            models.CheckConstraint(
                condition=models.Q(verified_by__isnull=True, verified_at__isnull=True)
                | models.Q(verified_by__isnull=False, verified_at__isnull=False),
                name="account_verified_by_and_at",
            ),
            # Four eyes: whoever entered the account cannot be the one who verifies it.
            models.CheckConstraint(
                condition=models.Q(verified_by__isnull=True) | ~models.Q(verified_by=models.F("created_by")),
                name="account_verifier_not_creator",
            ),
            # A rejection says who, when and why; an account is verified or rejected, never both.
            models.CheckConstraint(
                condition=models.Q(rejected_by__isnull=True, rejected_at__isnull=True, rejection_reason="")
                | (models.Q(rejected_by__isnull=False, rejected_at__isnull=False) & ~models.Q(rejection_reason="")),
                name="account_rejected_by_at_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(verified_at__isnull=True) | models.Q(rejected_at__isnull=True),
                name="account_not_verified_and_rejected",
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(superseded_at__isnull=True),
                name="account_one_current_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        try:
            return f"{self.get_kind_display()} {self.account}"
        except AccountError:
            return f"{self.get_kind_display()} {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            self._refuse_changes()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRecordError(f"PaymentAccount {self.pk} is kept as history and cannot be deleted.")

    @property
    def account(self) -> Account:
        """The checked account (for payment files). Raises AccountError if the stored number is not valid."""
        return parse_account(self.kind.lower(), self.number, self.bic)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_rejected(self) -> bool:
        return self.rejected_at is not None

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def is_waiting(self) -> bool:
        """Current and neither verified nor rejected: finance has yet to look at it."""
        return self.is_current and not self.is_verified and not self.is_rejected

    @property
    def state(self) -> PaymentAccountState:
        if self.is_verified:
            return PaymentAccountState.VERIFIED if self.is_current else PaymentAccountState.SUPERSEDED
        if self.is_rejected:
            return PaymentAccountState.REJECTED
        return PaymentAccountState.WAITING if self.is_current else PaymentAccountState.SUPERSEDED

    @property
    def display(self) -> str:
        """The number as people write it (bankgiro 5050-1055, plusgiro 28 65 43-4, IBAN in groups of four)."""
        try:
            return self.account.display
        except AccountError:
            return self.number

    def usable_for_payouts(self, now: datetime | None = None) -> bool:
        """Whether money may go to this account: current and verified by a second person."""
        return self.is_current and self.is_verified

    def clean(self) -> None:
        """Check and normalise the number (and BIC) as parse_account does; errors name the field."""
        super().clean()
        try:
            account = parse_account(self.kind.lower() if self.kind else "", self.number or "", self.bic or "")
        except AccountError as exc:
            raise ValidationError({"number": str(exc)}) from exc
        self.number, self.bic = account.number, account.bic

    def _refuse_changes(self) -> None:
        stored: dict[str, Any] = dict(type(self).objects.filter(pk=self.pk).values().get())
        for field in self._meta.concrete_fields:
            old, new = stored[field.attname], getattr(self, field.attname)
            if old == new:
                continue
            if field.name not in MUTABLE_FIELDS or old not in (None, ""):
                raise ImmutableRecordError(
                    f"PaymentAccount {self.pk}: {field.name} cannot be changed; enter a new account instead."
                )
