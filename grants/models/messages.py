from datetime import UTC
from email.utils import parseaddr

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .applications import Application
from .states import MessageStatus


class MessageChannel(models.TextChoices):
    EMAIL = "EMAIL", _("E-post")
    PORTAL = "PORTAL", _("I portalen")


class Message(models.Model):
    """A message to a person, kept for the case file; e-mail is sent by the worker after commit."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("mottagare"),
    )
    recipient_email = models.EmailField(verbose_name=_("mottagarens e-post"))
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="messages", verbose_name=_("ansökan")
    )
    event = models.CharField(max_length=60, verbose_name=_("händelse"))
    subject = models.CharField(max_length=200, verbose_name=_("ämne"))
    body = models.TextField(verbose_name=_("text"))
    channel = models.CharField(
        max_length=10, choices=MessageChannel.choices, default=MessageChannel.EMAIL, verbose_name=_("kanal")
    )
    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED, verbose_name=_("leveransstatus")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("skapad"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("skickad"))
    error = models.TextField(blank=True, verbose_name=_("fel"))

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

    @property
    def email_message_id(self) -> str:
        """The e-mail's Message-ID header, the same on every attempt to send this message: a copy sent again
        after a crash (SMTP cannot be exactly-once) is recognisably the same message, and mail clients show it
        once. The row's id and creation instant make it unique to this message and this installation's
        sender domain; UTC, so it reads the same whatever time zone the instant was given in."""
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "samverket.invalid"
        return f"<message.{self.pk}.{self.created_at.astimezone(UTC).strftime('%Y%m%d%H%M%S%f')}@{domain}>"
