"""The application / case lifecycle of DESIGN.md §4.1, driven through the services.

The state table below is written out from DESIGN.md, not read from the code: every allowed transition
must succeed for the right person and leave exactly one case event; every other (state, action) pair must
be refused and change nothing. The guards of each row have their own tests further down.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from viewflow.fsm import TransitionNotAllowed

from grants.errors import NotAllowed, ServiceError
from grants.models import (
    Application,
    ApplicationState,
    ApplicationVersion,
    Attachment,
    BudgetLine,
    Decision,
    EligibilityCheck,
    Grant,
    Outcome,
    Payout,
    Proposal,
    Review,
)
from grants.services.cases import application_assign, eligibility_check_record
from tests.factories import ReviewFactory, UserFactory
from tests.workflows.lifecycle import (
    REFUSALS,
    RIGHT_ACTOR,
    STOCKHOLM,
    act,
    assign,
    bring_to,
    check_eligibility,
    snapshot,
)
from workflows.application import ApplicationFlow
from workflows.base import TransitionRefused
from workflows.models import CaseEvent

S = ApplicationState
DELETED = None  # the draft's row is gone: drafts are not public records

# DESIGN.md §4.1, one row per (from, action): (from_state, action, to_state).
STATE_TABLE = [
    (S.DRAFT, "submit", S.SUBMITTED),
    (S.DRAFT, "delete", DELETED),
    (S.SUBMITTED, "start_review", S.IN_REVIEW),
    (S.SUBMITTED, "request_completion", S.AWAITING_COMPLETION),
    (S.IN_REVIEW, "request_completion", S.AWAITING_COMPLETION),
    (S.AWAITING_COMPLETION, "complete", S.IN_REVIEW),
    (S.SUBMITTED, "propose", S.PROPOSED),
    (S.IN_REVIEW, "propose", S.PROPOSED),
    (S.AWAITING_COMPLETION, "propose", S.PROPOSED),
    (S.PROPOSED, "return_", S.IN_REVIEW),
    (S.PROPOSED, "approve", S.APPROVED),
    (S.PROPOSED, "reject", S.REJECTED),
    (S.SUBMITTED, "withdraw", S.WITHDRAWN),
    (S.IN_REVIEW, "withdraw", S.WITHDRAWN),
    (S.AWAITING_COMPLETION, "withdraw", S.WITHDRAWN),
]
ACTION_NAMES = sorted(RIGHT_ACTOR)
ALLOWED = {(source, action) for source, action, _ in STATE_TABLE}
FORBIDDEN = [(state, action) for state in S for action in ACTION_NAMES if (state, action) not in ALLOWED]


def _id(value):
    return str(value) if value is not None else "deleted"


# --- the table itself --------------------------------------------------------------------------------------


def test_table_covers_every_state_and_action():
    assert {a for _, a, _ in STATE_TABLE} == set(ACTION_NAMES) == set(ApplicationFlow.events)
    # Every state but the final ones has a way out, and every state but DRAFT has a way in.
    assert {s for s, _, _ in STATE_TABLE} == set(S) - {S.APPROVED, S.REJECTED, S.WITHDRAWN}
    assert {t for _, _, t in STATE_TABLE if t is not DELETED} == set(S) - {S.DRAFT}
    assert len(ALLOWED) + len(FORBIDDEN) == len(S) * len(ACTION_NAMES)


def test_flow_declares_exactly_the_state_table():
    declared = set()
    for method, transitions in ApplicationFlow.state.get_transitions().items():
        for t in transitions:
            declared.add((t.source, method.slug, t.target if t.target in S.values else DELETED))
    assert declared == set(STATE_TABLE)


def test_event_names_are_distinct_dotted_application_events():
    names = list(ApplicationFlow.events.values())
    assert len(set(names)) == len(names)
    assert all(name.startswith("application.") for name in names)


# --- every allowed transition ------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "action", "target"), STATE_TABLE, ids=_id)
def test_allowed_transition(source, action, target, draft, cast, now):
    app = bring_to(draft, source, cast, now, outcome=Outcome.REJECT if action == "reject" else Outcome.APPROVE)
    before = set(CaseEvent.objects.filter(application=app).values_list("pk", flat=True))
    actor = cast[RIGHT_ACTOR[action]]

    act(action, app, cast, now + timedelta(minutes=1))

    if target is DELETED:
        assert not Application.objects.filter(pk=app.pk).exists()
        assert not CaseEvent.objects.filter(application_id=app.pk).exists()
        return
    app.refresh_from_db()
    assert app.state == target
    new = CaseEvent.objects.filter(application=app).exclude(pk__in=before)
    # Other lines may be written beside it (message.queued …), but exactly one records the state change.
    changes = [e for e in new if e.from_state or e.to_state or e.event in ApplicationFlow.events.values()]
    assert len(changes) == 1, [e.event for e in new]
    event = changes[0]
    assert event.event == ApplicationFlow.events[action]
    assert (event.from_state, event.to_state) == (source, target)
    assert event.actor == actor
    assert event.created_at == now + timedelta(minutes=1)


# --- every forbidden (state, action) pair ------------------------------------------------------------------


@pytest.mark.parametrize(("state", "action"), FORBIDDEN, ids=_id)
def test_forbidden_transition_is_refused_and_changes_nothing(state, action, draft, cast, now):
    app = bring_to(draft, state, cast, now)
    before = snapshot(app)

    with pytest.raises(REFUSALS):
        act(action, app, cast, now + timedelta(minutes=1))

    assert snapshot(app) == before


def test_approve_after_return_is_refused(draft, cast, now):
    """A returned proposal stays on file but can no longer be decided."""
    app = bring_to(draft, S.PROPOSED, cast, now)
    act("return_", app, cast, now)
    before = snapshot(app)
    with pytest.raises(TransitionNotAllowed):
        act("approve", app, cast, now)
    assert snapshot(app) == before


def test_return_then_propose_again_then_decide(draft, cast, now):
    app = bring_to(draft, S.PROPOSED, cast, now)
    act("return_", app, cast, now)
    act("propose", app, cast, now + timedelta(hours=1), outcome=Outcome.APPROVE, amount=Decimal("300000.00"))
    decision = act("approve", app, cast, now + timedelta(hours=2))
    # The decision follows the newest proposal, not the returned one.
    assert decision.amount == Decimal("300000.00")
    assert Proposal.objects.filter(application=app).count() == 2


# --- who may act (DESIGN.md §4.1, column "who") ------------------------------------------------------------

WRONG_ACTORS = [
    (S.DRAFT, "submit", "outsider"),
    (S.DRAFT, "submit", "officer"),
    (S.DRAFT, "delete", "outsider"),
    (S.DRAFT, "delete", "officer"),
    (S.SUBMITTED, "withdraw", "outsider"),
    (S.IN_REVIEW, "withdraw", "officer"),
    (S.AWAITING_COMPLETION, "complete", "outsider"),
    (S.AWAITING_COMPLETION, "complete", "officer"),
    (S.SUBMITTED, "start_review", "applicant"),
    (S.SUBMITTED, "start_review", "decider"),
    (S.IN_REVIEW, "request_completion", "applicant"),
    (S.IN_REVIEW, "request_completion", "decider"),
    (S.SUBMITTED, "propose", "officer2"),  # a case officer, but not this case's
    (S.IN_REVIEW, "propose", "officer2"),
    (S.IN_REVIEW, "propose", "decider"),
    (S.IN_REVIEW, "propose", "applicant"),
    (S.PROPOSED, "return_", "officer"),
    (S.PROPOSED, "return_", "applicant"),
    (S.PROPOSED, "approve", "officer"),
    (S.PROPOSED, "approve", "officer2"),
    (S.PROPOSED, "approve", "applicant"),
    (S.PROPOSED, "reject", "officer"),
    (S.PROPOSED, "reject", "outsider"),
]


@pytest.mark.parametrize(("state", "action", "who"), WRONG_ACTORS, ids=_id)
def test_wrong_actor_is_refused(state, action, who, draft, cast, now):
    outcome = Outcome.REJECT if action == "reject" else Outcome.APPROVE
    app = bring_to(draft, state, cast, now, outcome=outcome)
    before = snapshot(app)

    with pytest.raises((TransitionRefused, ServiceError)) as refused:
        act(action, app, cast, now, actor=who)

    # The state allows the action, so the refusal is about the person, and it says why.
    assert not isinstance(refused.value, TransitionNotAllowed)
    assert str(refused.value.message)
    assert snapshot(app) == before
    # The right person still can.
    act(action, app, cast, now)


def test_inactive_officer_is_refused(draft, cast, now):
    app = bring_to(draft, S.SUBMITTED, cast, now)
    cast.officer.is_active = False
    cast.officer.save(update_fields=["is_active"])
    before = snapshot(app)
    with pytest.raises(TransitionRefused):
        act("start_review", app, cast, now)
    assert snapshot(app) == before


def _check_all_passed(actor, app, now):
    return eligibility_check_record(
        actor=actor,
        application=app,
        eligible_org_type=True,
        arrived_in_time=True,
        amount_within_ceiling=True,
        attachments_complete=True,
        within_purpose=True,
        now=now,
    )


@pytest.mark.parametrize("who", ["applicant", "decider"])
def test_eligibility_check_needs_a_case_officer(who, draft, cast, now):
    app = bring_to(draft, S.SUBMITTED, cast, now)
    before = snapshot(app)
    with pytest.raises(NotAllowed):
        _check_all_passed(cast[who], app, now)
    assert snapshot(app) == before


@pytest.mark.parametrize("state", [S.DRAFT, S.PROPOSED, S.APPROVED, S.REJECTED, S.WITHDRAWN])
def test_eligibility_check_only_on_an_open_case(state, draft, cast, now):
    app = bring_to(draft, state, cast, now, outcome=Outcome.REJECT if state == S.REJECTED else Outcome.APPROVE)
    before = snapshot(app)
    with pytest.raises(ServiceError):
        _check_all_passed(cast["officer"], app, now + timedelta(minutes=1))
    assert snapshot(app) == before
    assert not EligibilityCheck.objects.filter(application=app, checked_at=now + timedelta(minutes=1)).exists()


def test_assign_needs_officers_on_both_ends(draft, cast, now):
    app = bring_to(draft, S.SUBMITTED, cast, now)
    with pytest.raises(NotAllowed):
        application_assign(actor=cast.applicant, application=app, officer=cast.officer2, now=now)
    with pytest.raises(ServiceError):
        application_assign(actor=cast.officer, application=app, officer=cast.decider, now=now)
    app.refresh_from_db()
    assert app.assigned_officer == cast.officer


@pytest.mark.parametrize("staff_action", ["eligibility", "assign"])
def test_staff_cannot_handle_a_draft(staff_action, draft, cast, now):
    """A draft is not a case yet: nothing staff do may touch it, or leave a case log that keeps the applicant
    from deleting it."""
    before = snapshot(draft)
    with pytest.raises(ServiceError):
        if staff_action == "eligibility":
            check_eligibility(draft, cast, now)
        else:
            assign(draft, cast, now)
    assert snapshot(draft) == before
    act("delete", draft, cast, now)
    assert not Application.objects.filter(pk=draft.pk).exists()


# --- four-eyes (DESIGN.md §5 rule 1) -----------------------------------------------------------------------


@pytest.fixture
def dual(db):
    """A person with both staff roles: four-eyes is checked per case, not per role."""
    return UserFactory(email="bada@example.se", full_name="Dora Dubbelroll", roles=["case_officer", "decision_maker"])


@pytest.mark.parametrize(("outcome", "action"), [(Outcome.APPROVE, "approve"), (Outcome.REJECT, "reject")])
def test_proposer_cannot_decide_own_proposal(outcome, action, dual, draft, cast, now):
    app = bring_to(draft, S.SUBMITTED, cast, now)
    assign(app, cast, now, officer=dual)
    act("start_review", app, cast, now, actor=dual)
    act("propose", app, cast, now, actor=dual, outcome=outcome)
    before = snapshot(app)

    with pytest.raises(TransitionRefused) as refused:
        act(action, app, cast, now, actor=dual)

    assert "fyraögon" in str(refused.value.message)
    assert snapshot(app) == before
    # Another decision-maker may decide the same proposal.
    decision = act(action, app, cast, now, actor="decider")
    assert (decision.decided_by, decision.proposed_by) == (cast.decider, dual)


def test_four_eyes_constraint_in_the_database(draft, cast, now):
    app = bring_to(draft, S.PROPOSED, cast, now, outcome=Outcome.REJECT)
    proposal = Proposal.objects.get(application=app)
    fields = {"application": app, "proposal": proposal, "outcome": Outcome.REJECT, "reasons": "Avslag."}

    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(**fields, decided_by=cast.officer, proposed_by=cast.officer)
    assert not Decision.objects.filter(application=app).exists()
    # The same row with two different people is accepted: the constraint is about the people.
    Decision.objects.create(**fields, decided_by=cast.decider, proposed_by=cast.officer)


# --- propose -----------------------------------------------------------------------------------------------


def test_propose_more_than_requested_is_refused(draft, cast, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    before = snapshot(app)
    with pytest.raises(TransitionRefused) as refused:
        act("propose", app, cast, now, amount=app.requested_amount + Decimal("0.01"))
    assert refused.value.field == "amount"
    assert snapshot(app) == before


def test_propose_more_than_call_ceiling_is_refused(draft, cast, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)  # requested 400 000
    app.call.max_grant_amount = Decimal("300000.00")  # the ceiling was lowered after submission
    app.call.save(update_fields=["max_grant_amount"])
    before = snapshot(app)
    with pytest.raises(TransitionRefused) as refused:
        act("propose", app, cast, now, amount=Decimal("300000.01"))
    assert "tak" in str(refused.value.message)
    assert snapshot(app) == before
    act("propose", app, cast, now, amount=Decimal("300000.00"))


@pytest.mark.parametrize("amount", [None, Decimal("0.00"), Decimal("-1.00")], ids=str)
def test_propose_approve_needs_a_positive_amount(amount, draft, cast, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    before = snapshot(app)
    with pytest.raises(TransitionRefused):
        act("propose", app, cast, now, amount=amount)
    assert snapshot(app) == before


@pytest.mark.parametrize("reasons", ["", "   "])
def test_propose_needs_reasons(reasons, draft, cast, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    before = snapshot(app)
    with pytest.raises(ServiceError):
        act("propose", app, cast, now, reasons=reasons)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("conflict", "submitted", "may_propose"),
    [
        (Review.Conflict.UNDECLARED, False, False),
        (Review.Conflict.NONE, False, False),  # declared no conflict, then never scored
        (Review.Conflict.NONE, True, True),
        (Review.Conflict.CONFLICT, False, True),  # recused
    ],
)
def test_propose_waits_for_assigned_reviews(conflict, submitted, may_propose, draft, cast, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    ReviewFactory(
        application=app,
        assigned_by=cast.officer,
        conflict=conflict,
        conflict_reason="Tidigare anställd hos sökanden." if conflict == Review.Conflict.CONFLICT else "",
        submitted_at=now if submitted else None,
    )
    ReviewFactory(application=app, assigned_by=cast.officer, conflict=Review.Conflict.NONE, submitted_at=now)
    before = snapshot(app)
    if may_propose:
        act("propose", app, cast, now)
        assert Application.objects.get(pk=app.pk).state == S.PROPOSED
    else:
        with pytest.raises(TransitionRefused):
            act("propose", app, cast, now)
        assert snapshot(app) == before


def test_ineligible_case_is_proposed_for_rejection_without_review(draft, cast, now):
    app = bring_to(draft, S.DRAFT, cast, now)
    act("submit", app, cast, now)
    assign(app, cast, now)
    check_eligibility(app, cast, now, passed=False)
    act("propose", app, cast, now, outcome=Outcome.REJECT, reasons="Organisationen kan inte söka.")
    act("reject", app, cast, now)
    assert Application.objects.get(pk=app.pk).state == S.REJECTED


@pytest.mark.parametrize(
    ("checks", "may_approve"),
    [([], False), ([False], False), ([True, False], False), ([False, True], True)],
    ids=["no-check", "failed", "passed-then-failed", "failed-then-passed"],
)
def test_approval_needs_latest_eligibility_check_passed(checks, may_approve, draft, cast, now):
    """DESIGN.md §4.1: ineligible applications are proposed for rejection; only a case whose latest formal
    check passed may be proposed for approval. Rejection stays open either way."""
    app = bring_to(draft, S.DRAFT, cast, now)
    act("submit", app, cast, now)
    assign(app, cast, now)
    for i, passed in enumerate(checks):
        check_eligibility(app, cast, now + timedelta(minutes=i), passed=passed)
    later = now + timedelta(hours=1)
    if may_approve:
        act("propose", app, cast, later, outcome=Outcome.APPROVE)
        assert Proposal.objects.get(application=app).outcome == Outcome.APPROVE
        return
    before = snapshot(app)
    with pytest.raises(TransitionRefused) as refused:
        act("propose", app, cast, later, outcome=Outcome.APPROVE)
    assert refused.value.field == "outcome"
    assert "bara föreslås för avslag" in str(refused.value.message)
    assert snapshot(app) == before
    act("propose", app, cast, later, outcome=Outcome.REJECT, reasons="Ansökan uppfyller inte de formella kraven.")
    assert Application.objects.get(pk=app.pk).state == S.PROPOSED


def test_decision_approve_rechecks_eligibility(draft, cast, now):
    """An approval proposal on a case without a passed check (made before the rule, or written around the
    flow) cannot be granted: the decision-maker is told to return it."""
    app = bring_to(draft, S.DRAFT, cast, now)
    act("submit", app, cast, now)
    assign(app, cast, now)
    check_eligibility(app, cast, now, passed=False)
    act("propose", app, cast, now, outcome=Outcome.REJECT, reasons="Utanför syftet.")
    Proposal.objects.create(
        application=app,
        proposed_by=cast.officer,
        proposed_at=now + timedelta(minutes=1),
        outcome=Outcome.APPROVE,
        amount=Decimal("100000.00"),
        reasons="Bra projekt.",
    )
    before = snapshot(app)
    with pytest.raises(TransitionRefused) as refused:
        act("approve", app, cast, now + timedelta(hours=1))
    assert "formell kontroll" in str(refused.value.message)
    assert snapshot(app) == before
    assert not Grant.objects.filter(application=app).exists()


def test_decision_approve_rechecks_the_call_ceiling(draft, cast, now):
    """The ceiling is read again under the call's row lock: lowered after the proposal, it refuses the old
    amount with a clear message, and a new proposal within it can be granted."""
    app = bring_to(draft, S.PROPOSED, cast, now)  # proposed at the requested 400 000
    app.call.max_grant_amount = Decimal("300000.00")
    app.call.save(update_fields=["max_grant_amount"])
    before = snapshot(app)
    with pytest.raises(TransitionRefused) as refused:
        act("approve", app, cast, now + timedelta(hours=1))
    message = str(refused.value.message)
    assert "tak" in message and "300\xa0000\xa0kr" in message and "400\xa0000\xa0kr" in message
    assert snapshot(app) == before
    act("return_", app, cast, now + timedelta(hours=2))
    act("propose", app, cast, now + timedelta(hours=3), amount=Decimal("300000.00"))
    decision = act("approve", app, cast, now + timedelta(hours=4))
    assert decision.amount == Decimal("300000.00")


# --- start_review ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("checks", "may_start"),
    [([], False), ([False], False), ([True, False], False), ([False, True], True)],
    ids=["no-check", "failed", "passed-then-failed", "failed-then-passed"],
)
def test_start_review_needs_latest_eligibility_check_passed(checks, may_start, draft, cast, now):
    app = bring_to(draft, S.DRAFT, cast, now)
    act("submit", app, cast, now)
    for i, passed in enumerate(checks):
        check_eligibility(app, cast, now + timedelta(minutes=i), passed=passed)
    before = snapshot(app)
    if may_start:
        act("start_review", app, cast, now + timedelta(hours=1))
        app.refresh_from_db()
        assert app.state == S.IN_REVIEW
        assert app.assigned_officer == cast.officer  # nobody was assigned: the officer who starts takes it
    else:
        with pytest.raises(TransitionRefused):
            act("start_review", app, cast, now + timedelta(hours=1))
        assert snapshot(app) == before


# --- request_completion / complete -------------------------------------------------------------------------


def _stockholm_today(now):
    return timezone.localtime(now, STOCKHOLM).date()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"message": ""},
        {"message": "   "},
        {"answer_by": None},
        {"answer_by": lambda now: _stockholm_today(now)},
        {"answer_by": lambda now: _stockholm_today(now) - timedelta(days=1)},
        {"sections": ()},
        {"sections": ("budget", "no-such-section")},
    ],
    ids=["no-message", "blank-message", "no-date", "today", "past", "no-sections", "unknown-section"],
)
def test_request_completion_needs_message_date_and_sections(kwargs, draft, cast, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    kwargs = {key: value(now) if callable(value) else value for key, value in kwargs.items()}
    before = snapshot(app)
    with pytest.raises(REFUSALS):
        act("request_completion", app, cast, now, **kwargs)
    assert snapshot(app) == before


def test_complete_freezes_a_new_version_and_closes_the_sections(draft, cast, now):
    app = bring_to(draft, S.AWAITING_COMPLETION, cast, now)
    assert app.completion_sections == ["budget"]
    act("complete", app, cast, now + timedelta(days=1))
    app.refresh_from_db()
    assert app.completion_sections == []
    assert list(app.versions.values_list("number", flat=True)) == [1, 2]


def test_complete_with_an_incomplete_application_is_refused(draft, cast, now):
    app = bring_to(draft, S.AWAITING_COMPLETION, cast, now)
    BudgetLine.objects.filter(application=app).delete()
    before = snapshot(app)
    with pytest.raises(ServiceError):
        act("complete", app, cast, now)
    assert snapshot(app) == before


# --- return ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "  \n "])
def test_return_needs_a_note(note, draft, cast, now):
    app = bring_to(draft, S.PROPOSED, cast, now)
    before = snapshot(app)
    with pytest.raises(TransitionRefused) as refused:
        act("return_", app, cast, now, note=note)
    assert refused.value.field == "note"
    assert snapshot(app) == before


# --- submit ------------------------------------------------------------------------------------------------


def _no_title(app):
    Application.objects.filter(pk=app.pk).update(title="")


def _no_budget_lines(app):
    BudgetLine.objects.filter(application=app).delete()


def _over_ceiling(app):
    BudgetLine.objects.filter(application=app).update(amount=Decimal("600000.01"))


def _no_attachment(app):
    Attachment.objects.filter(application=app).delete()


@pytest.mark.parametrize(
    ("spoil", "field", "says"),
    [
        (_no_title, "project", "projekttitel"),
        (_no_budget_lines, "budget", "minst en budgetrad"),
        (_over_ceiling, "budget", "högst 600\u00a0000\u00a0kr"),
        (_no_attachment, "attachments", "Projektplan"),
    ],
    ids=["missing-field", "no-budget-lines", "over-600000", "missing-attachment"],
)
def test_submit_refuses_an_incomplete_draft(spoil, field, says, draft, cast, now):
    spoil(draft)
    before = snapshot(draft)
    with pytest.raises(ServiceError) as refused:
        act("submit", draft, cast, now)
    assert refused.value.field == field
    assert says in str(refused.value.message)
    assert snapshot(draft) == before  # no number taken, nothing frozen, nothing logged


def test_submit_accepts_exactly_the_ceiling(draft, cast, now):
    BudgetLine.objects.filter(application=draft).update(amount=Decimal("600000.00"))
    act("submit", draft, cast, now)
    draft.refresh_from_db()
    assert draft.requested_amount == Decimal("600000.00")  # the sum of the lines, whatever was stored
    assert draft.state == S.SUBMITTED


def test_submit_freezes_version_one(draft, cast, now):
    act("submit", draft, cast, now)
    version = ApplicationVersion.objects.get(application=draft)
    assert version.number == 1
    assert version.content["title"] == draft.title
    assert version.content["requested_amount"] == "400000.00"


# --- withdraw and delete -----------------------------------------------------------------------------------


def test_withdraw_keeps_the_record(draft, cast, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    number = app.reference_number
    act("withdraw", app, cast, now, reason="  Vi fick annan finansiering. ")
    app = Application.objects.get(pk=app.pk)
    assert app.state == S.WITHDRAWN
    assert app.reference_number == number
    assert app.withdrawn_reason == "Vi fick annan finansiering."
    assert app.versions.count() == 1
    assert CaseEvent.objects.get(application=app, event="application.withdrawn").note == app.withdrawn_reason
    with pytest.raises(REFUSALS):
        act("delete", app, cast, now)
    assert Application.objects.filter(pk=app.pk).exists()


def test_delete_removes_a_draft_and_its_files(draft, cast, now, django_capture_on_commit_callbacks):
    files = [(a.file.storage, a.file.name) for a in draft.attachments.all()]
    assert files and all(storage.exists(name) for storage, name in files)
    with django_capture_on_commit_callbacks(execute=True):
        act("delete", draft, cast, now)
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not BudgetLine.objects.filter(application_id=draft.pk).exists()
    assert not Attachment.objects.filter(application_id=draft.pk).exists()
    assert not any(storage.exists(name) for storage, name in files)


@pytest.mark.parametrize("state", [S.SUBMITTED, S.APPROVED])
def test_submitted_application_is_never_deleted(state, draft, cast, now):
    app = bring_to(draft, state, cast, now)
    before = snapshot(app)
    with pytest.raises(TransitionNotAllowed):
        act("delete", app, cast, now)
    assert snapshot(app) == before
    # Not even a bulk delete behind the services' back: its case log protects it.
    with pytest.raises(ProtectedError), transaction.atomic():
        Application.objects.filter(pk=app.pk).delete()
    assert snapshot(app) == before


# --- what an approval creates ------------------------------------------------------------------------------


def test_approve_creates_decision_grant_and_payouts(draft, cast, now):
    app = bring_to(draft, S.APPROVED, cast, now)
    decision = Decision.objects.get(application=app)
    grant = Grant.objects.get(application=app)
    assert (decision.outcome, decision.amount) == (Outcome.APPROVE, Decimal("400000.00"))
    assert (decision.decided_by, decision.proposed_by) == (cast.decider, cast.officer)
    assert grant.decision == decision and grant.granted_amount == decision.amount
    amounts = sorted(Payout.objects.filter(grant=grant).values_list("amount", flat=True))
    assert amounts == [Decimal("80000.00"), Decimal("320000.00")]  # 20 % after the final report, 80 % advance


def test_reject_creates_a_decision_and_no_grant(draft, cast, now):
    app = bring_to(draft, S.REJECTED, cast, now)
    decision = Decision.objects.get(application=app)
    assert (decision.outcome, decision.amount) == (Outcome.REJECT, None)
    assert not Grant.objects.filter(application=app).exists()
