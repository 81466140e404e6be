"""A worker killed at any instant of an e-mail task loses nothing and does nothing twice (DESIGN.md §5 rule 9),
as far as SMTP allows.

- The receipt of a submission is written with its delivery task in one transaction: a crash between the two
  leaves neither, so the re-run writes (and sends) it, instead of finding a message that nobody will send.
- E-mail cannot be exactly-once over SMTP: between the server accepting a message and our UPDATE to SENT a
  crash makes the re-run send it again. Every message carries a Message-ID derived from its row, so the copy is
  recognisably the same message (mail clients collapse it).
"""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django_tasks_db.models import DBTaskResult

from grants.models import Message, MessageStatus
from grants.services.applications import application_submit
from grants.services.messages import message_send
from grants.tasks import application_submission_followup, message_deliver

DELIVER = "grants.tasks.message_deliver"


class Crash(Exception):
    """The process dying at this instant: whatever its open transaction held is rolled back."""


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _note(applicant, draft, now) -> Message:
    return message_send(
        recipient=applicant,
        recipient_email=applicant.email,
        application=None,
        event="test.note",
        template="emails/receipt",
        context={"application": draft, "user": applicant},
        language="sv",
        now=now,
    )


def test_a_crash_between_the_receipt_and_its_delivery_task_leaves_nothing_half_done(
    database_queue, draft, applicant, now, monkeypatch
):
    application_submit(actor=applicant, application=draft, now=now)

    def crash(*args, **kwargs):
        raise Crash

    monkeypatch.setattr("grants.services.messages.enqueue_in_transaction", crash)
    with pytest.raises(Crash):
        application_submission_followup.call(draft.pk, applicant.pk)
    assert not Message.objects.filter(application=draft, event="application.receipt").exists()
    monkeypatch.undo()

    assert application_submission_followup.call(draft.pk, applicant.pk) == "receipt queued"  # the re-run
    receipt = Message.objects.get(application=draft, event="application.receipt")
    assert DBTaskResult.objects.filter(task_path=DELIVER, args_kwargs__args__0=receipt.pk).count() == 1


def test_a_rerun_after_the_followup_committed_queues_nothing_twice(database_queue, draft, applicant, now):
    application_submit(actor=applicant, application=draft, now=now)
    application_submission_followup.call(draft.pk, applicant.pk)
    # Killed after its work committed, before the worker marked the task done: the re-run finds the receipt.
    assert application_submission_followup.call(draft.pk, applicant.pk) == "receipt already sent"
    assert Message.objects.filter(application=draft, event="application.receipt").count() == 1
    assert DBTaskResult.objects.filter(task_path=DELIVER).count() == 1
    summaries = DBTaskResult.objects.filter(task_path="documents.tasks.application_summary_generate")
    assert summaries.count() == 1


def test_every_email_carries_a_message_id_derived_from_its_row(applicant, draft, now, settings):
    settings.DEFAULT_FROM_EMAIL = "Samverket Grants <noreply@grants.example.se>"
    first, second = _note(applicant, draft, now), _note(applicant, draft, now)
    message_deliver.call(first.pk)
    message_deliver.call(second.pk)
    ids = [m.message()["Message-ID"] for m in mail.outbox]
    assert ids == [first.email_message_id, second.email_message_id]
    assert ids[0] != ids[1]
    assert ids[0].startswith("<") and ids[0].endswith("@grants.example.se>")
    assert str(first.pk) in ids[0]


def test_a_crash_after_the_server_accepted_resends_the_same_message(applicant, draft, now, monkeypatch):
    """The one window SMTP leaves: the server has the message, our UPDATE to SENT never happened."""
    message = _note(applicant, draft, now)
    real_update = type(Message.objects.all()).update

    def crash_on_sent(queryset, **kwargs):
        if kwargs.get("status") == MessageStatus.SENT:
            raise Crash
        return real_update(queryset, **kwargs)

    monkeypatch.setattr(type(Message.objects.all()), "update", crash_on_sent)
    with pytest.raises(Crash):
        message_deliver.call(message.pk)
    monkeypatch.undo()
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED

    assert message_deliver.call(message.pk) == "sent"  # the re-run after recovery
    assert message_deliver.call(message.pk) == "already sent"
    assert len(mail.outbox) == 2  # at least once, not exactly once …
    assert {m.message()["Message-ID"] for m in mail.outbox} == {message.email_message_id}  # … but the same message
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_failed_send_is_recorded_and_raised(applicant, draft, now, settings):
    settings.EMAIL_BACKEND = "tests.grants.test_delivery_crash.RefusingBackend"
    message = _note(applicant, draft, now)
    with pytest.raises(ConnectionRefusedError):
        message_deliver.call(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "refused" in message.error


class RefusingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("refused by the test")
