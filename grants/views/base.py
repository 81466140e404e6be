from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest

from grants.models import User


class AuthedRequest(HttpRequest):
    """A request behind @login_required: its user is a real User (for the type checker)."""

    user: User  # type: ignore[assignment]


def pdf_attachment_response(file: FieldFile, filename: str) -> FileResponse:
    """Serve a stored PDF as a download that the browser will neither sniff nor cache."""
    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # The content was checked to be a PDF at upload; the name was not, so it must not say ".exe" or ".html".
    if not filename.lower().endswith(".pdf"):
        filename = f"{filename}.pdf"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
