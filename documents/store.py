"""Storing a document of any kind (DESIGN.md §3 Document, §6, §7): the bytes once, with their SHA-256, size and
media type, linked to the case or the payout batch it belongs to. Letters, application summaries, payment
files (pain.001 XML), ledger exports (CSV, XLSX) and imported bank answers all come through here.

This module knows nothing of what the documents say or who is told about them: it imports no grants
services, so any service (letters, payment files, reconciliation) can call it without a cycle. Logging the
issue on the case and notifying people is the caller's work, in the caller's transaction.
"""

import hashlib
from datetime import datetime
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grants.models import Application, Decision, PayoutBatch, User
from grants.text import Text

from .models import BATCH_KINDS, CSV, KIND_MEDIA_TYPES, PDF, XLSX, XML, Document, DocumentKind, DocumentLanguage

# The file name's ending for each media type: a download is saved under its name, so the name must say
# what the bytes are.
EXTENSIONS: dict[str, frozenset[str]] = {
    PDF: frozenset({".pdf"}),
    XML: frozenset({".xml"}),
    CSV: frozenset({".csv"}),
    XLSX: frozenset({".xlsx"}),
}
# What the first bytes of each media type look like: a PDF renderer or an XML writer that went wrong must not
# leave a file that says it is one thing and is another.
_MAGIC: dict[str, tuple[bytes, ...]] = {
    PDF: (b"%PDF-",),
    XLSX: (b"PK\x03\x04",),  # an Office Open XML workbook is a zip archive
    XML: (b"<?xml", b"<"),
}


class DocumentStoreError(ValueError):
    """The document cannot be stored as asked (nothing was stored); `message` is for the person."""

    def __init__(self, message: Text):
        super().__init__(str(message))
        self.message = message


def _check(*, kind: str, content: bytes, filename: str, content_type: str, application: object, batch: object) -> None:
    allowed = KIND_MEDIA_TYPES.get(kind)
    if allowed is None:
        raise DocumentStoreError(_("Okänd dokumenttyp: %(kind)s.") % {"kind": kind})
    if content_type not in allowed:
        raise DocumentStoreError(
            _("Ett dokument av typen %(kind)s kan inte lagras som %(type)s.")
            % {"kind": DocumentKind(kind).label, "type": content_type}
        )
    if not content:
        raise DocumentStoreError(_("Dokumentet är tomt."))
    name = PurePosixPath(filename)
    if not filename or name.name != filename or filename.startswith("."):
        raise DocumentStoreError(_("Ogiltigt filnamn: %(name)s.") % {"name": filename})
    if name.suffix.lower() not in EXTENSIONS[content_type]:
        raise DocumentStoreError(
            _("Filnamnet %(name)s passar inte filtypen %(type)s.") % {"name": filename, "type": content_type}
        )
    magic = _MAGIC.get(content_type)
    if magic and not content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(magic):
        raise DocumentStoreError(_("Innehållet är inte en fil av typen %(type)s.") % {"type": content_type})
    if application is None and batch is None:
        raise DocumentStoreError(_("Ett dokument måste höra till ett ärende eller ett utbetalningsunderlag."))
    if batch is not None and kind not in BATCH_KINDS:
        raise DocumentStoreError(
            _("Ett dokument av typen %(kind)s hör till ett ärende, inte till ett utbetalningsunderlag.")
            % {"kind": DocumentKind(kind).label}
        )


def document_store(
    *,
    kind: str,
    content: bytes,
    filename: str,
    content_type: str,
    language: str | None = None,
    application: Application | None = None,
    batch: PayoutBatch | None = None,
    actor: User | None = None,
    now: datetime,
    decision: Decision | None = None,
    version_number: int | None = None,
    supersedes: Document | None = None,
) -> Document:
    """Store `content` as a new, immutable Document of `kind` with its SHA-256, linked to its case and/or batch.

    Raises DocumentStoreError (nothing stored) for a kind stored as the wrong media type, a name or content
    that does not fit that type, an empty file, or no case and no batch; IntegrityError (nothing stored, the
    file removed again) when a unique constraint says the document exists already: the caller returns that
    one. Runs in a savepoint of the caller's transaction; the file is removed if that savepoint fails. If the
    caller's transaction fails later, the caller removes the file (document_discard_file)."""
    _check(
        kind=kind, content=content, filename=filename, content_type=content_type, application=application, batch=batch
    )
    document = Document(
        kind=kind,
        application=application,
        batch=batch,
        decision=decision,
        version_number=version_number,
        language=language or DocumentLanguage.SV,
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        media_type=content_type,
        created_by=actor,
        created_at=now,
        supersedes=supersedes,
    )
    document.file.save(filename, ContentFile(content), save=False)
    try:
        with transaction.atomic():
            document.save()
    except BaseException:
        document.file.storage.delete(document.file.name)
        raise
    return document


def document_discard_file(document: Document) -> None:
    """Remove the stored file of a document whose row did not survive the caller's transaction (the row is
    gone, so nothing refers to the file). Never for a document that was committed: those are kept forever."""
    document.file.storage.delete(document.file.name)
