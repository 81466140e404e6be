from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .grants import Grant
from .plans import PayoutTrigger
from .states import PAYOUT_BATCHED_STATES, PayoutBatchState, PayoutState


class PayoutBatch(models.Model):
    """A payment batch (utbetalningsunderlag) exported to the bank (DESIGN.md §4.4)."""

    state = models.CharField(
        max_length=12, choices=PayoutBatchState.choices, default=PayoutBatchState.OPEN, verbose_name=_("status")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skapad av")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))
    exported_at = models.DateTimeField(null=True, blank=True, verbose_name=_("exporterad"))

    class Meta:
        verbose_name = _("utbetalningsunderlag")
        verbose_name_plural = _("utbetalningsunderlag")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[c.value for c in PayoutBatchState]), name="batch_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_state_display()})"


class Payout(models.Model):
    """One payment of a grant (DESIGN.md §4.3)."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("bidrag"))
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
        ]

    def __str__(self) -> str:
        return f"{self.grant}: {self.amount} kr ({self.get_state_display()})"
