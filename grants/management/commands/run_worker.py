"""`manage.py run_worker`: the task worker to run beside the web app — django-tasks-db's `db_worker` with a
heartbeat, so that what a killed worker was running is queued again (grants/worker.py).

Takes every option of `db_worker` (`--queue-name`, `--interval`, `--batch`, `--max-tasks`, `--worker-id` …).
SIGTERM and Ctrl-C stay graceful: the current task is finished (the heartbeat goes on meanwhile), then the
worker removes its heartbeat and exits; a second signal stops the task, which goes back to the queue.
`--reload` is off by default, also with DEBUG: a reload kills the running task (it would be recovered, but
only after the lease)."""

import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from grants.worker import HeartbeatWorker, lease


class Command(db_worker.Command):
    help = "Run the background task worker, with a heartbeat and recovery of tasks left by a dead worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
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
                f"worker {worker.worker_id}: heartbeat every {lease().total_seconds() / 6:g} s, "
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
