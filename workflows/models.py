from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import Application
from grants.models.base import AppendOnlyModel


class CaseEvent(AppendOnlyModel):
    """One line of the case log (ärendelogg): who did what, when, from which state to which. Append-only."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="events", verbose_name=_("ansökan")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utförd av"),
    )
    event = models.CharField(_("händelse"), max_length=60)
    from_state = models.CharField(_("från"), max_length=30, blank=True)
    to_state = models.CharField(_("till"), max_length=30, blank=True)
    note = models.TextField(_("anteckning"), blank=True)
    created_at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("händelse i ärendeloggen")
        verbose_name_plural = _("ärendelogg")
        ordering = ["application", "created_at", "pk"]
        indexes = [models.Index(fields=["application", "created_at"], name="caseevent_app_time")]

    def __str__(self) -> str:
        from .events import event_label

        return f"{self.created_at:%Y-%m-%d %H:%M} {event_label(self.event)}"
