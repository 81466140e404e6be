"""The application as it was sent: staff and reviewers read the latest submitted version (its frozen content,
see grants.selectors.application_snapshot), never the live row. During a completion request the applicant
edits the live row, and only their answer freezes a new version: until then, what staff see is what was sent.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from grants.models import Application, ApplicationVersion, BudgetCategory
from grants.selectors import application_snapshot
from grants.selectors.cases import VersionDiff, content_diff


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
        return f"{self.orgnr[:6]}-{self.orgnr[6:]}" if len(self.orgnr) == 10 else self.orgnr

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


def case_versions(application: Application) -> CaseVersions:
    """The versions of a case for its page, in two queries: every version (few: one per submission and
    completion answer) and the call's attachment kinds."""
    versions = list(application.versions.order_by("number"))
    latest = versions[-1] if versions else None
    diff = None
    if len(versions) >= 2:
        old, new = versions[-2], versions[-1]
        diff = VersionDiff(old=old, new=new, rows=content_diff(old.content, new.content))
    return CaseVersions(
        shown=_shown(application, latest, attachment_kind_labels(application)), versions=versions, diff=diff
    )


def application_as_submitted(application: Application) -> SubmittedApplication:
    """The latest submitted version of an application, in two queries (the version and the call's
    attachment kinds)."""
    latest = application.versions.order_by("-number").first()
    return _shown(application, latest, attachment_kind_labels(application))


def latest_version_attachment_ids(application_id: int) -> set[int] | None:
    """The attachments listed in the latest submitted version (the files as sent), or None without a version."""
    latest = ApplicationVersion.objects.filter(application_id=application_id).order_by("-number").first()
    if latest is None:
        return None
    return {i for i in (_int(a.get("id")) for a in latest.content.get("attachments") or []) if i is not None}
