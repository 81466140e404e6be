from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.formatting import format_money

from .base import AppendOnlyModel
from .grants import Grant
from .payment_accounts import PaymentAccount, PaymentAccountType
from .plans import PayoutPlanStep, PayoutTrigger
from .states import (
    BATCH_APPROVED_STATES,
    BATCH_FROZEN_STATES,
    PAYOUT_BATCHED_STATES,
    PayoutBatchState,
    PayoutState,
)


class PayoutBatch(models.Model):
    """A payment batch (utbetalningsunderlag) exported to the bank (DESIGN.md §4.4): assembled by one finance
    officer, attested by another (never the same person, as Swedish state payment practice requires), then
    exported and reconciled. On PostgreSQL an exported batch takes no change but being reconciled (migration
    0012's trigger)."""

    state = models.CharField(
        max_length=12, choices=PayoutBatchState.choices, default=PayoutBatchState.OPEN, verbose_name=_("status")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skapad av")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("attesterat av"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("attesterat"))
    exported_at = models.DateTimeField(null=True, blank=True, verbose_name=_("exporterad"))
    reconciled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("avstämt"))

    class Meta:
        verbose_name = _("utbetalningsunderlag")
        verbose_name_plural = _("utbetalningsunderlag")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[c.value for c in PayoutBatchState]), name="batch_state_valid"
            ),
            # Two people: whoever assembled the batch cannot attest it.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("created_by")),
                name="batch_approver_not_creator",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(state__in=sorted(BATCH_APPROVED_STATES))
                    & models.Q(approved_by__isnull=False, approved_at__isnull=False)
                )
                | (
                    ~models.Q(state__in=sorted(BATCH_APPROVED_STATES))
                    & models.Q(approved_by__isnull=True, approved_at__isnull=True)
                ),
                name="batch_approved_iff_recorded",
            ),
            models.CheckConstraint(
                condition=(models.Q(state__in=sorted(BATCH_FROZEN_STATES)) & models.Q(exported_at__isnull=False))
                | (~models.Q(state__in=sorted(BATCH_FROZEN_STATES)) & models.Q(exported_at__isnull=True)),
                name="batch_exported_iff_recorded",
            ),
            models.CheckConstraint(
                condition=(models.Q(state=PayoutBatchState.RECONCILED) & models.Q(reconciled_at__isnull=False))
                | (~models.Q(state=PayoutBatchState.RECONCILED) & models.Q(reconciled_at__isnull=True)),
                name="batch_reconciled_iff_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_state_display()})"


class Payout(models.Model):
    """One payment of a grant (DESIGN.md §4.3). `batch` is the batch it is in now (one at a time, so never in
    two open batches); the batches it was in before keep their own frozen lines (PayoutBatchLine). The
    database refuses a PAID payout that would take the grant's paid total over the granted amount (§5 rule 4:
    a trigger on PostgreSQL and on SQLite, migration 0012)."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("bidrag"))
    # The plan step it was made from; none for a payout of a call without steps of its own (DEFAULT_PLAN) or
    # made before plans had steps.
    step = models.ForeignKey(
        PayoutPlanStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payouts",
        verbose_name=_("steg i utbetalningsplanen"),
    )
    amount = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=2)
    trigger = models.CharField(_("utlöses"), max_length=20, choices=PayoutTrigger.choices)
    state = models.CharField(_("status"), max_length=12, choices=PayoutState.choices, default=PayoutState.PLANNED)
    batch = models.ForeignKey(
        PayoutBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payouts",
        verbose_name=_("utbetalningsunderlag"),
    )
    # The verified account it was (or is being) paid to: set when it goes into a batch.
    account = models.ForeignKey(
        PaymentAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payouts",
        verbose_name=_("konto"),
    )
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("utbetald"))

    class Meta:
        verbose_name = _("utbetalning")
        verbose_name_plural = _("utbetalningar")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[c.value for c in PayoutState]), name="payout_state_valid"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(state__in=sorted(PAYOUT_BATCHED_STATES)) | models.Q(batch__isnull=False),
                name="payout_batched_has_batch",
            ),
            models.CheckConstraint(
                condition=~models.Q(state__in=sorted(PAYOUT_BATCHED_STATES)) | models.Q(account__isnull=False),
                name="payout_batched_has_account",
            ),
            models.CheckConstraint(
                condition=(models.Q(state=PayoutState.PAID) & models.Q(paid_at__isnull=False))
                | (~models.Q(state=PayoutState.PAID) & models.Q(paid_at__isnull=True)),
                name="payout_paid_iff_paid_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant}: {format_money(self.amount)} ({self.get_state_display()})"


class PayoutBatchLine(AppendOnlyModel):
    """One payment of an attested batch as it was frozen (DESIGN.md §4.4): payout, amount, payee, account and
    reference are copied here when the batch is approved and never rewritten, even when a failed payout is
    paid in a later batch (that batch gets a line of its own). The payment file is written from these rows."""

    batch = models.ForeignKey(
        PayoutBatch, on_delete=models.PROTECT, related_name="lines", verbose_name=_("utbetalningsunderlag")
    )
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="lines", verbose_name=_("utbetalning"))
    amount = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=2)
    payee_name = models.CharField(_("mottagare"), max_length=200)
    payee_orgnr = models.CharField(_("organisationsnummer"), max_length=10)
    account = models.ForeignKey(
        PaymentAccount, on_delete=models.PROTECT, related_name="batch_lines", verbose_name=_("konto")
    )
    account_kind = models.CharField(_("kontotyp"), max_length=10, choices=PaymentAccountType.choices)
    account_number = models.CharField(_("kontonummer"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    # The diarienummer first, within the 25 characters RmtInf/Ustrd allows (DESIGN.md §7).
    reference = models.CharField(_("meddelande till mottagaren"), max_length=25)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("rad i utbetalningsunderlag")
        verbose_name_plural = _("rader i utbetalningsunderlag")
        ordering = ["batch", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "payout"], name="batch_line_once_per_batch"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="batch_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {format_money(self.amount)} → {self.payee_name}"
