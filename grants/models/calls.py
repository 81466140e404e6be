from datetime import datetime
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    STATE_AGENCY = "STATE_AGENCY", _("Statlig myndighet")
    MUNICIPALITY = "MUNICIPALITY", _("Kommun")
    REGION = "REGION", _("Region")
    OTHER_PUBLIC = "OTHER_PUBLIC", _("Annan offentlig aktör")


def _all_org_types() -> list[str]:
    return [c.value for c in OrganisationType]


class Call(models.Model):
    """A call for applications (utlysning). Each call sets its own dates, money, criteria and plans."""

    title_sv = models.CharField(_("titel (svenska)"), max_length=200)
    title_en = models.CharField(_("titel (engelska)"), max_length=200)
    description_sv = models.TextField(_("beskrivning (svenska)"))
    description_en = models.TextField(_("beskrivning (engelska)"))
    opens_at = models.DateTimeField(_("öppnar"))
    closes_at = models.DateTimeField(_("stänger"), help_text=_("Exakt tidpunkt, svensk tid."))
    total_budget = models.DecimalField(_("total budget (kr)"), max_digits=14, decimal_places=2)
    max_grant_amount = models.DecimalField(
        _("högsta bidrag per ansökan (kr)"), max_digits=12, decimal_places=2, default=Decimal("600000.00")
    )
    eligible_org_types = models.JSONField(
        _("stödberättigade organisationstyper"),
        default=_all_org_types,
        help_text=_("Koder: STATE_AGENCY, MUNICIPALITY, REGION, OTHER_PUBLIC."),
    )
    interim_report_months = models.PositiveSmallIntegerField(
        _("lägesrapport, månader efter projektstart"), null=True, blank=True, default=6
    )
    final_report_months = models.PositiveSmallIntegerField(_("slutrapport, månader efter projektslut"), default=2)
    acceptance_days = models.PositiveSmallIntegerField(_("dagar att acceptera villkoren"), default=30)
    appeal_text_sv = models.TextField(_("överklagandetext (svenska)"), blank=True)
    appeal_text_en = models.TextField(_("överklagandetext (engelska)"), blank=True)
    legal_basis_sv = models.TextField(_("rättslig grund (svenska)"), blank=True)
    legal_basis_en = models.TextField(_("rättslig grund (engelska)"), blank=True)
    general_terms_sv = models.TextField(_("allmänna villkor (svenska)"), blank=True)
    general_terms_en = models.TextField(_("allmänna villkor (engelska)"), blank=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("utlysning")
        verbose_name_plural = _("utlysningar")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opens"
            ),
            models.CheckConstraint(condition=models.Q(total_budget__gte=0), name="call_budget_not_negative"),
            models.CheckConstraint(condition=models.Q(max_grant_amount__gt=0), name="call_max_grant_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title_sv

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" and self.description_en else self.description_sv

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class Criterion(models.Model):
    """An assessment criterion of a call, scored 1–7 by reviewers."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("utlysning"))
    name_sv = models.CharField(_("namn (svenska)"), max_length=200)
    name_en = models.CharField(_("namn (engelska)"), max_length=200)
    guidance_sv = models.TextField(_("vägledning (svenska)"), blank=True)
    guidance_en = models.TextField(_("vägledning (engelska)"), blank=True)
    weight = models.DecimalField(
        _("vikt"), max_digits=4, decimal_places=2, default=Decimal("1.00"), validators=[MinValueValidator(0)]
    )
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("bedömningskriterium")
        verbose_name_plural = _("bedömningskriterier")
        ordering = ["call", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_sv


class RequiredAttachment(models.Model):
    """An attachment kind a call asks for; `required` ones must be present at submission."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="attachment_kinds", verbose_name=_("utlysning")
    )
    code = models.SlugField(_("kod"), max_length=40)
    name_sv = models.CharField(_("namn (svenska)"), max_length=200)
    name_en = models.CharField(_("namn (engelska)"), max_length=200)
    required = models.BooleanField(_("obligatorisk"), default=True)
    position = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("bilagetyp")
        verbose_name_plural = _("bilagetyper")
        ordering = ["call", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "code"], name="attachment_kind_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" and self.name_en else self.name_sv
