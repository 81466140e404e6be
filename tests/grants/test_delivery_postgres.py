"""Two attempts at the same e-mail work at the same moment — a task queued again while its first worker still
lived (its heartbeat late past the lease), or a retry — on PostgreSQL with real parallel connections: the
receipt is written once, and a message is sent once."""

import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connections
from django.utils import timezone

from grants.models import Message, MessageStatus
from grants.services.applications import application_receipt_send, application_submit
from grants.services.messages import message_send
from grants.tasks import message_deliver

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ATTEMPTS = 4


class SlowBackend(LocmemBackend):
    """A mail server that takes half a second to accept each message."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


def _together(fn):
    barrier = threading.Barrier(ATTEMPTS)
    results: list[object] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait(timeout=30)
            result: object = fn()
        except Exception as exc:  # any error is a bug: a second attempt must find the first one's work
            result = exc
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_parallel_attempts_write_one_receipt(settings, draft, applicant):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    application_submit(actor=applicant, application=draft, now=timezone.now())

    results = _together(lambda: application_receipt_send(application=draft, actor=applicant, now=timezone.now()))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert Message.objects.filter(application=draft, event="application.receipt").count() == 1
    assert sum(r is not None for r in results) == 1


def test_parallel_attempts_send_a_message_once(settings, draft, applicant):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EMAIL_BACKEND = "tests.grants.test_delivery_postgres.SlowBackend"
    message = message_send(
        recipient=applicant,
        recipient_email=applicant.email,
        application=None,
        event="test.note",
        template="emails/receipt",
        context={"application": draft, "user": applicant},
        language="sv",
        now=timezone.now(),
    )

    results = _together(lambda: message_deliver.call(message.pk))

    assert sorted(map(str, results)) == ["already sent"] * (ATTEMPTS - 1) + ["sent"]
    assert len(mail.outbox) == 1
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT
