"""What staff decide on is what was sent: the latest submitted version, never the applicant's unsent edits of a
completion (DESIGN.md §3, §4.1). And a completion that ends without the applicant's answer (the case is
proposed or withdrawn) drops those edits: the live row goes back to the version, and the case log says so."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grants.models import Application, ApplicationState, Attachment, Outcome, Report, ReportKind
from grants.selectors import application_content_prefetches, application_snapshot
from grants.services.applications import (
    application_update,
    application_withdraw,
    budget_lines_replace,
)
from grants.services.attachments import attachment_add, attachment_remove
from grants.services.cases import _add_months, application_propose, application_request_completion, decision_approve
from grants.services.reviews import review_assign
from tests.factories import UserFactory, make_pdf
from tests.grants.test_html_valid import _check
from tests.workflows.lifecycle import STOCKHOLM, bring_to
from workflows.base import TransitionRefused
from workflows.models import CaseEvent

S = ApplicationState
NBSP = "\u00a0"
SENT_TITLE = "Hybridarbete på Samverket"  # the factory's
UNSENT_TITLE = "Ett nytt namn som ännu inte är inskickat"
SENT_SUMMARY = "Vi testar att arbeta från en coworkinghubb två dagar i veckan."
UNSENT_SUMMARY = "Ett utkast till svaret som ännu inte är inskickat."
DISCARDED = "application.completion_discarded"


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
    assert "ändringar som sökanden ännu inte har skickat in tas bort" in html


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


# --- a completion that ends unanswered --------------------------------------------------------------------------


def _propose_reject(app, cast, now):
    application_propose(
        actor=cast.officer, application=app, outcome=Outcome.REJECT, amount=None, reasons="Utanför syftet.", now=now
    )


def _withdraw(app, cast, now):
    application_withdraw(actor=cast.applicant, application=app, reason="", now=now)


@pytest.mark.parametrize("end", [_propose, _propose_reject, _withdraw], ids=["approve", "reject", "withdraw"])
def test_unsent_completion_edits_are_discarded_when_the_completion_ends_unanswered(client, draft, cast, now, end):
    app = _awaiting(draft, cast, now, ["project", "period", "budget", "attachments"])
    sent = app.versions.get()
    _retitle(app, cast, now, summary=UNSENT_SUMMARY)
    application_update(
        actor=cast.applicant,
        application=app,
        section="period",
        values={"start_date": app.start_date + timedelta(days=7), "end_date": app.end_date},
        now=now,
    )
    _new_budget(app, cast, now, Decimal("123456"))
    old = app.attachments.get()
    attachment_remove(actor=cast.applicant, attachment=old, now=now)
    new_file = SimpleUploadedFile("ny-plan.pdf", make_pdf("Ny plan"), content_type="application/pdf")
    new = attachment_add(actor=cast.applicant, application=app, kind=old.kind, file=new_file, now=now)

    later = now + timedelta(hours=1)
    end(app, cast, later)

    app = Application.objects.prefetch_related(*application_content_prefetches()).get(pk=app.pk)
    # The live row is the version again: fields, budget lines and attachments.
    assert application_snapshot(app) == sent.content
    assert app.title == SENT_TITLE and app.requested_amount == Decimal("400000")
    assert [(b.category, b.description) for b in app.budget_lines.all()] == [("PREMISES", "Platser på Samverket")]
    assert app.completion_sections == []
    # The file uploaded during the completion is kept on file, marked removed; the one sent is current again.
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.removed_at is None and new.removed_at == later and new.file.storage.exists(new.file.name)
    assert list(CaseEvent.objects.filter(application=app, event=DISCARDED).values_list("created_at", flat=True)) == [
        later
    ]
    assert app.versions.count() == 1  # nothing new was sent
    # The applicant's page shows what was sent, not the abandoned edits.
    client.force_login(cast.applicant)
    html = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert SENT_SUMMARY in html and UNSENT_SUMMARY not in html and UNSENT_TITLE not in html


def test_a_completion_ended_without_edits_logs_no_discard(draft, cast, now):
    app = _awaiting(draft, cast, now, ["budget"])
    _propose(app, cast, now)
    app.refresh_from_db()
    assert app.state == S.PROPOSED and app.completion_sections == []
    assert not CaseEvent.objects.filter(application=app, event=DISCARDED).exists()


def test_the_case_log_names_the_discard(client, draft, cast, now):
    app = _awaiting(draft, cast, now, ["project"])
    _retitle(app, cast, now)
    _propose(app, cast, now)
    client.force_login(cast.officer)
    html = client.get(reverse("staff_case", args=[app.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Unsent supplementary changes discarded" in html
    # Swedish last: the language of a request stays active in the thread, and the next tests expect Swedish.
    html = client.get(reverse("staff_case", args=[app.pk])).content.decode()
    assert "Osända ändringar i kompletteringen borttagna" in html
    assert not Attachment.objects.filter(application=app, removed_at__isnull=False).exists()


@pytest.mark.parametrize("edited", [True, False])
def test_the_applicant_hears_that_the_completion_ended_unanswered(draft, cast, now, edited):
    from grants.models import Message

    app = _awaiting(draft, cast, now, ["project"])
    if edited:
        _retitle(app, cast, now)
    _propose(app, cast, now)
    message = Message.objects.get(application=app, event="application.completion_closed", recipient=cast.applicant)
    assert f"Kompletteringen avslutad: ansökan {app.reference_number}" == message.subject
    assert "utan att vänta på svar på begäran om komplettering" in message.body
    assert ("Ändringar som du hade gjort men inte skickat in har tagits bort." in message.body) is edited
