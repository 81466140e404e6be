"""The case log in the admin: append-only (DESIGN.md §5 rule 5), so it can be read and searched, never changed."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from grants.admin import ReadOnlyAdmin
from grants.admin.scoping import CaseScopedMixin

from .events import EVENT_LABELS, event_label, event_note, state_label
from .models import CaseEvent


class EventFilter(admin.SimpleListFilter):
    """Filter by event, listed by label (the codes are what is stored)."""

    title = _("händelse")
    parameter_name = "event"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return sorted(((code, str(label)) for code, label in EVENT_LABELS.items()), key=lambda item: item[1])

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        return queryset.filter(event=self.value()) if self.value() else queryset


@admin.register(CaseEvent)
class CaseEventAdmin(CaseScopedMixin, ReadOnlyAdmin):
    """Only the events of the cases the person may see (jäv, drafts: grants/admin/scoping.py)."""

    list_display = ["created_at", "application", "lifecycle", "what", "from_label", "to_label", "actor", "note_text"]
    list_filter = ["lifecycle", EventFilter]
    list_select_related = ["application", "actor"]
    search_fields = ["application__reference_number", "application__title", "event", "note"]
    ordering = ["-created_at", "-pk"]

    # The stored codes in words, as on the staff case page (workflows/events.py); the filter and the search
    # still work on the codes.
    @admin.display(description=_("händelse"), ordering="event")
    def what(self, event: CaseEvent) -> str:
        return event_label(event.event)

    @admin.display(description=_("från"), ordering="from_state")
    def from_label(self, event: CaseEvent) -> str:
        return state_label(event.from_state, event.lifecycle)

    @admin.display(description=_("till"), ordering="to_state")
    def to_label(self, event: CaseEvent) -> str:
        return state_label(event.to_state, event.lifecycle)

    @admin.display(description=_("anteckning"))
    def note_text(self, event: CaseEvent) -> str:
        return event_note(event.event, event.note)
