"""The decision progress page in a real browser when a worker dies (issue 9 item 2): a letter whose worker stops
beating turns from "Väntar" to "Avbrutet – görs om" without a reload by hand (progress.js sees the count
change), the retry button appears, and the page has no axe violations in Swedish or English."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_tasks_db.models import DBTaskResult

from documents.letter_batches import TASK_PATH
from documents.services import decision_letter_issue
from grants.models import ApplicationState, WorkerHeartbeat
from tests.browser.conftest import axe_violations, language_cookie, session_cookie
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, MembershipFactory
from tests.workflows.lifecycle import bring_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def decided(settings, draft, cast, now):
    """Three approved cases whose letter tasks are queued (the database queue: nothing runs them here)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ids = []
    for i in range(3):
        organisation = MembershipFactory(user=cast.applicant).organisation
        app = ApplicationFactory(
            call=draft.call,
            organisation=organisation,
            created_by=cast.applicant,
            title=f"Projekt {i}",
            requested_amount=Decimal("100000.00"),
        )
        attach_required(app, cast.applicant)
        ids.append(bring_to(app, ApplicationState.APPROVED, cast, now + timedelta(seconds=i)).decisions.get().pk)
    return ids


def _task(decision_id):
    return next(t for t in DBTaskResult.objects.filter(task_path=TASK_PATH) if t.args_kwargs["args"][0] == decision_id)


def test_a_letter_whose_worker_dies_is_shown_interrupted_with_a_retry(browser, live_server, decided, cast, tmp_path):
    done, failed, running = decided
    now = timezone.now()
    decision_letter_issue(decision_id=done, now=now)
    DBTaskResult.objects.filter(pk=_task(done).pk).update(status="SUCCESSFUL")
    DBTaskResult.objects.filter(pk=_task(failed).pk).update(status="FAILED", worker_ids=["w1"])
    WorkerHeartbeat.objects.create(worker_id="w1", started_at=now, beat_at=now)
    DBTaskResult.objects.filter(pk=_task(running).pk).update(status="RUNNING", started_at=now, worker_ids=["w1"])
    url = live_server.url + reverse("staff_decision_progress") + "?" + urlencode({"ids": f"{done},{failed},{running}"})
    shots = os.environ.get("SAMVERKET_SCREENSHOTS") or str(tmp_path)

    failures = {}
    for language in ("sv", "en"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([language_cookie(language, live_server), session_cookie(cast.decider, live_server)])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(url)
        row = page.locator("tbody tr").nth(2)
        waiting = "Väntar" if language == "sv" else "Waiting"
        interrupted = "Avbrutet – görs om" if language == "sv" else "Interrupted – will be retried"
        if language == "sv":
            assert row.locator(".tag").inner_text() == waiting
            # The worker is killed: its heartbeat stops. progress.js sees one more interrupted letter and reloads.
            WorkerHeartbeat.objects.filter(pk="w1").update(beat_at=now - timedelta(minutes=5))
        page.wait_for_function(
            "t => document.querySelectorAll('tbody tr')[2].querySelector('.tag').textContent === t", arg=interrupted
        )
        assert page.locator("main form button[type=submit]").count() == 1  # Försök igen
        page.screenshot(path=f"{shots}/letter-progress-{language}.png", full_page=True)
        if found := axe_violations(page):
            failures[language] = found
        context.close()
    assert not failures, failures
