from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.formatting import format_money

from .grants import Grant
from .states import RepaymentClaimState, ReportState


class ReportKind(models.TextChoices):
    INTERIM = "INTERIM", _("Lägesrapport")
    FINAL = "FINAL", _("Slutrapport")


class Report(models.Model):
    """An interim or final report from a grantee (DESIGN.md §4.5). Overdue is derived, not stored."""

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="reports", verbose_name=_("bidrag"))
    kind = models.CharField(_("typ"), max_length=10, choices=ReportKind.choices)
    due_date = models.DateField(_("ska lämnas senast"))
    state = models.CharField(_("status"), max_length=20, choices=ReportState.choices, default=ReportState.DUE)
    results = models.TextField(_("resultat"), blank=True)
    effects = models.TextField(_("effekter"), blank=True)
    how_it_was_done = models.TextField(_("genomförande"), blank=True)
    public_summary = models.TextField(_("publik sammanfattning"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inlämnad av"),
    )
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("inlämnad"))

    class Meta:
        verbose_name = _("rapport")
        verbose_name_plural = _("rapporter")
        ordering = ["grant", "due_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[c.value for c in ReportState]), name="report_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[c.value for c in ReportKind]), name="report_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grant}: {self.get_kind_display()} {self.due_date}"


class RepaymentClaim(models.Model):
    """A claim for repayment (återkrav) of a grant (DESIGN.md §4.6)."""

    grant = models.ForeignKey(
        Grant, on_delete=models.PROTECT, related_name="repayment_claims", verbose_name=_("bidrag")
    )
    amount = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=2)
    reasons = models.TextField(_("skäl"))
    due_date = models.DateField(_("betalas senast"))
    state = models.CharField(
        max_length=12, choices=RepaymentClaimState.choices, default=RepaymentClaimState.ISSUED, verbose_name=_("status")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skapad av")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))

    class Meta:
        verbose_name = _("återkrav")
        verbose_name_plural = _("återkrav")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[c.value for c in RepaymentClaimState]), name="repayment_state_valid"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="repayment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grant}: {format_money(self.amount)}"
