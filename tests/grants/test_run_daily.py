"""`manage.py run_daily` (issue 10 item 8): lapses what is past its deadline, and a second run changes nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grants.models import Grant, GrantState, Payout
from tests.workflows.payouts import payout_world
from workflows.models import CaseEvent


def _state():
    return (
        list(Grant.objects.order_by("pk").values()),
        list(Payout.objects.order_by("pk").values()),
        CaseEvent.objects.count(),
    )


def _run(*args):
    out = StringIO()
    call_command("run_daily", *args, stdout=out)
    return out.getvalue()


def test_lapses_past_the_deadline_and_twice_changes_nothing(db):
    late, early = payout_world(accepted=False), payout_world(accepted=False)
    Grant.objects.filter(pk=early.grant.pk).update(
        acceptance_deadline_at=late.grant.acceptance_deadline_at + timedelta(days=3)
    )
    when = (late.grant.acceptance_deadline_at + timedelta(minutes=1)).isoformat()

    assert "lapsed=1" in _run("--now", when)
    assert Grant.objects.get(pk=late.grant.pk).state == GrantState.CANCELLED
    assert Grant.objects.get(pk=early.grant.pk).state == GrantState.AWAITING_ACCEPTANCE
    before = _state()
    assert "lapsed=0" in _run("--now", when)
    assert _state() == before


def test_before_any_deadline_nothing_happens(db):
    payout_world(accepted=False)
    before = _state()
    _run()
    assert _state() == before


def test_a_bad_time_is_refused(db):
    with pytest.raises(CommandError, match="ISO 8601"):
        _run("--now", "igår")
