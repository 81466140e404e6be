"""Submitting from the preview: a double click lands on the receipt, and after the deadline the closed call
is what the applicant hears first."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from grants.models import Application, ApplicationState, ApplicationVersion, Message, RegistrationCounter
from grants.services.applications import AlreadySubmitted, application_submit
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory
from workflows.base import TransitionRefused

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _submit_url(app):
    return reverse("application_submit", kwargs={"pk": app.pk})


def _receipt_url(app):
    return reverse("application_receipt", kwargs={"pk": app.pk})


@pytest.fixture
def member(client, applicant):
    applicant.refresh_from_db()
    client.force_login(applicant)
    return client


# --- a double click ------------------------------------------------------------------------------------


def test_a_double_click_lands_on_the_receipt_without_an_error(member, draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = member.post(_submit_url(draft))
        second = member.post(_submit_url(draft))
    assert first.status_code == 302 and first["Location"] == _receipt_url(draft)
    assert second.status_code == 302 and second["Location"] == _receipt_url(draft)
    assert [str(m) for m in get_messages(second.wsgi_request)] == []
    page = member.get(second["Location"])
    assert page.status_code == 200 and "redan inskickad" not in page.content.decode()
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED
    # Sent once: one number, one version, one receipt.
    assert ApplicationVersion.objects.filter(application=draft).count() == 1
    assert Message.objects.filter(application=draft, event="application.receipt").count() == 1
    assert sum(RegistrationCounter.objects.values_list("last_number", flat=True)) == 1


def test_the_second_submission_is_refused_by_the_service(draft, applicant, now):
    application_submit(actor=applicant, application=draft, now=now)
    with pytest.raises(AlreadySubmitted):
        application_submit(actor=applicant, application=draft, now=now)


def test_someone_elses_submitted_application_is_still_not_found(client, draft, applicant, outsider, now):
    application_submit(actor=applicant, application=draft, now=now)
    outsider.refresh_from_db()
    client.force_login(outsider)
    assert client.post(_submit_url(draft)).status_code == 404


# --- the deadline first --------------------------------------------------------------------------------


@pytest.fixture
def closes_at():
    # 14:00 Swedish time tomorrow: near the real clock, so the logged-in session is still valid when frozen.
    tomorrow = timezone.localtime(timezone.now(), STOCKHOLM).date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, 14, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def incomplete_draft(applicant, closes_at):
    call = CallFactory(opens_at=closes_at - timedelta(days=60), closes_at=closes_at)
    membership = MembershipFactory(user=applicant)
    app = ApplicationFactory(call=call, organisation=membership.organisation, created_by=applicant, summary="")
    attach_required(app, applicant)
    return app


def test_after_the_deadline_an_incomplete_draft_hears_that_the_call_is_closed(member, incomplete_draft, closes_at):
    before = Application.objects.filter(pk=incomplete_draft.pk).values().get()
    with time_machine.travel(closes_at.astimezone(UTC) + timedelta(minutes=5), tick=False):
        response = member.post(_submit_url(incomplete_draft), follow=True)
    assert response.redirect_chain[-1][0] == reverse("application_preview", kwargs={"pk": incomplete_draft.pk})
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith("Utlysningen är stängd.")
    assert "kl. 14:00" in shown[0]
    assert Application.objects.filter(pk=incomplete_draft.pk).values().get() == before


def test_the_service_reports_the_closed_call_before_missing_fields(incomplete_draft, applicant, closes_at):
    with pytest.raises(TransitionRefused) as refused:
        application_submit(actor=applicant, application=incomplete_draft, now=closes_at)
    assert str(refused.value.message).startswith("Utlysningen är stängd.")


def test_before_the_deadline_the_missing_fields_are_reported(member, incomplete_draft, closes_at):
    with time_machine.travel(closes_at.astimezone(UTC) - timedelta(minutes=5), tick=False):
        response = member.post(_submit_url(incomplete_draft), follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and not shown[0].startswith("Utlysningen är stängd.")
    incomplete_draft.refresh_from_db()
    assert incomplete_draft.state == ApplicationState.DRAFT
