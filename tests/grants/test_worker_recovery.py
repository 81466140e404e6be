"""Recovering what a dead worker left RUNNING (grants/worker.py): a task is queued again when its worker's
heartbeat is older than the lease, or absent and the task older than the lease; never while the worker
lives; once only; and a row another recovering worker holds is skipped, not waited for."""

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grants.management.commands.run_worker import HeartbeatWorker
from grants.models import WorkerHeartbeat
from grants.worker import (
    heartbeat_beat,
    heartbeat_register,
    heartbeat_remove,
    stale_tasks_requeue,
    task_is_orphaned,
)

from .worker_tasks import nap, stopped_by_exit

LEASE = 60


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WORKER_LEASE_SECONDS = LEASE


def _task(*, status="RUNNING", worker="w1", started=None, now=None):
    result = nap.enqueue(0, "/dev/null")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status, worker_ids=[worker] if worker else [], started_at=started or now
    )
    return str(DBTaskResult.objects.get(pk=result.id).pk)


def _beat(worker, at):
    WorkerHeartbeat.objects.update_or_create(worker_id=worker, defaults={"started_at": at, "beat_at": at})


def _status(task_id):
    return DBTaskResult.objects.get(pk=task_id).status


@pytest.mark.django_db
def test_a_task_on_a_worker_whose_heartbeat_is_older_than_the_lease_is_queued_again(now):
    _beat("dead", now - timedelta(seconds=LEASE + 1))
    _beat("alive", now - timedelta(seconds=LEASE - 1))
    orphan = _task(worker="dead", started=now - timedelta(seconds=5))
    busy = _task(worker="alive", started=now - timedelta(hours=2))  # a long task on a live worker is left alone

    assert stale_tasks_requeue(now=now) == [orphan]
    assert (_status(orphan), _status(busy)) == ("READY", "RUNNING")
    task = DBTaskResult.objects.get(pk=orphan)
    assert task.worker_ids == ["dead"] and task.started_at is None  # the interrupted attempt stays on record
    # The dead worker's row is cleared away; the live one stays.
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {"alive"}


@pytest.mark.django_db
def test_a_task_whose_worker_has_no_heartbeat_gets_one_lease(now):
    old = _task(worker="gone", started=now - timedelta(seconds=LEASE + 1))
    young = _task(worker="plain-db-worker", started=now - timedelta(seconds=LEASE - 1))

    assert stale_tasks_requeue(now=now) == [old]
    assert (_status(old), _status(young)) == ("READY", "RUNNING")
    assert stale_tasks_requeue(now=now + timedelta(seconds=2)) == [young]


@pytest.mark.django_db
def test_recovery_is_idempotent_and_touches_only_running_tasks(now):
    _beat("dead", now - timedelta(hours=1))
    orphan = _task(worker="dead", started=now - timedelta(hours=1))
    others = {s: _task(status=s, worker="dead", started=now - timedelta(hours=1)) for s in ("READY", "FAILED")}
    others["SUCCESSFUL"] = _task(status="SUCCESSFUL", worker="dead", started=now - timedelta(hours=1))

    assert stale_tasks_requeue(now=now) == [orphan]
    assert stale_tasks_requeue(now=now) == []
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    assert {s: _status(t) for s, t in others.items()} == {s: s for s in others}


@pytest.mark.django_db
def test_only_the_given_tasks_are_queued_again(now):
    first = _task(worker="gone", started=now - timedelta(hours=1))
    second = _task(worker="gone", started=now - timedelta(hours=1))
    assert stale_tasks_requeue(now=now, task_ids=[second]) == [second]
    assert (_status(first), _status(second)) == ("RUNNING", "READY")


@pytest.mark.django_db
def test_a_starting_worker_takes_back_what_an_earlier_process_with_its_id_left(now):
    """A worker restarted with a fixed --worker-id: its fresh heartbeat must not hide its predecessor's task."""
    _beat("worker-1", now)
    left = _task(worker="worker-1", started=now - timedelta(seconds=10))
    assert stale_tasks_requeue(now=now) == []
    assert stale_tasks_requeue(now=now, own_worker_id="worker-1") == [left]


@pytest.mark.django_db
def test_the_heartbeat_is_written_renewed_and_removed(now):
    heartbeat_register(worker_id="w1", now=now)
    row = WorkerHeartbeat.objects.get()
    assert (row.started_at, row.beat_at) == (now, now) and row.pid and row.hostname
    assert heartbeat_beat(worker_id="w1", now=now + timedelta(seconds=10)) is True
    assert WorkerHeartbeat.objects.get().beat_at == now + timedelta(seconds=10)
    heartbeat_remove(worker_id="w1")
    assert not WorkerHeartbeat.objects.exists()
    # Taken for dead and cleared away while it lived: the next beat says so, and writes the row again.
    assert heartbeat_beat(worker_id="w1", now=now + timedelta(seconds=20)) is False
    assert WorkerHeartbeat.objects.get().beat_at == now + timedelta(seconds=20)


def test_orphaned_is_decided_by_the_last_worker_that_claimed_the_task(now, settings):
    settings.WORKER_LEASE_SECONDS = LEASE
    beats = {"old": now - timedelta(hours=1), "new": now}
    started = now - timedelta(hours=1)
    assert task_is_orphaned(["new", "old"], started, beats, now) is True
    assert task_is_orphaned(["old", "new"], started, beats, now) is False
    assert task_is_orphaned([], None, beats, now) is True


@pytest.mark.django_db
def test_a_task_stopped_by_the_workers_own_exit_goes_back_to_the_queue():
    """A second Ctrl-C or SIGTERM raises SystemExit inside the task: not a failure to show a person."""
    row = DBTaskResult.objects.get(pk=stopped_by_exit.enqueue().id)
    row.claim("w1")
    worker = HeartbeatWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )
    worker.run_task(row)
    task = DBTaskResult.objects.get(pk=row.pk)
    assert (task.status, task.worker_ids, task.exception_class_path, task.started_at) == ("READY", ["w1"], "", None)


@pytest.mark.django_db
def test_a_task_that_fails_on_its_own_stays_failed():
    row = DBTaskResult.objects.get(pk=nap.enqueue("not a number", "/dev/null").id)
    row.claim("w1")
    HeartbeatWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    ).run_task(row)
    assert _status(row.pk) == "FAILED"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_held_by_another_recovering_worker_is_skipped_not_waited_for(now):
    orphan = _task(worker="gone", started=now - timedelta(hours=1))
    held, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                list(DBTaskResult.objects.select_for_update().filter(pk=orphan))
                held.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(timeout=30)
        started = timezone.now()
        assert stale_tasks_requeue(now=now) == []  # skipped: the other worker has it
        assert (timezone.now() - started).total_seconds() < 5
        assert _status(orphan) == "RUNNING"
    finally:
        release.set()
        thread.join(timeout=30)
    assert stale_tasks_requeue(now=now) == [orphan]
    assert stale_tasks_requeue(now=now) == []


def test_the_first_sigterm_never_exits_from_inside_the_signal_handler():
    """The library exits at once (SystemExit from the handler) when no task runs. The handler runs at whatever
    bytecode the main thread is at: right after a BEGIN that waited for SQLite's lock, before Django records
    it, so the worker's last writes fail ("cannot start a transaction within a transaction") and it exits 1.
    The first signal only ends the loop, after the current claim, task or --interval sleep."""
    import signal

    worker = HeartbeatWorker(
        queue_names=["default"],
        interval=0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="w1",
        excluded_queue_names=[],
    )
    worker.shutdown(signal.SIGTERM, None)  # not running a task: the library would raise SystemExit here
    assert worker.running is False
    with pytest.raises(SystemExit):  # a second signal still forces the stop
        worker.shutdown(signal.SIGTERM, None)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
