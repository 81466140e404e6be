import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import Application, Decision, PayoutBatch
from grants.models.base import AppendOnlyModel


class DocumentKind(models.TextChoices):
    DECISION_LETTER = "DECISION_LETTER", _("Beslutsbrev")
    REPAYMENT_LETTER = "REPAYMENT_LETTER", _("Återkravsbrev")
    APPLICATION_SUMMARY = "APPLICATION_SUMMARY", _("Ansökan (arkivexemplar)")
    PAYMENT_FILE = "PAYMENT_FILE", _("Betalfil")  # pain.001 XML to the bank
    LEDGER_CSV = "LEDGER_CSV", _("Bokföringsunderlag (CSV)")
    LEDGER_XLSX = "LEDGER_XLSX", _("Bokföringsunderlag (Excel)")
    BANK_ANSWER = "BANK_ANSWER", _("Svar från banken")  # pain.002, camt.054 or CSV, as imported


# The media types each kind may be stored as (documents/store.py refuses any other).
PDF = "application/pdf"
XML = "application/xml"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KIND_MEDIA_TYPES: dict[str, frozenset[str]] = {
    DocumentKind.DECISION_LETTER: frozenset({PDF}),
    DocumentKind.REPAYMENT_LETTER: frozenset({PDF}),
    DocumentKind.APPLICATION_SUMMARY: frozenset({PDF}),
    DocumentKind.PAYMENT_FILE: frozenset({XML}),
    DocumentKind.LEDGER_CSV: frozenset({CSV}),
    DocumentKind.LEDGER_XLSX: frozenset({XLSX}),
    DocumentKind.BANK_ANSWER: frozenset({XML, CSV}),
}
# The kinds that belong to a payout batch rather than to a case: finance's documents.
BATCH_KINDS = frozenset(
    {DocumentKind.PAYMENT_FILE, DocumentKind.LEDGER_CSV, DocumentKind.LEDGER_XLSX, DocumentKind.BANK_ANSWER}
)

# The files an export makes of a batch, one of each (a bank answer may be imported more than once).
EXPORT_KINDS = frozenset({DocumentKind.PAYMENT_FILE, DocumentKind.LEDGER_CSV, DocumentKind.LEDGER_XLSX})


class DocumentLanguage(models.TextChoices):
    SV = "sv", _("Svenska")
    EN = "en", _("Engelska")


def document_path(instance: "Document", filename: str) -> str:
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}-{filename}"


class Document(AppendOnlyModel):
    """An issued document: generated once, stored with its SHA-256, never overwritten or deleted."""

    kind = models.CharField(_("typ"), max_length=30, choices=DocumentKind.choices)
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("ansökan"),
    )
    # A payment file, ledger export or bank answer belongs to the batch it was made for or answers, not to one case.
    batch = models.ForeignKey(
        PayoutBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("utbetalningsunderlag"),
    )
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("beslut"),
    )
    version_number = models.PositiveSmallIntegerField(
        _("versionsnummer"),
        null=True,
        blank=True,
        help_text=_("Den inskickade version av ansökan som dokumentet visar."),
    )
    language = models.CharField(_("språk"), max_length=2, choices=DocumentLanguage.choices, default=DocumentLanguage.SV)
    file = models.FileField(upload_to=document_path, max_length=200, verbose_name=_("fil"))
    filename = models.CharField(_("filnamn"), max_length=200)
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    size = models.PositiveIntegerField(verbose_name=_("storlek (byte)"))
    media_type = models.CharField(max_length=100, verbose_name=_("medietyp"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("skapad av"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ersätter")
    )

    class Meta:
        verbose_name = _("dokument")
        verbose_name_plural = _("dokument")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[c.value for c in DocumentKind]), name="document_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[c.value for c in DocumentLanguage]), name="document_language_valid"
            ),
            # A decision is issued as one letter per language, however often or concurrently it is generated.
            models.UniqueConstraint(
                fields=["decision", "kind", "language"],
                condition=models.Q(decision__isnull=False),
                name="document_one_letter_per_decision",
            ),
            # A batch's payment file and ledger exports are made once (batch_export retried after a crash makes
            # no second set, grants/services/batches.py).
            models.UniqueConstraint(
                fields=["batch", "kind"],
                condition=models.Q(batch__isnull=False, kind__in=sorted(EXPORT_KINDS)),
                name="document_one_export_per_batch_kind",
            ),
            # One archive copy per submitted version of an application.
            models.UniqueConstraint(
                fields=["application", "kind", "version_number", "language"],
                condition=models.Q(version_number__isnull=False),
                name="document_one_copy_per_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"
