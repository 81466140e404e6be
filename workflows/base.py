"""What every case lifecycle shares: the acting user and clock, and the one success hook that saves the
record and writes the case event in the same transaction."""

from datetime import datetime
from typing import Any

from django.db import connections, models, router

from grants.models import Application, User
from grants.models.states import Lifecycle
from grants.text import Text

from .models import CaseEvent


class TransitionRefused(Exception):
    """A guard said no. `message` is for the user (translated); `field` names the form field, if any."""

    def __init__(self, message: Text, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


def log_event(
    *,
    application: Application | None,
    actor: User | None,
    event: str,
    now: datetime,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    lifecycle: str = Lifecycle.APPLICATION,
    subject_id: int | None = None,
) -> CaseEvent:
    """Append one line to the case log. `lifecycle` says whose states from/to are; `subject_id` names the
    record of that lifecycle (grant, payout, batch …), none for the application itself. Only a batch event
    has no application (the database refuses the rest: workflows.models.CaseEvent's constraints)."""
    return CaseEvent.objects.create(
        application=application,
        lifecycle=lifecycle,
        subject_id=subject_id,
        actor=actor,
        event=event,
        from_state=str(from_state),
        to_state=str(to_state),
        note=note,
        created_at=now,
    )


class TransitionLog:
    """The saves and case events of many transitions, written together by `flush()`: a flow given one
    (`CaseFlow(..., log=...)`) checks its guards and changes the record's state as usual but leaves the writing
    to the log. For actions over thousands of records at once (a payment batch of 10 000 payouts), where one
    UPDATE and one INSERT per record would be most of the time. `fields` are the fields the transitions change;
    flush inside the same transaction as the transitions."""

    def __init__(self, model: type[models.Model], fields: list[str]):
        self.model = model
        self.fields = fields
        self.records: list[models.Model] = []
        self.events: list[CaseEvent] = []

    def add(self, record: models.Model, event: CaseEvent) -> None:
        self.records.append(record)
        self.events.append(event)

    def flush(self) -> None:
        if self.records:
            # One prepared UPDATE run for every record (executemany), not Django's bulk_update, whose CASE WHEN
            # expressions cost more to build than the transitions themselves.
            connection = connections[router.db_for_write(self.model)]
            meta = self.model._meta
            columns: list[models.Field[Any, Any]] = [meta.get_field(name) for name in self.fields]  # type: ignore[misc]
            quote = connection.ops.quote_name
            # Table and column names come from the model, values are parameters: nothing here is user input.
            sql = (
                f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608
                + ", ".join(f"{quote(field.column)} = %s" for field in columns)
                + f" WHERE {quote(meta.pk.column)} = %s"  # type: ignore[union-attr]
            )
            rows = [
                [field.get_db_prep_save(getattr(record, field.attname), connection) for field in columns] + [record.pk]
                for record in self.records
            ]
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            CaseEvent.objects.bulk_create(self.events, batch_size=1000)
        self.records, self.events = [], []


class CaseFlow:
    """Base of a flow that wraps one record of a case, the acting user and the time of the action."""

    events: dict[str, str] = {}
    # Whose states the flow's log lines record; a flow of another lifecycle overrides both.
    lifecycle: str = Lifecycle.APPLICATION

    def __init__(self, record: models.Model, *, actor: User | None, now: datetime, log: TransitionLog | None = None):
        self.record: Any = record
        self.actor = actor
        self.now = now
        self.log = log

    def case_of(self, record: Any) -> Application | None:
        return record

    def subject_id_of(self, record: Any) -> int | None:
        """The record the log line is about: none for an application (it is the case), else the record."""
        return None if self.lifecycle == Lifecycle.APPLICATION else record.pk

    def save_transition(self, transition_name: str, source: Any, target: Any, note: str = "") -> None:
        record = self.record
        if self.log is not None:  # written in bulk by the log's flush()
            self.log.add(
                record,
                CaseEvent(
                    application=self.case_of(record),
                    lifecycle=self.lifecycle,
                    subject_id=self.subject_id_of(record),
                    actor=self.actor,
                    event=self.events[transition_name],
                    from_state=str(source),
                    to_state=str(target) if target is not None else "",
                    note=note,
                    created_at=self.now,
                ),
            )
            return
        record.save()
        log_event(
            application=self.case_of(record),
            actor=self.actor,
            event=self.events[transition_name],
            now=self.now,
            from_state=source,
            to_state=target if target is not None else "",
            note=note,
            lifecycle=self.lifecycle,
            subject_id=self.subject_id_of(record),
        )


def refusal_message(exc: Exception) -> Text:
    """The user-facing message of a refused transition, whichever layer refused it."""
    from django.utils.translation import gettext_lazy as _
    from viewflow.fsm import NoTransition

    message = getattr(exc, "message", None)  # TransitionRefused and grants.errors.ServiceError carry one
    if message:
        return message
    if isinstance(exc, NoTransition):
        return _("Åtgärden går inte att utföra i ärendets nuvarande status.")
    return _("Åtgärden går inte att utföra.")
