"""Background work, run by `manage.py db_worker` (django-tasks with the database backend)."""

import logging

from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from grants.models import Message, MessageStatus

logger = logging.getLogger("samverket")


@task()
def message_deliver(message_id: int) -> str:
    """Send one queued e-mail and record the outcome on the message."""
    message = Message.objects.get(pk=message_id)
    if message.status == MessageStatus.SENT:
        return "already sent"
    try:
        send_mail(message.subject, message.body, None, [message.recipient_email])
    except Exception as exc:  # the mail server is the outside world: record and let the worker retry later
        logger.warning("e-mail %s to %s failed: %s", message.pk, message.recipient_email, exc)
        Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error=str(exc)[:2000])
        raise
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, sent_at=timezone.now(), error="")
    return "sent"
