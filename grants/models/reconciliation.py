"""The bank's answers to a payout batch and what they did (DESIGN.md §4.3, §7 Reconciliation).

`BankAnswer`: one imported file (pain.002, camt.054 or CSV), kept as a Document (kind BANK_ANSWER) with its
SHA-256, unique per batch: the same file imported twice is the same answer, so it pays nothing twice. It is
stored when finance previews it (pending) and marked applied once, when its rows are booked.
`ReconciliationEntry`: one payout the applied answer marked PAID or FAILED, with the line of the file and the
bank's reason. Both are append-only records of what happened (an answer is only ever marked applied).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.bankfiles.reasons import reason_label
from grants.text import Text

from .base import AppendOnlyModel
from .payouts import Payout, PayoutBatch


class BankAnswerFormat(models.TextChoices):
    PAIN002 = "pain.002.001.03", _("Statusrapport (pain.002)")
    CAMT054 = "camt.054.001.02", _("Debiteringsavi (camt.054)")
    CSV = "csv", _("CSV")


class BankAnswer(models.Model):
    batch = models.ForeignKey(
        PayoutBatch, on_delete=models.PROTECT, related_name="bank_answers", verbose_name=_("utbetalningsunderlag")
    )
    document = models.OneToOneField(
        "documents.Document", on_delete=models.PROTECT, related_name="bank_answer", verbose_name=_("fil")
    )
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    format = models.CharField(_("format"), max_length=20, choices=BankAnswerFormat.choices)
    # The name the file had on the uploader's computer (the Document's own name is ours).
    filename = models.CharField(_("filnamn"), max_length=200)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inläst av")
    )
    imported_at = models.DateTimeField(_("inläst"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bokfört av"),
    )
    applied_at = models.DateTimeField(_("bokfört"), null=True, blank=True)

    class Meta:
        verbose_name = _("svar från banken")
        verbose_name_plural = _("svar från banken")
        ordering = ["-imported_at", "-pk"]
        constraints = [
            # The same file is one answer per batch: importing it again finds this one (and pays nothing twice).
            models.UniqueConstraint(fields=["batch", "sha256"], name="bank_answer_once_per_batch"),
            models.CheckConstraint(
                condition=models.Q(format__in=[c.value for c in BankAnswerFormat]), name="bank_answer_format_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(applied_at__isnull=True, applied_by__isnull=True)
                | models.Q(applied_at__isnull=False, applied_by__isnull=False),
                name="bank_answer_applied_iff_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"


class ReconciliationOutcome(models.TextChoices):
    PAID = "PAID", _("Utbetald")
    FAILED = "FAILED", _("Misslyckad")


class ReconciliationEntry(AppendOnlyModel):
    answer = models.ForeignKey(
        BankAnswer, on_delete=models.PROTECT, related_name="entries", verbose_name=_("svar från banken")
    )
    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, related_name="reconciliation_entries", verbose_name=_("utbetalning")
    )
    outcome = models.CharField(_("utfall"), max_length=6, choices=ReconciliationOutcome.choices)
    amount = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=2)
    line = models.PositiveIntegerField(_("rad i filen"))
    reason_code = models.CharField(_("orsakskod"), max_length=35, blank=True)
    reason = models.CharField(_("orsak"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("avstämd utbetalning")
        verbose_name_plural = _("avstämda utbetalningar")
        ordering = ["answer", "line", "pk"]
        constraints = [
            # A payout is paid at most once (DESIGN.md §5 rule 4): one PAID entry per payout, whatever file said so.
            models.UniqueConstraint(
                fields=["payout"], condition=models.Q(outcome="PAID"), name="reconciliation_paid_once"
            ),
            models.UniqueConstraint(fields=["answer", "payout"], name="reconciliation_once_per_answer"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=[c.value for c in ReconciliationOutcome]),
                name="reconciliation_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payout_id}: {self.outcome}"

    @property
    def reason_label(self) -> Text:
        """The reason in the reader's language for a known ISO code, else the bank's own text."""
        return (reason_label(self.reason_code) if self.reason_code else None) or self.reason
