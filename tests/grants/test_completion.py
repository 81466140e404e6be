"""The applicant's answer to a completion request: the page lists the opened sections, the answer freezes
a new version, sends the case back to review and tells the assigned officer."""

import pytest
from django.core import mail
from django.urls import reverse

from grants.models import ApplicationState, ApplicationVersion, Message
from tests.grants.test_html_valid import _check
from tests.workflows.lifecycle import bring_to

S = ApplicationState


@pytest.fixture
def awaiting(draft, cast, now):
    return bring_to(draft, S.AWAITING_COMPLETION, cast, now)  # the budget section is opened


def _url(app):
    return reverse("application_completion", kwargs={"pk": app.pk})


def test_page_lists_opened_sections_only(client, awaiting, applicant):
    client.force_login(applicant)
    page = client.get(_url(awaiting))
    _check(page)
    html = page.content.decode()
    assert reverse("application_section", kwargs={"pk": awaiting.pk, "section": "budget"}) in html
    assert reverse("application_section", kwargs={"pk": awaiting.pk, "section": "project"}) not in html
    assert awaiting.completion_message in html


def test_answer_creates_version_and_tells_the_officer(
    client, awaiting, applicant, officer, django_capture_on_commit_callbacks
):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(awaiting), {"note": "Lokalkostnaden är förtydligad."})
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.state == S.IN_REVIEW
    assert ApplicationVersion.objects.filter(application=awaiting).count() == 2
    notice = Message.objects.get(event="application.completion_answered")
    assert notice.recipient == officer
    assert "Lokalkostnaden är förtydligad." in notice.body
    assert any(awaiting.reference_number in m.subject for m in mail.outbox if officer.email in m.to)


def test_answer_needs_a_note_and_keeps_nothing_half_done(client, awaiting, applicant):
    client.force_login(applicant)
    response = client.post(_url(awaiting), {"note": ""})
    _check(response)
    assert "error-summary" in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.state == S.AWAITING_COMPLETION
    assert not Message.objects.filter(event="application.completion_answered").exists()


def test_answer_refused_when_application_incomplete(client, awaiting, applicant):
    awaiting.budget_lines.all().delete()  # as if the applicant removed every budget line in the opened section
    client.force_login(applicant)
    response = client.post(_url(awaiting), {"note": "Klart."})
    _check(response)
    assert "Budget: lägg till minst en budgetrad." in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.state == S.AWAITING_COMPLETION


def test_no_request_no_form(client, draft, cast, now, applicant):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    client.force_login(applicant)
    page = client.get(_url(app))
    _check(page)
    assert "Ingen komplettering är begärd." in page.content.decode()
    response = client.post(_url(app), {"note": "x"})
    assert response.status_code == 302
    assert ApplicationVersion.objects.filter(application=app).count() == 1


def test_other_organisation_and_staff_get_404(client, awaiting, outsider, officer):
    for user in (outsider, officer):
        client.force_login(user)
        assert client.get(_url(awaiting)).status_code == 404
        assert client.post(_url(awaiting), {"note": "x"}).status_code == 404
    awaiting.refresh_from_db()
    assert awaiting.state == S.AWAITING_COMPLETION


def test_anonymous_is_sent_to_login(client, awaiting):
    response = client.get(_url(awaiting))
    assert response.status_code == 302 and reverse("login") in response["Location"]
