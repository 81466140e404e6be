"""Diarienummer under a deadline rush (DESIGN.md §5 rule 3): unique and gapless with real parallel
PostgreSQL connections, also when submissions fail after taking a number.

Each worker thread has its own Django connection (connections are per thread) and closes it at the end.
"""

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.utils import timezone
from stdnum import luhn

from grants.models import Application, ApplicationState, RegistrationCounter
from grants.services.applications import application_submit
from tests.conftest import attach_required
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from workflows.application import ApplicationFlow
from workflows.models import CaseEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: row locks across connections"),
]

N_APPLICATIONS = 200
N_THREADS = 25
N_ORGANISATIONS = 40
USERS_PER_ORGANISATION = 2
JOIN_TIMEOUT_S = 120


@pytest.fixture(autouse=True)
def _no_followups(settings):
    # What a submission queues (receipt, archive copy) is tested elsewhere; run here, the tests' immediate
    # backend would render 200 PDFs per test inside the measured rush.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


class PlannedFailure(Exception):
    """Raised on purpose inside the submit transaction, after the number was taken."""


def _orgnr(k: int) -> str:
    """A Luhn-valid municipal organisation number 212000-xxxx."""
    digits = f"212000{k:03d}"
    return digits + luhn.calc_check_digit(digits)


def _drafts(n: int, n_calls: int) -> list[tuple[Application, object]]:
    """n complete drafts spread over n_calls open calls, every organisation and several users of each."""
    calls = [CallFactory() for _ in range(n_calls)]
    users_by_org = []
    for i in range(N_ORGANISATIONS):
        org = OrganisationFactory(orgnr=_orgnr(i), name=f"Rusningskommun {i}")
        users_by_org.append(
            [MembershipFactory(organisation=org, user=UserFactory()).user for _ in range(USERS_PER_ORGANISATION)]
        )
    drafts = []
    for i in range(n):
        users = users_by_org[i % N_ORGANISATIONS]
        user = users[(i // N_ORGANISATIONS) % USERS_PER_ORGANISATION]
        org_id = user.memberships.get().organisation_id
        app = ApplicationFactory(call=calls[i % n_calls], organisation_id=org_id, created_by=user)
        attach_required(app, user)
        drafts.append((app, user))
    return drafts


def _rush(drafts, now, n_threads=N_THREADS):
    """Submit every draft from n_threads threads released together; return (submitted pks, errors by pk)."""
    barrier = threading.Barrier(n_threads)
    lock = threading.Lock()
    submitted: list[int] = []
    errors: dict[int, BaseException] = {}
    chunks = [drafts[i::n_threads] for i in range(n_threads)]

    def worker(chunk):
        try:
            barrier.wait(timeout=60)
            for app, user in chunk:
                try:
                    # A fresh instance: the service locks and re-reads the row on this thread's connection.
                    application_submit(actor=user, application=Application(pk=app.pk), now=now)
                except Exception as exc:  # every failure is collected and asserted on
                    with lock:
                        errors[app.pk] = exc
                else:
                    with lock:
                        submitted.append(app.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(chunk,), name=f"rush-{i}") for i, chunk in enumerate(chunks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT_S)
    assert not [t.name for t in threads if t.is_alive()], "submissions hung (deadlock or lock wait?)"
    return submitted, errors


def _year(now) -> int:
    return timezone.localtime(now, ZoneInfo("Europe/Stockholm")).year


def _expected_numbers(year: int, n: int) -> set[str]:
    return {f"{year}-{i:05d}" for i in range(1, n + 1)}


# One call is the real rush. One call per draft as well: then nothing but the counter row orders the
# submissions (the service's row lock on the application also locks its call and organisation rows).
@pytest.mark.parametrize("n_calls", [1, N_APPLICATIONS], ids=["one-call", "call-per-draft"])
def test_parallel_submissions_get_unique_gapless_numbers(n_calls):
    drafts = _drafts(N_APPLICATIONS, n_calls)
    assert len({user.pk for _, user in drafts}) == N_ORGANISATIONS * USERS_PER_ORGANISATION
    now = timezone.now()
    year = _year(now)

    submitted, errors = _rush(drafts, now)

    assert errors == {}
    assert len(submitted) == N_APPLICATIONS
    numbers = list(Application.objects.exclude(reference_number=None).values_list("reference_number", flat=True))
    assert len(numbers) == len(set(numbers)) == N_APPLICATIONS
    assert set(numbers) == _expected_numbers(year, N_APPLICATIONS)
    assert Application.objects.filter(state=ApplicationState.SUBMITTED, submitted_at=now).count() == N_APPLICATIONS
    assert RegistrationCounter.objects.get(year=year).last_number == N_APPLICATIONS
    assert CaseEvent.objects.filter(event="application.submitted").count() == N_APPLICATIONS
    # One submitted event per application, not two on one and none on another.
    assert CaseEvent.objects.filter(event="application.submitted").values("application").distinct().count() == (
        N_APPLICATIONS
    )


def test_failures_after_taking_a_number_leave_no_gap(monkeypatch):
    drafts = _drafts(N_APPLICATIONS, N_APPLICATIONS)
    doomed = {app.pk for i, (app, _) in enumerate(drafts) if i % 5 == 4}
    save_submission = ApplicationFlow._save_submission

    def save_then_fail(flow, source, target):
        # The submission's last writes: the number is taken and the application saved, not yet committed.
        save_submission(flow, source, target)
        assert flow.application.reference_number is not None
        if flow.application.pk in doomed:
            raise PlannedFailure(flow.application.reference_number)

    monkeypatch.setattr(ApplicationFlow, "_save_submission", save_then_fail)
    now = timezone.now()
    year = _year(now)

    submitted, errors = _rush(drafts, now)

    assert set(errors) == doomed
    assert all(isinstance(exc, PlannedFailure) for exc in errors.values())
    ok = N_APPLICATIONS - len(doomed)
    assert len(submitted) == ok
    # The numbers the failed ones held were handed on: what is committed is 1…ok, nothing skipped.
    numbers = list(Application.objects.exclude(reference_number=None).values_list("reference_number", flat=True))
    assert len(numbers) == len(set(numbers)) == ok
    assert set(numbers) == _expected_numbers(year, ok)
    assert RegistrationCounter.objects.get(year=year).last_number == ok
    assert CaseEvent.objects.filter(event="application.submitted").count() == ok
    failed = Application.objects.filter(pk__in=doomed)
    assert set(failed.values_list("state", flat=True)) == {ApplicationState.DRAFT}
    assert set(failed.values_list("reference_number", flat=True)) == {None}
    assert not CaseEvent.objects.filter(application__in=doomed).exists()

    # Once the fault is gone the refused drafts go through and continue the same series.
    monkeypatch.setattr(ApplicationFlow, "_save_submission", save_submission)
    retried, errors = _rush([(app, user) for app, user in drafts if app.pk in doomed], now + timedelta(seconds=1))
    assert errors == {}
    assert set(retried) == doomed
    numbers = set(Application.objects.exclude(reference_number=None).values_list("reference_number", flat=True))
    assert numbers == _expected_numbers(year, N_APPLICATIONS)
    assert RegistrationCounter.objects.get(year=year).last_number == N_APPLICATIONS
