"""What staff decide on is what was sent: the latest submitted version, never the applicant's unsent edits of a
completion (DESIGN.md §3, §4.1)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.models import Application, ApplicationState, Outcome, Report, ReportKind
from grants.services.applications import (
    application_update,
    attachment_remove,
    budget_lines_replace,
)
from grants.services.cases import _add_months, application_propose, application_request_completion, decision_approve
from grants.services.reviews import review_assign
from tests.factories import UserFactory
from tests.grants.test_html_valid import _check
from tests.workflows.lifecycle import STOCKHOLM, bring_to
from workflows.base import TransitionRefused

S = ApplicationState
NBSP = "\u00a0"
SENT_TITLE = "Hybridarbete på Samverket"  # the factory's
UNSENT_TITLE = "Ett nytt namn som ännu inte är inskickat"
SENT_SUMMARY = "Vi testar att arbeta från en coworkinghubb två dagar i veckan."
UNSENT_SUMMARY = "Ett utkast till svaret som ännu inte är inskickat."


def _awaiting(draft, cast, now, sections):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    application_request_completion(
        actor=cast.officer,
        application=app,
        message="Förtydliga ansökan.",
        answer_by=timezone.localtime(now, STOCKHOLM).date() + timedelta(days=14),
        sections=sections,
        now=now,
    )
    return Application.objects.get(pk=app.pk)


def _new_budget(app, cast, now, amount):
    budget_lines_replace(
        actor=cast.applicant,
        application=app,
        lines=[{"category": "STAFF", "description": "Projektledning", "amount": amount}],
        co_financing=Decimal("0"),
        now=now,
    )


def _propose(app, cast, now, amount=Decimal("400000")):
    return application_propose(
        actor=cast.officer, application=app, outcome=Outcome.APPROVE, amount=amount, reasons="Bra projekt.", now=now
    )


def _retitle(app, cast, now, title=UNSENT_TITLE, summary=SENT_SUMMARY):
    values = {"title": title, "summary": summary, "description": app.description}
    application_update(actor=cast.applicant, application=app, section="project", values=values, now=now)


# --- decisions -----------------------------------------------------------------------------------------------


def test_a_proposal_during_completion_is_held_to_the_amount_sent(draft, cast, now):
    app = _awaiting(draft, cast, now, ["budget"])
    _new_budget(app, cast, now, Decimal("500000"))  # unsent; 400 000 was sent
    with pytest.raises(TransitionRefused, match="sökta beloppet"):
        _propose(app, cast, now, amount=Decimal("450000"))
    app.refresh_from_db()
    # Refused: nothing changed, the applicant's edits are still theirs to send.
    assert app.state == S.AWAITING_COMPLETION and app.requested_amount == Decimal("500000")
    assert _propose(app, cast, now).amount == Decimal("400000")


def test_the_grant_reports_follow_the_period_sent(draft, cast, now):
    app = _awaiting(draft, cast, now, ["period"])
    start, end = app.start_date, app.end_date
    values = {"start_date": start + timedelta(days=100), "end_date": end + timedelta(days=200)}
    application_update(actor=cast.applicant, application=app, section="period", values=values, now=now)
    _propose(app, cast, now)
    decision_approve(actor=cast.decider, application=app, now=now)
    due = dict(Report.objects.filter(grant__application=app).values_list("kind", "due_date"))
    call = app.call
    assert due == {
        ReportKind.INTERIM: _add_months(start, call.interim_report_months),
        ReportKind.FINAL: _add_months(end, call.final_report_months),
    }


@pytest.fixture
def diverged(draft, cast, now):
    """A proposed case whose live row was changed around the services (old data, an admin's edit): what was
    sent is still what counts."""
    app = bring_to(draft, S.PROPOSED, cast, now)
    Application.objects.filter(pk=app.pk).update(
        title=UNSENT_TITLE,
        summary=UNSENT_SUMMARY,
        requested_amount=Decimal("555555"),
        start_date=app.start_date + timedelta(days=100),
        end_date=app.end_date + timedelta(days=400),
    )
    app.refresh_from_db()
    app.sent_start, app.sent_end = draft.start_date, draft.end_date
    return app


def test_the_decision_pages_show_what_was_sent(client, diverged, cast):
    client.force_login(cast.decider)
    response = client.get(reverse("staff_decision", args=[diverged.pk]))
    _check(response)
    html = response.content.decode()
    assert SENT_TITLE in html and SENT_SUMMARY in html and f"400{NBSP}000{NBSP}kr" in html
    assert UNSENT_TITLE not in html and UNSENT_SUMMARY not in html and f"555{NBSP}555" not in html
    queue = client.get(reverse("staff_decision_queue")).content.decode()
    assert SENT_TITLE in queue and UNSENT_TITLE not in queue


def test_approval_schedules_reports_on_the_period_sent_not_the_live_row(diverged, cast, now):
    decision_approve(actor=cast.decider, application=diverged, now=now)
    due = dict(Report.objects.filter(grant__application=diverged).values_list("kind", "due_date"))
    assert due[ReportKind.FINAL] == _add_months(diverged.sent_end, diverged.call.final_report_months)
    assert due[ReportKind.INTERIM] == _add_months(diverged.sent_start, diverged.call.interim_report_months)


# --- pages during a completion --------------------------------------------------------------------------------


def test_propose_page_during_completion_shows_and_prefills_what_was_sent(client, draft, cast, now):
    app = _awaiting(draft, cast, now, ["project", "budget"])
    _retitle(app, cast, now)
    _new_budget(app, cast, now, Decimal("500000"))
    client.force_login(cast.officer)
    response = client.get(reverse("staff_case_propose", args=[app.pk]))
    _check(response)
    html = response.content.decode()
    assert SENT_TITLE in html and UNSENT_TITLE not in html
    assert f"400{NBSP}000{NBSP}kr" in html and f"500{NBSP}000" not in html
    assert response.context["form"].initial["amount"] == Decimal("400000")


def test_eligibility_suggestions_read_what_was_sent(client, draft, cast, now):
    app = _awaiting(draft, cast, now, ["budget", "attachments"])
    _new_budget(app, cast, now, Decimal("700000"))  # above the call's ceiling, unsent
    attachment_remove(actor=cast.applicant, attachment=app.attachments.get(), now=now)  # unsent
    client.force_login(cast.officer)
    suggestions = client.get(reverse("staff_case", args=[app.pk])).context["suggestions"]
    assert suggestions["amount_within_ceiling"] and suggestions["attachments_complete"]


def test_reviewer_list_and_declaration_show_the_title_and_contacts_sent(client, draft, cast, now):
    app = _awaiting(draft, cast, now, ["project", "contacts"])
    _retitle(app, cast, now)
    values = {"contact_name": "Ny Projektledare", "contact_email": "ny@example.se"}
    application_update(actor=cast.applicant, application=app, section="contacts", values=values, now=now)
    reviewer = UserFactory(email="bedomare@example.se", roles=["reviewer"])
    review = review_assign(actor=cast.officer, application=app, reviewer=reviewer, now=now)
    client.force_login(reviewer)
    listing = client.get(reverse("staff_review_list")).content.decode()
    assert SENT_TITLE in listing and UNSENT_TITLE not in listing
    response = client.get(reverse("staff_review_declare", args=[review.pk]))
    _check(response)
    html = response.content.decode()
    assert SENT_TITLE in html and "Anna Andersson" in html
    assert UNSENT_TITLE not in html and "Ny Projektledare" not in html
