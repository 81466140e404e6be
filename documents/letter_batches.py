"""Decision letters of a bulk decision: how many are issued, which failed, and trying the failed ones again.

There is no batch record: the batch is the list of decision ids the progress page carries in its URL.
Issued letters are Documents pointing at their decision; a letter that failed is a FAILED result row of
the `decision_letter_generate` task in django-tasks-db (the worker's own record of what it ran)."""

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Q
from django_tasks_db.models import DBTaskResult

from grants.ids import parse_id
from grants.models import Decision

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
        """Letters neither issued nor failed: still queued or being made."""
        return self.total - self.done - len(self.failed)

    @property
    def failed_ids(self) -> list[int]:
        return [d.pk for d in self.failed]


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


def _task_rows(decision_ids: Collection[int]) -> "list[tuple[str, dict]]":
    """(status, args_kwargs) of every decision_letter_generate run for these decisions, one query. The id is
    the task's first positional argument or its `decision_id` keyword, whichever the caller used."""
    ids = list(decision_ids)
    if not ids:
        return []
    return list(
        DBTaskResult.objects.filter(task_path=TASK_PATH)
        .filter(Q(args_kwargs__args__0__in=ids) | Q(args_kwargs__kwargs__decision_id__in=ids))
        .values_list("status", "args_kwargs")
    )


def _decision_id(args_kwargs: dict) -> int | None:
    args = args_kwargs.get("args") or []
    value = args[0] if args else (args_kwargs.get("kwargs") or {}).get("decision_id")
    return parse_id(str(value)) if isinstance(value, int | str) else None


def letter_progress(decision_ids: Collection[int]) -> LetterProgress:
    """Where the letters of these decisions stand. Three queries, whatever the number of decisions."""
    decisions = list(
        Decision.objects.filter(pk__in=list(decision_ids))
        .select_related("application", "application__organisation")
        .order_by("pk")
    )
    known = [d.pk for d in decisions]
    done_ids = set(
        Document.objects.filter(kind=DocumentKind.DECISION_LETTER, decision_id__in=known).values_list(
            "decision_id", flat=True
        )
    )
    failed_ids: set[int] = set()
    pending_ids: set[int] = set()
    for status, args_kwargs in _task_rows([pk for pk in known if pk not in done_ids]):
        decision_id = _decision_id(args_kwargs)
        if decision_id is None:
            continue
        if status == FAILED:
            failed_ids.add(decision_id)
        elif status in (READY, RUNNING):
            pending_ids.add(decision_id)
    failed = [d for d in decisions if d.pk in failed_ids - pending_ids - done_ids]
    return LetterProgress(decisions=decisions, done_ids=done_ids, failed=failed)


def decision_letters_retry(*, decision_ids: Collection[int]) -> list[int]:
    """Enqueue the letter task again for those of these decisions whose letter failed and is not issued or
    already waiting for another attempt. Returns the decision ids enqueued."""
    retry_ids = letter_progress(decision_ids).failed_ids
    for decision_id in retry_ids:
        decision_letter_generate.enqueue(decision_id)
    return retry_ids
