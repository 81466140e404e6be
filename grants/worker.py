"""The task worker's heartbeat, and queueing again what a dead worker left RUNNING (DESIGN.md §5 rule 9).

django-tasks-db marks a task RUNNING when a worker claims it and then only the same worker ever finishes it:
a worker killed with -9 (or by the OOM killer, a power cut, a lost container) leaves the row RUNNING for
good, and no other worker takes it, since workers take READY rows only. So `manage.py run_worker` runs the
library's worker with a heartbeat: a background thread renews the worker's `WorkerHeartbeat` row every
lease/6 seconds for as long as the process lives, also while it finishes its last task after a SIGTERM.

A RUNNING task is orphaned when the worker that claimed it last (the last entry of `worker_ids`) has not
beaten within the lease (`WORKER_LEASE_SECONDS`, 60 s by default), or has no heartbeat row at all and the
task started longer than a lease ago (a worker without heartbeat, such as the library's own `db_worker`,
gets one lease per task). `stale_tasks_requeue` puts orphaned rows back to READY — the same row, so its
history (`worker_ids`) shows the interrupted attempt — under row locks taken with SKIP LOCKED, so two
workers recovering at the same moment never both take a row. Every worker does it at start-up and on every
heartbeat. The tasks themselves are idempotent (a letter is one Document by its unique constraint, an
e-mail is not sent again once it is SENT), so running one again after a crash at any instant does nothing
twice — but for SMTP's own window, in which an e-mail may go out twice with one Message-ID (grants/tasks.py).

The worker itself (`HeartbeatWorker`) is in grants/management/commands/run_worker.py. The clocks of the
machines running workers must agree to well within the lease (NTP does).
"""

import logging
import os
import socket
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from grants.models import WorkerHeartbeat

logger = logging.getLogger("samverket")

RUNNING, READY = TaskResultStatus.RUNNING, TaskResultStatus.READY


def lease() -> timedelta:
    return timedelta(seconds=settings.WORKER_LEASE_SECONDS)


def heartbeat_interval() -> float:
    """Seconds between heartbeats: six beats fit in a lease, so a slow beat or two does not look like death."""
    return settings.WORKER_LEASE_SECONDS / 6


def heartbeat_register(*, worker_id: str, now: datetime) -> None:
    """Write the worker's heartbeat row as it starts (replacing a row left by an earlier process of that id)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "started_at": now, "beat_at": now},
    )


def heartbeat_beat(*, worker_id: str, now: datetime) -> bool:
    """Renew the heartbeat. False when the row was gone — the worker was taken for dead (it did not beat
    within the lease) and its task may have been queued again; the row is written anew."""
    if WorkerHeartbeat.objects.filter(pk=worker_id).update(beat_at=now):
        return True
    heartbeat_register(worker_id=worker_id, now=now)
    return False


def heartbeat_remove(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(pk=worker_id).delete()


def worker_beats() -> dict[str, datetime]:
    """The last heartbeat of every worker that has a row, by worker id. One query; one row per worker."""
    return dict(WorkerHeartbeat.objects.values_list("worker_id", "beat_at"))


def task_is_orphaned(
    worker_ids: Sequence[str], started_at: datetime | None, beats: Mapping[str, datetime], now: datetime
) -> bool:
    """Whether a RUNNING task's worker is dead: its last heartbeat is older than the lease, or it has none and
    the task started longer than a lease ago."""
    cutoff = now - lease()
    beat = beats.get(worker_ids[-1]) if worker_ids else None
    if beat is not None:
        return beat < cutoff
    return started_at is None or started_at < cutoff


def stale_tasks_requeue(
    *, now: datetime, task_ids: Collection[str] | None = None, own_worker_id: str | None = None
) -> list[str]:
    """Queue again (READY) every RUNNING task whose worker is dead (`task_is_orphaned`), or only those of
    `task_ids`. `own_worker_id`: the worker calling this as it starts, which runs nothing yet, so a task still
    RUNNING under its id was left by an earlier process with that id. Heartbeat rows older than the lease are
    removed. Returns the ids queued again."""
    with transaction.atomic():
        beats = worker_beats()
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(status=RUNNING)
        if task_ids is not None:
            running = running.filter(pk__in=list(task_ids))
        orphaned = [
            str(task.pk)
            for task in running.only("id", "worker_ids", "started_at")
            if (own_worker_id is not None and task.worker_ids and task.worker_ids[-1] == own_worker_id)
            or task_is_orphaned(task.worker_ids, task.started_at, beats, now)
        ]
        if orphaned:
            DBTaskResult.objects.filter(pk__in=orphaned, status=RUNNING).update(status=READY, started_at=None)
        WorkerHeartbeat.objects.filter(beat_at__lt=now - lease()).delete()
    for task_id in orphaned:
        logger.warning("task %s was RUNNING on a dead worker: queued again", task_id)
    return orphaned
