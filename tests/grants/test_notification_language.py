"""Notifications are written in the recipient's language (User.language, read by services.messages.notify),
not in the language of the person whose action sends them: each event is triggered with the other language
active. The receipt has its own test in test_submission_followup.py."""

import pytest
from django.utils import translation

from documents.services import decision_letter_issue
from grants.models import ApplicationState, Message
from grants.services.reviews import review_assign
from tests.factories import UserFactory
from tests.workflows.lifecycle import act, bring_to

S = ApplicationState

# event: (state to start from, who receives it, what sends it, {language: (subject, phrases in the body)}).
# "{ref}" is the case's diarienummer.
EVENTS = {
    "application.completion_requested": (
        S.IN_REVIEW,
        "applicant",
        lambda app, cast, reviewer, now: act("request_completion", app, cast, now),
        {
            "sv": ("Komplettering begärd: ansökan {ref}", ["{ref} behöver en komplettering.", "Svara senast:"]),
            "en": (
                "Supplementary information requested: application {ref}",
                ["application {ref} needs supplementary information.", "Reply by:"],
            ),
        },
    ),
    "application.completion_answered": (
        S.AWAITING_COMPLETION,
        "officer",
        lambda app, cast, reviewer, now: act("complete", app, cast, now),
        {
            "sv": ("Komplettering inkommen: ärende {ref}", ["Sökanden har svarat på kompletteringen i ärende {ref}."]),
            "en": (
                "Supplementary information received: case {ref}",
                ["The applicant has replied to the request for supplementary information in case {ref}."],
            ),
        },
    ),
    "review.assigned": (
        S.IN_REVIEW,
        "reviewer",
        lambda app, cast, reviewer, now: review_assign(actor=cast.officer, application=app, reviewer=reviewer, now=now),
        {
            "sv": ("Nytt bedömningsuppdrag: {ref}", ["du har fått ett bedömningsuppdrag för ärende {ref}."]),
            "en": ("New review assignment: {ref}", ["You have been assigned to review case {ref}."]),
        },
    ),
    "application.decided": (
        S.PROPOSED,
        "applicant",
        # The e-mail goes out with the decision letter, which the worker issues after the decision commits.
        lambda app, cast, reviewer, now: decision_letter_issue(decision_id=act("approve", app, cast, now).pk, now=now),
        {
            "sv": ("Beslut i ärende {ref}", ["Det finns ett beslut i ärende {ref}."]),
            "en": ("Decision in case {ref}", ["A decision has been made in case {ref}."]),
        },
    ),
}
OTHER = {"sv": "en", "en": "sv"}


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("event", list(EVENTS))
def test_a_notification_is_in_the_recipients_language(draft, cast, now, event, language):
    state, who, send, texts = EVENTS[event]
    app = bring_to(draft, state, cast, now)
    reviewer = UserFactory(email="bedomare@example.se", roles=["reviewer"])
    recipient = reviewer if who == "reviewer" else cast[who]
    recipient.language = language
    recipient.save(update_fields=["language"])
    with translation.override(OTHER[language]):  # the actor's language must not leak into the message
        send(app, cast, reviewer, now)
    message = Message.objects.get(event=event, recipient=recipient)
    subject, phrases = texts[language]
    ref = app.reference_number
    assert message.subject == subject.format(ref=ref)
    for phrase in phrases:
        assert phrase.format(ref=ref) in message.body


def test_the_decision_email_links_to_the_case(draft, cast, now, settings):
    """Issue 9: the decision e-mail carries the absolute address of the case (SITE_URL), where the letter is."""
    settings.SITE_URL = "https://bidrag.example.se/"
    app = bring_to(draft, S.PROPOSED, cast, now)
    decision_letter_issue(decision_id=act("approve", app, cast, now).pk, now=now)
    message = Message.objects.get(event="application.decided", recipient=cast.applicant)
    assert message.body.rstrip().endswith(f"\n\nhttps://bidrag.example.se/applications/{app.pk}/")
