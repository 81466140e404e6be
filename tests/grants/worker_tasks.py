"""Tasks for the worker process tests: a task that takes its time, to stop a worker in the middle of one."""

import time
from pathlib import Path

from django_tasks import task


@task()
def nap(seconds: float, marker: str) -> str:
    """Write `marker` (the test's sign that the task has started), then sleep."""
    Path(marker).write_text("started", encoding="utf-8")
    time.sleep(seconds)
    return "rested"


@task()
def stopped_by_exit() -> None:
    """What a task sees when the worker's signal handler exits the process under it (a second SIGTERM)."""
    raise SystemExit(1)
