from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.formatting import format_money

from .applications import Application
from .decisions import Decision
from .states import GRANT_ACCEPTED_STATES, GrantState


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
    # The SHA-256 of the terms text the signatory accepted (terms + terms_en as shown, workflows/grant.py), so
    # what was accepted can be proved even if somebody later tampers with the row's text.
    terms_sha256 = models.CharField(_("villkorens SHA-256"), max_length=64, blank=True)
    declined_reason = models.TextField(_("skäl att avstå"), blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("makulerat"))
    # What a cancelled grant gave back to the call's budget (granted minus what was already paid out): written
    # once, when the grant is declined or lapses.
    released_amount = models.DecimalField(
        _("återfört till budgeten (kr)"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))

    class Meta:
        verbose_name = _("beviljat bidrag")
        verbose_name_plural = _("beviljade bidrag")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=[c.value for c in GrantState]), name="grant_state_valid"
            ),
            models.CheckConstraint(condition=models.Q(granted_amount__gt=0), name="grant_amount_positive"),
            # Accepted (ACTIVE, CLOSED) exactly when who, when and which terms are recorded.
            models.CheckConstraint(
                condition=(
                    models.Q(state__in=sorted(GRANT_ACCEPTED_STATES))
                    & models.Q(accepted_by__isnull=False, accepted_at__isnull=False)
                    & ~models.Q(terms_sha256="")
                )
                | (
                    ~models.Q(state__in=sorted(GRANT_ACCEPTED_STATES))
                    & models.Q(accepted_by__isnull=True, accepted_at__isnull=True, terms_sha256="")
                ),
                name="grant_accepted_iff_recorded",
            ),
            # Cancelled exactly when the time of it is recorded; only a cancelled grant releases money.
            models.CheckConstraint(
                condition=(models.Q(state=GrantState.CANCELLED) & models.Q(cancelled_at__isnull=False))
                | (~models.Q(state=GrantState.CANCELLED) & models.Q(cancelled_at__isnull=True, released_amount=0)),
                name="grant_cancelled_iff_recorded",
            ),
            models.CheckConstraint(
                condition=models.Q(released_amount__gte=0) & models.Q(released_amount__lte=models.F("granted_amount")),
                name="grant_released_within_granted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.reference_number}: {format_money(self.granted_amount)}"
