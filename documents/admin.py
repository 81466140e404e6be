"""Issued documents in the admin: never overwritten or deleted (DESIGN.md §6), so shown read-only. The file
itself is served only by the permission-checked views, so no storage link is shown here."""

from django.contrib import admin

from grants.admin import ReadOnlyAdmin

from .models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "filename", "application", "size", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["application", "created_by"]
    search_fields = ["filename", "sha256", "application__reference_number"]
    fields = readonly_fields = (
        "kind",
        "filename",
        "application",
        "media_type",
        "size",
        "sha256",
        "created_by",
        "created_at",
        "supersedes",
    )
