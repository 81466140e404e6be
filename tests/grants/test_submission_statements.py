"""How many SQL statements a submission costs, pinned: in a deadline rush each one is paid hundreds of times a
minute (benchmarks/README.md, `make bench-rush`). If this test fails because the count grew, find the statement
that came back and why; if it shrank, lower the pin.

A submission from the preview, as a logged-in member, with the database task queue (as in production):

    session, user                         the logged-in request
    BEGIN                                 (a SAVEPOINT inside the test's transaction)
    the locked read                       application, call, organisation, membership, budget lines,
                                          current attachments, required kinds: one statement
    version 1, the receipt task, the case event
    the counter                           the diarienummer, taken last
    the application                       state, number, amount, times
    COMMIT                                (RELEASE SAVEPOINT)
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import Application, ApplicationState, RegistrationCounter
from grants.selectors.locked import application_get_locked
from grants.services.applications import application_submit

SUBMISSION_STATEMENTS = 10


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def counter(draft):
    # Not the year's first submission: that one also creates the counter row (two statements more, once a year).
    RegistrationCounter.objects.create(year=timezone.localtime().year, last_number=41)


def _kinds(sql: list[str]) -> list[str]:
    out = []
    for statement in sql:
        words = statement.split()
        head = words[0].upper()
        if head in {"SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"}:
            out.append("RELEASE" if head == "RELEASE" else ("BEGIN" if head in {"SAVEPOINT", "BEGIN"} else "COMMIT"))
        elif head == "SELECT":
            top, inner = statement, ""
            while top != inner:  # drop the subqueries: the outer statement's FROM is the one that counts
                inner, top = top, re.sub(r"\([^()]*\)", "", top)
            table = re.search(r'FROM "?(\w+)', top)
            out.append(f"SELECT {table.group(1) if table else '?'}")
        elif head == "INSERT":
            out.append("INSERT " + words[2].strip('"'))
        elif head == "UPDATE":
            out.append("UPDATE " + words[1].strip('"'))
        else:
            out.append(head)
    return out


def test_a_submission_costs_ten_statements(client, draft, applicant, counter, database_queue):
    applicant.refresh_from_db()
    client.force_login(applicant)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("application_submit", kwargs={"pk": draft.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("application_receipt", kwargs={"pk": draft.pk})
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED and draft.reference_number.endswith("-00042")

    kinds = _kinds([q["sql"] for q in queries.captured_queries])
    assert kinds == [
        "SELECT django_session",
        "SELECT grants_user",
        "BEGIN",
        "SELECT grants_application",
        "INSERT grants_applicationversion",
        "INSERT django_tasks_database_dbtaskresult",
        "INSERT workflows_caseevent",
        "UPDATE grants_registrationcounter",
        "UPDATE grants_application",
        "RELEASE" if kinds[-1] == "RELEASE" else "COMMIT",  # RELEASE SAVEPOINT inside the test's transaction
    ], "\n".join(q["sql"][:200] for q in queries.captured_queries)
    assert len(queries.captured_queries) == SUBMISSION_STATEMENTS


def test_the_service_alone_reads_once(draft, applicant, counter, database_queue):
    """Inside the service: one read (the locked one), then only writes."""
    with CaptureQueriesContext(connection) as queries:
        application_submit(actor=applicant, application=Application(pk=draft.pk), now=timezone.now())
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 1 and "grants_budgetline" in reads[0] and "grants_requiredattachment" in reads[0]


def test_a_refused_submission_reads_once_and_writes_nothing(draft, applicant, counter):
    """A draft that misses a required attachment: the guards answer from the locked read alone."""
    draft.attachments.all().delete()
    with CaptureQueriesContext(connection) as queries, pytest.raises(Exception, match="saknas"):
        application_submit(actor=applicant, application=Application(pk=draft.pk), now=timezone.now())
    sql = [q["sql"] for q in queries.captured_queries]
    assert [s for s in sql if s.split()[0] in {"INSERT", "UPDATE", "DELETE"}] == []
    assert len([s for s in sql if s.startswith("SELECT")]) == 1
    locked, member = application_get_locked(draft.pk, applicant.pk)
    assert member and locked.state == ApplicationState.DRAFT
