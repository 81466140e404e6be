"""Issued documents in the admin: never overwritten or deleted (DESIGN.md §6), so shown read-only. The file
itself is served only by the permission-checked views, so no storage link is shown here."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from grants.admin import ReadOnlyAdmin
from grants.admin.scoping import CaseScopedMixin, sees_everything

from .models import Document
from .selectors import staff_document_kinds


@admin.register(Document)
class DocumentAdmin(CaseScopedMixin, ReadOnlyAdmin):
    """The documents of the cases the person may see (grants/admin/scoping.py), of the kinds their roles open
    (documents.selectors.staff_document_kinds, as the download view): finance sees payment files only."""

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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        documents = super().get_queryset(request)
        if sees_everything(request):
            return documents
        kinds = staff_document_kinds(request.user)  # type: ignore[arg-type]
        return documents if kinds is None else documents.filter(kind__in=kinds)
