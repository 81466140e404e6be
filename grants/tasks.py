"""Background work, run by `manage.py run_worker` (django-tasks with the database backend; grants/worker.py)."""

import logging
from contextlib import nullcontext
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import connection as db_connection
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
    """Send one queued e-mail and record the outcome on the message.

    Once SENT, never again. Where the database has row locks (PostgreSQL) the message row stays locked from
    before the send until SENT is committed, so a second attempt running at the same time (a task queued again
    while its first worker still lived) waits and then finds it SENT. SMTP itself cannot be exactly-once: a
    worker killed after the server accepted the message and before SENT is committed sends it again when the
    task is recovered. That window is kept to the UPDATE and its COMMIT (the connection is opened first and
    closed only after the commit, so the QUIT round trip falls outside it), and both copies carry the same
    Message-ID (`Message.email_message_id`), so mail clients show one. SQLite has no row locks: there the
    send runs outside any transaction, not to hold the database's only write lock while a mail server answers."""
    failure: Exception | None = None
    mail = get_connection()
    locks = db_connection.features.has_select_for_update
    try:
        with transaction.atomic() if locks else nullcontext():
            message = Message.objects.select_for_update().get(pk=message_id)
            if message.status == MessageStatus.SENT:
                return "already sent"
            email = EmailMessage(
                message.subject,
                message.body,
                None,
                [message.recipient_email],
                headers={"Message-ID": message.email_message_id},
                connection=mail,
            )
            try:
                mail.open()
                email.send()
            except Exception as exc:  # the mail server is the outside world: record, and let the task fail
                logger.warning("e-mail %s to %s failed: %s", message.pk, message.recipient_email, exc)
                failure = exc
                Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error=str(exc)[:2000])
            else:
                Message.objects.filter(pk=message.pk).update(
                    status=MessageStatus.SENT, sent_at=timezone.now(), error=""
                )
    finally:
        mail.close()
    if failure is not None:
        raise failure
    return "sent"


@task()
def application_submission_followup(application_id: int, actor_id: int) -> str:
    """After a submission: the receipt e-mail to the person who submitted, and the archive copy of version 1.

    Both are queued in one transaction: a worker killed at any instant leaves both or neither, and a re-run
    (the task queued again after a crash) finds the receipt and queues nothing a second time."""
    # Services import this module: import them here, as documents imports grants.
    from documents.tasks import application_summary_generate
    from grants.services.applications import application_receipt_send

    application = Application.objects.get(pk=application_id)
    actor = User.objects.get(pk=actor_id)
    with transaction.atomic():
        message = application_receipt_send(application=application, actor=actor, now=timezone.now())
        if message is not None:
            enqueue_in_transaction(application_summary_generate, application_id, 1)
    return "receipt queued" if message is not None else "receipt already sent"
