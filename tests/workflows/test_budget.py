"""The call budget (DESIGN.md §5 rule 2), one approval at a time: approved, not cancelled grants never add up
to more than the call's budget. Parallel approvals are tested on PostgreSQL elsewhere."""

from decimal import Decimal

import pytest

from grants.models import Application, ApplicationState, Grant, GrantState, Outcome
from grants.services.cases import call_committed_amount
from tests.conftest import attach_required
from tests.factories import ApplicationFactory
from tests.workflows.lifecycle import act, bring_to, snapshot
from workflows.base import TransitionRefused

S = ApplicationState
NBSP = "\u00a0"


@pytest.fixture
def call(draft):
    draft.call.total_budget = Decimal("700000.00")
    draft.call.save(update_fields=["total_budget"])
    return draft.call


def _recorded(state, cast, now):
    """A grant's row in `state` with what the database requires of that state (who accepted, when cancelled)."""
    if state in (GrantState.ACTIVE, GrantState.CLOSED):
        return {"state": state, "accepted_by": cast.applicant, "accepted_at": now, "terms_sha256": "0" * 64}
    if state == GrantState.CANCELLED:
        return {"state": state, "cancelled_at": now}
    return {"state": state}


def _another(draft, amount):
    app = ApplicationFactory(
        call=draft.call, organisation=draft.organisation, created_by=draft.created_by, requested_amount=amount
    )
    attach_required(app)
    return app


def test_approval_refused_when_budget_no_longer_covers_it(call, draft, cast, now):
    first = bring_to(draft, S.APPROVED, cast, now)  # 400 000 of 700 000
    second = bring_to(_another(draft, Decimal("400000.00")), S.PROPOSED, cast, now)
    before = snapshot(second)

    with pytest.raises(TransitionRefused) as refused:
        act("approve", second, cast, now)

    message = str(refused.value.message)
    assert f"300{NBSP}000{NBSP}kr kvar" in message
    assert f"400{NBSP}000{NBSP}kr föreslaget" in message
    assert snapshot(second) == before  # still PROPOSED, no decision, no grant
    assert call_committed_amount(call) == Decimal("400000.00")
    assert Grant.objects.get().application == first


def test_approval_that_uses_the_last_krona_is_accepted(call, draft, cast, now):
    bring_to(draft, S.APPROVED, cast, now)
    second = bring_to(_another(draft, Decimal("300000.00")), S.PROPOSED, cast, now)
    act("approve", second, cast, now)
    assert call_committed_amount(call) == call.total_budget
    third = bring_to(_another(draft, Decimal("1.00")), S.PROPOSED, cast, now)
    with pytest.raises(TransitionRefused):
        act("approve", third, cast, now)
    assert Application.objects.get(pk=third.pk).state == S.PROPOSED


def test_the_approved_amount_counts_not_the_requested(call, draft, cast, now):
    first = bring_to(draft, S.IN_REVIEW, cast, now)  # requested 400 000
    act("propose", first, cast, now, amount=Decimal("250000.00"))
    act("approve", first, cast, now)
    second = bring_to(_another(draft, Decimal("450000.00")), S.APPROVED, cast, now)
    assert Grant.objects.get(application=second).granted_amount == Decimal("450000.00")
    assert call_committed_amount(call) == Decimal("700000.00")


def test_rejections_commit_nothing(call, draft, cast, now):
    bring_to(draft, S.REJECTED, cast, now)
    assert call_committed_amount(call) == Decimal("0.00")
    bring_to(_another(draft, Decimal("600000.00")), S.APPROVED, cast, now)


def test_cancelled_grant_releases_its_amount(call, draft, cast, now):
    first = bring_to(draft, S.APPROVED, cast, now)
    second = bring_to(_another(draft, Decimal("400000.00")), S.PROPOSED, cast, now)
    with pytest.raises(TransitionRefused):
        act("approve", second, cast, now)

    Grant.objects.filter(application=first).update(**_recorded(GrantState.CANCELLED, cast, now))  # declined/lapsed
    assert call_committed_amount(call) == Decimal("0.00")
    act("approve", second, cast, now)

    assert Application.objects.get(pk=second.pk).state == S.APPROVED
    assert call_committed_amount(call) == Decimal("400000.00")


@pytest.mark.parametrize("state", [GrantState.AWAITING_ACCEPTANCE, GrantState.ACTIVE, GrantState.CLOSED])
def test_every_other_grant_state_keeps_its_amount(state, call, draft, cast, now):
    first = bring_to(draft, S.APPROVED, cast, now)
    Grant.objects.filter(application=first).update(**_recorded(state, cast, now))
    assert call_committed_amount(call) == Decimal("400000.00")
    second = bring_to(_another(draft, Decimal("400000.00")), S.PROPOSED, cast, now, outcome=Outcome.APPROVE)
    with pytest.raises(TransitionRefused):
        act("approve", second, cast, now)


def test_grants_of_another_call_do_not_count(call, draft, cast, now):
    other = ApplicationFactory(organisation=draft.organisation, created_by=draft.created_by)  # its own call
    attach_required(other)
    assert other.call_id != call.pk
    bring_to(other, S.APPROVED, cast, now)
    assert call_committed_amount(call) == Decimal("0.00")
    bring_to(draft, S.APPROVED, cast, now)
    assert call_committed_amount(call) == Decimal("400000.00")
