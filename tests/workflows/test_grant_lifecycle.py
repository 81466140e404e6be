"""The grant's acceptance of DESIGN.md §4.2 (workflows/grant.py, grants/services/grants.py).

The table is written out from DESIGN.md: every allowed transition succeeds for the right person and leaves
one case event of the grant lifecycle; every other (state, action) pair is refused and changes nothing."""

import hashlib
from datetime import timedelta
from decimal import Decimal

import pytest

from grants.models import Grant, GrantState, MembershipRole, PayoutState, PayoutTrigger
from grants.models.states import Lifecycle
from grants.services.grants import grant_accept, grant_decline, grant_lapse, grants_lapse
from tests.factories import MembershipFactory, UserFactory
from tests.workflows.lifecycle import REFUSALS
from tests.workflows.payouts import payout_world
from workflows.grant import GrantFlow
from workflows.models import CaseEvent

G = GrantState


@pytest.fixture
def world(db):
    return payout_world(accepted=False)


def _deadline(world):
    return world.grant.acceptance_deadline_at


def _accept(world, at=None, actor=None, language="sv"):
    return grant_accept(actor=actor or world.signatory, grant=world.grant, now=at or world.now, language=language)


def _decline(world, at=None, actor=None, reason="Projektet blir inte av."):
    return grant_decline(actor=actor or world.signatory, grant=world.grant, now=at or world.now, reason=reason)


def _lapse(world, at=None, actor=None):
    return grant_lapse(grant=world.grant, now=at or _deadline(world))


ACTIONS = {"accept": _accept, "decline": _decline, "lapse": _lapse}
STATE_TABLE = [
    (G.AWAITING_ACCEPTANCE, "accept", G.ACTIVE),
    (G.AWAITING_ACCEPTANCE, "decline", G.CANCELLED),
    (G.AWAITING_ACCEPTANCE, "lapse", G.CANCELLED),
]
ALLOWED = {(s, a) for s, a, _t in STATE_TABLE}
FORBIDDEN = [(s, a) for s in G for a in sorted(ACTIONS) if (s, a) not in ALLOWED]


def _snapshot(grant):
    return {
        "grant": Grant.objects.filter(pk=grant.pk).values().first(),
        "payouts": list(grant.payouts.order_by("pk").values("state", "amount")),
        "events": CaseEvent.objects.filter(application_id=grant.application_id).count(),
    }


def _bring_to(world, state):
    if state == G.ACTIVE:
        _accept(world)
    elif state == G.CANCELLED:
        _decline(world)
    elif state == G.CLOSED:
        _accept(world)
        Grant.objects.filter(pk=world.grant.pk).update(state=G.CLOSED)
    world.grant.refresh_from_db()
    assert world.grant.state == state


def test_the_table_names_exactly_the_flows_transitions():
    assert set(ACTIONS) == set(GrantFlow.events)
    for source, action, target in STATE_TABLE:
        offered = {t.slug: t.target for t in GrantFlow.state.get_outgoing_transitions(source)}
        assert offered.get(action) == target


@pytest.mark.parametrize(("source", "action", "target"), STATE_TABLE, ids=str)
def test_every_allowed_transition(world, source, action, target):
    ACTIONS[action](world)
    grant = Grant.objects.get(pk=world.grant.pk)
    assert grant.state == target
    logged = CaseEvent.objects.get(lifecycle=Lifecycle.GRANT, application_id=grant.application_id)
    assert (logged.subject_id, logged.event, logged.from_state, logged.to_state) == (
        grant.pk,
        GrantFlow.events[action],
        source,
        target,
    )
    payouts = {p.trigger: p.state for p in grant.payouts.all()}
    if target == G.ACTIVE:
        assert payouts == {
            PayoutTrigger.ON_ACCEPTANCE: PayoutState.DUE,
            PayoutTrigger.ON_FINAL_REPORT: PayoutState.PLANNED,
        }
        assert (grant.accepted_by, grant.accepted_at) == (world.signatory, world.now)
        assert grant.released_amount == 0
    else:
        assert set(payouts.values()) == {PayoutState.CANCELLED}
        assert grant.released_amount == grant.granted_amount and grant.cancelled_at is not None
    # Each payout's change is in the log too, as the payout lifecycle's.
    assert CaseEvent.objects.filter(lifecycle=Lifecycle.PAYOUT, application_id=grant.application_id).count() == (
        1 if target == G.ACTIVE else 2
    )


@pytest.mark.parametrize(("source", "action"), FORBIDDEN, ids=str)
def test_every_forbidden_transition_is_refused_and_changes_nothing(world, source, action):
    _bring_to(world, source)
    before = _snapshot(world.grant)
    with pytest.raises(REFUSALS):
        ACTIONS[action](world, at=_deadline(world) + timedelta(days=1) if action == "lapse" else None)
    assert _snapshot(world.grant) == before


# --- the guards ----------------------------------------------------------------------------------------------


def _refused(world, call):
    before = _snapshot(world.grant)
    with pytest.raises(REFUSALS) as refused:
        call()
    assert _snapshot(world.grant) == before
    return str(getattr(refused.value, "message", refused.value))


def test_only_a_signatory_accepts_or_declines(world):
    member = MembershipFactory(organisation=world.grant.application.organisation, role=MembershipRole.MEMBER).user
    for who in (member, UserFactory(), world.finance):
        assert "firmatecknare" in _refused(world, lambda who=who: _accept(world, actor=who))
        assert "firmatecknare" in _refused(world, lambda who=who: _decline(world, actor=who))


def test_accepted_only_before_the_deadline(world):
    assert "gått ut" in _refused(world, lambda: _accept(world, at=_deadline(world)))
    _accept(world, at=_deadline(world) - timedelta(seconds=1))
    assert Grant.objects.get(pk=world.grant.pk).state == G.ACTIVE


@pytest.mark.parametrize(("language", "field"), [("sv", "terms"), ("en", "terms_en")])
def test_records_the_sha256_of_the_terms_shown(world, language, field):
    _accept(world, language=language)
    grant = Grant.objects.get(pk=world.grant.pk)
    expected = hashlib.sha256(getattr(grant, field).encode("utf-8")).hexdigest()
    assert grant.terms_sha256 == expected


def test_english_reader_without_english_terms_accepts_the_swedish(world):
    Grant.objects.filter(pk=world.grant.pk).update(terms_en="")
    world.grant.refresh_from_db()
    _accept(world, language="en")
    grant = Grant.objects.get(pk=world.grant.pk)
    assert grant.terms_sha256 == hashlib.sha256(grant.terms.encode("utf-8")).hexdigest()


def test_terms_changed_since_shown_are_not_accepted(world):
    shown = hashlib.sha256(b"Andra villkor").hexdigest()
    message = _refused(
        world,
        lambda: grant_accept(
            actor=world.signatory, grant=world.grant, now=world.now, language="sv", shown_sha256=shown
        ),
    )
    assert "ändrats" in message


def test_a_decline_needs_a_reason(world):
    _refused(world, lambda: _decline(world, reason="   "))


def test_no_lapse_before_the_deadline(world):
    _refused(world, lambda: _lapse(world, at=_deadline(world) - timedelta(seconds=1)))


def test_the_daily_lapse_takes_only_grants_past_their_deadline(world, db):
    other = payout_world(accepted=False)
    Grant.objects.filter(pk=other.grant.pk).update(acceptance_deadline_at=_deadline(world) + timedelta(days=5))
    assert grants_lapse(now=_deadline(world)) == 1
    assert Grant.objects.get(pk=world.grant.pk).state == G.CANCELLED
    assert Grant.objects.get(pk=other.grant.pk).state == G.AWAITING_ACCEPTANCE
    assert grants_lapse(now=_deadline(world)) == 0  # twice: nothing more


def test_released_is_what_was_not_paid(world):
    _decline(world)
    grant = Grant.objects.get(pk=world.grant.pk)
    assert grant.released_amount == Decimal("100000.00")
