"""Reads: lists and lookups, scoped to what the person may see (DESIGN.md §5 rule 6)."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from grants.models import (
    Application,
    Attachment,
    BudgetLine,
    Call,
    JoinRequest,
    Membership,
    MembershipRole,
    Organisation,
    RequestState,
    RequiredAttachment,
    SignatoryRequest,
    User,
)
from grants.sections import BY_KEY, REQUIRED_FIELDS, SNAPSHOT_FIELDS
from grants.text import Text


def call_list_open(*, now: Any) -> QuerySet[Call]:
    return Call.objects.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at")


def organisation_list_for(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def organisation_get_for(user: User, pk: int) -> Organisation:
    organisation = organisation_list_for(user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def application_list_for_applicant(user: User) -> QuerySet[Application]:
    """Every application of the person's organisations, newest first, with what the list shows."""
    return (
        Application.objects.filter(organisation__memberships__user=user)
        .select_related("call", "organisation")
        .order_by("-created_at")
    )


def application_content_prefetches() -> tuple[Prefetch, Prefetch]:
    """What showing or freezing an application's content reads: budget lines, and the attachments not
    removed as `current_attachments` (see current_attachments())."""
    return (
        Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("position", "pk")),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.filter(removed_at__isnull=True).select_related("kind"),
            to_attr="current_attachments",
        ),
    )


def application_get_for_applicant(user: User, pk: int) -> Application:
    """The application if one of the person's organisations owns it; otherwise 404 (never 403: no hint)."""
    application = (
        Application.objects.filter(pk=pk, organisation__memberships__user=user)
        .select_related("call", "organisation")
        .prefetch_related(*application_content_prefetches())
        .first()
    )
    if application is None:
        raise Http404
    return application


def attachment_get_for_applicant(user: User, application_pk: int, pk: int) -> Attachment:
    attachment = (
        Attachment.objects.filter(
            pk=pk, application_id=application_pk, application__organisation__memberships__user=user
        )
        .select_related("application")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def attachment_get_for_staff(user: User, pk: int) -> Attachment:
    if not user.is_staff:
        raise Http404
    attachment = Attachment.objects.filter(pk=pk).select_related("application").first()
    if attachment is None:
        raise Http404
    return attachment


def current_attachments(application: Application) -> list[Attachment]:
    """The attachments not removed, from the prefetch `current_attachments` when the caller made one."""
    cached = getattr(application, "current_attachments", None)
    if cached is not None:
        return list(cached)
    return list(application.attachments.filter(removed_at__isnull=True).select_related("kind"))


REQUIRED_KINDS_CACHE = "_required_attachment_kinds"


def required_attachment_kinds(call: Call) -> list[RequiredAttachment]:
    """The call's required attachment kinds in order, from the locked read (grants.selectors.locked) when it
    brought them along."""
    cached = call.__dict__.get(REQUIRED_KINDS_CACHE)
    if cached is not None:
        return list(cached)
    return list(call.attachment_kinds.filter(required=True).order_by("position", "pk"))


def application_problems(application: Application) -> list[tuple[str, Text]]:
    """What stops this application from being submitted, as (section, message), in form order."""
    problems: list[tuple[str, Text]] = []
    for section, fields in REQUIRED_FIELDS.items():
        for name in fields:
            value = getattr(application, name)
            if value in (None, ""):
                label = Application._meta.get_field(name).verbose_name  # type: ignore[union-attr]
                problems.append(
                    (
                        section,
                        _("%(section)s: fyll i ”%(field)s”.") % {"section": BY_KEY[section].label, "field": label},
                    )
                )
    if application.participants_count is not None and application.participants_count < 1:
        problems.append(("participants", _("Deltagare: minst en medarbetare ska delta.")))
    if application.start_date and application.end_date and application.end_date <= application.start_date:
        problems.append(("period", _("Projektperiod: slutdatum ska vara efter startdatum.")))
    lines = list(application.budget_lines.all())
    if not lines:
        problems.append(("budget", _("Budget: lägg till minst en budgetrad.")))
    total = sum((line.amount for line in lines), Decimal("0.00"))
    if total != application.requested_amount:
        problems.append(("budget", _("Budget: sökt belopp ska vara summan av budgetraderna.")))
    ceiling = application.call.max_grant_amount
    if total > ceiling:
        from grants.formatting import format_money

        problems.append(
            (
                "budget",
                _("Budget: sökt belopp (%(total)s) får vara högst %(max)s.")
                % {"total": format_money(total), "max": format_money(ceiling)},
            )
        )
    present = {a.kind_id for a in current_attachments(application) if a.kind_id is not None}
    for kind in required_attachment_kinds(application.call):
        if kind.pk not in present:
            problems.append(("attachments", _("Bilagor: ”%(name)s” saknas.") % {"name": kind.name}))
    return problems


def application_snapshot(application: Application) -> dict[str, Any]:
    """The content of an application as frozen in a version: plain JSON, readable without the code."""
    data: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(application, name)
        data[name] = (
            str(value) if isinstance(value, Decimal) else (value.isoformat() if hasattr(value, "isoformat") else value)
        )
    data["organisation"] = {"name": application.organisation.name, "orgnr": application.organisation.orgnr}
    data["budget_lines"] = [
        {"category": line.category, "description": line.description, "amount": str(line.amount)}
        for line in application.budget_lines.all()  # Meta.ordering: position, pk
    ]
    data["attachments"] = [
        {"id": a.pk, "kind": a.kind.code if a.kind else "", "name": a.original_name, "size": a.size, "sha256": a.sha256}
        for a in current_attachments(application)
    ]
    return data


def membership_list_for_organisation(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__full_name")


def application_counts_by_state(user: User) -> dict[str, int]:
    rows = application_list_for_applicant(user).order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def join_request_list_pending(organisation: Organisation) -> QuerySet[JoinRequest]:
    """The requests to join the organisation that wait for a member's answer, oldest first."""
    return organisation.join_requests.filter(state=RequestState.PENDING).select_related("user").order_by("created_at")


def join_request_list_for_user(user: User) -> QuerySet[JoinRequest]:
    """The person's own requests to join, newest first: what they may know of them is the orgnr they gave, when
    they sent it and its state (never the organisation's members)."""
    return user.join_requests.select_related("organisation").order_by("-created_at")[:20]  # type: ignore[return-value]


def signatory_request_list_pending(organisation: Organisation) -> QuerySet[SignatoryRequest]:
    return (
        organisation.signatory_requests.filter(state=RequestState.PENDING)
        .select_related("member", "requested_by")
        .order_by("created_at")
    )


def signatory_candidates(organisation: Organisation) -> QuerySet[User]:
    """Members who are not signatories and have no signatory request waiting."""
    pending = organisation.signatory_requests.filter(state=RequestState.PENDING).values("member_id")
    return (
        User.objects.filter(memberships__organisation=organisation, memberships__role=MembershipRole.MEMBER)
        .exclude(pk__in=pending)
        .order_by("full_name", "email")
    )
