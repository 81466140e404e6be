"""enqueue_in_transaction: with the database queue the task row is part of the transaction that asks for it;
with any other backend the task is handed over after the commit."""

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from grants.models import Message
from grants.services.messages import message_send
from grants.tasks import enqueue_in_transaction, message_deliver


class Rollback(Exception):
    pass


def _send(applicant, draft):
    return message_send(
        recipient=applicant,
        recipient_email=applicant.email,
        application=None,
        event="test.note",
        template="emails/receipt",
        context={"application": draft, "user": applicant},
        language="sv",
        now=applicant.date_joined,
    )


def test_database_queue_rows_commit_and_roll_back_with_the_work(settings, applicant, draft):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with pytest.raises(Rollback), transaction.atomic():
        _send(applicant, draft)
        assert DBTaskResult.objects.filter(task_path="grants.tasks.message_deliver").count() == 1
        raise Rollback
    assert not DBTaskResult.objects.exists()
    assert not Message.objects.exists()

    with transaction.atomic():
        message = _send(applicant, draft)
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [message.pk]


def test_other_backends_get_the_task_after_commit(applicant, draft, django_capture_on_commit_callbacks):
    # The tests' immediate backend would run the task at once, inside the transaction: it must wait.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _send(applicant, draft)
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.status == "SENT"


def test_enqueue_in_transaction_passes_the_arguments(settings, applicant):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    enqueue_in_transaction(message_deliver, 12345)
    assert DBTaskResult.objects.get().args_kwargs == {"args": [12345], "kwargs": {}}
