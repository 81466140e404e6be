"""Organisations, their members (the signatory role is granted here, by programme admins only), the organisation
log, invitations, and join and signatory requests. Every membership written here goes through the services of
grants/services/memberships.py, so the organisation log records it (grants/admin/memberships.py)."""

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from stdnum.se import orgnr as se_orgnr

from grants.admin.base import AccessibleFormFieldsMixin, LabelledInlineFormSet, ReadOnlyAdmin, ReadOnlyTabularInline
from grants.admin.memberships import MembershipFormsetMixin, MembershipInlineForm, membership_delete, membership_save
from grants.models import (
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationEvent,
    PaymentAccount,
    PaymentAccountState,
)
from grants.services.memberships import organisation_event_label, organisation_event_note


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
        ]

    def clean_orgnr(self) -> str:
        try:
            return se_orgnr.validate(self.cleaned_data["orgnr"])
        except Exception as exc:  # stdnum raises several ValidationError kinds
            raise forms.ValidationError(_("Organisationsnumret är inte giltigt. Skriv 10 siffror.")) from exc


class MembershipInline(AccessibleFormFieldsMixin, admin.TabularInline):
    """Programme admins grant the signatory role here (DESIGN.md §2: only signatories accept grant terms)."""

    model = Membership
    form = MembershipInlineForm
    formset = LabelledInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


class OrganisationEventInline(ReadOnlyTabularInline):
    """The organisation log on the organisation's page, newest first (its own admin: organisationevent)."""

    model = OrganisationEvent
    fields = readonly_fields = ("created_at", "event_label", "user", "roles", "actor", "note_text")
    verbose_name_plural = _("organisationslogg")

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrganisationEvent]:
        return super().get_queryset(request).select_related("user", "actor").order_by("-created_at", "-pk")

    @admin.display(description=_("händelse"))
    def event_label(self, obj: OrganisationEvent) -> str:
        return organisation_event_label(obj.event)

    @admin.display(description=_("roll före → efter"))
    def roles(self, obj: OrganisationEvent) -> str:
        return role_change_text(obj)

    @admin.display(description=_("anteckning"))
    def note_text(self, obj: OrganisationEvent) -> str:
        return organisation_event_note(obj.note)


def role_change_text(obj: OrganisationEvent) -> str:
    labels = dict(MembershipRole.choices)
    old, new = (str(labels.get(r, r)) if r else "–" for r in (obj.from_role, obj.to_role))
    return "" if not obj.from_role and not obj.to_role else f"{old} → {new}"


class PaymentAccountInline(ReadOnlyTabularInline):
    """The organisation's payment accounts, current first, with who entered and who verified each. Read only:
    a new account is entered and verified through the finance services, never edited here."""

    model = PaymentAccount
    fields = readonly_fields = (
        "kind",
        "number",
        "bic",
        "created_by",
        "created_at",
        "verified_by",
        "verified_at",
        "rejected_by",
        "rejected_at",
        "rejection_reason",
        "superseded_at",
    )
    verbose_name_plural = _("utbetalningskonton")

    def get_queryset(self, request: HttpRequest) -> QuerySet[PaymentAccount]:
        return super().get_queryset(request).select_related("created_by", "verified_by", "rejected_by")


class PaymentAccountStateFilter(admin.SimpleListFilter):
    """The derived state (PaymentAccount.state): waiting, verified, rejected or superseded."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(PaymentAccountState.choices)

    def queryset(self, request: HttpRequest, queryset: QuerySet[PaymentAccount]) -> QuerySet[PaymentAccount]:
        current = Q(superseded_at__isnull=True)
        verified, rejected = Q(verified_at__isnull=False), Q(rejected_at__isnull=False)
        filters = {
            PaymentAccountState.WAITING: current & ~verified & ~rejected,
            PaymentAccountState.VERIFIED: current & verified,
            PaymentAccountState.REJECTED: rejected,
            PaymentAccountState.SUPERSEDED: ~current & ~rejected,
        }
        value = self.value()
        return queryset.filter(filters[value]) if value in filters else queryset  # type: ignore[index]


@admin.register(PaymentAccount)
class PaymentAccountAdmin(ReadOnlyAdmin):
    """Every payment account and its history, for finance and programme admins to read. Read only for everyone:
    finance verifies and rejects on /staff/finance/accounts/ (the services keep four eyes and the log)."""

    list_display = [
        "organisation",
        "kind",
        "number",
        "bic",
        "state_label",
        "created_by",
        "created_at",
        "verified_by",
        "verified_at",
    ]
    list_filter = [PaymentAccountStateFilter, "kind"]
    list_select_related = ["organisation", "created_by", "verified_by"]
    search_fields = ["organisation__name", "organisation__orgnr", "number"]
    ordering = ["organisation__name", "-created_at"]

    @admin.display(description=_("status"))
    def state_label(self, obj: PaymentAccount) -> str:
        return str(obj.state.label)


@admin.register(Organisation)
class OrganisationAdmin(MembershipFormsetMixin, admin.ModelAdmin):
    form = OrganisationAdminForm
    inlines = [MembershipInline, PaymentAccountInline, OrganisationEventInline]
    list_display = ["name", "orgnr_display", "org_type", "city"]
    list_filter = ["org_type"]
    search_fields = ["name", "orgnr"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["name", "orgnr", "org_type"]}),
        (_("Adress"), {"fields": ["street_address", "postal_code", "city"]}),
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
class MembershipAdmin(AccessibleFormFieldsMixin, admin.ModelAdmin):
    """Adding, changing (the role) and removing go through the membership services, each logged. The person and
    the organisation of an existing membership are fixed: a different one is a new membership."""

    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__email", "user__full_name", "organisation__name", "organisation__orgnr"]
    autocomplete_fields = ["user", "organisation"]
    fields = ["user", "organisation", "role", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> list[str]:
        return ["created_at"] if obj is None else ["user", "organisation", "created_at"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        membership_save(request, obj, change=change, changed=form.changed_data)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        membership_delete(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("user", "organisation"):
            membership_delete(request, membership)


@admin.register(OrganisationEvent)
class OrganisationEventAdmin(ReadOnlyAdmin):
    """The organisation log: append-only (a trigger refuses UPDATE and DELETE on PostgreSQL), read and searched."""

    list_display = ["created_at", "organisation", "what", "user", "roles", "actor", "note_text"]
    list_filter = ["event"]
    list_select_related = ["organisation", "user", "actor"]
    search_fields = ["organisation__name", "organisation__orgnr", "user__email", "actor__email", "note"]
    fields = readonly_fields = ("created_at", "organisation", "what", "user", "roles", "actor", "note_text")

    @admin.display(description=_("händelse"), ordering="event")
    def what(self, obj: OrganisationEvent) -> str:
        return organisation_event_label(obj.event)

    @admin.display(description=_("roll före → efter"))
    def roles(self, obj: OrganisationEvent) -> str:
        return role_change_text(obj)

    @admin.display(description=_("anteckning"))
    def note_text(self, obj: OrganisationEvent) -> str:
        return organisation_event_note(obj.note)


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
