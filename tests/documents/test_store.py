"""documents/store.py: every kind of document is stored the same way — its bytes once, with their SHA-256,
linked to a case or a payout batch — and served back as an attachment of the right media type."""

import ast
import hashlib
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from documents.models import CSV, PDF, XLSX, XML, Document, DocumentKind
from documents.services import decision_letter_issue
from documents.store import DocumentStoreError, document_store
from grants.models import PayoutBatch
from tests.factories import UserFactory, make_pdf
from tests.workflows.lifecycle import bring_to

ROOT = Path(__file__).resolve().parent.parent.parent
PAIN001 = b'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>'
LEDGER = "utbetalning;belopp;mottagare\n1;480000,00;Östersunds kommun\n".encode()
XLSX_BYTES = b"PK\x03\x04" + b"\x00" * 40  # the zip header of a workbook; the store reads no further


@pytest.fixture
def case(draft, cast, now):
    return bring_to(draft, "IN_REVIEW", cast, now)


@pytest.fixture
def finance(db):
    return UserFactory(email="ekonomi@example.se", roles=["finance"])


@pytest.fixture
def batch(finance):
    return PayoutBatch.objects.create(created_by=finance)


def _files(settings) -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "documents"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


BATCH_FILES = [
    (DocumentKind.PAYMENT_FILE, XML, "pain001-1.xml", PAIN001),
    (DocumentKind.LEDGER_CSV, CSV, "utbetalningar-1.csv", LEDGER),
    (DocumentKind.LEDGER_XLSX, XLSX, "utbetalningar-1.xlsx", XLSX_BYTES),
    (DocumentKind.BANK_ANSWER, XML, "pain002-1.xml", PAIN001),
    (DocumentKind.BANK_ANSWER, CSV, "svar-1.csv", LEDGER),
]


@pytest.mark.parametrize(("kind", "content_type", "filename", "content"), BATCH_FILES)
def test_a_batch_file_is_stored_with_its_checksum(batch, finance, now, kind, content_type, filename, content):
    document = document_store(
        kind=kind, content=content, filename=filename, content_type=content_type, batch=batch, actor=finance, now=now
    )
    document = Document.objects.get(pk=document.pk)
    assert (document.kind, document.batch_id, document.application_id) == (kind, batch.pk, None)
    assert document.sha256 == hashlib.sha256(content).hexdigest() and document.size == len(content)
    assert (document.media_type, document.filename, document.created_by, document.created_at) == (
        content_type,
        filename,
        finance,
        now,
    )
    with document.file.open("rb") as handle:
        assert handle.read() == content
    assert list(batch.documents.all()) == [document]


def test_a_letter_is_stored_on_its_case(case, now):
    content = make_pdf("Beslut")
    document = document_store(
        kind=DocumentKind.DECISION_LETTER,
        content=content,
        filename="beslut.pdf",
        content_type=PDF,
        language="en",
        application=case,
        now=now,
    )
    assert (document.application, document.batch, document.language) == (case, None, "en")
    assert document.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("kind", "content_type", "filename", "content", "message"),
    [
        (DocumentKind.DECISION_LETTER, XML, "beslut.xml", PAIN001, "kan inte lagras som application/xml"),
        (DocumentKind.PAYMENT_FILE, PDF, "pain001.pdf", b"%PDF-1.7", "kan inte lagras som application/pdf"),
        (DocumentKind.PAYMENT_FILE, XML, "pain001.csv", PAIN001, "passar inte filtypen"),
        (DocumentKind.PAYMENT_FILE, XML, "pain001.xml", b"%PDF-1.7 not xml", "Innehållet är inte"),
        (DocumentKind.LEDGER_XLSX, XLSX, "ledger.xlsx", LEDGER, "Innehållet är inte"),
        (DocumentKind.LEDGER_CSV, CSV, "ledger.csv", b"", "tomt"),
        (DocumentKind.LEDGER_CSV, CSV, "../ledger.csv", LEDGER, "Ogiltigt filnamn"),
        ("NO_SUCH_KIND", CSV, "ledger.csv", LEDGER, "Okänd dokumenttyp"),
    ],
)
def test_what_does_not_fit_its_kind_is_not_stored(settings, batch, now, kind, content_type, filename, content, message):
    with pytest.raises(DocumentStoreError, match=message):
        document_store(kind=kind, content=content, filename=filename, content_type=content_type, batch=batch, now=now)
    assert not Document.objects.exists() and _files(settings) == []


def test_a_document_belongs_to_a_case_or_a_batch(settings, case, batch, now):
    with pytest.raises(DocumentStoreError, match="höra till ett ärende eller"):
        document_store(kind=DocumentKind.LEDGER_CSV, content=LEDGER, filename="a.csv", content_type=CSV, now=now)
    with pytest.raises(DocumentStoreError, match="hör till ett ärende, inte"):
        document_store(
            kind=DocumentKind.DECISION_LETTER,
            content=make_pdf("x"),
            filename="a.pdf",
            content_type=PDF,
            batch=batch,
            now=now,
        )
    assert not Document.objects.exists() and _files(settings) == []


def test_a_refused_row_leaves_no_file(settings, approved, now):
    """The unique constraints make issuing once safe: the second row is refused, and its file goes too."""
    decision = approved.decisions.get()
    stored = decision_letter_issue(decision_id=decision.pk, now=now)  # the letters use the store too
    assert stored.sha256 == hashlib.sha256(stored.file.open("rb").read()).hexdigest()
    files = _files(settings)
    with pytest.raises(IntegrityError), transaction.atomic():
        document_store(
            kind=DocumentKind.DECISION_LETTER,
            content=make_pdf("igen"),
            filename="beslut-igen.pdf",
            content_type=PDF,
            application=approved,
            decision=decision,
            language="sv",
            now=now,
        )
    assert list(Document.objects.filter(decision=decision, language="sv")) == [stored]
    assert _files(settings) == files


def test_the_store_imports_no_grants_services():
    """Any service may store a document; the store must not need them back (no import cycle)."""
    tree = ast.parse((ROOT / "documents" / "store.py").read_text())
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    modules |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {m for m in modules if m.startswith(("grants.services", "documents.services", "grants.views"))}


@pytest.mark.parametrize(("kind", "content_type", "filename", "content"), BATCH_FILES)
def test_each_kind_downloads_as_an_attachment_of_its_type(
    client, batch, finance, now, kind, content_type, filename, content
):
    document = document_store(
        kind=kind, content=content, filename=filename, content_type=content_type, batch=batch, now=now
    )
    client.force_login(finance)
    response = client.get(reverse("staff_document_download", args=[document.pk]))
    assert response.status_code == 200
    assert response.content == content
    expected_type = f"{content_type}; charset=utf-8" if content_type == CSV else content_type
    assert response["Content-Type"] == expected_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    client.force_login(UserFactory(roles=["reviewer"]))
    assert client.get(reverse("staff_document_download", args=[document.pk])).status_code == 404


def test_a_letter_downloads_as_pdf_with_its_name(client, approved, applicant, now):
    letter = decision_letter_issue(decision_id=approved.decisions.get().pk, now=now)
    client.force_login(applicant)
    response = client.get(reverse("document_download", args=[approved.pk, letter.pk]))
    assert response["Content-Type"] == PDF
    assert response["Content-Disposition"] == f'attachment; filename="{letter.filename}"'
    assert hashlib.sha256(response.content).hexdigest() == letter.sha256
