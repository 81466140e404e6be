"""Issue 9 item 6 (PDFs): an attachment with JavaScript, automatic actions, embedded files or HTML riding along
is refused with a message saying why, and nothing is stored. The files are made here, byte by byte."""

import io
import os
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grants.models import Attachment
from grants.uploads import pdf_problem
from tests.factories import make_pdf

JS = "JavaScript"
ACTION = "automatiska åtgärder"
EMBEDDED = "inbäddade filer"
HTML = "HTML-kod"
BEFORE = "annat innehåll före PDF-rubriken"
TOO_MUCH = "för mycket komprimerat innehåll"


def pdf(*objects: bytes, tail: bytes = b"") -> bytes:
    """A small PDF: the catalog (object 1, with `catalog_extra`), pages, one page, then `objects`."""
    body = b"%PDF-1.7\n"
    for number, obj in enumerate(objects, start=1):
        body += str(number).encode() + b" 0 obj\n" + obj + b"\nendobj\n"
    return body + b"trailer<</Root 1 0 R>>\n%%EOF\n" + tail


def stream(data: bytes, extra: bytes = b"", compress: bool = True) -> bytes:
    payload = zlib.compress(data) if compress else data
    flt = b"/Filter/FlateDecode" if compress else b""
    return b"<<" + flt + extra + b"/Length " + str(len(payload)).encode() + b">>\nstream\n" + payload + b"\nendstream"


CATALOG = b"<</Type/Catalog/Pages 2 0 R>>"
PAGES = b"<</Type/Pages/Kids[3 0 R]/Count 1>>"
PAGE = b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>"
TEXT = stream(b"BT /F1 12 Tf 72 712 Td (Projektplan) Tj ET")

REFUSED = {
    "OpenAction with JavaScript": (
        pdf(
            b"<</Type/Catalog/Pages 2 0 R/OpenAction 5 0 R>>", PAGES, PAGE, TEXT, b"<</S/JavaScript/JS(app.alert(1))>>"
        ),
        JS,
    ),
    "JS in the Names tree": (
        pdf(b"<</Type/Catalog/Pages 2 0 R/Names<</JavaScript 5 0 R>>>>", PAGES, PAGE, TEXT, b"<</Names[(a) 6 0 R]>>"),
        JS,
    ),
    "name written with #xx escapes": (
        pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/J#61vaScript/J#53(x)>>>>", PAGES, PAGE, TEXT),
        JS,
    ),
    "JavaScript inside a compressed object stream": (
        pdf(
            CATALOG,
            PAGES,
            PAGE,
            TEXT,
            stream(b"6 0 <</S/JavaScript/JS(this.exportDataObject())>>", b"/Type/ObjStm/N 1/First 4"),
        ),
        JS,
    ),
    "Launch action": (
        pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/Launch/F(cmd.exe)>>>>", PAGES, PAGE, TEXT),
        ACTION,
    ),
    "page with additional actions (AA)": (
        pdf(
            CATALOG, PAGES, b"<</Type/Page/Parent 2 0 R/AA<</O 5 0 R>>/Contents 4 0 R>>", TEXT, b"<</S/GoTo/D[3 0 R]>>"
        ),
        ACTION,
    ),
    "embedded file": (
        pdf(
            b"<</Type/Catalog/Pages 2 0 R/Names<</EmbeddedFiles<</Names[(a.exe) 5 0 R]>>>>>>",
            PAGES,
            PAGE,
            TEXT,
            b"<</Type/Filespec/F(a.exe)/EF<</F 6 0 R>>>>",
            stream(b"MZ\x90\x00", b"/Type/EmbeddedFile"),
        ),
        EMBEDDED,
    ),
    "HTML after the end of the PDF": (
        pdf(
            CATALOG,
            PAGES,
            PAGE,
            TEXT,
            tail=b"<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n",
        ),
        HTML,
    ),
    "HTML in a comment in the body": (
        pdf(CATALOG, PAGES, PAGE, TEXT).replace(b"trailer", b"%<script>fetch('/x')</script>\ntrailer"),
        HTML,
    ),
    "HTML before the header": (b"<!doctype html><p>hi</p>\n" + make_pdf(), BEFORE),
    "a zip bomb": (pdf(CATALOG, PAGES, PAGE, stream(b"\x00" * (65 * 1024 * 1024))), TOO_MUCH),
}

ACCEPTED = {
    "the factory's PDF": make_pdf(),
    "compressed text": pdf(CATALOG, PAGES, PAGE, TEXT),
    "OpenAction that only opens a page": pdf(b"<</Type/Catalog/Pages 2 0 R/OpenAction[3 0 R/Fit]>>", PAGES, PAGE, TEXT),
    # Image data can hold any bytes, "<html" and "/JS" included: it is not searched.
    "an image whose bytes look like tags": pdf(
        CATALOG, PAGES, PAGE, TEXT, stream(b"<html /JS /AA " + os.urandom(4000), b"/Subtype/Image", compress=False)
    ),
    "random compressed bytes": pdf(CATALOG, PAGES, PAGE, TEXT, stream(os.urandom(20_000), b"/Subtype/Image")),
}


@pytest.mark.parametrize(("content", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_dangerous_pdfs_are_refused_with_a_reason(content, message):
    problem = pdf_problem(io.BytesIO(content), len(content))
    assert problem is not None and message in str(problem)


@pytest.mark.parametrize("content", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_ordinary_pdfs_are_accepted(content):
    assert pdf_problem(io.BytesIO(content), len(content)) is None


def test_the_upload_form_shows_the_reason_and_stores_nothing(client, draft, applicant):
    applicant.refresh_from_db()
    client.force_login(applicant)
    content, message = REFUSED["OpenAction with JavaScript"]
    url = reverse("application_section", kwargs={"pk": draft.pk, "section": "attachments"})
    before = Attachment.objects.count()
    response = client.post(url, {"file": SimpleUploadedFile("plan.pdf", content, content_type="application/pdf")})
    assert response.status_code == 200 and message in response.content.decode()
    assert Attachment.objects.count() == before
