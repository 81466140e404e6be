"""`manage.py run_worker`: the task worker to run beside the web app — django-tasks-db's `db_worker` with a
heartbeat, so that what a killed worker was running is queued again (grants/worker.py).

Takes every option of `db_worker` (`--queue-name`, `--interval`, `--batch`, `--max-tasks`, `--worker-id` …).
SIGTERM and Ctrl-C stay graceful: the current task is finished (the heartbeat goes on meanwhile), or the
current `--interval` sleep, then the worker removes its heartbeat and exits; a second signal stops the task,
which goes back to the queue.
`--reload` is off by default, also with DEBUG: a reload kills the running task (it would be recovered, but
only after the lease)."""

import logging
import os
import signal
import threading
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import CommandError
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from grants.models import WorkerHeartbeat
from grants.worker import (
    heartbeat_beat,
    heartbeat_interval,
    heartbeat_register,
    heartbeat_remove,
    lease,
    stale_tasks_requeue,
)

logger = logging.getLogger("samverket")

READY, FAILED = TaskResultStatus.READY, TaskResultStatus.FAILED
# A task stopped by the process's own exit (a second Ctrl-C or SIGTERM while it runs): interrupted, not failed.
INTERRUPTIONS = frozenset({"builtins.SystemExit", "builtins.KeyboardInterrupt"})


class HeartbeatWorker(db_worker.Worker):
    """django-tasks-db's worker with a heartbeat thread and recovery of orphaned tasks (grants/worker.py)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._stopping = threading.Event()
        self.recovered: list[str] = []

    def run(self) -> None:
        if WorkerHeartbeat.objects.filter(pk=self.worker_id, beat_at__gte=timezone.now() - lease()).exists():
            logger.warning("worker id %s has a fresh heartbeat: is another worker using it?", self.worker_id)
        heartbeat_register(worker_id=self.worker_id, now=timezone.now())
        self.recovered += stale_tasks_requeue(now=timezone.now(), own_worker_id=self.worker_id)
        beating = threading.Thread(target=self._beat, name=f"heartbeat-{self.worker_id}", daemon=True)
        beating.start()
        try:
            super().run()
        finally:
            # Only now: after a SIGTERM the library lets the current task finish, and it must not look dead
            # (and be taken by another worker) meanwhile.
            self._stopping.set()
            beating.join(timeout=heartbeat_interval() + 5)
            try:
                heartbeat_remove(worker_id=self.worker_id)
            except Exception:  # after a forced stop the connection may be unusable; the row expires anyway
                logger.exception("worker %s: could not remove its heartbeat", self.worker_id)

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if not self.running:
            super().shutdown(signum, frame)  # a second signal: the library's forced stop
            return
        # The library exits at once, from inside this handler, when no task runs. A handler runs at whatever
        # bytecode the main thread is at, e.g. right after a BEGIN that waited for SQLite's lock and before
        # Django records it: the worker's last writes then fail and it exits 1 with a transaction open. So
        # the first signal only ends the loop, after the current claim, task or --interval sleep.
        logger.warning(
            "Received %s - shutting down gracefully... (press Ctrl+C again to force)", signal.strsignal(signum)
        )
        self.running = False

    def _beat(self) -> None:
        try:
            while not self._stopping.wait(heartbeat_interval()):
                close_old_connections()
                try:
                    if not heartbeat_beat(worker_id=self.worker_id, now=timezone.now()):
                        logger.warning("worker %s was taken for dead; its current task may run twice", self.worker_id)
                    self.recovered += stale_tasks_requeue(now=timezone.now())
                except Exception:  # the database is away: try again at the next beat
                    logger.exception("worker %s: heartbeat failed", self.worker_id)
        finally:
            connection.close()  # this thread's own connection

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status == FAILED and db_task_result.exception_class_path in INTERRUPTIONS:
            # Stopped by a forced shutdown, not by a fault of its own: its transaction was rolled back, so it
            # goes back to the queue like a task of a killed worker, instead of waiting for a person to retry.
            DBTaskResult.objects.filter(pk=db_task_result.pk, status=FAILED).update(
                status=READY, started_at=None, finished_at=None, exception_class_path="", traceback=""
            )
            logger.warning("task %s was interrupted by the worker's shutdown: queued again", db_task_result.pk)


class Command(db_worker.Command):
    help = "Run the background task worker, with a heartbeat and recovery of tasks left by a dead worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        if not lease().total_seconds() > 0:
            raise CommandError("WORKER_LEASE_SECONDS must be more than 0.")
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = HeartbeatWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        if options["verbosity"]:
            self.stdout.write(
                f"worker {worker.worker_id}: heartbeat every {heartbeat_interval():g} s, "
                f"lease {lease().total_seconds():g} s"
            )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloader's child runs the worker
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
        if worker.recovered and options["verbosity"]:
            self.stdout.write(f"worker {worker.worker_id}: {len(worker.recovered)} orphaned tasks queued again")
