import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.formatting import format_money

from .base import AppendOnlyModel
from .calls import Call, RequiredAttachment
from .organisations import Organisation
from .states import APPLICANT_LABELS, ApplicationState

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class RegistrationCounter(models.Model):
    """The last diarienummer handed out in a year; locked row by row so numbers are gapless."""

    year = models.PositiveSmallIntegerField(primary_key=True, verbose_name=_("år"))
    last_number = models.PositiveIntegerField(default=0, verbose_name=_("senaste nummer"))

    class Meta:
        verbose_name = _("diarieräknare")
        verbose_name_plural = _("diarieräknare")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"

    @classmethod
    def next_reference(cls, now: datetime) -> str:
        """Hand out the next diarienummer of the year of `now` (Swedish time). Call inside a transaction:
        the counter row stays locked until it commits, so a rolled-back submission leaves no gap."""
        year = timezone.localtime(now, STOCKHOLM).year
        number = cls._increment(year)
        if number is None:
            # The year's first submission: create the row without racing another first one, then count on it.
            RegistrationCounter.objects.bulk_create(
                [RegistrationCounter(year=year, last_number=0)], ignore_conflicts=True
            )
            number = cls._increment(year)
        assert number is not None  # the row exists now, and rows are never deleted
        return f"{year}-{number:05d}"

    @classmethod
    def _increment(cls, year: int) -> int | None:
        # One statement that locks, counts and reads (PostgreSQL and SQLite >= 3.35 both have RETURNING): the
        # row stays locked from here to the commit, and every statement less inside that window counts in a
        # deadline rush, where all submissions of the year queue on this row.
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s RETURNING last_number",  # noqa: S608
                [year],
            )
            row = cursor.fetchone()
        return None if row is None else int(row[0])


class Application(models.Model):
    """An application; once submitted, a case (ärende) with a diarienummer."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("utlysning"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="applications", verbose_name=_("organisation")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skapad av")
    )
    state = models.CharField(
        _("status"), max_length=30, choices=ApplicationState.choices, default=ApplicationState.DRAFT, db_index=True
    )
    reference_number = models.CharField(_("diarienummer"), max_length=10, unique=True, null=True, blank=True)

    # Project
    title = models.CharField(_("projekttitel"), max_length=200, blank=True)
    summary = models.TextField(_("sammanfattning"), blank=True, max_length=2000)
    description = models.TextField(_("projektbeskrivning"), blank=True, max_length=20000)
    # Coworking site
    coworking_sites = models.TextField(_("coworkingplats(er)"), blank=True, max_length=2000)
    # Participants
    participants_count = models.PositiveIntegerField(_("antal deltagande medarbetare"), null=True, blank=True)
    participants_description = models.TextField(_("vilka som deltar"), blank=True, max_length=4000)
    # Period
    start_date = models.DateField(_("projektstart"), null=True, blank=True)
    end_date = models.DateField(_("projektslut"), null=True, blank=True)
    # Budget
    requested_amount = models.DecimalField(
        _("sökt belopp (kr)"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    co_financing = models.DecimalField(
        _("egen medfinansiering (kr)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    # Contacts
    contact_name = models.CharField(_("projektledare"), max_length=200, blank=True)
    contact_email = models.EmailField(_("projektledarens e-post"), blank=True)
    contact_phone = models.CharField(_("projektledarens telefon"), max_length=40, blank=True)
    finance_contact_name = models.CharField(_("ekonomikontakt"), max_length=200, blank=True)
    finance_contact_email = models.EmailField(_("ekonomikontaktens e-post"), blank=True)

    # Case handling
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("handläggare"),
    )
    completion_message = models.TextField(_("begärd komplettering"), blank=True)
    completion_answer_by_date = models.DateField(_("svara senast"), null=True, blank=True)
    completion_sections = models.JSONField(_("öppna avsnitt"), default=list, blank=True)
    withdrawn_reason = models.TextField(_("skäl för återkallelse"), blank=True)

    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)
    submitted_at = models.DateTimeField(_("inkom"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("ansökan")
        verbose_name_plural = _("ansökningar")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[c.value for c in ApplicationState]), name="application_state_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state="DRAFT")
                | (models.Q(reference_number__isnull=False) & models.Q(submitted_at__isnull=False)),
                name="application_submitted_has_number",
            ),
            models.CheckConstraint(
                condition=models.Q(reference_number__isnull=True)
                | models.Q(reference_number__regex=r"^[0-9]{4}-[0-9]{5}$"),
                name="application_reference_format",
            ),
            models.CheckConstraint(condition=models.Q(requested_amount__gte=0), name="application_amount_not_negative"),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(end_date__gt=models.F("start_date")),
                name="application_period_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"], name="application_org_state"),
            # The officers' queues read cases of a state in order of arrival and stop after one page.
            models.Index(fields=["state", "submitted_at"], name="application_state_submitted"),
            # "New and unassigned" and "my cases" filter on both; the page's count is then read from the index
            # alone instead of from thousands of scattered table rows.
            models.Index(fields=["state", "assigned_officer"], name="application_state_officer"),
        ]

    def __str__(self) -> str:
        return f"{self.reference_number or _('utkast')} – {self.title or _('(utan titel)')}"

    @property
    def applicant_state_label(self) -> str:
        return str(APPLICANT_LABELS[ApplicationState(self.state)])


class BudgetCategory(models.TextChoices):
    PREMISES = "PREMISES", _("Lokaler och coworkingavgifter")
    STAFF = "STAFF", _("Personal")
    TRAVEL = "TRAVEL", _("Resor")
    EQUIPMENT = "EQUIPMENT", _("Utrustning")
    SERVICES = "SERVICES", _("Köpta tjänster")
    OTHER = "OTHER", _("Övrigt")


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("ansökan")
    )
    category = models.CharField(_("kategori"), max_length=20, choices=BudgetCategory.choices)
    description = models.CharField(_("beskrivning"), max_length=200)
    amount = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=2)
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("ordning"))

    class Meta:
        verbose_name = _("budgetrad")
        verbose_name_plural = _("budgetrader")
        ordering = ["application", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="budget_line_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(category__in=[c.value for c in BudgetCategory]), name="budget_line_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description} ({format_money(self.amount)})"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the uploaded name: it is user input. The original name is kept in a field for display.
    return f"attachments/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Attachment(models.Model):
    """A PDF attached to an application. Stored outside public URLs; served by a permission-checked view."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("ansökan")
    )
    kind = models.ForeignKey(
        RequiredAttachment, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("bilagetyp")
    )
    file = models.FileField(upload_to=attachment_path, max_length=200, verbose_name=_("fil"))
    original_name = models.CharField(_("filnamn"), max_length=200)
    size = models.PositiveIntegerField(_("storlek (byte)"))
    sha256 = models.CharField(max_length=64, verbose_name=_("SHA-256"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uppladdad av")
    )
    uploaded_at = models.DateTimeField(_("uppladdad"), default=timezone.now)
    # Set when a submitted attachment is replaced during completion; the file stays on record.
    removed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("borttagen"))

    class Meta:
        verbose_name = _("bilaga")
        verbose_name_plural = _("bilagor")
        ordering = ["application", "kind__position", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ApplicationVersion(AppendOnlyModel):
    """Frozen content of an application at submission or at a completion answer. Never changed."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="versions", verbose_name=_("ansökan")
    )
    number = models.PositiveSmallIntegerField(verbose_name=_("versionsnummer"))
    content = models.JSONField(verbose_name=_("innehåll"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("skapad av")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versioner")
        ordering = ["application", "number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.application.reference_number} v{self.number}"
