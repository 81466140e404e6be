"""A worker killed in the middle of the letters loses none and doubles none (issue 9 item 2, DESIGN.md §5
rule 9), tested by killing the real `manage.py run_worker` process; and SIGTERM stays graceful.

The workers run as processes of their own on the test database (tests/grants/worker_process.py: the database
is shared as it is on PostgreSQL, copied into a file on SQLite), with a lease of 3 s and e-mail written to
files, so what they sent can be counted.
"""

import signal
import sqlite3
import time
from collections import Counter

import pytest
from django_tasks_db.models import DBTaskResult

from documents.models import Document
from grants.models import Message, WorkerHeartbeat
from workflows.models import CaseEvent

from .worker_process import (
    LEASE_SECONDS,
    Worker,
    json_list,
    seed_approved_decisions,
    sent_message_ids,
    shared_database,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

LETTERS = 50
TASKS = DBTaskResult._meta.db_table
DOCUMENTS = Document._meta.db_table
MESSAGES = Message._meta.db_table
EVENTS = CaseEvent._meta.db_table
HEARTBEATS = WorkerHeartbeat._meta.db_table
LETTER_TASK = "documents.tasks.decision_letter_generate"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def workers():
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def test_killing_the_worker_in_the_middle_of_50_letters_loses_none_and_doubles_none(database_queue, tmp_path, workers):
    decision_ids = seed_approved_decisions(LETTERS)
    db = shared_database(tmp_path)
    db.publish()
    started = time.monotonic()

    def letters() -> int:
        return db.value(f"SELECT COUNT(*) FROM {DOCUMENTS} WHERE kind = 'DECISION_LETTER'")

    def running_letters(timeout: float = 20) -> int:
        sql = f"SELECT COUNT(*) FROM {TASKS} WHERE status = 'RUNNING' AND task_path = '{LETTER_TASK}'"
        return db.value(sql, timeout=timeout)

    # Two workers, killed -9 together once a tenth of the letters exist and a letter is being made. (The
    # timeouts are generous for a loaded machine.)
    first = [Worker(db, tmp_path, f"first-{i}") for i in range(2)]
    workers += first

    def frozen_mid_letter() -> bool:
        """Stop both workers (SIGSTOP) once there is progress; keep them stopped only if a letter is running
        then, so the kill lands in the middle of one, not between two tasks."""
        if not (LETTERS // 10 <= letters() < LETTERS and running_letters() > 0):
            return False
        for worker in first:
            worker.signal(signal.SIGSTOP)
        try:
            if running_letters(timeout=1) > 0:
                return True
        except sqlite3.OperationalError:  # stopped in the middle of a claim, holding SQLite's lock
            pass
        for worker in first:
            worker.signal(signal.SIGCONT)
        return False

    wait_until(frozen_mid_letter, timeout=240, what="the first letters", workers=first)
    for worker in first:
        worker.kill()
    at_kill = letters()
    left_running = db.value(f"SELECT COUNT(*) FROM {TASKS} WHERE status = 'RUNNING'")
    assert left_running >= 1
    assert at_kill < LETTERS

    killed_at = time.monotonic() - started
    # Two new workers finish the rest, and take the dead workers' tasks again once their lease is out.
    last = [Worker(db, tmp_path, f"last-{i}") for i in range(2)]
    workers += last

    def all_done() -> bool:
        open_tasks = db.value(f"SELECT COUNT(*) FROM {TASKS} WHERE status IN ('READY', 'RUNNING')")
        sent = db.value(f"SELECT COUNT(*) FROM {MESSAGES} WHERE status = 'SENT'")
        return open_tasks == 0 and sent >= LETTERS

    wait_until(all_done, timeout=400, what="every letter and e-mail", workers=last)
    elapsed = time.monotonic() - started
    for worker in last:
        worker.signal(signal.SIGTERM)
    exits = [worker.wait(timeout=30) for worker in last]
    assert exits == [0, 0], "\n".join(f"--- {w.name}:\n{w.output()[-4000:]}" for w in last)

    # 50 letters, each exactly once: one Document per decision and language.
    issued = db.rows(f"SELECT decision_id, language, COUNT(*) FROM {DOCUMENTS} GROUP BY decision_id, language")
    assert sorted(row[0] for row in issued) == sorted(decision_ids)
    assert {(row[1], row[2]) for row in issued} == {("sv", 1)}
    # The case log has one document.issued per letter.
    logged = db.rows(
        f"SELECT application_id, COUNT(*) FROM {EVENTS} WHERE event = 'document.issued' GROUP BY application_id"
    )
    assert len(logged) == LETTERS and {row[1] for row in logged} == {1}
    # One decision e-mail per letter, sent: 50 messages, 50 distinct Message-IDs in what reached the server.
    messages = db.rows(f"SELECT id, status FROM {MESSAGES} WHERE event = 'application.decided'")
    assert len(messages) == LETTERS and {row[1] for row in messages} == {"SENT"}
    copies = sent_message_ids(tmp_path / "mail")
    distinct = set(copies)
    assert len(distinct) == LETTERS
    assert {int(mid.split(".")[1]) for mid in distinct} == {row[0] for row in messages}
    duplicates = {mid: n for mid, n in Counter(copies).items() if n > 1}
    assert len(copies) - len(distinct) <= left_running, duplicates  # only a kill inside SMTP's own window
    # No task left RUNNING, none failed; the interrupted ones ran again.
    statuses = dict(db.rows(f"SELECT status, COUNT(*) FROM {TASKS} GROUP BY status"))
    assert statuses == {"SUCCESSFUL": 2 * LETTERS}, statuses
    claims = [len(json_list(row[0])) for row in db.rows(f"SELECT worker_ids FROM {TASKS}")]
    recovered = sum(n > 1 for n in claims)
    assert recovered >= left_running
    assert db.value(f"SELECT COUNT(*) FROM {HEARTBEATS}") == 0  # the dead workers' rows cleared, the last ones' removed
    # Every letter's file is there; a file written by a killed worker before its commit is left over.
    documents = tmp_path / "private" / "documents"
    files = [p for p in documents.rglob("*.pdf")]
    stored = {row[0] for row in db.rows(f"SELECT file FROM {DOCUMENTS}")}
    assert stored <= {str(p.relative_to(tmp_path / "private")) for p in files}
    print(
        f"\nkill test: {len(issued)} letters ({at_kill} when 2 workers were killed -9, {left_running} tasks left "
        f"RUNNING), {len(copies)} decision e-mails sent ({len(distinct)} distinct Message-IDs), "
        f"{recovered} tasks recovered and run again, {len(files) - len(stored)} left-over files; "
        f"killed after {killed_at:.1f} s, all done after {elapsed:.1f} s (lease {LEASE_SECONDS} s)"
    )


def test_sigterm_lets_the_running_task_finish_while_the_heartbeat_goes_on(database_queue, tmp_path, workers):
    from .worker_tasks import nap

    marker = tmp_path / "started"
    task_id = nap.enqueue(4.0, str(marker)).id
    db = shared_database(tmp_path)
    db.publish()
    worker = Worker(db, tmp_path, "graceful")
    workers.append(worker)
    wait_until(marker.exists, timeout=60, what="the task to start", workers=[worker])

    worker.signal(signal.SIGTERM)
    signalled = db.value(f"SELECT beat_at FROM {HEARTBEATS} WHERE worker_id = '{worker.worker_id}'")
    time.sleep(LEASE_SECONDS / 2)
    assert worker.process.poll() is None, "SIGTERM must let the task finish"
    beat = db.value(f"SELECT beat_at FROM {HEARTBEATS} WHERE worker_id = '{worker.worker_id}'")
    assert beat > signalled, "the heartbeat stopped while the last task ran: another worker would take it"

    assert worker.wait(timeout=30) == 0
    status = db.value(f"SELECT status FROM {TASKS} WHERE id = '{task_id.replace('-', '')}' OR id = '{task_id}'")
    assert status == "SUCCESSFUL"
    assert not db.rows(f"SELECT worker_id FROM {HEARTBEATS} WHERE worker_id = '{worker.worker_id}'")


def test_a_second_sigterm_stops_the_task_and_queues_it_again(database_queue, tmp_path, workers):
    from .worker_tasks import nap

    marker = tmp_path / "started"
    task_id = nap.enqueue(30.0, str(marker)).id
    db = shared_database(tmp_path)
    db.publish()
    worker = Worker(db, tmp_path, "forced")
    workers.append(worker)
    wait_until(marker.exists, timeout=60, what="the task to start", workers=[worker])

    worker.signal(signal.SIGTERM)
    time.sleep(0.5)
    worker.signal(signal.SIGTERM)
    worker.wait(timeout=30)
    row = db.rows(f"SELECT status, worker_ids FROM {TASKS} WHERE id = '{task_id.replace('-', '')}' OR id = '{task_id}'")
    assert row[0][0] == "READY", "a task stopped by the worker's own exit is queued again, not failed"
    assert json_list(row[0][1]) == [worker.worker_id]
