"""Background work, run by `manage.py db_worker` (django-tasks with the database backend)."""

import logging
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from grants.models import Application, Message, MessageStatus, User

logger = logging.getLogger("samverket")


def enqueue_in_transaction(task: Task[Any, Any], *args: Any) -> None:
    """Queue a task as part of the current transaction.

    With the database queue (django-tasks-db, the default) the task row is written in the same transaction:
    it exists exactly when the work that asked for it commits, so a crash right after the commit cannot lose
    it, and the worker cannot see it before. Other backends (the immediate one in tests) run the task, so
    they are called after the commit instead.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(*args)
    else:
        transaction.on_commit(lambda: task.enqueue(*args))


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


@task()
def application_submission_followup(application_id: int, actor_id: int) -> str:
    """After a submission: the receipt e-mail to the person who submitted, and the archive copy of version 1.

    Idempotent, so a retry sends no second receipt and issues no second copy."""
    # Services import this module: import them here, as documents imports grants.
    from documents.tasks import application_summary_generate
    from grants.services.applications import application_receipt_send

    application = Application.objects.get(pk=application_id)
    actor = User.objects.get(pk=actor_id)
    message = application_receipt_send(application=application, actor=actor, now=timezone.now())
    application_summary_generate.enqueue(application_id, 1)
    return "receipt queued" if message is not None else "receipt already sent"
