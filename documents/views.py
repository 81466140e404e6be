"""Downloads of issued documents (DESIGN.md §6): only to people allowed to see the case, and only while the
stored file still matches the SHA-256 recorded when it was issued.

URLs (included at the root by grants/urls.py):

- /applications/<pk>/documents/<doc_pk>/  `document_download`: members of the case's organisation, for
  decision letters, application summaries and repayment letters. Everyone else: 404.
- /staff/documents/<doc_pk>/  `staff_document_download`: case officers, decision-makers and programme
  admins, any kind; finance only a batch's files (payment files, ledger exports, bank answers); reviewers
  never. Everyone else: 404. Each is served as an attachment with its stored media type.

A file that is missing or no longer matches its checksum is never served: the person gets a page saying
so (409), the error is logged and the case log gets a `document.checksum_failed` event."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import content_disposition_header

from grants.views.base import AuthedRequest

from . import selectors
from .integrity import DocumentIntegrityError, document_checksum_failure_record, document_read_verified
from .models import PDF, Document

INTEGRITY_STATUS = 409  # the stored file conflicts with the record of what was issued


def _serve(request: AuthedRequest, document: Document, *, error_template: str) -> HttpResponse:
    try:
        content = document_read_verified(document)
    except DocumentIntegrityError as exc:
        document_checksum_failure_record(document=document, actor=request.user, error=str(exc), now=timezone.now())
        response = render(request, error_template, {"document": document}, status=INTEGRITY_STATUS)
        response["Cache-Control"] = "private, no-store"
        return response
    response = HttpResponse(content, content_type=_content_type(document))
    response["Content-Disposition"] = _attachment(document.filename)
    response["Content-Length"] = str(len(content))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _content_type(document: Document) -> str:
    media_type = document.media_type or PDF
    # Text (the ledger CSV) is stored as UTF-8; say so, or a spreadsheet program guesses Latin-1 and breaks å, ä, ö.
    if media_type.startswith("text/") and "charset" not in media_type:
        return f"{media_type}; charset=utf-8"
    return media_type


def _attachment(filename: str) -> str:
    # Django's helper quotes the name and adds filename* for non-ASCII names (å, ä, ö).
    return content_disposition_header(as_attachment=True, filename=filename) or "attachment"


@login_required
def document_download(request: AuthedRequest, pk: int, doc_pk: int) -> HttpResponse:
    """A document of the applicant's own case (decision letter, application summary, repayment letter)."""
    document = selectors.document_get_for_applicant(request.user, pk, doc_pk)
    return _serve(request, document, error_template="documents/integrity_error.html")


@login_required
def staff_document_download(request: AuthedRequest, doc_pk: int) -> HttpResponse:
    """A document for staff whose role covers its kind."""
    document = selectors.document_get_for_staff(request.user, doc_pk)
    return _serve(request, document, error_template="documents/staff_integrity_error.html")


urlpatterns: list[URLPattern] = [
    path("applications/<int:pk>/documents/<int:doc_pk>/", document_download, name="document_download"),
    path("staff/documents/<int:doc_pk>/", staff_document_download, name="staff_document_download"),
]
