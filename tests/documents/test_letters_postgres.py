"""Issuing a letter is race-safe (DESIGN.md §6: generated once), on PostgreSQL with real parallel
connections: eight workers issue the same decision letter at the same instant; one row, one file, one
case-log line, and every worker gets that same document back.

Deciding already issued the Swedish letter (on commit, the test settings run tasks at once), so the race is
run on the English one, which nothing issues until asked."""

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connections

from documents.models import Document
from documents.services import decision_letter_issue
from grants.models import ApplicationState
from tests.workflows.lifecycle import bring_to
from workflows.models import CaseEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 8


def test_parallel_issuing_makes_one_letter(letter_draft, cast, letter_now):
    application = bring_to(letter_draft, ApplicationState.APPROVED, cast, letter_now)
    decision_id = application.decisions.get().pk
    barrier = threading.Barrier(WORKERS)
    results: list[object] = []
    lock = threading.Lock()

    def issue() -> None:
        try:
            barrier.wait(timeout=60)
            result: object = decision_letter_issue(decision_id=decision_id, language="en", now=letter_now).pk
        except Exception as exc:  # any error is a bug: losers must get the winner's document
            result = exc
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=issue) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert Document.objects.filter(decision_id=decision_id, language="sv").count() == 1
    document = Document.objects.get(decision_id=decision_id, language="en")
    assert results == [document.pk] * WORKERS
    events = CaseEvent.objects.filter(application=application, event="document.issued")
    assert [e.note.split()[0] for e in events if e.note.startswith("beslut-")].count(document.filename) == 1
    folder = document.file.name.rsplit("/", 1)[0]
    stored = {f"{folder}/{name}" for name in default_storage.listdir(folder)[1]}
    assert stored == {d.file.name for d in Document.objects.all()}, "a losing worker left its file behind"
