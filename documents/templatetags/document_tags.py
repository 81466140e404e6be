"""The document lists on the applicant's case page and the staff case page, so those pages need only an
include line: `{% include "grants/_documents.html" %}` / `{% include "staff/_documents.html" %}`."""

from typing import Any

from django import template

from documents import selectors
from documents.models import Document

register = template.Library()


@register.simple_tag(takes_context=True)
def applicant_documents(context: dict[str, Any], application: Any) -> list[Document]:
    """The case's documents the logged-in applicant may download (one query)."""
    request = context.get("request")
    if request is None or application is None or not getattr(application, "pk", None):
        return []
    return list(selectors.document_list_for_applicant(request.user, application))


@register.simple_tag(takes_context=True)
def staff_documents(context: dict[str, Any], application: Any) -> list[Document]:
    """The case's documents the logged-in staff member's roles allow (one query)."""
    request = context.get("request")
    if request is None or application is None or not getattr(application, "pk", None):
        return []
    return list(selectors.document_list_for_staff(request.user, application))


@register.filter
def filesize(value: int | None) -> str:
    """Size in kB the Swedish way (”12 kB”); whole kilobytes, at least 1."""
    if value is None:
        return ""
    return f"{max(1, round(value / 1024))} kB"
