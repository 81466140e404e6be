"""Decision letters: every element DESIGN.md §6 requires, issued once, stored with a checksum that fits."""

import hashlib

import pytest
from django.core.files.storage import default_storage

from documents.letters import LetterError, decision_letter_context, decision_letter_render
from documents.models import Document, DocumentKind
from documents.services import application_summary_issue, decision_letter_issue
from grants.models import Call, Decision, Message
from workflows.models import CaseEvent

from .conftest import pdf_text

SV = {
    "approve": [
        "Beslut om bidrag",
        "Vinnova beviljar Östersunds kommun bidrag med högst 600 000 kronor.",
        "Beviljat belopp, högst 600 000 kr",
        "Projekttid 1 januari 2027 – 31 december 2027",
        "Villkoren ska accepteras senast 28 december 2026;",  # 26 Dec 2026: annandag jul, a Saturday
        "Vinnovas allmänna villkor för bidrag gäller.",
        "Vid accept av villkoren 480 000 kr",
        "När slutrapporten godkänts 120 000 kr",
        "Slutrapport",
        "Förordning (2009:1101) med instruktion för Verket för innovationssystem.",
    ],
    "reject": [
        "Beslut om avslag på ansökan om bidrag",
        "Vinnova avslår ansökan om bidrag från Östersunds kommun.",
        "Sökt belopp 600 000 kr",
    ],
    "both": [
        "Vinnova",
        "Datum 26 november 2026",
        "Diarienummer {ref}",
        "Östersunds kommun",
        "Rådhusgatan 42",
        "831 82 Östersund",
        "Org.nr 212000-0142",
        "Hybridarbete på Samverket Östersund",
        "Skäl för beslutet",
        "Projektet uppfyller utlysningens kriterier.",
        "Hur man överklagar",
        "Beslutet kan inte överklagas enligt 47 § förordningen (2009:1101).",
        "I detta ärende har Britt Beslutsfattare beslutat efter föredragning av Hanna Handläggare.",
        "Sida 1 av",
    ],
}
EN = {
    "approve": [
        "Decision on a grant",
        "Vinnova grants Östersunds kommun funding of at most SEK 600 000.",
        "Amount granted, at most 600 000 kr",
        "Project period 1 January 2027 – 31 December 2027",
        "The terms must be accepted by 28 December 2026;",
        "Vinnova's general terms and conditions for grants apply.",
        "480 000 kr",
        "120 000 kr",
        "Ordinance (2009:1101) with instructions for the Swedish Innovation Agency.",
    ],
    "reject": [
        "Decision to reject an application for a grant",
        "Vinnova rejects the application for a grant from Östersunds kommun.",
        "Amount applied for 600 000 kr",
    ],
    "both": [
        "Date 26 November 2026",
        "Registration number {ref}",
        "Org. no. 212000-0142",
        "Rådhusgatan 42",
        "Hybridarbete på Samverket Östersund",
        "Reasons for the decision",
        "Projektet uppfyller utlysningens kriterier.",
        "How to appeal",
        "The decision cannot be appealed under section 47 of the ordinance (2009:1101).",
        "This decision was made by Britt Beslutsfattare following a presentation of the case by Hanna Handläggare.",
        "Page 1 of",
    ],
}
NOT_IN_ENGLISH = ["Beslut om", "Diarienummer", "Sida ", "beviljar", "avslår", "Skäl för", "föredragning"]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("state", ["APPROVED", "REJECTED"])
def test_letter_holds_every_required_element(request, tmp_path, language, state, letter_now):
    application = request.getfixturevalue(state.lower())
    decision = application.decisions.get()
    document = decision_letter_issue(decision_id=decision.pk, language=language, now=letter_now)
    text = pdf_text(document.file.open("rb").read(), tmp_path)
    expected = SV if language == "sv" else EN
    outcome = "approve" if state == "APPROVED" else "reject"
    for phrase in expected["both"] + expected[outcome]:
        assert phrase.format(ref=application.reference_number) in text, phrase
    other = expected["reject" if outcome == "approve" else "approve"][0]
    assert other not in text
    if language == "en":
        for swedish in NOT_IN_ENGLISH:
            assert swedish not in text, swedish


def test_rejection_letter_has_no_payout_plan(rejected, tmp_path):
    text = pdf_text(decision_letter_render(rejected.decisions.get(), "sv"), tmp_path)
    assert "Utbetalning" not in text
    assert "Rapportering" not in text


def test_letter_date_is_the_swedish_day_of_the_decision(approved):
    # 00:30 Swedish time on 27 November is still 26 November in UTC: the letter must say the 27th.
    decision = approved.decisions.get()
    from datetime import datetime

    from .conftest import STOCKHOLM

    decision.decided_at = datetime(2026, 11, 27, 0, 30, tzinfo=STOCKHOLM)  # not saved: context only
    assert decision_letter_context(decision, "sv")["letter_date"] == "27 november 2026"


def test_issuing_twice_returns_the_same_document(approved, letter_now):
    decision = approved.decisions.get()
    first = decision_letter_issue(decision_id=decision.pk, now=letter_now)
    second = decision_letter_issue(decision_id=decision.pk, language="sv", now=letter_now)
    assert first.pk == second.pk
    assert Document.objects.filter(decision=decision, kind=DocumentKind.DECISION_LETTER).count() == 1
    assert CaseEvent.objects.filter(application=approved, event="document.issued").count() == 1


def test_english_on_request_is_a_second_document(approved, letter_now):
    decision = approved.decisions.get()
    sv = decision_letter_issue(decision_id=decision.pk, now=letter_now)
    en = decision_letter_issue(decision_id=decision.pk, language="en", now=letter_now)
    assert sv.pk != en.pk
    assert (sv.language, en.language) == ("sv", "en")
    assert sv.filename == f"beslut-{approved.reference_number}.pdf"
    assert en.filename == f"beslut-{approved.reference_number}-en.pdf"


def test_stored_document_matches_its_checksum(approved, letter_now, applicant):
    decision = approved.decisions.get()
    document = decision_letter_issue(decision_id=decision.pk, now=letter_now)
    with default_storage.open(document.file.name, "rb") as f:
        content = f.read()
    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert document.media_type == "application/pdf"
    assert document.created_at == letter_now
    assert document.application_id == approved.pk
    event = CaseEvent.objects.get(application=approved, event="document.issued")
    assert document.sha256 in event.note
    # The one e-mail about the decision goes out with the letter, not before it and not twice.
    message = Message.objects.get(application=approved, event="application.decided")
    assert message.recipient == applicant
    assert approved.reference_number in message.subject
    assert "beslutsbrevet" in message.body


def test_rejection_without_reasons_issues_nothing(rejected, letter_now):
    decision = rejected.decisions.get()
    decision.reasons = "   "  # the database refuses an empty reason; a blank one must not pass either
    with pytest.raises(LetterError):
        decision_letter_render(decision, "sv")
    assert not Document.objects.exists()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_call_without_appeal_text_issues_nothing(rejected, letter_now, language):
    Call.objects.filter(pk=rejected.call_id).update(**{f"appeal_text_{language}": ""})
    decision = Decision.objects.get(application=rejected)
    with pytest.raises(LetterError):
        decision_letter_issue(decision_id=decision.pk, language=language, now=letter_now)
    assert not Document.objects.exists()
    assert not CaseEvent.objects.filter(event="document.issued").exists()
    assert not Message.objects.filter(event="application.decided").exists()  # no letter, no e-mail yet


def test_unknown_language_is_refused(approved, letter_now):
    with pytest.raises(LetterError):
        decision_letter_issue(decision_id=approved.decisions.get().pk, language="de", now=letter_now)


@pytest.mark.parametrize("state", ["APPROVED", "REJECTED"])
def test_deciding_issues_the_letter_after_commit(
    request, letter_draft, cast, letter_now, state, django_capture_on_commit_callbacks
):
    from tests.workflows.lifecycle import bring_to

    with django_capture_on_commit_callbacks(execute=True):
        application = bring_to(letter_draft, state, cast, letter_now)
    decision = application.decisions.get()
    letter = Document.objects.get(kind=DocumentKind.DECISION_LETTER)
    assert letter.decision == decision
    assert letter.language == "sv"
    summary = Document.objects.get(kind=DocumentKind.APPLICATION_SUMMARY)
    assert summary.version_number == 1
    assert summary.application == application
    # One e-mail to the applicant about the decision, sent with the letter: not one for the decision and
    # another for the letter.
    about_it = Message.objects.filter(
        application=application, recipient=cast.applicant, event__in=["application.decided", "document.issued"]
    )
    assert list(about_it.values_list("event", flat=True)) == ["application.decided"]


def test_application_summary_is_issued_once(approved, letter_now, tmp_path):
    first = application_summary_issue(application_id=approved.pk, version_number=1, now=letter_now)
    second = application_summary_issue(application_id=approved.pk, version_number=1, now=letter_now)
    assert first.pk == second.pk
    assert first.filename == f"ansokan-{approved.reference_number}-v1.pdf"
    text = pdf_text(first.file.open("rb").read(), tmp_path)
    for phrase in [approved.reference_number, "Östersunds kommun", "212000-0142", "600 000 kr", "Sida 1 av"]:
        assert phrase in text, phrase


def test_correction_letter_supersedes_the_old_one(approved, letter_now, cast, tmp_path):
    old = approved.decisions.get()
    old_letter = decision_letter_issue(decision_id=old.pk, now=letter_now)
    correction = Decision.objects.create(
        application=approved,
        proposal=old.proposal,
        outcome=old.outcome,
        amount=old.amount,
        reasons="Beslutet rättas: projekttiden var felskriven.",
        decided_by=cast.decider,
        proposed_by=old.proposed_by,
        decided_at=letter_now,
        corrects=old,
    )
    new_letter = decision_letter_issue(decision_id=correction.pk, now=letter_now)
    assert new_letter.pk != old_letter.pk
    assert new_letter.supersedes == old_letter
    text = pdf_text(new_letter.file.open("rb").read(), tmp_path)
    assert "Detta beslut ersätter beslutet i samma ärende den 26 november 2026." in text


def test_letters_quote_the_terms_of_the_decision_not_of_the_call_today(approved, letter_now, cast, tmp_path):
    decision = approved.decisions.get()
    call = approved.call
    Call.objects.filter(pk=call.pk).update(
        general_terms_sv="Nya villkor från och med i år.", general_terms_en="New terms from this year on."
    )
    assert decision_letter_context(decision, "sv")["general_terms"] == "Vinnovas allmänna villkor för bidrag gäller."
    assert decision_letter_context(decision, "en")["general_terms"] == (
        "Vinnova's general terms and conditions for grants apply."
    )
    letter = decision_letter_issue(decision_id=decision.pk, now=letter_now)
    text = pdf_text(letter.file.open("rb").read(), tmp_path)
    assert "Vinnovas allmänna villkor för bidrag gäller." in text
    assert "Nya villkor" not in text
