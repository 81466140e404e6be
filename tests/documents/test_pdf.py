"""render_pdf: PDF/A-3b, A4, the app's own fonts embedded, nothing fetched from outside the app."""

import re

import pytest
from weasyprint.urls import FatalURLFetchingError

from documents.letters import decision_letter_render
from documents.pdf import FONTS_DIR, _AppFilesOnly, render_pdf

from .conftest import pdf_fonts, pdf_text, pdf_tool


@pytest.fixture
def letter(approved):
    return decision_letter_render(approved.decisions.get(), "sv")


def test_letter_declares_pdf_a_3b(letter, tmp_path):
    assert letter.startswith(b"%PDF-")
    xmp = pdf_tool(["pdfinfo", "-meta"], letter, tmp_path)  # the XMP metadata stream, decompressed
    assert "<x:xmpmeta" in xmp, "no XMP metadata stream"
    assert re.search(r'pdfaid:part(>|=")3', xmp)
    assert re.search(r'pdfaid:conformance(>|=")B', xmp)
    assert "<rdf:li>Vinnova</rdf:li>" in xmp  # dc:creator: the authority


def test_every_font_is_embedded_and_ours(letter, tmp_path):
    fonts = pdf_fonts(letter, tmp_path)
    assert fonts
    for row in fonts:
        name, emb = row[0], row[-5]
        assert emb == "yes", row
        assert "Samverket-" in name, f"{name}: a system font was used instead of the app's own"


def test_page_is_a4(letter, tmp_path):
    info = pdf_tool(["pdfinfo"], letter, tmp_path)
    assert re.search(r"Page size:\s+595(\.\d+)? x 841(\.\d+)? pts \(A4\)", info), info


def test_shipped_fonts_and_licence_are_present():
    for name in ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "LICENSE"]:
        assert (FONTS_DIR / name).is_file(), name


@pytest.mark.parametrize(
    "url", ["http://example.com/logo.png", "https://example.com/x.css", "file:///etc/passwd", "ftp://example.com/f"]
)
def test_nothing_outside_the_app_is_fetched(url):
    with pytest.raises((FatalURLFetchingError, ValueError)):
        _AppFilesOnly(allowed_protocols={"file", "data"}).fetch(url)


def test_page_footer_counts_pages_in_the_letter_language(db, tmp_path):
    sv = pdf_text(render_pdf("base_pdf.html", {"reference_number": "2026-00042"}, language="sv"), tmp_path)
    en = pdf_text(render_pdf("base_pdf.html", {"reference_number": "2026-00042"}, language="en"), tmp_path)
    assert "Sida 1 av 1" in sv and "Diarienummer 2026-00042" in sv
    assert "Page 1 of 1" in en and "2026-00042" in en
