"""Property test: random sequences of actions by random people on two applications in one call keep the
rules of DESIGN.md §5 after every step.

The cast: the applicant, an applicant of another organisation, two case officers and a decision-maker.
The second case officer is a decision-maker too (one person may hold several staff roles), so that a broken
four-eyes check would have someone to let through. The call's budget (450 000) covers either application
(400 000, 300 000) in full but not both, nor one in full and the other at half, so approvals run into the
budget rule.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from grants.models import (
    Application,
    ApplicationState,
    Decision,
    Grant,
    GrantState,
    Outcome,
    Proposal,
    Recommendation,
    RegistrationCounter,
    Review,
)
from grants.services.cases import (
    application_assign,
    call_committed_amount,
    eligibility_check_record,
    latest_eligibility_check,
)
from grants.services.reviews import review_assign, review_declare, review_submit
from tests.conftest import attach_required
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.workflows.lifecycle import (
    REFUSALS,
    RIGHT_ACTOR,
    STOCKHOLM,
    Cast,
    act,
    bring_to,
    snapshot,
)
from workflows.application import ApplicationFlow
from workflows.models import CaseEvent

ACTORS = ["applicant", "outsider", "officer", "officer2", "decider"]
TRANSITION_EVENTS = set(ApplicationFlow.events.values())
BUDGET = Decimal("450000.00")
REQUESTED = [Decimal("400000.00"), Decimal("300000.00")]


def _transition(action, **kwargs):
    def run(app, cast, who, now):
        act(action, app, cast, now, actor=who, **kwargs)

    return run


def _propose(amount_of):
    def run(app, cast, who, now):
        requested = Application.objects.get(pk=app.pk).requested_amount
        act("propose", app, cast, now, actor=who, outcome=Outcome.APPROVE, amount=amount_of(requested))

    return run


def _eligibility(passed):
    def run(app, cast, who, now):
        eligibility_check_record(
            actor=cast[who],
            application=app,
            eligible_org_type=True,
            arrived_in_time=True,
            amount_within_ceiling=True,
            attachments_complete=True,
            within_purpose=passed,
            now=now,
        )

    return run


def _assign(officer):
    def run(app, cast, who, now):
        application_assign(actor=cast[who], application=app, officer=cast[officer], now=now)

    return run


def _add_review(app, cast, who, now):
    review_assign(actor=cast[who], application=app, reviewer=cast.reviewer, now=now)


def _reviews_of(app, cast):
    return Review.objects.filter(application_id=app.pk, reviewer=cast.reviewer)


def _finish_review(app, cast, who, now):
    # The reviewer declares no conflict and scores: one step, so a refusal leaves the declaration undone too.
    review = _reviews_of(app, cast).first()
    if review is None:
        return
    criteria = Application.objects.get(pk=app.pk).call.criteria.all()
    with transaction.atomic():
        review_declare(actor=cast.reviewer, review=review, conflict=False, reason="", now=now)
        review_submit(
            actor=cast.reviewer,
            review=review,
            scores={c.pk: (5, "Väl underbyggt.") for c in criteria},
            recommendation=Recommendation.APPROVE,
            comment="Bra projekt.",
            now=now,
        )


def _recuse_review(app, cast, who, now):
    review = _reviews_of(app, cast).first()
    if review is not None:
        review_declare(actor=cast.reviewer, review=review, conflict=True, reason="Tidigare anställd där.", now=now)


# name → (what it does, the transition of the state table it is, if it is one)
OPERATIONS = {
    "submit": (_transition("submit"), "submit"),
    "delete": (_transition("delete"), "delete"),
    "withdraw": (_transition("withdraw"), "withdraw"),
    "complete": (_transition("complete"), "complete"),
    "start_review": (_transition("start_review"), "start_review"),
    "request_completion": (_transition("request_completion"), "request_completion"),
    "propose_full": (_propose(lambda requested: requested), "propose"),
    "propose_half": (_propose(lambda requested: requested / 2), "propose"),
    "propose_over": (_propose(lambda requested: requested + 1), "propose"),
    "propose_reject": (_transition("propose", outcome=Outcome.REJECT), "propose"),
    "return": (_transition("return_"), "return_"),
    "approve": (_transition("approve"), "approve"),
    "reject": (_transition("reject"), "reject"),
    "eligibility_pass": (_eligibility(True), None),
    "eligibility_fail": (_eligibility(False), None),
    "assign_officer": (_assign("officer"), None),
    "assign_officer2": (_assign("officer2"), None),
    "add_review": (_add_review, None),
    "finish_review": (_finish_review, None),
    "recuse_review": (_recuse_review, None),
}


def _world():
    now = timezone.now().replace(microsecond=0)
    organisation = OrganisationFactory(orgnr="2120002411", name="Östersunds kommun")
    other = OrganisationFactory(orgnr="2021005489", name="Vinnova")
    applicant = MembershipFactory(organisation=organisation, user=UserFactory(email="p-sok@example.se")).user
    cast = Cast(
        applicant=applicant,
        outsider=MembershipFactory(organisation=other, user=UserFactory(email="p-annan@example.se")).user,
        officer=UserFactory(email="p-hl1@example.se", roles=["case_officer"]),
        officer2=UserFactory(email="p-hl2@example.se", roles=["case_officer", "decision_maker"]),
        decider=UserFactory(email="p-bf@example.se", roles=["decision_maker"]),
        reviewer=UserFactory(email="p-bed@example.se", roles=["reviewer"]),
    )
    call = CallFactory(total_budget=BUDGET, opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=30))
    apps = []
    for amount in REQUESTED:
        app = ApplicationFactory(call=call, organisation=organisation, created_by=applicant, requested_amount=amount)
        attach_required(app, applicant)
        apps.append(app)
    return cast, call, apps, now


def _right_actor(operation, app, cast, alternative):
    transition = OPERATIONS[operation][1]
    if transition == "propose":
        return "officer2" if Application.objects.get(pk=app.pk).assigned_officer == cast.officer2 else "officer"
    if transition in ("approve", "reject", "return_"):
        return "officer2" if alternative else "decider"
    if transition in RIGHT_ACTOR:
        return RIGHT_ACTOR[transition]
    return "officer2" if alternative else "officer"  # eligibility, assignment and reviews


def _state(app):
    return Application.objects.filter(pk=app.pk).values_list("state", flat=True).first()  # None once deleted


def _check_invariants(call, apps):
    states = {app.pk: _state(app) for app in apps}
    # The state is always one of the lifecycle's codes.
    assert {s for s in states.values() if s is not None} <= set(ApplicationState.values)
    # Rule 1: nobody decides their own proposal.
    assert not Decision.objects.filter(decided_by=F("proposed_by")).exists()
    assert not Decision.objects.filter(decided_by=F("proposal__proposed_by")).exists()
    # Rule 2: committed grants never exceed the call's budget.
    assert call_committed_amount(call) <= call.total_budget
    # Decisions and grants belong to decided cases only, one each.
    for app in apps:
        decisions = Decision.objects.filter(application_id=app.pk).count()
        assert decisions == (1 if states[app.pk] in (ApplicationState.APPROVED, ApplicationState.REJECTED) else 0)
        assert Grant.objects.filter(application_id=app.pk).count() == (states[app.pk] == ApplicationState.APPROVED)
    # DESIGN.md §4.1: only a case whose latest eligibility check passed is proposed for approval, or granted.
    for app in apps:
        if states[app.pk] in (ApplicationState.PROPOSED, ApplicationState.APPROVED):
            proposal = Proposal.objects.filter(application_id=app.pk).order_by("-proposed_at", "-pk").first()
            if proposal is not None and proposal.outcome == Outcome.APPROVE:
                latest = latest_eligibility_check(app)
                assert latest is not None and latest.passed
    # Rule 3: numbers unique and gapless within the year, and the counter agrees.
    numbers = list(Application.objects.exclude(reference_number=None).values_list("reference_number", flat=True))
    assert len(numbers) == len(set(numbers))
    by_year: dict[int, list[int]] = {}
    for number in numbers:
        year, serial = number.split("-")
        by_year.setdefault(int(year), []).append(int(serial))
    for year, serials in by_year.items():
        assert sorted(serials) == list(range(1, len(serials) + 1))
        assert RegistrationCounter.objects.get(year=year).last_number == len(serials)
    # Rule 8: the case log replays to the current state.
    for app in apps:
        if states[app.pk] is None:
            assert not CaseEvent.objects.filter(application_id=app.pk).exists()
            continue
        state = ApplicationState.DRAFT
        for logged in CaseEvent.objects.filter(application_id=app.pk, event__in=TRANSITION_EVENTS).order_by("pk"):
            assert logged.from_state == state
            state = logged.to_state
        assert state == states[app.pk]


# Where each application starts and who is its officer, reached through the services: deep states are rare
# from a draft by chance. Decisions are where rules 1 and 2 live, so PROPOSED comes up most. The budget
# covers one approval in full, so both cannot start APPROVED.
START_STATES = [
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.AWAITING_COMPLETION,
    ApplicationState.PROPOSED,
    ApplicationState.PROPOSED,
    ApplicationState.APPROVED,
]
START = st.tuples(st.sampled_from(START_STATES), st.sampled_from(["officer", "officer2"]))
STARTS = st.tuples(START, START).filter(lambda s: (s[0][0], s[1][0]) != (ApplicationState.APPROVED,) * 2)
# State changes come up three times as often as the steps around them (eligibility, assignment, reviews).
WEIGHTED_OPERATIONS = [
    name for name, (_, transition) in sorted(OPERATIONS.items()) for _ in (range(3) if transition else range(1))
]
# A step is (operation, who, which application, alternative, guided). A guided step picks, by the operation's
# position, one of the operations that can move the application on from its current state: random steps
# alone rarely get far, since most of them are refused. Half the steps are taken by someone the action is for
# ("right": for a decision, either decision-maker, the dual-role officer included), the rest by anyone, so
# that refusals of the wrong person are exercised as well.
STEPS = st.lists(
    st.tuples(
        st.sampled_from(WEIGHTED_OPERATIONS),
        st.sampled_from(["right"] * 3 + ACTORS),
        st.integers(0, 1),
        st.booleans(),
        st.booleans(),
    ),
    min_size=6,
    max_size=20,
)


def _guided(operation, app):
    """An operation that the flow offers from the application's state (its choice only steers the walk; the
    checks below do not trust the flow's table)."""
    state = _state(app)
    offered = {t.slug for t in ApplicationFlow.state.get_outgoing_transitions(state)}
    candidates = [name for name, (_, transition) in sorted(OPERATIONS.items()) if transition in offered]
    if not candidates:
        return operation
    return candidates[sorted(OPERATIONS).index(operation) % len(candidates)]


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(starts=STARTS, steps=STEPS)
def test_random_action_sequences_keep_the_rules(starts, steps):
    with transaction.atomic():
        cast, call, apps, now = _world()
        apps = [
            bring_to(app, state, cast, now, officer=officer) for app, (state, officer) in zip(apps, starts, strict=True)
        ]
        _check_invariants(call, apps)
        for i, (operation, who, index, alternative, guided) in enumerate(steps):
            app = apps[index]
            if _state(app) is None:
                continue  # deleted
            if guided:
                operation = _guided(operation, app)
            if who == "right":
                who = _right_actor(operation, app, cast, alternative)
            step_at = now + timedelta(minutes=i)
            before = {a.pk: snapshot(a) for a in apps}
            run, transition = OPERATIONS[operation]
            try:
                run(app, cast, who, step_at)
            except REFUSALS:
                event(f"refused: {operation}")
                # A refusal changes nothing, on either application, and takes no number.
                assert {a.pk: snapshot(a) for a in apps} == before, (operation, who)
                _check_invariants(call, apps)
                continue
            event(f"done: {operation}")
            after = snapshot(app)
            new_events = CaseEvent.objects.filter(application_id=app.pk, event__in=TRANSITION_EVENTS).exclude(
                pk__in=before[app.pk]["events"]
            )
            old_state = before[app.pk]["application"]["state"]
            new_state = after["application"]["state"] if after["application"] else None
            if transition is None:
                assert new_state == old_state
                assert not new_events.exists()
            elif transition == "delete":
                assert new_state is None and old_state == ApplicationState.DRAFT
            else:
                # Every state change has exactly one case event saying who moved it from where to where.
                logged = new_events.get()
                assert (logged.event, logged.from_state, logged.to_state, logged.actor_id) == (
                    ApplicationFlow.events[transition],
                    old_state,
                    new_state,
                    cast[who].pk,
                )
                assert logged.created_at == step_at
            # The other application is untouched by an action on this one.
            other = apps[1 - index]
            assert snapshot(other)["application"] == before[other.pk]["application"]
            _check_invariants(call, apps)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_world_reaches_the_interesting_rules():
    """A fixed walk through the same world and the same operations: a pending review holds the proposal
    back, the dual-role officer is refused on their own proposal, and the budget covers only one of the two
    approvals. Guards the property test against a world in which nothing interesting can happen."""
    cast, call, apps, now = _world()
    run = {name: operation for name, (operation, _) in OPERATIONS.items()}
    for app in apps:
        run["submit"](app, cast, "applicant", now)
        run["assign_officer2"](app, cast, "officer", now)
        run["eligibility_pass"](app, cast, "officer2", now)
        run["start_review"](app, cast, "officer2", now)
    run["add_review"](apps[0], cast, "officer2", now)
    with pytest.raises(REFUSALS):
        run["propose_full"](apps[0], cast, "officer2", now)
    run["finish_review"](apps[0], cast, "officer2", now)
    assert _reviews_of(apps[0], cast).get().submitted_at == now
    run["add_review"](apps[1], cast, "officer2", now)
    run["recuse_review"](apps[1], cast, "officer2", now)
    for app in apps:
        run["propose_full"](app, cast, "officer2", now)
    with pytest.raises(REFUSALS):
        run["approve"](apps[0], cast, "officer2", now)
    run["approve"](apps[0], cast, "decider", now)
    with pytest.raises(REFUSALS):
        run["approve"](apps[1], cast, "decider", now)  # 300 000 > 50 000 left
    assert call_committed_amount(call) == Decimal("400000.00")
    assert Grant.objects.get().state == GrantState.AWAITING_ACCEPTANCE
    _check_invariants(call, apps)
    assert timezone.localtime(now, STOCKHOLM).year in RegistrationCounter.objects.values_list("year", flat=True)
