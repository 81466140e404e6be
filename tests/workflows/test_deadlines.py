"""Deadlines are exact instants in Swedish time, checked on the server (DESIGN.md §5 rule 7).

A call that closes "at 14:00 on the closing day" closes at 14:00 Europe/Stockholm, whether that day falls in
winter time (UTC+1), summer time (UTC+2) or on the day the clocks change.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from grants.models import ApplicationState
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory
from tests.workflows.lifecycle import act, bring_to
from workflows.base import TransitionRefused

STOCKHOLM = ZoneInfo("Europe/Stockholm")
SECOND = timedelta(seconds=1)

# (closing day, the same instant in UTC): written out by hand so a wrong zone cannot agree with itself.
CLOSING_DAYS = [
    (date(2026, 1, 15), datetime(2026, 1, 15, 13, 0, tzinfo=UTC)),  # winter time, UTC+1
    (date(2026, 6, 15), datetime(2026, 6, 15, 12, 0, tzinfo=UTC)),  # summer time, UTC+2
    (date(2026, 3, 29), datetime(2026, 3, 29, 12, 0, tzinfo=UTC)),  # clocks went forward at 02:00 that night
    (date(2026, 10, 25), datetime(2026, 10, 25, 13, 0, tzinfo=UTC)),  # clocks went back at 03:00 that night
]


def _draft_in_call(applicant, opens_at, closes_at):
    call = CallFactory(opens_at=opens_at, closes_at=closes_at)
    membership = MembershipFactory(user=applicant)
    app = ApplicationFactory(call=call, organisation=membership.organisation, created_by=applicant)
    attach_required(app, applicant)
    return app


@pytest.fixture(params=CLOSING_DAYS, ids=lambda p: p[0].isoformat())
def closing(request, applicant):
    day, closes_utc = request.param
    closes_at = datetime(day.year, day.month, day.day, 14, 0, tzinfo=STOCKHOLM)
    assert closes_at == closes_utc
    return _draft_in_call(applicant, closes_at - timedelta(days=60), closes_at), closes_at


def test_submit_one_second_before_closing_succeeds(closing, cast):
    app, closes_at = closing
    act("submit", app, cast, closes_at - SECOND)
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED
    assert app.submitted_at == closes_at - SECOND


def test_submit_at_closing_is_refused(closing, cast):
    app, closes_at = closing
    with pytest.raises(TransitionRefused) as refused:
        act("submit", app, cast, closes_at)
    # The applicant is told the deadline in Swedish time.
    assert "kl. 14:00" in str(refused.value.message)
    app.refresh_from_db()
    assert (app.state, app.reference_number) == (ApplicationState.DRAFT, None)


def test_submit_with_the_server_clock(closing, cast):
    """The same deadline with the clock frozen, as a view would call the service with timezone.now()."""
    app, closes_at = closing
    with time_machine.travel(closes_at.astimezone(UTC) - SECOND, tick=False):
        assert timezone.localtime(timezone.now(), STOCKHOLM).strftime("%H:%M:%S") == "13:59:59"
        act("submit", app, cast, timezone.now())
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED


def test_submit_with_the_server_clock_after_closing(closing, cast):
    app, closes_at = closing
    with time_machine.travel(closes_at.astimezone(UTC), tick=False), pytest.raises(TransitionRefused):
        act("submit", app, cast, timezone.now())
    app.refresh_from_db()
    assert app.state == ApplicationState.DRAFT


def test_submit_before_opening_is_refused_and_at_opening_accepted(applicant, cast):
    opens_at = datetime(2026, 2, 2, 9, 0, tzinfo=STOCKHOLM)
    app = _draft_in_call(applicant, opens_at, opens_at + timedelta(days=60))
    with pytest.raises(TransitionRefused):
        act("submit", app, cast, opens_at - SECOND)
    app.refresh_from_db()
    assert app.state == ApplicationState.DRAFT
    act("submit", app, cast, opens_at)
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED


def test_completion_answer_date_is_after_today_in_stockholm(draft, cast):
    """23:30 UTC on 10 March is already 11 March in Stockholm: 11 March is today, not a future date."""
    now = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    draft.call.opens_at, draft.call.closes_at = now - timedelta(days=30), now + timedelta(days=30)
    draft.call.save(update_fields=["opens_at", "closes_at"])
    app = bring_to(draft, ApplicationState.IN_REVIEW, cast, now)
    with pytest.raises(TransitionRefused) as refused:
        act("request_completion", app, cast, now, answer_by=date(2026, 3, 11))
    assert refused.value.field == "answer_by"
    act("request_completion", app, cast, now, answer_by=date(2026, 3, 12))
    app.refresh_from_db()
    assert app.state == ApplicationState.AWAITING_COMPLETION
