"""Background work for documents, run by `manage.py run_worker`. A failure raises, so the worker records it.
Each task is idempotent: run again after a crash, it returns the document already issued."""

from django.utils import timezone
from django_tasks import task

from .services import application_summary_issue, decision_letter_issue


@task()
def decision_letter_generate(decision_id: int) -> int:
    """Issue the Swedish decision letter of a decision (idempotent); returns the Document's id."""
    return decision_letter_issue(decision_id=decision_id, now=timezone.now()).pk


@task()
def application_summary_generate(application_id: int, version_number: int) -> int:
    """Issue the archive copy of a submitted version (idempotent); returns the Document's id."""
    document = application_summary_issue(
        application_id=application_id, version_number=version_number, now=timezone.now()
    )
    return document.pk
