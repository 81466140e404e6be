"""Calls with their criteria and required attachments: configured here by programme staff."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grants.admin.base import AccessibleFormFieldsMixin, LabelledInlineFormSet
from grants.formatting import format_money
from grants.forms import MoneyField
from grants.models import Call, Criterion, OrganisationType, PayoutPlanStep, RequiredAttachment
from grants.models.plans import plan_total_error
from grants.selectors.budget import committed_annotation


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
        # Amounts as everywhere else: '600 000', never Arabic-Indic digits, '+5' or '1_000' (grants.forms).
        field_classes = {"total_budget": MoneyField, "max_grant_amount": MoneyField}

    def clean_eligible_org_types(self) -> list[str]:
        chosen = set(self.cleaned_data["eligible_org_types"])
        return [value for value in OrganisationType.values if value in chosen]


class CriterionInline(admin.StackedInline):
    model = Criterion
    extra = 0
    fields = [("name_sv", "name_en"), ("guidance_sv", "guidance_en"), ("weight", "position")]


class RequiredAttachmentInline(admin.TabularInline):
    model = RequiredAttachment
    formset = LabelledInlineFormSet
    extra = 0
    fields = ["code", "name_sv", "name_en", "required", "position"]


class PayoutPlanFormSet(LabelledInlineFormSet):
    """The steps that stay (not deleted) must sum to exactly 100 %, or none at all (the default plan)."""

    def clean(self) -> None:
        super().clean()
        if any(form.errors for form in self.forms):
            return
        percents = [
            form.cleaned_data["percent"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("percent")
        ]
        if percents:
            error = plan_total_error(percents)
            if error:
                raise forms.ValidationError(error)


class PayoutPlanStepInline(admin.TabularInline):
    """The call's payout plan; left empty, the call pays by DEFAULT_PLAN (80 % on acceptance, 20 % after the
    approved final report)."""

    model = PayoutPlanStep
    formset = PayoutPlanFormSet
    extra = 0
    fields = ["position", "percent", "trigger"]


@admin.register(Call)
class CallAdmin(AccessibleFormFieldsMixin, admin.ModelAdmin):
    form = CallAdminForm
    inlines = [PayoutPlanStepInline, CriterionInline, RequiredAttachmentInline]
    list_display = ["title_sv", "opens_at", "closes_at", "budget", "ceiling", "committed"]
    search_fields = ["title_sv", "title_en"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["title_sv", "title_en", "description_sv", "description_en"]}),
        (_("Tider och pengar"), {"fields": ["opens_at", "closes_at", "total_budget", "max_grant_amount"]}),
        (_("Vem kan söka"), {"fields": ["eligible_org_types"]}),
        (
            _("Utbetalning och rapportering"),
            {"fields": ["interim_report_months", "final_report_months", "acceptance_days"]},
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
        # Committed as grants.selectors.budget defines it (DESIGN.md §5 rule 2).
        return super().get_queryset(request).annotate(committed_amount=committed_annotation())

    @admin.display(description=_("total budget"), ordering="total_budget")
    def budget(self, obj: Call) -> str:
        return format_money(obj.total_budget)

    @admin.display(description=_("högsta bidrag"), ordering="max_grant_amount")
    def ceiling(self, obj: Call) -> str:
        return format_money(obj.max_grant_amount)

    @admin.display(description=_("beviljat hittills"), ordering="committed_amount")
    def committed(self, obj: Call) -> str:
        return format_money(getattr(obj, "committed_amount", None) or 0)
