from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .applications import Application
from .base import AppendOnlyModel


class Outcome(models.TextChoices):
    APPROVE = "APPROVE", _("Bevilja")
    REJECT = "REJECT", _("Avslå")


class EligibilityCheck(AppendOnlyModel):
    """The case officer's formal check (DESIGN.md §4.1 start_review). A new check is a new row."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="eligibility_checks", verbose_name=_("ansökan")
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("kontrollerad av")
    )
    checked_at = models.DateTimeField(default=timezone.now, verbose_name=_("kontrollerad"))
    eligible_org_type = models.BooleanField(_("stödberättigad organisationstyp"))
    arrived_in_time = models.BooleanField(_("inkom i tid"))
    amount_within_ceiling = models.BooleanField(_("belopp inom taket"))
    attachments_complete = models.BooleanField(_("bilagor kompletta"))
    within_purpose = models.BooleanField(_("inom utlysningens syfte"))
    note = models.TextField(_("kommentar"), blank=True)

    class Meta:
        verbose_name = _("formell kontroll")
        verbose_name_plural = _("formella kontroller")
        ordering = ["application", "-checked_at"]

    def __str__(self) -> str:
        return f"{self.application} {'OK' if self.passed else 'FAIL'}"

    @property
    def passed(self) -> bool:
        return all(
            [
                self.eligible_org_type,
                self.arrived_in_time,
                self.amount_within_ceiling,
                self.attachments_complete,
                self.within_purpose,
            ]
        )


class Proposal(AppendOnlyModel):
    """The case officer's presentation (föredragning) of a proposed outcome. A returned proposal stays."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("ansökan")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("föredragande")
    )
    proposed_at = models.DateTimeField(default=timezone.now, verbose_name=_("föredragen"))
    outcome = models.CharField(_("förslag"), max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=2, null=True, blank=True)
    reasons = models.TextField(_("motivering"))
    conditions = models.TextField(_("särskilda villkor"), blank=True)

    class Meta:
        verbose_name = _("föredragning")
        verbose_name_plural = _("föredragningar")
        ordering = ["application", "-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["APPROVE", "REJECT"]), name="proposal_outcome_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="REJECT", amount__isnull=True) | models.Q(outcome="APPROVE", amount__gt=0),
                name="proposal_amount_matches_outcome",
            ),
            models.CheckConstraint(condition=~models.Q(reasons=""), name="proposal_reasons_required"),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_outcome_display()}"


class Decision(AppendOnlyModel):
    """A decision (beslut). Immutable; a correction is a new decision with `corrects` set."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("ansökan")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("föredragning")
    )
    outcome = models.CharField(_("beslut"), max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(_("belopp (kr)"), max_digits=12, decimal_places=2, null=True, blank=True)
    reasons = models.TextField(_("motivering"))
    conditions = models.TextField(_("villkor"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("beslutsfattare")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("föredragande")
    )
    decided_at = models.DateTimeField(default=timezone.now, verbose_name=_("beslutsdatum"))
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("rättar beslut"),
    )

    class Meta:
        verbose_name = _("beslut")
        verbose_name_plural = _("beslut")
        ordering = ["application", "-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=["APPROVE", "REJECT"]), name="decision_outcome_valid"
            ),
            # Four-eyes (DESIGN.md §5 rule 1), also in the database.
            models.CheckConstraint(condition=~models.Q(decided_by=models.F("proposed_by")), name="decision_four_eyes"),
            models.CheckConstraint(condition=~models.Q(reasons=""), name="decision_reasons_required"),
            models.CheckConstraint(
                condition=models.Q(outcome="REJECT", amount__isnull=True) | models.Q(outcome="APPROVE", amount__gt=0),
                name="decision_amount_matches_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_outcome_display()}"
