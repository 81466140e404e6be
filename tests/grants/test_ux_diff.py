"""Issue 9 item 10: the before/after table of a completion answer shows what people read, not what the code
stores: category labels, not `STAFF` or `TRAVEL`; Swedish amounts (`123 456 kr`), not `123456.00`; Swedish
dates. The note the applicant wrote with the answer is shown with the table, not only in the case log."""

import pytest
from django.utils import translation

from grants.selectors.cases import content_diff
from grants.services.applications import application_complete
from tests.grants.test_case_versions import _case_page, _content, completing  # noqa: F401 (a fixture)

NOTE = "Budgeten är omräknad efter nya resekostnader."


@pytest.fixture
def answered(completing, cast, now):  # noqa: F811
    application_complete(actor=cast.applicant, application=completing, note=NOTE, now=now)
    return completing


def test_the_diff_shows_labels_swedish_amounts_and_the_note(client, answered, cast):
    html = _content(_case_page(client, cast.officer, answered), heading="diff-title")
    assert "Lokaler och coworkingavgifter · Platser på Samverket · 400\xa0000\xa0kr" in html
    assert "Resor · Resor till Östersund · 123\xa0456\xa0kr" in html
    assert "<del>400\xa0000\xa0kr</del>" in html and "<ins>123\xa0456\xa0kr</ins>" in html  # the requested amount
    for internal in ("PREMISES", "TRAVEL", "400000.00", "123456.00", "123456"):
        assert internal not in html, internal
    assert NOTE in html


def test_without_a_note_the_diff_says_so(client, completing, cast, now):  # noqa: F811
    application_complete(actor=cast.applicant, application=completing, note="", now=now)
    html = _content(_case_page(client, cast.officer, completing), heading="diff-title")
    assert "Sökanden skrev ingen kommentar." in html


def test_content_diff_formats_money_and_dates_in_the_page_language():
    old = {"co_financing": "0.00", "start_date": "2027-01-01", "budget_lines": []}
    new = {"co_financing": "1234.50", "start_date": "2027-03-01", "budget_lines": []}
    with translation.override("sv"):
        rows = {str(r.label): (r.old, r.new) for r in content_diff(old, new)}
        assert ("0\xa0kr", "1\xa0234,50\xa0kr") in rows.values()
        assert ("1 januari 2027", "1 mars 2027") in rows.values()
    with translation.override("en"):
        rows = {str(r.label): (r.old, r.new) for r in content_diff(old, new)}
        assert ("1 January 2027", "1 March 2027") in rows.values()


def test_odd_frozen_values_are_shown_as_stored():
    rows = content_diff({"co_financing": "mycket", "start_date": "snart"}, {"co_financing": "1", "start_date": ""})
    assert {(r.old, r.new) for r in rows} == {("mycket", "1\xa0kr"), ("snart", "")}
