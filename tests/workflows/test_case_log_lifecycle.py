"""The case log knows whose states it records (DESIGN.md §4): an event of a report or a payout is labelled with
that lifecycle's words, not the application's, although the codes (SUBMITTED, APPROVED, PAID, DUE) repeat."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from grants.models import ApplicationState, Lifecycle, lifecycle_state_label
from grants.models.states import LIFECYCLE_STATES
from tests.workflows.lifecycle import bring_to
from workflows.base import CaseFlow, log_event
from workflows.events import state_label
from workflows.models import CaseEvent


@translation.override("sv")
def test_same_code_is_labelled_per_lifecycle():
    assert lifecycle_state_label(Lifecycle.APPLICATION, "SUBMITTED") == "Inkommen"
    assert lifecycle_state_label(Lifecycle.REPORT, "SUBMITTED") == "Inlämnad"
    assert lifecycle_state_label(Lifecycle.APPLICATION, "APPROVED") == "Beviljad"
    assert lifecycle_state_label(Lifecycle.REPORT, "APPROVED") == "Godkänd"
    assert lifecycle_state_label(Lifecycle.PAYOUT, "PAID") == "Utbetald"
    assert lifecycle_state_label(Lifecycle.REPAYMENT, "PAID") == "Betalt"
    assert lifecycle_state_label(Lifecycle.PAYOUT, "DUE") == "Att betala"
    assert lifecycle_state_label(Lifecycle.REPORT, "DUE") == "Ska lämnas"
    with translation.override("en"):
        assert lifecycle_state_label(Lifecycle.PAYOUT, "PAID") == "Paid out"
        assert lifecycle_state_label(Lifecycle.REPAYMENT, "PAID") == "Paid"
        assert lifecycle_state_label(Lifecycle.APPLICATION, "SUBMITTED") == "Received"
        assert lifecycle_state_label(Lifecycle.REPORT, "SUBMITTED") == "Submitted"


@translation.override("sv")
def test_unknown_codes_and_lifecycles_are_shown_as_they_are():
    assert lifecycle_state_label(Lifecycle.PAYOUT, "") == ""
    assert lifecycle_state_label(Lifecycle.PAYOUT, "IN_REVIEW") == "IN_REVIEW"  # an application code
    assert lifecycle_state_label("no_such_lifecycle", "PAID") == "PAID"
    # The old one-argument call still means the application.
    assert state_label("SUBMITTED") == "Inkommen"
    assert state_label("SUBMITTED", Lifecycle.REPORT) == "Inlämnad"


def test_every_lifecycle_has_its_states():
    assert set(LIFECYCLE_STATES) == set(Lifecycle.values)


@pytest.fixture
def approved(draft, cast, now):
    return bring_to(draft, ApplicationState.APPROVED, cast, now)


def _log(html: str) -> str:
    start = html.index('<section aria-labelledby="log-title"')
    return html[start : html.index("</section>", start)]


@translation.override("sv")  # the English request below leaves English active; put back what was there
def test_case_page_labels_each_event_in_its_lifecycle(client, approved, cast, now):
    report = approved.grant.reports.order_by("due_date").first()
    log_event(
        application=approved,
        actor=cast.officer,
        event="legacy.report_approved",
        now=now + timedelta(minutes=5),
        from_state="SUBMITTED",
        to_state="APPROVED",
        lifecycle=Lifecycle.REPORT,
        subject_id=report.pk,
    )
    client.force_login(cast.officer)
    log = _log(client.get(reverse("staff_case", args=[approved.pk])).content.decode())
    assert "Föredragen för beslut → Beviljad" in log  # the application's approval
    assert "Inlämnad → Godkänd" in log  # the report's
    assert "Inkommen → Godkänd" not in log and "Inlämnad → Beviljad" not in log
    log = _log(client.get(reverse("staff_case", args=[approved.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Submitted → Approved" in log


def test_old_events_are_application_events(approved):
    events = CaseEvent.objects.filter(application=approved)
    assert events.exists()
    assert set(events.values_list("lifecycle", flat=True)) == {Lifecycle.APPLICATION}
    assert set(events.values_list("subject_id", flat=True)) == {None}


class _ReportFlow(CaseFlow):
    """A flow of another lifecycle, as workflows/report.py will be: its lines name the report."""

    lifecycle = Lifecycle.REPORT
    events = {"approve": "report.approved"}

    def case_of(self, record):
        return record.grant.application


def test_a_flow_of_another_lifecycle_logs_its_lifecycle_and_subject(approved, cast, now):
    report = approved.grant.reports.first()
    _ReportFlow(report, actor=cast.officer, now=now).save_transition("approve", "SUBMITTED", "APPROVED")
    event = CaseEvent.objects.get(event="report.approved")
    assert (event.application_id, event.lifecycle, event.subject_id) == (approved.pk, "report", report.pk)


@pytest.mark.parametrize(
    ("with_case", "lifecycle", "subject_id"),
    [
        (False, Lifecycle.APPLICATION, None),  # an application event needs its application
        (False, Lifecycle.PAYOUT, 1),  # so does a payout's: only a batch stands outside a case
        (True, Lifecycle.APPLICATION, 7),  # the application is the subject itself
        (True, Lifecycle.GRANT, None),  # a grant event names its grant
        (True, "nonsense", 1),
    ],
)
def test_database_refuses_an_event_without_its_case_or_subject(approved, now, with_case, lifecycle, subject_id):
    with pytest.raises(IntegrityError), transaction.atomic():
        log_event(
            application=approved if with_case else None,
            actor=None,
            event="x",
            now=now,
            lifecycle=lifecycle,
            subject_id=subject_id,
        )


def test_a_batch_event_needs_no_case(db, now):
    event = log_event(application=None, actor=None, event="x", now=now, lifecycle=Lifecycle.BATCH, subject_id=3)
    assert event.pk and event.application_id is None


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_existing_events_as_application_events(approved):
    """0003 adds the columns to a log that already has lines; on PostgreSQL its append-only trigger refuses
    any UPDATE, so the backfill must not be one."""
    before = list(CaseEvent.objects.order_by("pk").values_list("pk", "event"))
    executor = MigrationExecutor(connection)
    executor.migrate([("workflows", "0002_append_only_triggers")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM workflows_caseevent")
        assert cursor.fetchone()[0] == len(before)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("workflows", "0003_caseevent_lifecycle")])
    rows = list(CaseEvent.objects.order_by("pk").values_list("pk", "event", "lifecycle", "subject_id"))
    assert rows == [(pk, event, "application", None) for pk, event in before]
