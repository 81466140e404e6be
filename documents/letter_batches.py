"""Decision letters of a bulk decision: how many are issued, which failed or were interrupted, and trying
them again.

There is no batch record: the batch is the list of decision ids the progress page carries in its URL.
Issued letters are Documents pointing at their decision; a letter that failed is a FAILED result row of
the `decision_letter_generate` task in django-tasks-db (the worker's own record of what it ran). A letter
is interrupted when its task is RUNNING on a worker that is dead (no heartbeat within the lease,
grants/worker.py), or was queued again after such an interruption: workers queue those again by
themselves, and retry does it at once. The Document's unique constraint keeps every letter single."""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django_tasks_db.models import DBTaskResult

from grants.ids import parse_id
from grants.models import Decision
from grants.worker import stale_tasks_requeue, task_is_orphaned, worker_beats

from .models import Document, DocumentKind
from .tasks import decision_letter_generate

TASK_PATH = decision_letter_generate.module_path
MAX_IDS = 500
FAILED, READY, RUNNING = "FAILED", "READY", "RUNNING"


@dataclass
class LetterProgress:
    decisions: list[Decision]
    done_ids: set[int]
    failed: list[Decision] = field(default_factory=list)  # failed, no letter yet, no new attempt waiting
    interrupted: list[Decision] = field(default_factory=list)  # a dead worker's attempt: runs again by itself
    orphaned_tasks: dict[int, list[str]] = field(default_factory=dict)  # decision → its tasks RUNNING on a dead worker
    letters: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # decision → its letters (pk, filename)

    @property
    def total(self) -> int:
        return len(self.decisions)

    @property
    def done(self) -> int:
        return len(self.done_ids)

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    @property
    def pending(self) -> int:
        """Letters neither issued nor failed: still queued or being made, interrupted ones included."""
        return self.total - self.done - len(self.failed)

    @property
    def failed_ids(self) -> list[int]:
        return [d.pk for d in self.failed]

    @property
    def orphaned_task_ids(self) -> list[str]:
        return [task_id for task_ids in self.orphaned_tasks.values() for task_id in task_ids]

    @property
    def retryable(self) -> bool:
        """Whether retry has something to do: a failed letter, or one still RUNNING on a dead worker."""
        return bool(self.failed or self.orphaned_task_ids)


def parse_decision_ids(raw: str) -> list[int]:
    """ "12,13,14" → [12, 13, 14]; anything that is not an id (grants.ids.parse_id) is dropped; at most
    MAX_IDS. Dropped, not refused: the list only selects what a read-only page counts."""
    ids: dict[int, None] = {}
    for part in raw.split(","):
        number = parse_id(part.strip())
        if number is not None:
            ids[number] = None
        if len(ids) >= MAX_IDS:
            break
    return list(ids)


TaskRow = tuple[str, str, dict, list[str], datetime | None]


def _task_rows(decision_ids: Collection[int]) -> list[TaskRow]:
    """(id, status, args_kwargs, worker_ids, started_at) of every decision_letter_generate run for these
    decisions, one query. The decision id is the task's first positional argument or its `decision_id`
    keyword, whichever the caller used."""
    ids = list(decision_ids)
    if not ids:
        return []
    return [
        (str(pk), status, args_kwargs, worker_ids, started_at)
        for pk, status, args_kwargs, worker_ids, started_at in DBTaskResult.objects.filter(task_path=TASK_PATH)
        .filter(Q(args_kwargs__args__0__in=ids) | Q(args_kwargs__kwargs__decision_id__in=ids))
        .values_list("pk", "status", "args_kwargs", "worker_ids", "started_at")
    ]


def _decision_id(args_kwargs: dict) -> int | None:
    args = args_kwargs.get("args") or []
    value = args[0] if args else (args_kwargs.get("kwargs") or {}).get("decision_id")
    return parse_id(str(value)) if isinstance(value, int | str) else None


def letter_progress(decision_ids: Collection[int], *, now: datetime) -> LetterProgress:
    """Where the letters of these decisions stand. At most four queries, whatever the number of decisions
    (the fourth, the workers' heartbeats, only while a letter task is RUNNING)."""
    decisions = list(
        Decision.objects.filter(pk__in=list(decision_ids))
        .select_related("application", "application__organisation")
        .order_by("pk")
    )
    known = [d.pk for d in decisions]
    letters: dict[int, list[tuple[int, str]]] = {}
    for decision_id, document_id, filename in (
        Document.objects.filter(kind=DocumentKind.DECISION_LETTER, decision_id__in=known)
        .order_by("decision_id", "language", "pk")
        .values_list("decision_id", "pk", "filename")
    ):
        letters.setdefault(decision_id, []).append((document_id, filename))
    done_ids = set(letters)
    rows = _task_rows([pk for pk in known if pk not in done_ids])
    beats = worker_beats() if any(row[1] == RUNNING for row in rows) else {}
    failed_ids: set[int] = set()
    waiting: dict[int, bool] = {}  # decision → a live attempt waits or runs; True if an earlier one was cut off
    orphaned: dict[int, list[str]] = {}  # decision → its tasks RUNNING on a dead worker
    for task_id, status, args_kwargs, worker_ids, started_at in rows:
        decision_id = _decision_id(args_kwargs)
        if decision_id is None:
            continue
        if status == FAILED:
            failed_ids.add(decision_id)
        elif status == RUNNING and task_is_orphaned(worker_ids, started_at, beats, now):
            orphaned.setdefault(decision_id, []).append(task_id)
        elif status in (READY, RUNNING):
            # Claimed before and back in the queue (READY), or claimed a second time (RUNNING): interrupted.
            again = len(worker_ids) > (0 if status == READY else 1)
            waiting[decision_id] = waiting.get(decision_id, False) or again
    progress = LetterProgress(decisions=decisions, done_ids=done_ids, letters=letters)
    for decision in decisions:
        pk = decision.pk
        if pk in done_ids:
            continue
        if pk in waiting:
            if waiting[pk] or pk in orphaned:
                progress.interrupted.append(decision)
        elif pk in orphaned:
            progress.interrupted.append(decision)
            progress.orphaned_tasks[pk] = orphaned[pk]
        elif pk in failed_ids:
            progress.failed.append(decision)
    return progress


def decision_letters_retry(*, decision_ids: Collection[int], now: datetime) -> list[int]:
    """Try again the letters of these decisions that failed (a new task) or are RUNNING on a dead worker (that
    task queued again at once, rather than at the next worker's heartbeat), unless issued or already waiting
    for another attempt. Returns the decision ids retried."""
    progress = letter_progress(decision_ids, now=now)
    for decision_id in progress.failed_ids:
        decision_letter_generate.enqueue(decision_id)
    requeued = set(stale_tasks_requeue(now=now, task_ids=progress.orphaned_task_ids))
    again = [pk for pk, task_ids in progress.orphaned_tasks.items() if requeued.intersection(task_ids)]
    return sorted([*progress.failed_ids, *again])
