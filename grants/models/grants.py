from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .applications import Application
from .decisions import Decision
from .states import GrantState


class Grant(models.Model):
    """A grant created by an approving decision (DESIGN.md §4.2)."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="grant", verbose_name=_("ansökan")
    )
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="grant", verbose_name=_("beslut"))
    granted_amount = models.DecimalField(_("beviljat belopp (kr)"), max_digits=12, decimal_places=2)
    # The call's general terms as they stood when the grant was decided: the letter and the acceptance refer
    # to these, whatever the call says later.
    terms = models.TextField(_("villkor"), blank=True)
    terms_en = models.TextField(_("allmänna villkor (engelska)"), blank=True)
    state = models.CharField(
        _("status"), max_length=20, choices=GrantState.choices, default=GrantState.AWAITING_ACCEPTANCE, db_index=True
    )
    acceptance_deadline_at = models.DateTimeField(_("acceptera senast"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepterad av"),
    )
    accepted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("accepterad"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))

    class Meta:
        verbose_name = _("beviljat bidrag")
        verbose_name_plural = _("beviljade bidrag")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[c.value for c in GrantState]), name="grant_state_valid"
            ),
            models.CheckConstraint(condition=models.Q(granted_amount__gt=0), name="grant_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference_number}: {self.granted_amount} kr"
