"""Applicant actions on an application: create, edit sections, budget, submit, withdraw, delete a draft,
answer a completion request. Attachments: grants/services/attachments.py."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.models import (
    Application,
    ApplicationState,
    ApplicationVersion,
    Attachment,
    BudgetCategory,
    BudgetLine,
    Call,
    Membership,
    Message,
    Organisation,
    User,
)
from grants.sections import BY_KEY, SECTION_KEYS
from grants.selectors import application_problems, application_snapshot
from grants.selectors.locked import application_get_locked
from grants.selectors.versions import content_values, latest_version
from grants.services.messages import message_send, notify
from grants.tasks import application_submission_followup, enqueue_in_transaction
from workflows.application import ApplicationFlow, require_call_open
from workflows.base import TransitionRefused, log_event

RECEIPT_EVENT = "application.receipt"
DISCARD_EVENT = "application.completion_discarded"


def _locked(application: Application, actor: User) -> Application:
    # One statement (grants.selectors.locked): the row locked, its call and organisation, whether the actor is a
    # member (every applicant action asks, some twice: the service and the flow), and the content the guards and
    # the frozen version read. Only this application is locked, not the call: otherwise every edit and
    # submission in a call would queue on the call row.
    locked, member = application_get_locked(application.pk, actor.pk)
    permissions.remember_membership(actor, locked, member)
    return locked


def section_editable(user: User, application: Application, section: str) -> permissions.Verdict:
    """May this person change this section now? Drafts: any section; completions: the opened ones."""
    if section not in SECTION_KEYS:
        return permissions.Verdict(False, _("Okänt avsnitt."))
    if not permissions.is_member(user, application):
        return permissions.Verdict(False, _("Du är inte medlem i organisationen."))
    if application.state == ApplicationState.DRAFT:
        return permissions.YES
    if application.state == ApplicationState.AWAITING_COMPLETION and section in application.completion_sections:
        return permissions.YES
    return permissions.Verdict(False, _("Avsnittet kan inte ändras nu."))


def _require_editable(actor: User, application: Application, section: str) -> None:
    verdict = section_editable(actor, application, section)
    if not verdict:
        raise NotAllowed(verdict.reason)


@transaction.atomic
def application_create(*, actor: User, call: Call, organisation: Organisation, now: datetime) -> Application:
    """Start a draft for an organisation the actor belongs to. Raises ServiceError if the call is closed."""
    if not Membership.objects.filter(user=actor, organisation=organisation).exists():
        raise NotAllowed(_("Du är inte medlem i organisationen."))
    if not call.is_open(now):
        raise ServiceError(_("Utlysningen är inte öppen för ansökningar."))
    if organisation.org_type not in call.eligible_org_types:
        raise ServiceError(_("Organisationstypen kan inte söka i den här utlysningen."), "organisation")
    return Application.objects.create(
        call=call,
        organisation=organisation,
        created_by=actor,
        created_at=now,
        contact_name=actor.full_name,
        contact_email=actor.email,
    )


@transaction.atomic
def application_update(
    *, actor: User, application: Application, section: str, values: dict[str, Any], now: datetime
) -> Application:
    """Save the fields of one section. Fields outside the section are ignored, never written."""
    application = _locked(application, actor)
    _require_editable(actor, application, section)
    allowed = BY_KEY[section].fields
    changed = [name for name in allowed if name in values and getattr(application, name) != values[name]]
    for name in changed:
        setattr(application, name, values[name])
    if changed:
        application.save(update_fields=[*changed, "updated_at"])
    return application


@transaction.atomic
def budget_lines_replace(
    *, actor: User, application: Application, lines: list[dict[str, Any]], co_financing: Decimal, now: datetime
) -> Application:
    """Replace the budget lines; the requested amount becomes their sum."""
    application = _locked(application, actor)
    _require_editable(actor, application, "budget")
    application.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                application=application,
                category=line["category"],
                description=line["description"],
                amount=line["amount"],
                position=i,
            )
            for i, line in enumerate(lines)
        ]
    )
    application.requested_amount = sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
    application.co_financing = co_financing
    application.save(update_fields=["requested_amount", "co_financing", "updated_at"])
    return application


def _freeze_version(
    application: Application, actor: User, now: datetime, number: int | None = None
) -> ApplicationVersion:
    return ApplicationVersion.objects.create(
        application=application,
        number=number if number is not None else application.versions.count() + 1,
        content=application_snapshot(application),
        created_by=actor,
        created_at=now,
    )


def _sent_budget_lines(content: dict[str, Any]) -> list[tuple[str, str, Decimal]] | None:
    """The budget lines of a version's content, or None if one of them is not a line the table can hold."""
    lines = []
    for line in content.get("budget_lines") or []:
        try:
            category = BudgetLine._meta.get_field("category").to_python(line.get("category"))
            amount = BudgetLine._meta.get_field("amount").to_python(line.get("amount"))
        except (ValidationError, AttributeError):
            return None
        if category not in BudgetCategory.values or amount is None or amount <= 0:
            return None
        lines.append((category, str(line.get("description") or "")[:200], amount))
    return lines


def _sent_attachment_ids(content: dict[str, Any]) -> set[int] | None:
    """The attachments listed in a version's content, or None if one of them has no readable id."""
    ids = set()
    for item in content.get("attachments") or []:
        try:
            ids.add(int(item["id"]))
        except (KeyError, TypeError, ValueError):
            return None
    return ids


@transaction.atomic
def completion_edits_discard(*, application: Application, actor: User | None, now: datetime) -> bool:
    """Put the live row back as the latest version holds it: a completion request ended without the applicant's
    answer (the case was proposed or withdrawn), and their unsent edits are not part of the case. Fields and
    budget lines are restored; a file uploaded during the completion is marked removed (kept on file, like every
    attachment after submission) and one removed during it is current again. Logs
    `application.completion_discarded` if anything was put back; returns whether it was.

    The caller holds the row lock on the application. A case without a version (data from outside the services)
    has nothing to go back to and is left as it is, as is a part of the content that cannot be read back."""
    version = latest_version(application)
    if version is None:
        return False
    content = version.content if isinstance(version.content, dict) else {}
    discarded = False

    values = content_values(content)
    changed = [name for name, value in values.items() if getattr(application, name) != value]
    for name in changed:
        setattr(application, name, values[name])
    discarded |= bool(changed)
    application.completion_sections = []
    application.save(update_fields=[*changed, "completion_sections", "updated_at"])

    sent_lines = _sent_budget_lines(content)
    live = BudgetLine.objects.filter(application=application).order_by("position", "pk")
    if sent_lines is not None and [(b.category, b.description, b.amount) for b in live] != sent_lines:
        live.delete()
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(application=application, category=cat, description=text, amount=amount, position=i)
                for i, (cat, text, amount) in enumerate(sent_lines)
            ]
        )
        discarded = True

    sent_ids = _sent_attachment_ids(content)
    if sent_ids is not None:
        files = Attachment.objects.filter(application=application)
        discarded |= bool(files.filter(removed_at__isnull=True).exclude(pk__in=sent_ids).update(removed_at=now))
        discarded |= bool(files.filter(removed_at__isnull=False, pk__in=sent_ids).update(removed_at=None))

    # The content prefetched with the row (budget lines, current attachments) is stale now.
    getattr(application, "_prefetched_objects_cache", {}).pop("budget_lines", None)
    if hasattr(application, "current_attachments"):
        del application.current_attachments
    if discarded:
        log_event(application=application, actor=actor, event=DISCARD_EVENT, now=now)
    return discarded


class AlreadySubmitted(ServiceError):
    """The application is no longer a draft: usually the second click of a double-clicked submit button."""


@transaction.atomic
def application_submit(*, actor: User, application: Application, now: datetime) -> Application:
    """Submit a draft: check every guard, freeze version 1, assign the diarienummer, queue the receipt.

    Raises NotAllowed for a non-member, AlreadySubmitted if it is no longer a draft, TransitionRefused for a
    closed call, ServiceError listing the first problem of the form.
    """
    application = _locked(application, actor)
    if not permissions.is_member(actor, application):
        raise NotAllowed(_("Du är inte medlem i organisationen."))
    if application.state != ApplicationState.DRAFT:
        raise AlreadySubmitted(_("Ansökan är redan inskickad."))
    # A closed call is the answer whatever else is missing: no use fixing fields that can no longer be sent.
    # The flow checks the deadline again (its guard, with the same message); this only puts it first.
    require_call_open(application.call, now)
    # The requested amount is always the sum of the lines, whatever was stored before.
    total = sum((line.amount for line in application.budget_lines.all()), Decimal("0.00"))
    if total != application.requested_amount:
        application.requested_amount = total
    problems = application_problems(application)
    if problems:
        section, message = problems[0]
        raise ServiceError(message, section)
    # Everything that does not need the diarienummer is read and written before the flow takes it: from then
    # on the year's counter row is locked until commit, and every submission of the year waits for it. The
    # receipt and the archive copy are the worker's: queued here, they commit (or not) with the submission.
    _freeze_version(application, actor, now, number=1)
    enqueue_in_transaction(application_submission_followup, application.pk, actor.pk)
    ApplicationFlow(application, actor=actor, now=now).submit()
    return application


@transaction.atomic
def application_receipt_send(*, application: Application, actor: User, now: datetime) -> Message | None:
    """Write and queue the receipt e-mail of a submission, with its diarienummer; None if already sent."""
    # Locked, so two attempts at once (a task queued again while its first run still lives) write one receipt.
    application = (
        Application.objects.select_related("call", "organisation")
        .select_for_update(of=("self",))
        .get(pk=application.pk)
    )
    if application.reference_number is None:
        raise ServiceError(_("Ansökan är inte inskickad."))
    if Message.objects.filter(application=application, event=RECEIPT_EVENT).exists():
        return None  # a retried task: one receipt per submission
    return message_send(
        recipient=actor,
        recipient_email=actor.email,
        application=application,
        event=RECEIPT_EVENT,
        template="emails/receipt",
        context={"application": application, "user": actor},
        language=actor.language,
        now=now,
    )


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, reason: str, now: datetime) -> Application:
    """Withdraw a submitted application. It stays on file."""
    application = _locked(application, actor)
    completing = application.state == ApplicationState.AWAITING_COMPLETION
    ApplicationFlow(application, actor=actor, now=now).withdraw(note=reason.strip())
    if completing:
        completion_edits_discard(application=application, actor=actor, now=now)
    return application


@transaction.atomic
def application_delete(*, actor: User, application: Application, now: datetime) -> None:
    """Delete a draft and its files. Submitted applications are public records and are never deleted."""
    application = _locked(application, actor)
    ApplicationFlow(application, actor=actor, now=now).delete()
    files = [(a.file.storage, a.file.name) for a in application.attachments.all()]
    application.attachments.all().delete()
    application.budget_lines.all().delete()
    application.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@transaction.atomic
def application_complete(*, actor: User, application: Application, note: str, now: datetime) -> ApplicationVersion:
    """Answer a completion request: back to review with a new frozen version; the officer is told."""
    application = _locked(application, actor)
    problems = application_problems(application)
    if problems:
        section, message = problems[0]
        raise ServiceError(message, section)
    ApplicationFlow(application, actor=actor, now=now).complete(note=note.strip())
    version = _freeze_version(application, actor, now)
    if application.assigned_officer_id is not None:
        officer = User.objects.get(pk=application.assigned_officer_id)
        notify(
            recipients=[officer],
            application=application,
            event="application.completion_answered",
            template="emails/completion_answered",
            context={"note": note.strip(), "version": version},
            now=now,
        )
    from documents.tasks import application_summary_generate  # documents imports grants: import lazily

    enqueue_in_transaction(application_summary_generate, application.pk, version.number)
    return version


__all__ = [
    "AlreadySubmitted",
    "TransitionRefused",
    "application_complete",
    "application_create",
    "application_delete",
    "application_receipt_send",
    "application_submit",
    "application_update",
    "application_withdraw",
    "budget_lines_replace",
    "completion_edits_discard",
    "section_editable",
]
