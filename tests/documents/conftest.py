import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from grants.models import ApplicationState
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, OrganisationFactory
from tests.workflows.lifecycle import bring_to

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# 10:00 Swedish time on 26 November 2026; 00:30 Swedish time is still 25 November in UTC.
DECIDED = datetime(2026, 11, 26, 10, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def letter_now():
    return DECIDED


@pytest.fixture
def letter_call(db):
    return CallFactory(
        opens_at=DECIDED - timedelta(days=30),
        closes_at=DECIDED + timedelta(days=30),
        legal_basis_sv="Förordning (2009:1101) med instruktion för Verket för innovationssystem.",
        legal_basis_en="Ordinance (2009:1101) with instructions for the Swedish Innovation Agency.",
        general_terms_sv="Vinnovas allmänna villkor för bidrag gäller.",
        general_terms_en="Vinnova's general terms and conditions for grants apply.",
        appeal_text_sv="Beslutet kan inte överklagas enligt 47 § förordningen (2009:1101).",
        appeal_text_en="The decision cannot be appealed under section 47 of the ordinance (2009:1101).",
    )


@pytest.fixture
def letter_draft(applicant, letter_call):
    organisation = OrganisationFactory(
        orgnr="2120000142",
        name="Östersunds kommun",
        street_address="Rådhusgatan 42",
        postal_code="831 82",
        city="Östersund",
    )
    MembershipFactory(user=applicant, organisation=organisation)
    application = ApplicationFactory(
        call=letter_call,
        organisation=organisation,
        created_by=applicant,
        title="Hybridarbete på Samverket Östersund",
        requested_amount=Decimal("600000.00"),
        start_date=date(2027, 1, 1),
        end_date=date(2027, 12, 31),
    )
    attach_required(application, applicant)
    return application


@pytest.fixture
def approved(letter_draft, cast, letter_now):
    return bring_to(letter_draft, ApplicationState.APPROVED, cast, letter_now)


@pytest.fixture
def rejected(letter_draft, cast, letter_now):
    return bring_to(letter_draft, ApplicationState.REJECTED, cast, letter_now)


def pdf_text(content: bytes, tmp_path: Path) -> str:
    """pdftotext -layout, with whitespace runs collapsed and hyphenation line breaks joined."""
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True).stdout.decode()
    text = text.replace("\u2010\n", "")  # WeasyPrint hyphenates with U+2010; a real hyphen is U+002D
    return " ".join(text.replace("\u00a0", " ").split())


def pdf_fonts(content: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True).stdout.decode()
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def pdf_tool(args: list[str], content: bytes, tmp_path: Path) -> str:
    """Run a poppler tool (pdfinfo …) on the PDF bytes and return its output."""
    path = tmp_path / "tool.pdf"
    path.write_bytes(content)
    return subprocess.run([*args, str(path)], check=True, capture_output=True).stdout.decode()
