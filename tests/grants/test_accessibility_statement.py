"""The accessibility statement says what is true now (DOS-lagen 2018:1937): the PDFs as they are made, where
to report a problem (an address from the settings) and the supervisory authority's complaint form."""

import inspect

import pytest
from django.urls import reverse

import documents.pdf
from tests.grants.test_html_valid import _check

DIGG_COMPLAINT_FORM = "https://www.digg.se/tdosanmalan"


def test_the_statement_gives_an_address_and_the_complaint_form(client, db, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "tillganglighet@myndighet.example.se"
    page = client.get(reverse("accessibility"))
    _check(page)
    html = page.content.decode()
    assert 'href="mailto:tillganglighet@myndighet.example.se"' in html
    assert f'href="{DIGG_COMPLAINT_FORM}"' in html
    assert "senare version" not in html  # decision letters are issued now
    assert "delvis förenlig" in html and "PDF/A" in html and "inte taggade" in html


def test_the_statement_in_english(client, db, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "a11y@agency.example"
    page = client.get(reverse("accessibility"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "partially compliant" in html and "not tagged" in html
    assert 'href="mailto:a11y@agency.example"' in html and f'href="{DIGG_COMPLAINT_FORM}"' in html


@pytest.mark.parametrize("name", ["pdf_tags", "pdf/ua"])
def test_the_pdfs_are_still_untagged_as_the_statement_says(name):
    """If this fails, the letters have become tagged PDFs: say so in templates/grants/accessibility.html."""
    assert documents.pdf.PDF_VARIANT == "pdf/a-3b"  # "b": basic conformance, no tagged structure
    assert name not in inspect.getsource(documents.pdf).lower()
