"""The files of an attested batch, made from its FROZEN lines (PayoutBatchLine), never from the payouts or
accounts as they are now (DESIGN.md §4.4, §7): the pain.001.001.03 payment file (documents/bankfiles), checked
against the official XSD before anything is stored, and the CSV and XLSX ledger exports (grants/resources.py).
Pure: lines in, bytes out; storing them is batch_export's work (grants/services/batches.py)."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import tablib
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from documents.bankfiles import CreditTransfer, Debtor, build_pain001, parse_account, validate
from documents.bankfiles.errors import AccountError
from documents.bankfiles.schemas import SchemaName
from documents.models import CSV, XLSX, XML, DocumentKind
from grants.errors import ServiceError
from grants.formatting import STOCKHOLM
from grants.models import PayoutBatch, PayoutBatchLine
from grants.resources import PayoutBatchLineResource

PAIN001: SchemaName = "pain.001.001.03"


@dataclass(frozen=True)
class BatchFile:
    kind: str
    filename: str
    content_type: str
    content: bytes


def debtor() -> Debtor:
    """The authority's account the payment file debits (settings PAYMENT_DEBTOR_*)."""
    return Debtor(
        name=settings.PAYMENT_DEBTOR_NAME,
        iban=settings.PAYMENT_DEBTOR_IBAN,
        bic=settings.PAYMENT_DEBTOR_BIC,
        orgnr=settings.PAYMENT_DEBTOR_ORGNR,
    )


def message_id(batch: PayoutBatch) -> str:
    """The file's MsgId: one per batch, and a batch is exported once."""
    return f"SAMVERKET-BATCH-{batch.pk}"


def credit_transfers(lines: Sequence[PayoutBatchLine]) -> list[CreditTransfer]:
    """One transfer per frozen line: EndToEndId = the payout's id (the bank's answer names it)."""
    transfers = []
    for line in lines:
        try:
            account = parse_account(line.account_kind.lower(), line.account_number, line.bic)
        except AccountError as exc:  # approval checked it; a line that fails now is named, not exported
            raise ServiceError(
                _("Kontot för %(payee)s är ogiltigt: %(reason)s") % {"payee": line.payee_name, "reason": exc.message}
            ) from exc
        transfers.append(
            CreditTransfer(
                end_to_end_id=str(line.payout_id),
                amount=line.amount,
                creditor_name=line.payee_name,
                account=account,
                reference=line.reference,
            )
        )
    return transfers


def payment_file(batch: PayoutBatch, lines: Sequence[PayoutBatchLine], *, now: datetime) -> bytes:
    """The pain.001.001.03 file of the lines, valid against the XSD. Raises ServiceError (with the schema's first
    complaints) for a file the XSD refuses: such a file is never stored or offered."""
    xml = build_pain001(
        message_id=message_id(batch),
        created_at=now,
        execution_date=now.astimezone(STOCKHOLM).date(),
        debtor=debtor(),
        transfers=credit_transfers(lines),
        plusgiro_member_id=settings.PLUSGIRO_MEMBER_ID,
    )
    errors = validate(xml, PAIN001)
    if errors:
        raise ServiceError(
            _("Betalfilen klarar inte kontrollen mot ISO 20022-schemat: %(errors)s") % {"errors": "; ".join(errors[:3])}
        )
    return xml


def ledger_xlsx(dataset: tablib.Dataset) -> bytes:
    """The resource's rows as an XLSX workbook, written with openpyxl in write-only mode (tablib's own xlsx
    export builds the whole sheet in memory first: seven times slower for a batch of 10 000 lines). Every text
    is a text cell, never a formula, whatever it starts with (a payee named "=HYPERLINK(…)" stays text)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(dataset.title or "Underlag")[:31])

    def cell(value: object) -> object:
        if isinstance(value, str):
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"
            return text
        return value

    sheet.append([cell(header) for header in dataset.headers or []])
    for row in dataset:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def batch_files(batch: PayoutBatch, lines: Sequence[PayoutBatchLine], *, now: datetime) -> list[BatchFile]:
    """The three files of an export: payment file, CSV and XLSX of the same lines."""
    xml = payment_file(batch, lines, now=now)
    dataset = PayoutBatchLineResource().export(list(lines))
    csv = dataset.csv
    xlsx = ledger_xlsx(dataset)
    return [
        BatchFile(DocumentKind.PAYMENT_FILE, f"betalfil-{batch.pk}.xml", XML, xml),
        BatchFile(DocumentKind.LEDGER_CSV, f"underlag-{batch.pk}.csv", CSV, csv.encode("utf-8")),
        BatchFile(DocumentKind.LEDGER_XLSX, f"underlag-{batch.pk}.xlsx", XLSX, bytes(xlsx)),
    ]
