"""E-mails are plain text: what people typed arrives as they typed it, never HTML-escaped, in the e-mail and
in the Message kept on file."""

import pytest
from django.core import mail
from django.utils import timezone

from grants.models import Message
from grants.services.applications import application_submit
from grants.services.organisations import invitation_create
from grants.services.reviews import review_assign
from tests.factories import UserFactory
from tests.workflows.lifecycle import bring_to

TITLE = "Hybrid & distans 'Östersund' <2027>"
NAME = "Karin O'Neill <K&O>"
ESCAPES = ("&amp;", "&#x27;", "&#39;", "&lt;", "&gt;", "&quot;")


def _unescaped(message: Message) -> None:
    sent = next(m for m in mail.outbox if m.to == [message.recipient_email] and m.subject == message.subject)
    for text in (message.subject, message.body, sent.subject, sent.body):
        assert not any(e in text for e in ESCAPES), text


def test_the_receipt_shows_title_and_name_as_typed(draft, applicant, django_capture_on_commit_callbacks):
    applicant.full_name = NAME
    applicant.save(update_fields=["full_name"])
    draft.title = TITLE
    draft.save(update_fields=["title"])
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(actor=applicant, application=draft, now=timezone.now())
    receipt = Message.objects.get(application=draft, event="application.receipt")
    assert f"Hej {NAME}," in receipt.body
    assert f"Projekt: {TITLE}" in receipt.body
    _unescaped(receipt)


def test_a_staff_notification_shows_name_and_note_as_typed(
    draft, cast, now, applicant, officer, django_capture_on_commit_callbacks
):
    reviewer = UserFactory(email="bedomare@example.se", full_name=NAME, roles=["reviewer"])
    app = bring_to(draft, "IN_REVIEW", cast, now)
    with django_capture_on_commit_callbacks(execute=True):
        review_assign(actor=officer, application=app, reviewer=reviewer, now=now)
    assigned = Message.objects.get(event="review.assigned", recipient=reviewer)
    assert f"Hej {NAME}," in assigned.body
    _unescaped(assigned)


def test_the_officer_gets_the_completion_answer_as_typed(
    draft, cast, now, applicant, officer, django_capture_on_commit_callbacks
):
    from grants.services.applications import application_complete

    app = bring_to(draft, "AWAITING_COMPLETION", cast, now)
    note = f"Budgeten för {TITLE} är ändrad: lokaler < 50 % & resor > 10 %."
    with django_capture_on_commit_callbacks(execute=True):
        application_complete(actor=applicant, application=app, note=note, now=now)
    answered = Message.objects.get(event="application.completion_answered", recipient=officer)
    assert note in answered.body
    _unescaped(answered)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_subject_with_a_name_in_it_is_not_escaped(draft, applicant, language, django_capture_on_commit_callbacks):
    organisation = draft.organisation
    organisation.name = "Hälsa & Vård i 'Jämtland' <förbund>"
    organisation.save(update_fields=["name"])
    applicant.language = language
    applicant.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=applicant, organisation=organisation, email="kollega@example.se", now=timezone.now())
    (sent,) = mail.outbox
    assert organisation.name in sent.subject and organisation.name in sent.body
    assert not any(e in sent.subject + sent.body for e in ESCAPES)
