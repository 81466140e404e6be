"""Applications and the records of a case: versions, eligibility checks, proposals, decisions and reviews.
Read-only but for assigning the case officer (through application_assign) and deleting a draft (superusers).
Each admin shows only the cases the person may see (grants/admin/scoping.py: jäv, drafts)."""

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import smart_split
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.admin.base import ReadOnlyAdmin, ReadOnlyTabularInline, money_column
from grants.admin.scoping import CaseScopedMixin, scope_to_visible_cases, sees_everything
from grants.errors import ServiceError
from grants.models import (
    Application,
    ApplicationState,
    ApplicationVersion,
    Attachment,
    BudgetLine,
    Decision,
    EligibilityCheck,
    Proposal,
    Review,
    ReviewScore,
    User,
)
from grants.services.cases import application_assign
from workflows.events import event_label, event_note, state_label
from workflows.models import CaseEvent


class BudgetLineInline(ReadOnlyTabularInline):
    model = BudgetLine
    fields = readonly_fields = ("category", "description", "amount")


class AttachmentInline(ReadOnlyTabularInline):
    # The file itself is served only by the permission-checked views, never by a storage URL.
    model = Attachment
    fields = readonly_fields = ("original_name", "kind", "size", "sha256", "uploaded_by", "uploaded_at", "removed_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Attachment]:
        return super().get_queryset(request).select_related("kind", "uploaded_by")


class ApplicationVersionInline(ReadOnlyTabularInline):
    model = ApplicationVersion
    fields = readonly_fields = ("number", "created_at", "created_by")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApplicationVersion]:
        return super().get_queryset(request).select_related("created_by")


class CaseEventInline(ReadOnlyTabularInline):
    model = CaseEvent
    fields = readonly_fields = ("created_at", "event_label", "from_state_label", "to_state_label", "actor", "note_text")
    ordering = ["created_at", "pk"]
    verbose_name_plural = _("ärendelogg")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return super().get_queryset(request).select_related("actor")

    # In words, as on the case page (workflows/events.py); the codes stay searchable in the case log's own admin.
    @admin.display(description=_("händelse"))
    def event_label(self, obj: CaseEvent) -> str:
        return event_label(obj.event)

    @admin.display(description=_("från"))
    def from_state_label(self, obj: CaseEvent) -> str:
        return state_label(obj.from_state, obj.lifecycle)

    @admin.display(description=_("till"))
    def to_state_label(self, obj: CaseEvent) -> str:
        return state_label(obj.to_state, obj.lifecycle)

    @admin.display(description=_("anteckning"))
    def note_text(self, obj: CaseEvent) -> str:
        return event_note(obj.event, obj.note)


def _clean_assigned_officer(form: forms.ModelForm) -> Any:
    """The admin's officer field asks what application_assign will ask (permissions.can_assign_officer), on
    the case as it is now, so a refusal is a form error and not an exception at save."""
    officer = form.cleaned_data.get("assigned_officer")
    if officer is not None and "assigned_officer" in form.changed_data and form.instance.pk:
        verdict = permissions.can_assign_officer([Application.objects.get(pk=form.instance.pk)], officer)
        if not verdict:
            raise forms.ValidationError(verdict.reason)
    return officer


# What a programme admin sees of a draft (grants/admin/scoping.py): that it exists, never its content.
DRAFT_FIELDSETS = [(None, {"fields": ["state", "call", "organisation", "created_by", "created_at", "updated_at"]})]


class _Unnamed:
    """The application on its change page under a name without its title (breadcrumbs, heading), for a draft
    shown to someone who may see only that it exists."""

    def __init__(self, application: Application):
        self._application = application

    def __getattr__(self, name: str) -> Any:
        return getattr(self._application, name)

    def __str__(self) -> str:
        return str(_("Utkast %(pk)s") % {"pk": self._application.pk})


def _content_hidden(request: HttpRequest, obj: Application | None) -> bool:
    return obj is not None and obj.state == ApplicationState.DRAFT and not sees_everything(request)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    """Cases are read here; only the case officer can be changed, and that goes through application_assign so
    the case log records it. Submitted applications are public records and are never deleted."""

    list_display = ["reference_number", "title", "organisation", "call", "state", "submitted_at", "assigned_officer"]
    list_filter = ["state", "call", ("assigned_officer", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["organisation", "call", "assigned_officer"]
    search_fields = ["reference_number", "title", "organisation__name"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference_number",
                    "state",
                    "call",
                    "organisation",
                    "assigned_officer",
                    "created_by",
                    "created_at",
                    "submitted_at",
                    "updated_at",
                ]
            },
        ),
        (
            _("Projektet"),
            {
                "fields": [
                    "title",
                    "summary",
                    "description",
                    "coworking_sites",
                    "participants_count",
                    "participants_description",
                    "start_date",
                    "end_date",
                ]
            },
        ),
        (_("Budget"), {"fields": ["requested_amount", "co_financing"]}),
        (
            _("Kontaktpersoner"),
            {
                "fields": [
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "finance_contact_name",
                    "finance_contact_email",
                ]
            },
        ),
        (
            _("Komplettering och återkallelse"),
            {"fields": ["completion_message", "completion_answer_by_date", "completion_sections", "withdrawn_reason"]},
        ),
    ]
    inlines = [BudgetLineInline, AttachmentInline, ApplicationVersionInline, CaseEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return scope_to_visible_cases(request, super().get_queryset(request), "")

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = list(super().get_list_display(request))
        return shown if sees_everything(request) else ["case_title" if f == "title" else f for f in shown]

    @admin.display(description=_("titel"), ordering="title")
    def case_title(self, obj: Application) -> str:
        return "" if obj.state == ApplicationState.DRAFT else obj.title

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        found, distinct = super().get_search_results(request, queryset, search_term)
        if search_term.strip() and not sees_everything(request):
            # A draft's title is its content: a draft is found by its organisation's name only.
            by_organisation = Q()
            for word in smart_split(search_term):
                by_organisation &= Q(organisation__name__icontains=word.strip("\"'"))
            found = found.filter(~Q(state=ApplicationState.DRAFT) | by_organisation)
        return found, distinct

    def get_fieldsets(self, request: HttpRequest, obj: Application | None = None) -> Any:
        return DRAFT_FIELDSETS if _content_hidden(request, obj) else super().get_fieldsets(request, obj)

    def get_inline_instances(self, request: HttpRequest, obj: Application | None = None) -> list[Any]:
        return [] if _content_hidden(request, obj) else super().get_inline_instances(request, obj)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any | None = None,
    ) -> HttpResponse:
        if _content_hidden(request, obj):
            context["original"] = _Unnamed(obj)  # type: ignore[arg-type]
            context["subtitle"] = str(context["original"])
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applications are started by applicants through the portal

    def has_delete_permission(self, request: HttpRequest, obj: Application | None = None) -> bool:
        if obj is not None and obj.state != ApplicationState.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # The bulk delete would not ask each application whether it is a draft.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _may_assign(self, request: HttpRequest, obj: Application | None) -> bool:
        return (
            obj is not None
            and bool(permissions.can_assign_officer([obj]))  # open cases only, as application_assign checks
            and permissions.has_role(request.user, permissions.CASE_OFFICER)  # type: ignore[arg-type]
            and self.has_change_permission(request, obj)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Application | None = None) -> list[str]:
        every_field = flatten_fieldsets(self.get_fieldsets(request, obj) or [])
        if self._may_assign(request, obj):
            return [name for name in every_field if name != "assigned_officer"]
        return every_field

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "assigned_officer":
            kwargs["queryset"] = User.objects.filter(is_active=True, groups__name=permissions.CASE_OFFICER).order_by(
                "full_name"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Application | None = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "assigned_officer" in form.base_fields and obj is not None and obj.assigned_officer_id:
            form.base_fields["assigned_officer"].required = True  # a case is never left without an officer
        if "assigned_officer" in form.base_fields:
            form.clean_assigned_officer = _clean_assigned_officer  # type: ignore[attr-defined]  # a class made per call
        return form

    def save_model(self, request: HttpRequest, obj: Application, form: Any, change: bool) -> None:
        # Never obj.save(): the object was read before the request and its state may have moved on since.
        if "assigned_officer" in form.changed_data and obj.assigned_officer is not None:
            try:
                application_assign(
                    actor=request.user,  # type: ignore[arg-type]
                    application=obj,
                    officer=obj.assigned_officer,
                    now=timezone.now(),
                )
            except ServiceError as exc:  # the case changed between the form's check and this save
                messages.error(request, exc.message)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list[Any], dict[str, int], set, list]:
        # A draft's attachments are PROTECTed against accidental cascades; deleting the draft removes them on
        # purpose (as application_delete does for the applicant). Anything else that protects it still blocks.
        objs = list(objs)
        result = super().get_deleted_objects(objs, request)
        protected = result[3]
        attachments = Attachment.objects.filter(application__in=objs)
        if not objs or any(o.state != ApplicationState.DRAFT for o in objs) or len(protected) != attachments.count():
            return result
        listing: list[Any] = []
        for o in objs:
            children = [f"{Attachment._meta.verbose_name}: {a}" for a in o.attachments.all()]
            children += [f"{BudgetLine._meta.verbose_name}: {line}" for line in o.budget_lines.all()]
            listing += [str(o), children]
        counts = {
            str(Application._meta.verbose_name_plural): len(objs),
            str(Attachment._meta.verbose_name_plural): attachments.count(),
            str(BudgetLine._meta.verbose_name_plural): BudgetLine.objects.filter(application__in=objs).count(),
        }
        return listing, counts, set(), []

    def delete_model(self, request: HttpRequest, obj: Application) -> None:
        with transaction.atomic():
            draft = Application.objects.select_for_update().get(pk=obj.pk, state=ApplicationState.DRAFT)
            files = [(a.file.storage, a.file.name) for a in draft.attachments.all()]
            draft.attachments.all().delete()
            draft.budget_lines.all().delete()
            draft.delete()
            transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@admin.register(ApplicationVersion)
class ApplicationVersionAdmin(CaseScopedMixin, ReadOnlyAdmin):
    list_display = ["application", "number", "created_at", "created_by"]
    list_select_related = ["application", "created_by"]
    search_fields = ["application__reference_number", "application__title"]
    fields = readonly_fields = ("application", "number", "created_at", "created_by", "content_pretty")

    @admin.display(description=_("innehåll"))
    def content_pretty(self, obj: ApplicationVersion) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.content, indent=2, ensure_ascii=False))


class CaseRecordAdmin(CaseScopedMixin, ReadOnlyAdmin):
    """Records of a case that services write once (proposals, decisions, checks)."""

    search_fields = ["application__reference_number", "application__title"]


@admin.register(EligibilityCheck)
class EligibilityCheckAdmin(CaseRecordAdmin):
    list_display = ["application", "passed", "checked_by", "checked_at"]
    list_select_related = ["application", "checked_by"]

    @admin.display(description=_("godkänd"), boolean=True)
    def passed(self, obj: EligibilityCheck) -> bool:
        return obj.passed


@admin.register(Proposal)
class ProposalAdmin(CaseRecordAdmin):
    list_display = ["application", "outcome", "amount_shown", "proposed_by", "proposed_at"]
    list_filter = ["outcome"]
    list_select_related = ["application", "proposed_by"]
    amount_shown = money_column(Proposal, "amount")


@admin.register(Decision)
class DecisionAdmin(CaseRecordAdmin):
    list_display = ["application", "outcome", "amount_shown", "decided_by", "proposed_by", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["application", "decided_by", "proposed_by"]
    amount_shown = money_column(Decision, "amount")


class ReviewScoreInline(CaseScopedMixin, ReadOnlyTabularInline):
    model = ReviewScore
    case_path = "review__application"
    fields = readonly_fields = ("criterion", "score", "justification")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewScore]:
        return super().get_queryset(request).select_related("criterion")


@admin.register(Review)
class ReviewAdmin(CaseRecordAdmin):
    list_display = [
        "application",
        "reviewer",
        "conflict",
        "recommendation",
        "assigned_at",
        "submitted_at",
        "withdrawn_at",
    ]
    list_filter = ["conflict", "recommendation", ("withdrawn_at", admin.EmptyFieldListFilter)]
    list_select_related = ["application", "reviewer"]
    search_fields = ["application__reference_number", "application__title", "reviewer__email"]
    inlines = [ReviewScoreInline]
