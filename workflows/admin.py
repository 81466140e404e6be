"""The case log in the admin: append-only (DESIGN.md §5 rule 5), so it can be read and searched, never changed."""

from django.contrib import admin

from grants.admin import ReadOnlyAdmin

from .models import CaseEvent


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "application", "event", "from_state", "to_state", "actor"]
    list_filter = ["event"]
    list_select_related = ["application", "actor"]
    search_fields = ["application__reference_number", "application__title", "event", "note"]
    ordering = ["-created_at", "-pk"]
