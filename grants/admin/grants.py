"""Grants, money and reports: grants, payouts, payout batches, reports, repayment claims and messages, all
read-only, each scoped to the cases the person may see (grants/admin/scoping.py)."""

from django.contrib import admin
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.admin.base import ReadOnlyAdmin, ReadOnlyTabularInline, money_column
from grants.admin.scoping import CaseScopedMixin
from grants.formatting import format_money
from grants.models import Grant, Message, Payout, PayoutBatch, PayoutBatchLine, RepaymentClaim, Report, ReportState
from grants.models.reconciliation import BankAnswer, ReconciliationEntry


class PayoutInline(CaseScopedMixin, ReadOnlyTabularInline):
    model = Payout
    case_path = "grant__application"
    fields = readonly_fields = ("amount", "trigger", "state", "batch", "account", "paid_at")


class PayoutBatchLineInline(ReadOnlyTabularInline):
    """The batch's frozen lines, as attested and exported (never the live payouts' values)."""

    model = PayoutBatchLine
    fields = readonly_fields = (
        "payout",
        "amount",
        "payee_name",
        "payee_orgnr",
        "account_kind",
        "account_number",
        "bic",
        "reference",
    )


class ReportInline(CaseScopedMixin, ReadOnlyTabularInline):
    model = Report
    case_path = "grant__application"
    fields = readonly_fields = ("kind", "due_date", "state", "submitted_at")


@admin.register(Grant)
class GrantAdmin(CaseScopedMixin, ReadOnlyAdmin):
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
class PayoutAdmin(CaseScopedMixin, ReadOnlyAdmin):
    case_path = "grant__application"
    list_display = ["grant", "amount_shown", "trigger", "state", "batch", "paid_at"]
    list_filter = ["state", "trigger"]
    list_select_related = ["grant__application", "batch"]
    amount_shown = money_column(Payout, "amount")
    search_fields = ["grant__application__reference_number", "grant__application__organisation__name"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "state",
        "payout_count",
        "total",
        "created_by",
        "created_at",
        "approved_by",
        "approved_at",
        "exported_at",
    ]
    list_filter = ["state"]
    list_select_related = ["created_by", "approved_by"]
    inlines = [PayoutInline, PayoutBatchLineInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayoutBatch]:
        return super().get_queryset(request).annotate(n_payouts=Count("payouts"), total_amount=Sum("payouts__amount"))

    @admin.display(description=_("utbetalningar"), ordering="n_payouts")
    def payout_count(self, obj: PayoutBatch) -> int:
        return getattr(obj, "n_payouts", 0)

    @admin.display(description=_("summa"), ordering="total_amount")
    def total(self, obj: PayoutBatch) -> str:
        return format_money(getattr(obj, "total_amount", None) or 0)


class ReconciliationEntryInline(ReadOnlyTabularInline):
    model = ReconciliationEntry
    fields = ["line", "payout", "outcome", "amount", "reason_code", "reason"]
    readonly_fields = ["line", "payout", "outcome", "amount", "reason_code", "reason"]


@admin.register(BankAnswer)
class BankAnswerAdmin(ReadOnlyAdmin):
    """The bank's answers as they were read in and booked (finance books them on the batch page)."""

    list_display = ["batch", "filename", "format", "imported_by", "imported_at", "applied_by", "applied_at"]
    list_filter = ["format"]
    list_select_related = ["batch", "imported_by", "applied_by"]
    inlines = [ReconciliationEntryInline]


@admin.register(Report)
class ReportAdmin(CaseScopedMixin, ReadOnlyAdmin):
    case_path = "grant__application"
    list_display = ["grant", "kind", "due_date", "state", "overdue", "submitted_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["grant__application"]
    search_fields = ["grant__application__reference_number", "grant__application__organisation__name"]

    @admin.display(description=_("försenad"), boolean=True)
    def overdue(self, obj: Report) -> bool:
        # Derived, not a state (DESIGN.md §4.5): due date passed and not submitted.
        return obj.state == ReportState.DUE and obj.due_date < timezone.localdate()


@admin.register(RepaymentClaim)
class RepaymentClaimAdmin(CaseScopedMixin, ReadOnlyAdmin):
    case_path = "grant__application"
    list_display = ["grant", "amount_shown", "due_date", "state", "created_by", "created_at"]
    list_filter = ["state"]
    list_select_related = ["grant__application", "created_by"]
    amount_shown = money_column(RepaymentClaim, "amount")
    search_fields = ["grant__application__reference_number"]


@admin.register(Message)
class MessageAdmin(CaseScopedMixin, ReadOnlyAdmin):
    list_display = ["created_at", "recipient_email", "event", "subject", "channel", "status", "sent_at"]
    list_filter = ["status", "channel", "event"]
    list_select_related = ["application", "recipient"]
    search_fields = ["recipient_email", "subject", "application__reference_number"]
