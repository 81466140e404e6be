"""The application as it was sent: staff and reviewers read the latest submitted version (its frozen content,
see grants.selectors.application_snapshot), never the live row. During a completion request the applicant
edits the live row, and only their answer freezes a new version: until then, what staff see is what was sent.

What staff decide on reads it here too: `submitted_content` (one query) for the proposal's limit and the
grant's report schedule, `submitted_text` for a column of a list, `content_values` for putting the live row
back as it was sent when a completion ends unanswered (grants.services.applications.completion_edits_discard).
Only the state, the diarienummer, the organisation and the call are read live: the applicant cannot change them.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Field, OuterRef, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce

from grants.formatting import format_orgnr
from grants.models import Application, ApplicationVersion, BudgetCategory
from grants.sections import SNAPSHOT_FIELDS
from grants.selectors import application_snapshot, current_attachments
from grants.selectors.cases import VersionDiff, content_diff
from workflows.models import CaseEvent


@dataclass(frozen=True)
class SubmittedBudgetLine:
    category_label: str
    description: str
    amount: Decimal | None


@dataclass(frozen=True)
class SubmittedAttachment:
    """An attachment listed in a version. `id` is the Attachment row (downloads go through the
    permission-checked views by it); `kind_label` is empty for an attachment of no particular kind."""

    id: int | None
    name: str
    kind_label: str
    size: int | None
    sha256: str
    kind_code: str = ""


@dataclass(frozen=True)
class SubmittedApplication:
    """One submitted version of an application, read-only, with what the staff pages show of it.
    `number` is None only for a case without any frozen version (then it is the live row, and says so)."""

    number: int | None
    created_at: datetime | None
    organisation_name: str
    orgnr: str
    call_title: str
    title: str
    summary: str
    description: str
    coworking_sites: str
    participants_count: int | None
    participants_description: str
    start_date: date | None
    end_date: date | None
    requested_amount: Decimal | None
    co_financing: Decimal | None
    contact_name: str
    contact_email: str
    contact_phone: str
    finance_contact_name: str
    finance_contact_email: str
    budget_lines: tuple[SubmittedBudgetLine, ...]
    attachments: tuple[SubmittedAttachment, ...]

    @property
    def orgnr_display(self) -> str:
        return format_orgnr(self.orgnr)

    @property
    def is_frozen(self) -> bool:
        return self.number is not None


@dataclass(frozen=True)
class CaseVersions:
    """What the case page shows of the versions: the latest as submitted, all of them, and the last change."""

    shown: SubmittedApplication
    versions: list[ApplicationVersion]
    diff: VersionDiff | None


# The content is JSON written by application_snapshot; read it defensively, so an odd value shows as missing
# instead of breaking the page.
def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def attachment_kind_labels(application: Application) -> dict[str, str]:
    """Attachment kind code → its name in the current language, for the call of the application."""
    return {kind.code: kind.name for kind in application.call.attachment_kinds.all()}


def submitted_application(
    application: Application,
    content: dict[str, Any],
    *,
    kind_labels: dict[str, str],
    number: int | None,
    created_at: datetime | None,
) -> SubmittedApplication:
    """The read-only view of one version's frozen content (the call's title is the only live value: the
    content does not hold it, and the call is not the applicant's to change)."""
    categories = dict(BudgetCategory.choices)
    organisation = content.get("organisation") or {}
    return SubmittedApplication(
        number=number,
        created_at=created_at,
        organisation_name=_str(organisation.get("name")),
        orgnr=_str(organisation.get("orgnr")),
        call_title=application.call.title,
        title=_str(content.get("title")),
        summary=_str(content.get("summary")),
        description=_str(content.get("description")),
        coworking_sites=_str(content.get("coworking_sites")),
        participants_count=_int(content.get("participants_count")),
        participants_description=_str(content.get("participants_description")),
        start_date=_date(content.get("start_date")),
        end_date=_date(content.get("end_date")),
        requested_amount=_decimal(content.get("requested_amount")),
        co_financing=_decimal(content.get("co_financing")),
        contact_name=_str(content.get("contact_name")),
        contact_email=_str(content.get("contact_email")),
        contact_phone=_str(content.get("contact_phone")),
        finance_contact_name=_str(content.get("finance_contact_name")),
        finance_contact_email=_str(content.get("finance_contact_email")),
        budget_lines=tuple(
            SubmittedBudgetLine(
                category_label=str(categories.get(line.get("category"), _str(line.get("category")))),
                description=_str(line.get("description")),
                amount=_decimal(line.get("amount")),
            )
            for line in content.get("budget_lines") or []
        ),
        attachments=tuple(
            SubmittedAttachment(
                id=_int(item.get("id")),
                name=_str(item.get("name")),
                kind_label=kind_labels.get(_str(item.get("kind")), ""),
                size=_int(item.get("size")),
                sha256=_str(item.get("sha256")),
                kind_code=_str(item.get("kind")),
            )
            for item in content.get("attachments") or []
        ),
    )


def _shown(
    application: Application, latest: ApplicationVersion | None, kind_labels: dict[str, str]
) -> SubmittedApplication:
    if latest is None:
        # Every submission freezes version 1, so only data from outside the services lands here: show the row
        # as it is rather than nothing (the page says that no version is on file).
        return submitted_application(
            application, application_snapshot(application), kind_labels=kind_labels, number=None, created_at=None
        )
    return submitted_application(
        application, latest.content, kind_labels=kind_labels, number=latest.number, created_at=latest.created_at
    )


def completion_note() -> Subquery:
    """An annotation of versions: what the applicant wrote with the completion answer that froze the version.
    The case log holds it: the answer's event is logged in the same transaction, at the same instant, just before
    the version (for version 1, the submission, there is none)."""
    events = CaseEvent.objects.filter(
        application_id=OuterRef("application_id"), event="application.completed", created_at__lte=OuterRef("created_at")
    ).order_by("-created_at", "-pk")
    return Subquery(events.values("note")[:1], output_field=CharField())


def case_versions(application: Application) -> CaseVersions:
    """The versions of a case for its page, in two queries: every version (few: one per submission and
    completion answer) with its completion note, and the call's attachment kinds."""
    versions = list(application.versions.annotate(completion_note=completion_note()).order_by("number"))
    latest = versions[-1] if versions else None
    diff = None
    if len(versions) >= 2:
        old, new = versions[-2], versions[-1]
        diff = VersionDiff(
            old=old, new=new, rows=content_diff(old.content, new.content), note=new.completion_note or ""
        )
    return CaseVersions(
        shown=_shown(application, latest, attachment_kind_labels(application)), versions=versions, diff=diff
    )


def application_as_it_is(application: Application) -> SubmittedApplication:
    """The live row in the same shape, for the applicant's preview and page: what would be sent now. Reads
    nothing beyond application_content_prefetches() (attachment kind names come with the attachments)."""
    labels = {a.kind.code: a.kind.name for a in current_attachments(application) if a.kind is not None}
    return submitted_application(
        application, application_snapshot(application), kind_labels=labels, number=None, created_at=None
    )


def latest_version(application: Application) -> ApplicationVersion | None:
    return application.versions.order_by("-number").first()


def application_as_submitted(application: Application) -> SubmittedApplication:
    """The latest submitted version of an application, in two queries (the version and the call's
    attachment kinds)."""
    return _shown(application, latest_version(application), attachment_kind_labels(application))


def submitted_content(application: Application) -> SubmittedApplication:
    """What was sent, in one query: the latest version (the live row for a case without any), for what is
    decided on it and for pages that show a part of it. Attachments carry their kind's code, not its name."""
    return _shown(application, latest_version(application), {})


def submitted_text(name: str, *, via: str = "") -> Coalesce:
    """An annotation: the text field `name` as sent (the latest version's content), the live row's value for a
    case without any version. `via` is the path to the application from the annotated model ("application"
    for reviews); empty when annotating applications. One subquery: a list's query count does not change."""
    ref, live = (f"{via}_id", f"{via}__{name}") if via else ("pk", name)
    latest = (
        ApplicationVersion.objects.filter(application_id=OuterRef(ref))
        .order_by("-number")
        .annotate(value=KT(f"content__{name}"))
        .values("value")[:1]
    )
    return Coalesce(Subquery(latest, output_field=CharField()), F(live), output_field=CharField())


def content_values(content: dict[str, Any]) -> dict[str, Any]:
    """The application's own fields in a version's content, as the model holds them. A field missing from the
    content, or a value the field cannot hold, is left out (that field is then not put back)."""
    values: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        if name not in content:
            continue
        model_field = Application._meta.get_field(name)
        assert isinstance(model_field, Field)  # the snapshot holds the application's own columns
        try:
            value = model_field.to_python(content[name])
        except ValidationError:
            continue
        if value is None and not model_field.null:
            continue
        values[name] = value
    return values


def latest_version_attachment_ids(application_id: int) -> set[int] | None:
    """The attachments listed in the latest submitted version (the files as sent), or None without a version."""
    latest = ApplicationVersion.objects.filter(application_id=application_id).order_by("-number").first()
    if latest is None:
        return None
    return {i for i in (_int(a.get("id")) for a in latest.content.get("attachments") or []) if i is not None}
