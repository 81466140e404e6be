"""Deciding several proposals at once (issue 4): each as proposed, each in its own transaction; refusals
(four-eyes, budget) listed per case while the others are decided; letters made by the worker and followed
on a progress page; failed letters enqueued again."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from documents.letter_batches import TASK_PATH, letter_progress, parse_decision_ids
from documents.models import Document, DocumentKind
from documents.services import decision_letter_issue
from grants.models import Application, ApplicationState, Decision, Outcome
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.workflows.lifecycle import Cast, bring_to
from workflows.models import CaseEvent


@pytest.fixture
def chair(db):
    """A decision-maker who also works as case officer: may decide others' proposals, never their own."""
    return UserFactory(
        email="ordforande@example.se", full_name="Cecilia Chef", roles=["case_officer", "decision_maker"]
    )


@pytest.fixture
def five(draft, cast, chair, now):
    """Five proposals in one call with 300 000 kr left: A approve 100 000, B reject, C approve 100 000,
    D approve 50 000 proposed by the chair, E approve 500 000 (more than will be left). Proposed in that
    order, so E is the last taken."""
    call = draft.call
    call.total_budget = Decimal("300000.00")
    call.save()
    chair_cast = Cast(
        applicant=cast.applicant, outsider=cast.outsider, officer=chair, officer2=cast.officer2, decider=cast.decider
    )
    plan = [
        ("A", "100000.00", Outcome.APPROVE, cast),
        ("B", "200000.00", Outcome.REJECT, cast),
        ("C", "100000.00", Outcome.APPROVE, cast),
        ("D", "50000.00", Outcome.APPROVE, chair_cast),
        ("E", "500000.00", Outcome.APPROVE, cast),
    ]
    cases = {}
    for i, (name, amount, outcome, who) in enumerate(plan):
        organisation = MembershipFactory(user=cast.applicant).organisation
        app = ApplicationFactory(
            call=call,
            organisation=organisation,
            created_by=cast.applicant,
            title=f"Projekt {name}",
            requested_amount=Decimal(amount),
        )
        attach_required(app, cast.applicant)
        cases[name] = bring_to(app, ApplicationState.PROPOSED, who, now + timedelta(seconds=i), outcome=outcome)
    return cases


def _post_bulk(client, user, cases, *, capture):
    client.force_login(user)
    with capture(execute=True) as callbacks:
        response = client.post(
            reverse("staff_decision_bulk"), {"cases": [c.pk for c in cases], "confirmed": "on"}, follow=False
        )
    return response, callbacks


def _ids_from(url: str) -> list[int]:
    match = re.search(r"ids=([0-9%C,]+)", url)
    assert match, url
    return parse_decision_ids(match.group(1).replace("%2C", ","))


def test_the_queue_offers_checkboxes_only_for_other_peoples_proposals(client, chair, five):
    client.force_login(chair)
    html = client.get(reverse("staff_decision_queue")).content.decode()
    for name in "ABCE":
        assert f'name="cases" value="{five[name].pk}"' in html
    assert f'value="{five["D"].pk}"' not in html  # the chair's own proposal: listed apart, not selectable
    assert 'action="/staff/decisions/bulk/"' in html


def test_bulk_decides_each_as_proposed_and_lists_the_refusals(client, chair, five, django_capture_on_commit_callbacks):
    response, callbacks = _post_bulk(client, chair, five.values(), capture=django_capture_on_commit_callbacks)

    state = {name: Application.objects.get(pk=app.pk).state for name, app in five.items()}
    assert state == {
        "A": ApplicationState.APPROVED,
        "B": ApplicationState.REJECTED,
        "C": ApplicationState.APPROVED,
        "D": ApplicationState.PROPOSED,  # four-eyes: the chair proposed it
        "E": ApplicationState.PROPOSED,  # budget: 100 000 left when its turn came
    }
    decisions = {d.application_id: d for d in Decision.objects.all()}
    assert {five[n].pk for n in "ABC"} == set(decisions)
    assert decisions[five["A"].pk].outcome == Outcome.APPROVE and decisions[five["A"].pk].amount == Decimal("100000")
    assert decisions[five["B"].pk].outcome == Outcome.REJECT
    assert all(d.decided_by == chair for d in decisions.values())

    # Letters were produced when each decision's transaction committed: one task per decision.
    assert len(callbacks) >= 3
    letters = Document.objects.filter(kind=DocumentKind.DECISION_LETTER)
    assert sorted(letters.values_list("decision_id", flat=True)) == sorted(d.pk for d in decisions.values())
    assert not CaseEvent.objects.filter(application__in=[five["D"], five["E"]], event__startswith="document").exists()

    assert response.status_code == 302
    assert sorted(_ids_from(response["Location"])) == sorted(d.pk for d in decisions.values())
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "3 av 3 beslutsbrev klara" in html
    assert '<progress id="letter-progress" max="3" value="3">' in html
    notices = [str(m) for m in page.context["messages"]]
    refused = {five["D"].reference_number, five["E"].reference_number}
    errors = [n for n in notices if "beslutades inte" in n]
    assert len(errors) == 2 and all(any(ref in n for ref in refused) for n in errors)
    assert any("fyraögonsprincipen" in n and five["D"].reference_number in n for n in errors)
    assert any("budget räcker inte" in n and five["E"].reference_number in n for n in errors)


def test_only_decision_makers_may_bulk_decide(client, cast, five):
    """Finance may not use the bulk form at all (404: the area does not exist for them)."""
    client.force_login(UserFactory(roles=["finance"]))
    response = client.post(reverse("staff_decision_bulk"), {"cases": [five["A"].pk]})
    assert response.status_code == 404
    assert Application.objects.get(pk=five["A"].pk).state == ApplicationState.PROPOSED


def test_nothing_selected_goes_back_to_the_queue(client, chair, five):
    client.force_login(chair)
    response = client.post(reverse("staff_decision_bulk"), {}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("staff_decision_queue")
    assert "Välj minst ett ärende" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_bulk_decision_needs_the_confirmation_ticked(client, chair, five):
    """Issue 9: the bulk form carries the same required "Jag har kontrollerat besluten…" box; without it
    nothing is decided and the queue says why."""
    client.force_login(chair)
    html = client.get(reverse("staff_decision_queue")).content.decode()
    assert '<input type="checkbox" name="confirmed" value="on" id="bulk-confirmed" required>' in html
    assert '<label for="bulk-confirmed">Jag har kontrollerat besluten' in html
    for sent in ({}, {"confirmed": ""}):
        response = client.post(reverse("staff_decision_bulk"), {"cases": [five["A"].pk], **sent}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("staff_decision_queue")
        assert "Kryssa i att du har kontrollerat beslutet" in response.content.decode()
    assert not Decision.objects.exists()
    assert Application.objects.get(pk=five["A"].pk).state == ApplicationState.PROPOSED


def test_progress_counts_issued_letters_while_the_worker_is_busy(client, chair, five, settings, now):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(chair)
    # Without the on_commit callbacks captured, the test transaction never commits: no task is enqueued.
    response = client.post(reverse("staff_decision_bulk"), {"cases": [five[n].pk for n in "ABC"], "confirmed": "on"})
    ids = _ids_from(response["Location"])
    html = client.get(response["Location"]).content.decode()
    assert "0 av 3 beslutsbrev klara" in html
    assert ">Uppdatera</a>" in html and "js/progress.js" in html
    assert "/staff/documents/" not in html

    letter = decision_letter_issue(decision_id=ids[0], now=now)
    html = client.get(response["Location"]).content.decode()
    assert "1 av 3 beslutsbrev klara" in html
    # The finished letter is linked from its row (issue 9), and the link opens it for the decision-maker.
    first = Decision.objects.get(pk=ids[0]).application.reference_number
    links = re.findall(r'<a href="(/staff/documents/\d+/)" download>([^<]+)<', html)
    assert links == [(f"/staff/documents/{letter.pk}/", f"Ladda ner beslutsbrevet för {first}")]
    assert client.get(links[0][0]).status_code == 200
    data = client.get(reverse("staff_decision_progress_json"), {"ids": ",".join(map(str, ids))}).json()
    assert data == {
        "done": 1,
        "total": 3,
        "failed": 0,
        "interrupted": 0,
        "pending": 2,
        "finished": False,
        "text": "1 av 3 beslutsbrev klara",
    }


def test_progress_counts_in_a_fixed_number_of_queries(
    client, chair, five, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    response, _ = _post_bulk(client, chair, [five[n] for n in "ABC"], capture=django_capture_on_commit_callbacks)
    ids = _ids_from(response["Location"])
    with django_assert_max_num_queries(2):  # every letter issued: no task rows to read
        progress = letter_progress(ids, now=timezone.now())
    assert (progress.done, progress.total, progress.finished) == (3, 3, True)


def test_a_failed_letter_is_reported_and_retried(client, chair, five, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response, _ = _post_bulk(client, chair, [five[n] for n in "ABC"], capture=django_capture_on_commit_callbacks)
    ids = _ids_from(response["Location"])
    tasks = DBTaskResult.objects.filter(task_path=TASK_PATH)
    assert tasks.count() == 3 and set(tasks.values_list("status", flat=True)) == {"READY"}
    # The worker ran them: two letters issued, one failed (as the worker records a task that raised).
    failed_id = ids[1]
    for task in tasks:
        decision_id = task.args_kwargs["args"][0]
        if decision_id == failed_id:
            DBTaskResult.objects.filter(pk=task.pk).update(
                status="FAILED", exception_class_path="documents.letters.LetterError"
            )
        else:
            decision_letter_issue(decision_id=decision_id, now=timezone.now())
            DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")

    page = client.get(response["Location"]).content.decode()
    failed_ref = Decision.objects.get(pk=failed_id).application.reference_number
    assert "2 av 3 beslutsbrev klara" in page
    assert "Försök igen" in page and failed_ref in page
    assert client.get(reverse("staff_decision_progress_json"), {"ids": ",".join(map(str, ids))}).json()["failed"] == 1

    retry = client.post(reverse("staff_decision_letters_retry"), {"ids": ",".join(map(str, ids))})
    assert retry.status_code == 302 and _ids_from(retry["Location"]) == ids
    again = DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY")
    assert [t.args_kwargs["args"] for t in again] == [[failed_id]]  # only the failed one, once
    page = client.get(retry["Location"]).content.decode()
    assert "Försök igen" not in page  # a new attempt is waiting
    # A second press while the attempt waits enqueues nothing more.
    client.post(reverse("staff_decision_letters_retry"), {"ids": ",".join(map(str, ids))})
    assert DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").count() == 1


def test_progress_ignores_junk_ids_and_unknown_decisions(client, chair):
    client.force_login(chair)
    html = client.get(reverse("staff_decision_progress"), {"ids": "abc,-3,999999,,"}).content.decode()
    assert "Inga beslut att visa" in html
    assert parse_decision_ids("3, 4,4,x,0,5") == [3, 4, 5]


def _as_worker_left_them(ids, *, issued=(), failed=(), killed=()):
    """Put the letter tasks of these decisions where a worker left them: issued (SUCCESSFUL, with the letter),
    failed (FAILED), or killed -9 while running (RUNNING for five minutes on a worker with no heartbeat)."""
    for task in DBTaskResult.objects.filter(task_path=TASK_PATH):
        decision_id = task.args_kwargs["args"][0]
        if decision_id in issued:
            decision_letter_issue(decision_id=decision_id, now=timezone.now())
            DBTaskResult.objects.filter(pk=task.pk).update(status="SUCCESSFUL")
        elif decision_id in failed:
            DBTaskResult.objects.filter(pk=task.pk).update(status="FAILED", worker_ids=["w-failed"])
        elif decision_id in killed:
            DBTaskResult.objects.filter(pk=task.pk).update(
                status="RUNNING", started_at=timezone.now() - timedelta(minutes=5), worker_ids=["w-killed"]
            )


def test_a_letter_whose_worker_was_killed_shows_as_interrupted_and_retry_requeues_it(
    client, chair, five, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response, _ = _post_bulk(client, chair, [five[n] for n in "ABC"], capture=django_capture_on_commit_callbacks)
    ids = _ids_from(response["Location"])
    _as_worker_left_them(ids, issued=[ids[0]], failed=[ids[1]], killed=[ids[2]])
    killed_ref = Decision.objects.get(pk=ids[2]).application.reference_number

    page = client.get(response["Location"]).content.decode()
    assert "1 av 3 beslutsbrev klara" in page
    assert "Avbrutet – görs om" in page and killed_ref in page
    assert "Försök igen" in page
    data = client.get(reverse("staff_decision_progress_json"), {"ids": ",".join(map(str, ids))}).json()
    assert (data["done"], data["failed"], data["interrupted"], data["pending"]) == (1, 1, 1, 1)

    retry = client.post(reverse("staff_decision_letters_retry"), {"ids": ",".join(map(str, ids))})
    assert retry.status_code == 302
    tasks = DBTaskResult.objects.filter(task_path=TASK_PATH)
    ready = sorted(t.args_kwargs["args"][0] for t in tasks if t.status == "READY")
    assert ready == sorted(ids[1:]), "the failed letter and the interrupted one are both queued again"
    assert not tasks.filter(status="RUNNING").exists(), "the killed worker's task is the one queued again"
    assert tasks.count() == 4  # one new task for the failed letter; the interrupted task's own row is re-queued
    # Queued again after an interruption: still shown as interrupted, waiting for a worker, with no retry.
    page = client.get(retry["Location"]).content.decode()
    assert "Avbrutet – görs om" in page and "Försök igen" not in page
    client.post(reverse("staff_decision_letters_retry"), {"ids": ",".join(map(str, ids))})
    assert DBTaskResult.objects.filter(task_path=TASK_PATH).count() == 4  # a second press adds nothing

    # A worker takes both and issues them: each letter once.
    for decision_id in ids[1:]:
        decision_letter_issue(decision_id=decision_id, now=timezone.now())
    page = client.get(retry["Location"]).content.decode()
    assert "3 av 3 beslutsbrev klara" in page and "Avbrutet" not in page
    assert Document.objects.filter(decision_id__in=ids, kind=DocumentKind.DECISION_LETTER).count() == 3


def test_a_letter_being_made_by_a_live_worker_is_waiting_not_interrupted(
    client, chair, five, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from grants.models import WorkerHeartbeat

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response, _ = _post_bulk(client, chair, [five[n] for n in "ABC"], capture=django_capture_on_commit_callbacks)
    ids = _ids_from(response["Location"])
    now = timezone.now()
    # Every letter has been at it for ten minutes, on a worker that is alive (its heartbeat is fresh).
    WorkerHeartbeat.objects.create(worker_id="w-alive", started_at=now, beat_at=now)
    DBTaskResult.objects.filter(task_path=TASK_PATH).update(
        status="RUNNING", started_at=now - timedelta(minutes=10), worker_ids=["w-alive"]
    )
    with django_assert_max_num_queries(4):  # decisions, letters, tasks, heartbeats: whatever the number
        progress = letter_progress(ids, now=now)
    assert (progress.pending, progress.interrupted, progress.failed, progress.retryable) == (3, [], [], False)
    page = client.get(response["Location"]).content.decode()
    assert page.count(">Väntar<") == 3 and "Avbrutet" not in page and "Försök igen" not in page
    client.post(reverse("staff_decision_letters_retry"), {"ids": ",".join(map(str, ids))})
    assert set(DBTaskResult.objects.filter(task_path=TASK_PATH).values_list("status", flat=True)) == {"RUNNING"}

    # The worker dies: a lease later, the same letters are interrupted.
    later = now + timedelta(seconds=settings.WORKER_LEASE_SECONDS + 1)
    assert len(letter_progress(ids, now=later).interrupted) == 3


def test_the_progress_page_costs_the_same_queries_for_one_letter_and_for_many(
    client, chair, five, settings, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response, _ = _post_bulk(client, chair, [five[n] for n in "ABC"], capture=django_capture_on_commit_callbacks)
    ids = _ids_from(response["Location"])
    _as_worker_left_them(ids, issued=[ids[0]], failed=[ids[1]], killed=[ids[2]])
    counts = []
    for chosen in ([ids[2]], ids):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(reverse("staff_decision_progress"), {"ids": ",".join(map(str, chosen))}).status_code == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
