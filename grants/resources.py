"""django-import-export resources: the ledger exports of a payment batch (DESIGN.md §7), CSV and XLSX of the
batch's frozen lines, for the finance system (Agresso / Unit4 and others import these). Export only."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .models import PayoutBatchLine


class PayoutBatchLineResource(resources.ModelResource):
    """One row per frozen line, in the order of the payment file; amounts with two decimals and a point."""

    batch = fields.Field(attribute="batch_id", column_name="batch")
    payout = fields.Field(attribute="payout_id", column_name="payout")  # EndToEndId in the payment file
    reference = fields.Field(attribute="reference", column_name="reference")
    payee_name = fields.Field(attribute="payee_name", column_name="payee_name")
    payee_orgnr = fields.Field(attribute="payee_orgnr", column_name="payee_orgnr")
    account_kind = fields.Field(attribute="account_kind", column_name="account_kind")
    account_number = fields.Field(attribute="account_number", column_name="account_number")
    bic = fields.Field(attribute="bic", column_name="bic")
    amount = fields.Field(column_name="amount_sek")
    currency = fields.Field(column_name="currency")

    class Meta:
        model = PayoutBatchLine
        fields = (
            "batch",
            "payout",
            "reference",
            "payee_name",
            "payee_orgnr",
            "account_kind",
            "account_number",
            "bic",
            "amount",
            "currency",
        )
        export_order = fields
        name = _("Rader i utbetalningsunderlag")

    def dehydrate_amount(self, line: PayoutBatchLine) -> str:
        return f"{line.amount:.2f}"

    def dehydrate_currency(self, line: PayoutBatchLine) -> str:
        return "SEK"
