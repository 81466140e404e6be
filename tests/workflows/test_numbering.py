"""Diarienummer (DESIGN.md §5 rule 3) on one thread: YYYY-NNNNN, assigned at submission in submission
order, without gaps when a submission fails after taking its number, restarting every Swedish new year.
The same rule under parallel submissions is tested on PostgreSQL in tests/grants/test_numbering_postgres.py."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from grants.models import Application, ApplicationState, ApplicationVersion, RegistrationCounter
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory
from tests.workflows.lifecycle import act
from workflows.application import ApplicationFlow
from workflows.models import CaseEvent

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class PlannedFailure(Exception):
    pass


@pytest.fixture
def drafts(applicant):
    """Five complete drafts in a call open from February 2026 to February 2027."""
    call = CallFactory(
        opens_at=datetime(2026, 2, 1, 9, 0, tzinfo=STOCKHOLM), closes_at=datetime(2027, 2, 1, 14, 0, tzinfo=STOCKHOLM)
    )
    organisation = MembershipFactory(user=applicant).organisation
    apps = []
    for _ in range(5):
        app = ApplicationFactory(call=call, organisation=organisation, created_by=applicant)
        attach_required(app, applicant)
        apps.append(app)
    return apps


def _number(app):
    return Application.objects.get(pk=app.pk).reference_number


def test_numbers_run_in_submission_order(drafts, cast):
    now = datetime(2026, 3, 2, 10, 0, tzinfo=STOCKHOLM)
    order = [drafts[2], drafts[0], drafts[4], drafts[1]]
    for i, app in enumerate(order):
        act("submit", app, cast, now + timedelta(seconds=i))
    assert [_number(app) for app in order] == ["2026-00001", "2026-00002", "2026-00003", "2026-00004"]
    assert _number(drafts[3]) is None
    assert RegistrationCounter.objects.get(year=2026).last_number == 4


def test_many_submissions_in_the_same_second_get_distinct_numbers(drafts, cast):
    now = datetime(2026, 3, 2, 10, 0, tzinfo=STOCKHOLM)
    for app in drafts:
        act("submit", app, cast, now)
    assert sorted(_number(app) for app in drafts) == [f"2026-{n:05d}" for n in range(1, 6)]


@pytest.mark.parametrize("fail_on", [0, 2], ids=["first-of-the-year", "later"])
def test_a_submission_that_fails_after_taking_a_number_leaves_no_gap(fail_on, drafts, cast, monkeypatch):
    now = datetime(2026, 3, 2, 10, 0, tzinfo=STOCKHOLM)
    for app in drafts[:fail_on]:
        act("submit", app, cast, now)
    doomed = drafts[fail_on]
    taken = []
    real_save = ApplicationFlow._save_submission

    def save_then_fail(flow, source, target):
        # The submission's last writes: the number is taken and the application saved, not yet committed.
        real_save(flow, source, target)
        taken.append(flow.application.reference_number)
        raise PlannedFailure("the transaction could not commit")

    monkeypatch.setattr(ApplicationFlow, "_save_submission", save_then_fail)
    with pytest.raises(PlannedFailure):
        act("submit", doomed, cast, now)
    assert taken == [f"2026-{fail_on + 1:05d}"]

    doomed.refresh_from_db()
    assert (doomed.state, doomed.reference_number, doomed.submitted_at) == (ApplicationState.DRAFT, None, None)
    assert not CaseEvent.objects.filter(application=doomed).exists()
    assert not ApplicationVersion.objects.filter(application=doomed).exists()
    assert RegistrationCounter.objects.filter(year=2026, last_number__gt=fail_on).count() == 0

    # The number it held goes to the next submission, and the failed draft can be sent again afterwards.
    monkeypatch.setattr(ApplicationFlow, "_save_submission", real_save)
    act("submit", drafts[fail_on + 1], cast, now)
    act("submit", doomed, cast, now)
    assert _number(drafts[fail_on + 1]) == f"2026-{fail_on + 1:05d}"
    assert _number(doomed) == f"2026-{fail_on + 2:05d}"
    numbers = sorted(Application.objects.exclude(reference_number=None).values_list("reference_number", flat=True))
    assert numbers == [f"2026-{n:05d}" for n in range(1, fail_on + 3)]


def test_the_year_is_the_swedish_year(drafts, cast):
    last_of_2026 = datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC)  # 23:59:59 in Stockholm
    first_of_2027 = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # still 2026 in UTC; 00:30 in Stockholm
    act("submit", drafts[0], cast, datetime(2026, 6, 1, 10, 0, tzinfo=STOCKHOLM))
    act("submit", drafts[1], cast, last_of_2026)
    act("submit", drafts[2], cast, first_of_2027)
    act("submit", drafts[3], cast, first_of_2027 + timedelta(days=3))
    assert [_number(app) for app in drafts[:4]] == ["2026-00001", "2026-00002", "2027-00001", "2027-00002"]
    assert dict(RegistrationCounter.objects.values_list("year", "last_number")) == {2026: 2, 2027: 2}
