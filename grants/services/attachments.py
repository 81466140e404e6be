"""Applicant actions on an application's attachments: add a PDF, remove one (a draft's is deleted, a submitted
one is kept on file, marked removed)."""

import os
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grants.errors import ServiceError
from grants.models import Application, ApplicationState, Attachment, RequiredAttachment, User
from grants.services.applications import _locked, _require_editable
from grants.uploads import pdf_problem, sha256_of
from workflows.base import log_event


@transaction.atomic
def attachment_add(
    *,
    actor: User,
    application: Application,
    kind: RequiredAttachment | None,
    file: UploadedFile,
    now: datetime,
) -> Attachment:
    """Store a PDF attachment. Raises ServiceError (and stores nothing) if it is not an acceptable PDF."""
    application = _locked(application, actor)
    _require_editable(actor, application, "attachments")
    if kind is not None and kind.call_id != application.call_id:
        raise ServiceError(_("Okänd bilagetyp."), "kind")
    problem = pdf_problem(file, file.size)
    if problem:
        raise ServiceError(problem, "file")
    digest = sha256_of(file)
    name = os.path.basename(file.name or "bilaga.pdf")[:200]
    attachment = Attachment(
        application=application,
        kind=kind,
        original_name=name,
        size=file.size or 0,
        sha256=digest,
        uploaded_by=actor,
        uploaded_at=now,
    )
    attachment.file.save("upload.pdf", file, save=False)
    stored_name, storage = attachment.file.name, attachment.file.storage
    try:
        attachment.save()
    except Exception:
        storage.delete(stored_name)
        raise
    if application.state != ApplicationState.DRAFT:
        log_event(application=application, actor=actor, event="attachment.added", now=now, note=name)
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment, now: datetime) -> None:
    """Remove an attachment: a draft's is deleted; a submitted one is kept on file, marked removed."""
    application = _locked(attachment.application, actor)
    _require_editable(actor, application, "attachments")
    if application.state == ApplicationState.DRAFT:
        name, storage = attachment.file.name, attachment.file.storage
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))
    else:
        Attachment.objects.filter(pk=attachment.pk).update(removed_at=now)
        log_event(
            application=application, actor=actor, event="attachment.removed", now=now, note=attachment.original_name
        )
