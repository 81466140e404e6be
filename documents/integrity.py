"""Checking a stored document against its SHA-256 before anyone is given it (DESIGN.md §5 rule 5, §6).

The file is read once into memory and hashed; the very bytes that were hashed are the ones served, so a
file changed between the check and the response cannot slip through. Documents are letters and payment
files of a few hundred kilobytes at most."""

import hashlib
import logging
from datetime import datetime

from grants.models import Lifecycle, User
from workflows.base import log_event

from .models import Document

logger = logging.getLogger("samverket")

CHECKSUM_FAILED = "document.checksum_failed"


class DocumentIntegrityError(Exception):
    """The stored file is missing or its content no longer matches the SHA-256 recorded at issue."""


def document_read_verified(document: Document) -> bytes:
    """Return the stored bytes if they still hash to the recorded SHA-256. Raises DocumentIntegrityError."""
    try:
        with document.file.storage.open(document.file.name, "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise DocumentIntegrityError(f"stored file {document.file.name!r} cannot be read: {exc}") from exc
    digest = hashlib.sha256(content).hexdigest()
    if digest != document.sha256:
        raise DocumentIntegrityError(f"SHA-256 is {digest}, recorded {document.sha256}")
    return content


def document_checksum_failure_record(*, document: Document, actor: User | None, error: str, now: datetime) -> None:
    """Log a failed check (logger "samverket", level ERROR) and, for a case document, add it to the case log."""
    logger.error(
        "document %s (%s, %s) failed its integrity check and was not served: %s",
        document.pk,
        document.kind,
        document.file.name,
        error,
    )
    note = f"{document.filename} (dokument {document.pk}): {error}"[:4000]
    if document.application is not None:
        log_event(application=document.application, actor=actor, event=CHECKSUM_FAILED, now=now, note=note)
    elif document.batch_id is not None:  # a batch's file: the batch's own log
        log_event(
            application=None,
            actor=actor,
            event=CHECKSUM_FAILED,
            now=now,
            note=note,
            lifecycle=Lifecycle.BATCH,
            subject_id=document.batch_id,
        )
