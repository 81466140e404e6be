"""Issuing documents: render once, store with its SHA-256, log it on the case, tell the applicants.

Issuing is idempotent: asking again for a document that exists returns it. Two workers racing to issue the
same letter both render, but the database's unique constraints let only one row in; the loser deletes its
file and returns the winner's document.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from grants.models import ApplicationVersion, Decision
from grants.services.messages import notify_members
from workflows.base import log_event

from .letters import LetterError, application_summary_render, decision_letter_render
from .models import PDF, Document, DocumentKind
from .store import document_discard_file, document_store

__all__ = ["LetterError", "application_summary_issue", "decision_letter_issue"]


def _store(
    *,
    existing: Callable[[], Document | None],
    fields: dict[str, Any],
    content: bytes,
    now: datetime,
    after_insert: Callable[[Document], Any],
) -> Document:
    """Store the letter through document_store and run `after_insert` in the same transaction; on losing a
    race to the unique constraint, return the winner's row."""
    try:
        with transaction.atomic():
            document = document_store(content=content, content_type=PDF, now=now, **fields)
            try:
                after_insert(document)
            except BaseException:
                document_discard_file(document)
                raise
    except IntegrityError:
        winner = existing()
        if winner is None:
            raise
        return winner
    return document


def decision_letter_issue(*, decision_id: int, language: str | None = None, now: datetime) -> Document:
    """Issue the decision letter of a decision in `language` (Swedish by default), or return the one already
    issued. Logs `document.issued` and notifies the organisation's members. Raises LetterError (nothing
    issued) when the letter would lack reasons or the call's appeal text in that language."""
    language = language or "sv"

    def existing() -> Document | None:
        return Document.objects.filter(
            decision_id=decision_id, kind=DocumentKind.DECISION_LETTER, language=language
        ).first()

    found = existing()
    if found is not None:
        return found
    decision = Decision.objects.select_related(
        "application__call", "application__organisation", "decided_by", "proposed_by", "corrects"
    ).get(pk=decision_id)
    content = decision_letter_render(decision, language)  # LetterError: before anything is stored
    application = decision.application
    suffix = "" if language == "sv" else f"-{language}"
    fields = {
        "kind": DocumentKind.DECISION_LETTER,
        "application": application,
        "decision": decision,
        "language": language,
        "filename": f"beslut-{application.reference_number}{suffix}.pdf",
        "supersedes": (
            Document.objects.filter(
                decision_id=decision.corrects_id, kind=DocumentKind.DECISION_LETTER, language=language
            ).first()
            if decision.corrects_id
            else None
        ),
    }

    def after_insert(document: Document) -> None:
        log_event(
            application=application,
            actor=None,
            event="document.issued",
            now=now,
            note=f"{document.filename} sha256:{document.sha256}",
        )
        # The one e-mail about a decision, sent once its letter can be read (not when it is made, and not a
        # second time for the letter).
        notify_members(
            application,
            event="application.decided",
            template="emails/decision",
            # The case, for the e-mail's link (absolute: SITE_URL, as the other e-mails build theirs).
            context={"document": document, "site_url": settings.SITE_URL.rstrip("/")},
            now=now,
        )

    return _store(existing=existing, fields=fields, content=content, now=now, after_insert=after_insert)


def application_summary_issue(*, application_id: int, version_number: int, now: datetime) -> Document:
    """Issue the archive copy (PDF) of a submitted version of an application, or return the one already
    issued. Logs `document.issued`. Raises ApplicationVersion.DoesNotExist for an unknown version."""

    def existing() -> Document | None:
        return Document.objects.filter(
            application_id=application_id,
            kind=DocumentKind.APPLICATION_SUMMARY,
            version_number=version_number,
            language="sv",
        ).first()

    found = existing()
    if found is not None:
        return found
    version = ApplicationVersion.objects.select_related("application__call").get(
        application_id=application_id, number=version_number
    )
    application = version.application
    content = application_summary_render(version, "sv")
    fields = {
        "kind": DocumentKind.APPLICATION_SUMMARY,
        "application": application,
        "version_number": version_number,
        "language": "sv",
        "filename": f"ansokan-{application.reference_number}-v{version_number}.pdf",
        "actor": version.created_by,
    }

    def after_insert(document: Document) -> None:
        log_event(
            application=application,
            actor=None,
            event="document.issued",
            now=now,
            note=f"{document.filename} sha256:{document.sha256}",
        )

    return _store(existing=existing, fields=fields, content=content, now=now, after_insert=after_insert)
