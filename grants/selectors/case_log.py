"""The case log (ärendelogg) as staff read it: each event and state in words (workflows/events.py), in time
order, in one query however long the log."""

from dataclasses import dataclass
from datetime import datetime

from grants.models import Application
from workflows.events import event_label, event_note, state_label
from workflows.models import CaseEvent


@dataclass(frozen=True)
class CaseLogRow:
    created_at: datetime
    actor_name: str  # empty for the system
    code: str
    label: str
    from_label: str
    to_label: str
    note: str


def case_log(application: Application) -> list[CaseLogRow]:
    events = CaseEvent.objects.filter(application=application).select_related("actor").order_by("created_at", "pk")
    return [
        CaseLogRow(
            created_at=e.created_at,
            actor_name=e.actor.get_full_name() if e.actor else "",
            code=e.event,
            label=event_label(e.event),
            from_label=state_label(e.from_state, e.lifecycle),
            to_label=state_label(e.to_state, e.lifecycle),
            note=event_note(e.event, e.note),
        )
        for e in events
    ]
