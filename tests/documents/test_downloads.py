"""Downloading issued documents (DESIGN.md §5 rule 6, §6): only to people allowed to see the case, only
the kinds meant for them, and never a file that no longer matches the SHA-256 recorded when it was issued."""

import hashlib
import logging
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from documents.models import Document, DocumentKind
from documents.services import decision_letter_issue
from grants.models import Decision
from tests.factories import UserFactory, make_pdf
from tests.workflows.lifecycle import bring_to
from workflows.models import CaseEvent

MESSAGE = "Dokumentet har ändrats eller saknas och kan inte visas. Kontakta handläggaren."


def store(application, kind=DocumentKind.DECISION_LETTER, content: bytes | None = None, filename=None) -> Document:
    content = content if content is not None else make_pdf(f"{kind} för {application.reference_number}")
    filename = filename or f"{kind.lower()}-{application.reference_number}.pdf"
    document = Document(
        kind=kind,
        application=application,
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        media_type="application/pdf",
    )
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


@pytest.fixture
def case(draft, cast, now):
    return bring_to(draft, "IN_REVIEW", cast, now)


@pytest.fixture
def people(cast):
    superuser = UserFactory(email="super@example.se")
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    return {
        "member": cast.applicant,
        "other_org": cast.outsider,
        "case_officer": cast.officer,
        "decision_maker": cast.decider,
        "programme_admin": UserFactory(roles=["programme_admin"]),
        "finance": UserFactory(roles=["finance"]),
        "reviewer": UserFactory(roles=["reviewer"]),
        "superuser": superuser,  # no staff role: no case officer either
    }


def _get(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def applicant_url(document: Document) -> str:
    return reverse("document_download", args=[document.application_id, document.pk])


def staff_url(document: Document) -> str:
    return reverse("staff_document_download", args=[document.pk])


# --- who may download what ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", [DocumentKind.DECISION_LETTER, DocumentKind.APPLICATION_SUMMARY, DocumentKind.REPAYMENT_LETTER]
)
def test_only_members_of_the_case_organisation_download_applicant_documents(client, case, people, kind):
    document = store(case, kind)
    expected = {role: 404 for role in people} | {"member": 200}
    got = {role: _get(client, user, applicant_url(document)).status_code for role, user in people.items()}
    assert got == expected
    assert _get(client, None, applicant_url(document)).status_code == 302  # to the login page


def test_a_payment_file_is_not_the_applicants_to_download(client, case, people):
    document = store(case, DocumentKind.PAYMENT_FILE)
    assert _get(client, people["member"], applicant_url(document)).status_code == 404


def test_the_document_must_belong_to_the_case_in_the_url(client, case, people, draft, cast, now):
    """A member of two organisations cannot read one case's document through the other case's URL."""
    document = store(case)
    other = store(case)
    url = reverse("document_download", args=[case.pk + 1000, document.pk])
    assert _get(client, people["member"], url).status_code == 404
    assert _get(client, people["member"], applicant_url(other)).status_code == 200


def test_staff_download_by_role(client, case, people):
    letter = store(case, DocumentKind.DECISION_LETTER)
    payment_file = store(case, DocumentKind.PAYMENT_FILE, filename="pain001.pdf")
    case_roles = {"case_officer", "decision_maker", "programme_admin"}
    for document, allowed in ((letter, case_roles), (payment_file, case_roles | {"finance"})):
        expected = {role: 200 if role in allowed else 404 for role in people}
        got = {role: _get(client, user, staff_url(document)).status_code for role, user in people.items()}
        assert got == expected, document.kind


@pytest.mark.parametrize("declaration", [None, "CONFLICT", "NONE"])
def test_a_decision_maker_asked_to_review_the_case_downloads_only_after_declaring_no_conflict(
    client, case, people, now, declaration
):
    from grants.services.reviews import review_assign, review_declare

    decider = people["decision_maker"]
    decider.groups.add(*people["reviewer"].groups.all())
    decider = type(decider).objects.get(pk=decider.pk)  # no cached roles
    review = review_assign(actor=people["case_officer"], application=case, reviewer=decider, now=now)
    if declaration is not None:
        conflict = declaration == "CONFLICT"
        review_declare(actor=decider, review=review, conflict=conflict, reason="Jäv." if conflict else "", now=now)
    letter = store(case, DocumentKind.DECISION_LETTER)
    assert _get(client, decider, staff_url(letter)).status_code == (200 if declaration == "NONE" else 404)


def test_staff_download_of_a_document_without_case(client, people):
    """A batch's payment file belongs to no case: finance may fetch it, a reviewer may not."""
    content = b"<Document>pain.001</Document>"
    document = Document(
        kind=DocumentKind.PAYMENT_FILE,
        filename="pain001-2025-1.xml",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        media_type="application/xml",
    )
    document.file.save("pain001-2025-1.xml", ContentFile(content), save=False)
    document.save()
    assert _get(client, people["finance"], staff_url(document)).content == content
    assert _get(client, people["reviewer"], staff_url(document)).status_code == 404


# --- what is served -----------------------------------------------------------------------------------------


def test_the_stored_file_is_served_with_safe_headers(client, case, people):
    content = make_pdf("Beslut", pad_to=4000)
    document = store(case, content=content, filename="beslut-åäö.pdf")
    for user, url in ((people["member"], applicant_url(document)), (people["case_officer"], staff_url(document))):
        response = _get(client, user, url)
        assert response.status_code == 200
        assert response.content == content
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''beslut-%C3%A5%C3%A4%C3%B6.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Length"] == str(len(content))


def test_an_issued_decision_letter_downloads_as_issued(client, draft, cast, now):
    application = bring_to(draft, "APPROVED", cast, now)
    decision = Decision.objects.get(application=application)
    document = decision_letter_issue(decision_id=decision.pk, now=now)
    response = _get(client, cast.applicant, applicant_url(document))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert f'filename="{document.filename}"' in response["Content-Disposition"]


# --- tampered or missing files ------------------------------------------------------------------------------


@pytest.fixture
def samverket_log(caplog, monkeypatch):
    # The "samverket" logger does not propagate to the root logger, where caplog listens.
    monkeypatch.setattr(logging.getLogger("samverket"), "propagate", True)
    caplog.set_level(logging.ERROR, logger="samverket")
    return caplog


def _tamper(document: Document, content: bytes) -> None:
    Path(document.file.path).write_bytes(content)


@pytest.mark.parametrize("who", ["member", "case_officer"])
def test_a_tampered_file_is_refused_logged_and_never_served(client, case, people, samverket_log, who):
    original = make_pdf("Beviljas 300 000 kr")
    document = store(case, content=original)
    forged = make_pdf("Beviljas 900 000 kr")
    _tamper(document, forged)
    url = applicant_url(document) if who == "member" else staff_url(document)

    response = _get(client, people[who], url)

    assert response.status_code == 409
    body = response.content.decode()
    assert MESSAGE in body
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert b"900 000" not in response.content and b"%PDF" not in response.content
    assert "no-store" in response["Cache-Control"]
    events = CaseEvent.objects.filter(application=case, event="document.checksum_failed")
    assert events.count() == 1
    assert events.get().actor == people[who]
    assert str(document.pk) in events.get().note
    assert any(r.levelno == logging.ERROR and str(document.pk) in r.getMessage() for r in samverket_log.records)


def test_a_missing_file_is_refused_the_same_way(client, case, people, samverket_log):
    document = store(case)
    Path(document.file.path).unlink()
    response = _get(client, people["member"], applicant_url(document))
    assert response.status_code == 409
    assert MESSAGE in response.content.decode()
    assert CaseEvent.objects.filter(application=case, event="document.checksum_failed").exists()
    assert samverket_log.records


def test_a_refused_download_is_not_checked_for_integrity(client, case, people):
    """Someone who may not see the case learns nothing, not even that its file is damaged."""
    document = store(case)
    _tamper(document, b"garbage")
    assert _get(client, people["other_org"], applicant_url(document)).status_code == 404
    assert _get(client, people["reviewer"], staff_url(document)).status_code == 404
    assert not CaseEvent.objects.filter(event="document.checksum_failed").exists()


def test_same_size_tampering_is_caught(client, case, people):
    """The check is the hash, not the size: one flipped byte is enough."""
    content = make_pdf("Beslut")
    document = store(case, content=content)
    flipped = bytearray(content)
    flipped[20] ^= 0x01
    _tamper(document, bytes(flipped))
    assert _get(client, people["member"], applicant_url(document)).status_code == 409


# --- the lists on the case pages ----------------------------------------------------------------------------


def _render(template: str, user, application) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(template, {"application": application}, request=request)


def test_the_applicant_list_links_only_the_applicants_documents(case, people):
    letter = store(case, DocumentKind.DECISION_LETTER)
    payment_file = store(case, DocumentKind.PAYMENT_FILE)
    html = _render("grants/_documents.html", people["member"], case)
    assert applicant_url(letter) in html
    assert applicant_url(payment_file) not in html
    assert _render("grants/_documents.html", people["other_org"], case).strip() == ""


def test_the_staff_list_links_what_the_role_may_open(case, people):
    letter = store(case, DocumentKind.DECISION_LETTER)
    html = _render("staff/_documents.html", people["case_officer"], case)
    assert staff_url(letter) in html and letter.sha256[:12] in html
    assert staff_url(letter) not in _render("staff/_documents.html", people["finance"], case)
