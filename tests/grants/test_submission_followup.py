"""After a submission: the receipt and the archive copy are the worker's, queued in the submission's own
transaction; and the diarienummer is the last thing a submission takes (the year's counter row stays locked
from then until commit, and every submission of the year waits for it)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from documents.models import Document
from grants.models import Message, RegistrationCounter
from grants.services.applications import application_receipt_send, application_submit
from grants.tasks import application_submission_followup
from workflows.application import ApplicationFlow
from workflows.models import CaseEvent

FOLLOWUP = "grants.tasks.application_submission_followup"


class PlannedFailure(Exception):
    pass


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_database_queue_gets_the_followup_inside_the_submission(database_queue, draft, applicant):
    with CaptureQueriesContext(connection) as queries:
        application_submit(actor=applicant, application=draft, now=timezone.now())
    task = DBTaskResult.objects.get(task_path=FOLLOWUP)
    assert task.args_kwargs == {"args": [draft.pk, applicant.pk], "kwargs": {}}
    # Written in the transaction, before the number was taken: not an on-commit afterthought.
    sql = [q["sql"] for q in queries.captured_queries]
    enqueue = next(i for i, s in enumerate(sql) if s.startswith(f'INSERT INTO "{DBTaskResult._meta.db_table}"'))
    counter = next(i for i, s in enumerate(sql) if "grants_registrationcounter" in s)
    assert enqueue < counter
    assert not Message.objects.exists()  # the worker writes the receipt


def test_a_failed_submission_leaves_no_followup_queued(database_queue, draft, applicant, monkeypatch):
    def fail(flow, source, target):
        raise PlannedFailure

    monkeypatch.setattr(ApplicationFlow, "_save_submission", fail)
    with pytest.raises(PlannedFailure):
        application_submit(actor=applicant, application=draft, now=timezone.now())
    assert not DBTaskResult.objects.exists()


def test_the_number_is_taken_last(draft, applicant):
    now = timezone.now()
    RegistrationCounter.objects.create(year=timezone.localtime(now).year, last_number=7)  # not the year's first
    with CaptureQueriesContext(connection) as queries:
        application_submit(actor=applicant, application=draft, now=now)
    sql = [q["sql"] for q in queries.captured_queries]
    counter = [i for i, s in enumerate(sql) if "grants_registrationcounter" in s]
    assert len(counter) == 1, "one statement takes the number"
    after = [s for s in sql[counter[0] + 1 :] if s not in ("COMMIT", "RELEASE SAVEPOINT") and "SAVEPOINT" not in s]
    assert len(after) == 1 and after[0].startswith('UPDATE "grants_application"'), after


def test_the_first_submission_of_a_year_creates_the_counter(draft, applicant):
    assert not RegistrationCounter.objects.exists()
    application_submit(actor=applicant, application=draft, now=timezone.now())
    draft.refresh_from_db()
    year = timezone.localtime(draft.submitted_at).year
    assert draft.reference_number == f"{year}-00001"
    assert RegistrationCounter.objects.get(year=year).last_number == 1


def test_the_followup_sends_one_receipt_and_issues_the_archive_copy(
    draft, applicant, django_capture_on_commit_callbacks
):
    application_submit(actor=applicant, application=draft, now=timezone.now())
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        application_submission_followup.call(draft.pk, applicant.pk)
    with django_capture_on_commit_callbacks(execute=True):
        application_submission_followup.call(draft.pk, applicant.pk)  # a retry

    assert len(mail.outbox) == 1
    assert draft.reference_number in mail.outbox[0].subject
    assert draft.reference_number in mail.outbox[0].body
    message = Message.objects.get(application=draft)
    assert (message.event, message.recipient, message.status) == ("application.receipt", applicant, "SENT")
    assert CaseEvent.objects.filter(application=draft, event="message.queued").count() == 1
    assert Document.objects.filter(application=draft, version_number=1).count() == 1


def test_the_receipt_is_in_the_applicants_language(draft, applicant, django_capture_on_commit_callbacks):
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    application_submit(actor=applicant, application=draft, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        application_receipt_send(application=draft, actor=applicant, now=timezone.now() + timedelta(seconds=5))
    assert mail.outbox[0].subject.startswith("Acknowledgement of receipt")


def test_no_receipt_for_a_draft(draft, applicant):
    from grants.errors import ServiceError

    with pytest.raises(ServiceError):
        application_receipt_send(application=draft, actor=applicant, now=timezone.now())
    assert not Message.objects.exists()


@pytest.mark.parametrize("pk", [987654, 2**63 + 5])
def test_submitting_an_application_that_does_not_exist_is_404(client, applicant, pk):
    client.force_login(applicant)
    assert client.post(f"/applications/{pk}/submit/").status_code == 404
    assert not RegistrationCounter.objects.exists()
