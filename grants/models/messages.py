from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .applications import Application


class MessageChannel(models.TextChoices):
    EMAIL = "EMAIL", _("E-post")
    PORTAL = "PORTAL", _("I portalen")


class MessageStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Köad")
    SENT = "SENT", _("Skickad")
    FAILED = "FAILED", _("Misslyckad")


class Message(models.Model):
    """A message to a person, kept for the case file; e-mail is sent by the worker after commit."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    recipient_email = models.EmailField()
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    event = models.CharField(max_length=60)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    channel = models.CharField(max_length=10, choices=MessageChannel.choices, default=MessageChannel.EMAIL)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("meddelande")
        verbose_name_plural = _("meddelanden")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[c.value for c in MessageStatus]), name="message_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_email}"
