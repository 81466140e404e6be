"""The Django admin (DESIGN.md §8 "Admin"): programme staff configure calls, organisations, users and roles
here. Case records are shown, never edited: states change only through the lifecycles in workflows/ and the
services in grants/services/, and append-only records (DESIGN.md §5 rule 5) cannot be changed at all."""

import json
import re
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.se import orgnr as se_orgnr

from grants import permissions
from grants.formatting import format_money
from grants.models import (
    Application,
    ApplicationState,
    ApplicationVersion,
    Attachment,
    BudgetLine,
    Call,
    Criterion,
    Decision,
    EligibilityCheck,
    Grant,
    GrantState,
    Invitation,
    Membership,
    Message,
    Organisation,
    OrganisationType,
    PaymentAccountType,
    Payout,
    PayoutBatch,
    Proposal,
    RepaymentClaim,
    Report,
    ReportState,
    RequiredAttachment,
    Review,
    ReviewScore,
    User,
)
from grants.services.cases import application_assign
from workflows.models import CaseEvent

admin.site.site_header = _("Samverket Grants – administration")
admin.site.site_title = _("Samverket Grants")
admin.site.index_title = _("Utlysningar, organisationer, användare och ärenden")

ROLE_LABELS = {
    permissions.CASE_OFFICER: _("Handläggare"),
    permissions.REVIEWER: _("Bedömare"),
    permissions.DECISION_MAKER: _("Beslutsfattare"),
    permissions.FINANCE: _("Ekonomihandläggare"),
    permissions.PROGRAMME_ADMIN: _("Programansvarig"),
}


class ReadOnlyMixin:
    """Shown in the admin, never added, changed or deleted there: only services write these records."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    max_num = 0


# --- calls --------------------------------------------------------------------------------------------


class CallAdminForm(forms.ModelForm):
    # Stored as a JSON list of codes; edited as checkboxes so only known codes can be saved.
    eligible_org_types = forms.MultipleChoiceField(
        label=_("stödberättigade organisationstyper"),
        choices=OrganisationType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Call
        fields = [
            "title_sv",
            "title_en",
            "description_sv",
            "description_en",
            "opens_at",
            "closes_at",
            "total_budget",
            "max_grant_amount",
            "eligible_org_types",
            "advance_percent",
            "interim_report_months",
            "final_report_months",
            "acceptance_days",
            "legal_basis_sv",
            "legal_basis_en",
            "appeal_text_sv",
            "appeal_text_en",
            "general_terms_sv",
            "general_terms_en",
        ]

    def clean_eligible_org_types(self) -> list[str]:
        chosen = set(self.cleaned_data["eligible_org_types"])
        return [value for value in OrganisationType.values if value in chosen]


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    fields = [("name_sv", "name_en"), ("guidance_sv", "guidance_en"), ("weight", "position")]


class RequiredAttachmentInline(admin.TabularInline):
    model = RequiredAttachment
    extra = 0
    fields = ["code", "name_sv", "name_en", "required", "position"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    form = CallAdminForm
    inlines = [CriterionInline, RequiredAttachmentInline]
    list_display = ["title_sv", "opens_at", "closes_at", "budget", "ceiling", "committed"]
    search_fields = ["title_sv", "title_en"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["title_sv", "title_en", "description_sv", "description_en"]}),
        (_("Tider och pengar"), {"fields": ["opens_at", "closes_at", "total_budget", "max_grant_amount"]}),
        (_("Vem kan söka"), {"fields": ["eligible_org_types"]}),
        (
            _("Utbetalning och rapportering"),
            {"fields": ["advance_percent", "interim_report_months", "final_report_months", "acceptance_days"]},
        ),
        (
            _("Texter i beslutet"),
            {
                "fields": [
                    "legal_basis_sv",
                    "legal_basis_en",
                    "appeal_text_sv",
                    "appeal_text_en",
                    "general_terms_sv",
                    "general_terms_en",
                ]
            },
        ),
        (None, {"fields": ["created_at"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Call]:
        # Committed = approved grants that are not cancelled (the budget rule of DESIGN.md §5 rule 2).
        return (
            super()
            .get_queryset(request)
            .annotate(
                committed_amount=Sum(
                    "applications__grant__granted_amount",
                    filter=~Q(applications__grant__state=GrantState.CANCELLED),
                )
            )
        )

    @admin.display(description=_("total budget"), ordering="total_budget")
    def budget(self, obj: Call) -> str:
        return format_money(obj.total_budget)

    @admin.display(description=_("högsta bidrag"), ordering="max_grant_amount")
    def ceiling(self, obj: Call) -> str:
        return format_money(obj.max_grant_amount)

    @admin.display(description=_("beviljat hittills"), ordering="committed_amount")
    def committed(self, obj: Call) -> str:
        return format_money(getattr(obj, "committed_amount", None) or 0)


# --- organisations and people --------------------------------------------------------------------------


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


class OrganisationAdminForm(forms.ModelForm):
    # Room for "212000-0142"; stored as the ten digits.
    orgnr = forms.CharField(label=_("organisationsnummer"), max_length=13, help_text=_("10 siffror."))

    class Meta:
        model = Organisation
        fields = [
            "name",
            "orgnr",
            "org_type",
            "street_address",
            "postal_code",
            "city",
            "payment_account_type",
            "payment_account",
            "bic",
        ]

    def clean_orgnr(self) -> str:
        try:
            return se_orgnr.validate(self.cleaned_data["orgnr"])
        except Exception as exc:  # stdnum raises several ValidationError kinds
            raise forms.ValidationError(_("Organisationsnumret är inte giltigt. Skriv 10 siffror.")) from exc

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("payment_account_type") or ""
        account = (data.get("payment_account") or "").strip()
        bic = (data.get("bic") or "").strip().upper()
        if not kind and not account:
            return data
        if not kind:
            self.add_error("payment_account_type", _("Välj kontotyp."))
        elif not account:
            self.add_error("payment_account", _("Ange kontonummer."))
        elif kind in (PaymentAccountType.BANKGIRO, PaymentAccountType.PLUSGIRO):
            digits = _digits(account)
            low = 7 if kind == PaymentAccountType.BANKGIRO else 2
            if not (digits.isdigit() and low <= len(digits) <= 8 and luhn.is_valid(digits)):
                self.add_error("payment_account", _("Kontonumret är inte giltigt (fel längd eller kontrollsiffra)."))
            else:
                data["payment_account"] = digits
        elif kind == PaymentAccountType.IBAN:
            if not std_iban.is_valid(account):
                self.add_error("payment_account", _("IBAN är inte giltigt."))
            else:
                data["payment_account"] = std_iban.compact(account)
            if not std_bic.is_valid(bic):
                self.add_error("bic", _("BIC är inte giltigt."))
            else:
                data["bic"] = std_bic.compact(bic)
        return data


class MembershipInline(admin.TabularInline):
    """Staff grant the signatory role here (DESIGN.md §2: only signatories accept grant terms)."""

    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationAdminForm
    inlines = [MembershipInline]
    list_display = ["name", "orgnr_display", "org_type", "city"]
    list_filter = ["org_type"]
    search_fields = ["name", "orgnr"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["name", "orgnr", "org_type"]}),
        (_("Adress"), {"fields": ["street_address", "postal_code", "city"]}),
        (_("Utbetalningskonto"), {"fields": ["payment_account_type", "payment_account", "bic"]}),
        (None, {"fields": ["created_at"]}),
    ]

    @admin.display(description=_("organisationsnummer"), ordering="orgnr")
    def orgnr_display(self, obj: Organisation) -> str:
        return obj.orgnr_display

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        # "212000-0142" finds the orgnr stored as ten digits.
        if re.fullmatch(r"\d{6}-\d{4}", search_term.strip()):
            search_term = _digits(search_term)
        return super().get_search_results(request, queryset, search_term)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__full_name", "organisation__name", "organisation__orgnr"]
    autocomplete_fields = ["user", "organisation"]
    readonly_fields = ["created_at"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Members invite people from the portal; here staff can see them and revoke one not yet accepted.
    The token is a secret link and is never shown."""

    list_display = ["email", "organisation", "invited_by", "created_at", "accepted_at"]
    list_select_related = ["organisation", "invited_by"]
    search_fields = ["email", "organisation__name"]
    fields = readonly_fields = ("email", "organisation", "invited_by", "created_at", "accepted_at", "accepted_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        if obj is not None and obj.accepted_at is not None:
            return False
        return super().has_delete_permission(request, obj)


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "language")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Det finns redan en användare med den e-postadressen."))
        return email


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, Any] = {}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Det finns redan en användare med den e-postadressen."))
        return email


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name_plural = _("organisationer personen företräder")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("organisation")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff roles are the groups of grants.permissions (case_officer, reviewer, …)."""

    form = UserChangeForm
    add_form = UserCreationForm
    inlines = [UserMembershipInline]
    list_display = ["email", "full_name", "roles", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "language"]}),
        (_("Behörighet"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Tider"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "language", "password1", "password2"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        # Programme admins manage roles (groups); only a superuser can make superusers or grant single permissions.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # nor their password: that would be a way to become them
        return super().has_change_permission(request, obj)

    def get_inline_instances(self, request: HttpRequest, obj: User | None = None) -> list[Any]:
        return super().get_inline_instances(request, obj) if obj is not None else []  # add form: e-mail and password

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roller"))
    def roles(self, obj: User) -> str:
        return ", ".join(str(ROLE_LABELS.get(g.name, g.name)) for g in obj.groups.all())


# --- applications / cases ------------------------------------------------------------------------------


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
    fields = readonly_fields = ("created_at", "event", "from_state", "to_state", "actor", "note")
    ordering = ["created_at", "pk"]
    verbose_name_plural = _("ärendelogg")

    def get_queryset(self, request: HttpRequest) -> QuerySet[CaseEvent]:
        return super().get_queryset(request).select_related("actor")


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
            and obj.state != ApplicationState.DRAFT
            and permissions.has_role(request.user, permissions.CASE_OFFICER)  # type: ignore[arg-type]
            and self.has_change_permission(request, obj)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Application | None = None) -> list[str]:
        every_field = flatten_fieldsets(self.fieldsets or [])
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
        return form

    def save_model(self, request: HttpRequest, obj: Application, form: Any, change: bool) -> None:
        # Never obj.save(): the object was read before the request and its state may have moved on since.
        if "assigned_officer" in form.changed_data and obj.assigned_officer is not None:
            application_assign(
                actor=request.user,  # type: ignore[arg-type]
                application=obj,
                officer=obj.assigned_officer,
                now=timezone.now(),
            )

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
class ApplicationVersionAdmin(ReadOnlyAdmin):
    list_display = ["application", "number", "created_at", "created_by"]
    list_select_related = ["application", "created_by"]
    search_fields = ["application__reference_number", "application__title"]
    fields = readonly_fields = ("application", "number", "created_at", "created_by", "content_pretty")

    @admin.display(description=_("innehåll"))
    def content_pretty(self, obj: ApplicationVersion) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.content, indent=2, ensure_ascii=False))


class CaseRecordAdmin(ReadOnlyAdmin):
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
    list_display = ["application", "outcome", "amount", "proposed_by", "proposed_at"]
    list_filter = ["outcome"]
    list_select_related = ["application", "proposed_by"]


@admin.register(Decision)
class DecisionAdmin(CaseRecordAdmin):
    list_display = ["application", "outcome", "amount", "decided_by", "proposed_by", "decided_at"]
    list_filter = ["outcome"]
    list_select_related = ["application", "decided_by", "proposed_by"]


class ReviewScoreInline(ReadOnlyTabularInline):
    model = ReviewScore
    fields = readonly_fields = ("criterion", "score", "justification")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewScore]:
        return super().get_queryset(request).select_related("criterion")


@admin.register(Review)
class ReviewAdmin(CaseRecordAdmin):
    list_display = ["application", "reviewer", "conflict", "recommendation", "assigned_at", "submitted_at"]
    list_filter = ["conflict", "recommendation"]
    list_select_related = ["application", "reviewer"]
    search_fields = ["application__reference_number", "application__title", "reviewer__email"]
    inlines = [ReviewScoreInline]


# --- grants, money and reports -------------------------------------------------------------------------


class PayoutInline(ReadOnlyTabularInline):
    model = Payout
    fields = readonly_fields = ("amount", "trigger", "state", "batch", "paid_at")


class ReportInline(ReadOnlyTabularInline):
    model = Report
    fields = readonly_fields = ("kind", "due_date", "state", "submitted_at")


@admin.register(Grant)
class GrantAdmin(ReadOnlyAdmin):
    list_display = ["reference", "organisation", "amount", "state", "acceptance_deadline_at", "accepted_at"]
    list_filter = ["state"]
    list_select_related = ["application__organisation"]
    search_fields = ["application__reference_number", "application__title", "application__organisation__name"]
    inlines = [PayoutInline, ReportInline]

    @admin.display(description=_("diarienummer"), ordering="application__reference_number")
    def reference(self, obj: Grant) -> str:
        return obj.application.reference_number or ""

    @admin.display(description=_("organisation"), ordering="application__organisation__name")
    def organisation(self, obj: Grant) -> str:
        return obj.application.organisation.name

    @admin.display(description=_("beviljat belopp"), ordering="granted_amount")
    def amount(self, obj: Grant) -> str:
        return format_money(obj.granted_amount)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["grant", "amount", "trigger", "state", "batch", "paid_at"]
    list_filter = ["state", "trigger"]
    list_select_related = ["grant__application", "batch"]
    search_fields = ["grant__application__reference_number", "grant__application__organisation__name"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "payout_count", "total", "created_by", "created_at", "exported_at"]
    list_filter = ["state"]
    list_select_related = ["created_by"]
    inlines = [PayoutInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayoutBatch]:
        return super().get_queryset(request).annotate(n_payouts=Count("payouts"), total_amount=Sum("payouts__amount"))

    @admin.display(description=_("utbetalningar"), ordering="n_payouts")
    def payout_count(self, obj: PayoutBatch) -> int:
        return getattr(obj, "n_payouts", 0)

    @admin.display(description=_("summa"), ordering="total_amount")
    def total(self, obj: PayoutBatch) -> str:
        return format_money(getattr(obj, "total_amount", None) or 0)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["grant", "kind", "due_date", "state", "overdue", "submitted_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["grant__application"]
    search_fields = ["grant__application__reference_number", "grant__application__organisation__name"]

    @admin.display(description=_("försenad"), boolean=True)
    def overdue(self, obj: Report) -> bool:
        # Derived, not a state (DESIGN.md §4.5): due date passed and not submitted.
        return obj.state == ReportState.DUE and obj.due_date < timezone.localdate()


@admin.register(RepaymentClaim)
class RepaymentClaimAdmin(ReadOnlyAdmin):
    list_display = ["grant", "amount", "due_date", "state", "created_by", "created_at"]
    list_filter = ["state"]
    list_select_related = ["grant__application", "created_by"]
    search_fields = ["grant__application__reference_number"]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient_email", "event", "subject", "channel", "status", "sent_at"]
    list_filter = ["status", "channel", "event"]
    list_select_related = ["application", "recipient"]
    search_fields = ["recipient_email", "subject", "application__reference_number"]
