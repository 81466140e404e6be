"""Organisations, their members (the signatory role is granted here) and invitations."""

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.se import orgnr as se_orgnr

from grants.models import Invitation, Membership, Organisation, PaymentAccountType


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
