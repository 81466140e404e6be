"""Staff and reviewers read the application as it was sent: the latest submitted version, not the row the
applicant edits while a completion request is open (DESIGN.md §3: submitted versions are the record)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import ApplicationState, ApplicationVersion, Attachment
from grants.selectors.versions import application_as_submitted, submitted_application
from grants.services.applications import (
    application_complete,
    application_update,
    budget_lines_replace,
)
from grants.services.attachments import attachment_add, attachment_remove
from grants.services.cases import application_request_completion
from grants.services.reviews import review_assign, review_declare
from tests.factories import UserFactory, make_pdf
from tests.grants.test_html_valid import _check
from tests.workflows.lifecycle import STOCKHOLM, bring_to

S = ApplicationState
SENT_SUMMARY = "Vi testar att arbeta från en coworkinghubb två dagar i veckan."  # the factory's
UNSENT_SUMMARY = "Ett utkast till svaret som ännu inte är inskickat."


@pytest.fixture
def completing(draft, cast, now):
    """A case awaiting completion of the project, budget and attachments, and the applicant's unsent edits
    to all three: a new summary, a new budget, the plan replaced by another file."""
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    answer_by = timezone.localtime(now, STOCKHOLM).date() + timedelta(days=14)
    application_request_completion(
        actor=cast.officer,
        application=app,
        message="Förtydliga projektet.",
        answer_by=answer_by,
        sections=["project", "budget", "attachments"],
        now=now,
    )
    values = {"title": app.title, "summary": UNSENT_SUMMARY, "description": app.description}
    application_update(actor=cast.applicant, application=app, section="project", values=values, now=now)
    budget_lines_replace(
        actor=cast.applicant,
        application=app,
        lines=[{"category": "TRAVEL", "description": "Resor till Östersund", "amount": Decimal("123456")}],
        co_financing=Decimal("0"),
        now=now,
    )
    old = app.attachments.get()
    attachment_remove(actor=cast.applicant, attachment=old, now=now)
    kind = app.call.attachment_kinds.get()
    new_file = SimpleUploadedFile("reviderad-projektplan.pdf", make_pdf("Ny plan"), content_type="application/pdf")
    attachment_add(actor=cast.applicant, application=app, kind=kind, file=new_file, now=now)
    return type(app).objects.get(pk=app.pk)


@pytest.fixture
def reviewer_review(completing, cast, now):
    reviewer = UserFactory(email="bedomare@example.se", roles=["reviewer"])
    review = review_assign(actor=cast.officer, application=completing, reviewer=reviewer, now=now)
    return review_declare(actor=reviewer, review=review, conflict=False, reason="", now=now)


def _case_page(client, user, app, **headers):
    client.force_login(user)
    response = client.get(reverse("staff_case", args=[app.pk]), **headers)
    _check(response)
    return response.content.decode()


def _content(html, heading="content-title"):
    """The application's section of a page (the case log names the files added and removed since)."""
    start = html.index(f'<section aria-labelledby="{heading}"')
    return html[start : html.index("</section>", start)]


def _assert_shows_version_1(html, app, heading="content-title"):
    old = Attachment.objects.get(application=app, removed_at__isnull=False)
    new = Attachment.objects.get(application=app, removed_at__isnull=True)
    html = _content(html, heading)
    assert SENT_SUMMARY in html and UNSENT_SUMMARY not in html
    assert "Platser på Samverket" in html and "400\xa0000\xa0kr" in html
    assert "Resor till Östersund" not in html and "123\xa0456" not in html
    assert old.original_name in html and new.original_name not in html
    assert "Inskickad ansökan, version 1, inkommen" in html


def test_officer_sees_what_was_sent_not_the_unsent_completion(client, completing, cast):
    html = _case_page(client, cast.officer, completing)
    _assert_shows_version_1(html, completing)
    assert "Ändringarna syns här först när de har skickats in" in html
    # The removed file is still the one sent: its link works for staff.
    old = Attachment.objects.get(application=completing, removed_at__isnull=False)
    assert reverse("attachment_download", args=[completing.pk, old.pk]) in html
    assert client.get(reverse("attachment_download", args=[completing.pk, old.pk])).status_code == 200


def test_the_answer_makes_the_edits_the_shown_version(client, completing, cast, now):
    application_complete(actor=cast.applicant, application=completing, note="Klart.", now=now + timedelta(hours=1))
    html = _case_page(client, cast.officer, completing)
    assert "Ändringar från version 1 till version 2" in html
    html = _content(html)
    assert UNSENT_SUMMARY in html and "Resor till Östersund" in html and "reviderad-projektplan.pdf" in html
    assert "Inskickad ansökan, version 2, inkommen" in html and SENT_SUMMARY not in html


def test_the_heading_is_translated(client, completing, cast):
    html = _case_page(client, cast.officer, completing, HTTP_ACCEPT_LANGUAGE="en")
    assert "Submitted application, version 1, received" in html


def test_reviewer_sees_what_was_sent_and_downloads_only_those_files(client, reviewer_review, completing):
    client.force_login(reviewer_review.reviewer)
    response = client.get(reverse("staff_review_detail", args=[reviewer_review.pk]))
    _check(response)
    html = response.content.decode()
    _assert_shows_version_1(html, completing, heading="application-title")
    old = Attachment.objects.get(application=completing, removed_at__isnull=False)
    new = Attachment.objects.get(application=completing, removed_at__isnull=True)
    old_url = reverse("staff_review_attachment", args=[reviewer_review.pk, old.pk])
    assert old_url in html
    assert client.get(old_url).status_code == 200
    assert client.get(reverse("staff_review_attachment", args=[reviewer_review.pk, new.pk])).status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_versions(client, draft, cast, now):
    from tests.conftest import attach_required
    from tests.factories import ApplicationFactory, MembershipFactory

    one = bring_to(draft, S.IN_REVIEW, cast, now)
    member = MembershipFactory(organisation=one.organisation)
    three = ApplicationFactory(call=one.call, organisation=one.organisation, created_by=member.user)
    attach_required(three, member.user)
    three = bring_to(three, S.IN_REVIEW, cast, now)
    for _ in range(2):
        application_request_completion(
            actor=cast.officer,
            application=three,
            message="Förtydliga budgeten.",
            answer_by=timezone.localtime(now, STOCKHOLM).date() + timedelta(days=14),
            sections=["budget"],
            now=now,
        )
        application_complete(actor=cast.applicant, application=three, note="Klart.", now=now)
    assert ApplicationVersion.objects.filter(application=three).count() == 3
    client.force_login(cast.officer)
    _queries(client, reverse("staff_case", args=[one.pk]))  # warm caches (sessions, content types)
    assert _queries(client, reverse("staff_case", args=[one.pk])) == _queries(
        client, reverse("staff_case", args=[three.pk])
    )


def test_odd_content_shows_as_missing_instead_of_failing(draft):
    content = {
        "title": "T",
        "start_date": "not a date",
        "requested_amount": "x",
        "participants_count": "many",
        "budget_lines": [{"category": "UNKNOWN", "amount": None}],
        "attachments": [{"name": "a.pdf"}],
    }
    shown = submitted_application(draft, content, kind_labels={}, number=1, created_at=None)
    assert (shown.start_date, shown.requested_amount, shown.participants_count) == (None, None, None)
    assert shown.budget_lines[0].category_label == "UNKNOWN" and shown.attachments[0].id is None
    assert shown.organisation_name == "" and shown.orgnr_display == ""


def test_a_case_without_a_version_shows_the_row_and_says_so(draft):
    shown = application_as_submitted(draft)
    assert shown.number is None and not shown.is_frozen and shown.summary == SENT_SUMMARY
