from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.models import Application
from grants.models.base import AppendOnlyModel
from grants.models.states import Lifecycle


class CaseEvent(AppendOnlyModel):
    """One line of the case log (ärendelogg): who did what, when, from which state to which. Append-only.

    `lifecycle` says whose states `from_state`/`to_state` are (an application's SUBMITTED is not a report's),
    `subject_id` which record of that lifecycle the event is about (the grant, payout, report …; none for the
    application itself, which is `application`). A payout batch spans many cases: its events have no
    application, only the batch as subject."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("ansökan")
    )
    lifecycle = models.CharField(
        _("livscykel"), max_length=12, choices=Lifecycle.choices, default=Lifecycle.APPLICATION
    )
    subject_id = models.PositiveBigIntegerField(_("avser id"), null=True, blank=True)
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lifecycle__in=Lifecycle.values), name="caseevent_lifecycle_valid"
            ),
            # Only a batch event stands outside a case.
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(lifecycle=Lifecycle.BATCH),
                name="caseevent_case_unless_batch",
            ),
            # An application event is about the application itself; any other names its record.
            models.CheckConstraint(
                condition=(models.Q(lifecycle=Lifecycle.APPLICATION) & models.Q(subject_id__isnull=True))
                | (~models.Q(lifecycle=Lifecycle.APPLICATION) & models.Q(subject_id__isnull=False)),
                name="caseevent_subject_per_lifecycle",
            ),
        ]

    def __str__(self) -> str:
        from .events import event_label

        return f"{self.created_at:%Y-%m-%d %H:%M} {event_label(self.event)}"
