from datetime import time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from stdnum.se import orgnr as se_orgnr

from grants.demo.data import CALL_TITLE_SV, DEMO_PASSWORD, PEOPLE
from grants.demo.finance import FIRST_ROUND
from grants.demo.pdf import demo_pdf
from grants.demo.plans import PLANS
from grants.models import (
    Application,
    ApplicationState,
    Call,
    Membership,
    MembershipRole,
    Message,
    Organisation,
    OrganisationType,
    Outcome,
    PaymentAccount,
    PayoutBatch,
    PayoutBatchState,
    PayoutState,
    Review,
    User,
)
from grants.models.states import GrantState, Lifecycle
from grants.selectors.reviews import review_summary
from grants.services import cases
from grants.uploads import pdf_problem, sha256_of
from tests.factories import VALID_ORGNRS, CallFactory
from workflows.events import EVENT_LABELS
from workflows.models import CaseEvent

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for app_label in ("grants", "workflows", "documents", "auth")
        for model in apps.get_app_config(app_label).get_models()
    }


def this_years_approved() -> Application:
    """The one approved case of this year's call (last year's round is the finance demo's)."""
    return Application.objects.get(state=ApplicationState.APPROVED, call__title_sv=CALL_TITLE_SV)


LIFECYCLE_STATES = {
    Lifecycle.APPLICATION: ApplicationState,
    Lifecycle.GRANT: GrantState,
    Lifecycle.PAYOUT: PayoutState,
    Lifecycle.BATCH: PayoutBatchState,
}


def login_table(output: str) -> str:
    return output[output.index("Demoinloggningar") :]


@pytest.mark.django_db
def test_seeding_twice_changes_nothing_and_prints_the_same_logins():
    first = seed()
    counts = row_counts()
    second = seed()
    assert row_counts() == counts
    assert "inget ändrades" in second
    assert login_table(first) == login_table(second)
    for person in PEOPLE:
        assert person.email in first
    assert DEMO_PASSWORD in first
    assert "http://127.0.0.1:8000/" in first


@pytest.mark.django_db
def test_every_state_the_services_reach_is_present():
    seed()
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(ApplicationState.values)


@pytest.mark.django_db
def test_every_case_was_made_by_the_services_and_its_log_agrees_with_its_state():
    seed()
    for application in Application.objects.exclude(state=ApplicationState.DRAFT):
        events = list(application.events.filter(lifecycle=Lifecycle.APPLICATION).order_by("created_at", "pk"))
        assert events[0].event == "application.submitted"
        transitions = [e for e in events if e.to_state]
        assert transitions[-1].to_state == application.state, application.title
        assert application.versions.exists()
        assert application.call.opens_at <= application.submitted_at < application.call.closes_at
    numbers = list(Application.objects.exclude(reference_number=None).order_by("submitted_at"))
    assert [a.reference_number for a in numbers] == sorted(a.reference_number for a in numbers)
    approved = this_years_approved()
    assert approved.grant.payouts.count() == 2
    assert approved.decisions.get().decided_by != approved.decisions.get().proposed_by
    completed = Application.objects.filter(state=ApplicationState.IN_REVIEW, versions__number=2)
    assert completed.exists()
    # The case page shows every line of these logs in words (workflows/events.py), states by their labels.
    written = set(CaseEvent.objects.values_list("event", flat=True))
    written |= set(Message.objects.values_list("event", flat=True))  # shown in the note of `message.queued`
    assert sorted(written - set(EVENT_LABELS)) == []
    # Each lifecycle's events name states of that lifecycle (grants/models/states.py).
    for lifecycle, enum in LIFECYCLE_STATES.items():
        logged = CaseEvent.objects.filter(lifecycle=lifecycle)
        states = set(logged.values_list("from_state", flat=True)) | set(logged.values_list("to_state", flat=True))
        assert states - {""} <= set(enum.values), lifecycle


@pytest.mark.django_db
def test_attachments_are_valid_pdfs_uploaded_through_the_service():
    seed()
    application = this_years_approved()
    attachments = list(application.attachments.all())
    assert {a.kind.code for a in attachments} == {"projektplan", "intyg-coworkingvard"}
    for attachment in attachments:
        with attachment.file.open("rb") as f:
            assert pdf_problem(f, attachment.size) is None
            assert sha256_of(f) == attachment.sha256
    assert demo_pdf("Å (ä) ö").startswith(b"%PDF-1.4")


@pytest.mark.django_db
def test_call_people_and_organisations():
    seed()
    now = timezone.now()
    call = Call.objects.get(title_sv=CALL_TITLE_SV)
    assert call.title_en == "Try coworking and hybrid work"
    assert call.is_open(now)
    assert timezone.localtime(call.closes_at, STOCKHOLM).time() == time(14, 0)
    assert (call.total_budget, call.max_grant_amount) == (6_000_000, 600_000)
    assert [c.name_sv for c in call.criteria.all()] == [
        "Relevans för hybridarbete",
        "Genomförbarhet",
        "Lärande och spridning",
    ]
    assert {(k.code, k.required) for k in call.attachment_kinds.all()} == {
        ("projektplan", True),
        ("intyg-coworkingvard", False),
    }
    assert "inte överklagas" in call.appeal_text_sv and call.appeal_text_en and call.legal_basis_sv
    assert Call.objects.filter(closes_at__lt=now).exists()

    assert sorted(Organisation.objects.values_list("orgnr", flat=True)) == sorted(VALID_ORGNRS)
    for org in Organisation.objects.all():
        assert se_orgnr.is_valid(org.orgnr)
        assert org.org_type in OrganisationType.values

    for person in PEOPLE:
        user = User.objects.get(email=person.email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.language == "sv"
        assert set(user.groups.values_list("name", flat=True)) == set(person.roles)
        assert user.is_staff == bool(person.roles)
    admin = User.objects.get(email="admin@demo.se")
    assert admin.is_superuser and admin.is_staff
    memberships = Membership.objects.filter(user__email="sokande@demo.se")
    assert memberships.count() == 2
    assert memberships.filter(role=MembershipRole.SIGNATORY).count() == 1


@pytest.mark.django_db
def test_if_empty_does_nothing_when_a_call_exists_but_prints_the_logins():
    seed()
    counts = row_counts()
    output = seed("--if-empty")
    assert row_counts() == counts
    assert "sokande@demo.se" in output and DEMO_PASSWORD in output


@pytest.mark.django_db
def test_if_empty_leaves_someone_elses_calls_alone():
    CallFactory(title_sv="En annan utlysning")
    counts = row_counts()
    output = seed("--if-empty")
    assert row_counts() == counts
    assert "Inga demoinloggningar" in output


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database():
    output = seed("--if-empty")
    assert Application.objects.count() == len(PLANS) + len(FIRST_ROUND) == 15
    assert "handlaggare@demo.se" in output


@pytest.mark.django_db
def test_reviews_at_every_stage_made_through_the_services():
    seed()
    reviewers = {p.email for p in PEOPLE if p.key.startswith("reviewer")}
    assert reviewers == {"bedomare@demo.se", "bedomare2@demo.se"}
    for email in reviewers:
        assert Review.objects.filter(reviewer__email=email).exists(), email

    # Every case in review has its reviewers; so have the decided ones, but for the formal rejection.
    for application in Application.objects.filter(state=ApplicationState.IN_REVIEW):
        assert application.reviews.count() == 2, application.title
    for state in (ApplicationState.PROPOSED, ApplicationState.REJECTED):
        assert any(review_summary(a)["submitted_count"] == 2 for a in Application.objects.filter(state=state)), state
    approved = this_years_approved()
    assert review_summary(approved)["submitted_count"] >= 1
    summaries = [review_summary(a) for a in Application.objects.all()]
    assert any(s["submitted_count"] == 2 and len(s["reviews"]) == 2 for s in summaries)

    undeclared = Review.objects.filter(conflict=Review.Conflict.UNDECLARED)
    assert undeclared.exists()
    assert Review.objects.filter(conflict=Review.Conflict.NONE, submitted_at=None).exists()
    recused = Review.objects.get(conflict=Review.Conflict.CONFLICT)
    assert recused.conflict_reason and recused.declared_at
    assert review_summary(recused.application)["recused"][0]["reason"] == recused.conflict_reason

    criteria_count = Call.objects.get(title_sv=CALL_TITLE_SV).criteria.count()
    submitted = Review.objects.exclude(submitted_at=None)
    assert submitted.count() >= 5
    for review in submitted:
        scores = list(review.scores.all())
        assert len(scores) == criteria_count
        assert all(1 <= s.score <= 7 and len(s.justification) > 40 for s in scores)
        assert review.recommendation and review.comment
        assert review.application.events.filter(event="review.submitted", actor=review.reviewer).exists()
    for review in Review.objects.all():
        assert review.application.events.filter(event="review.assigned").exists()


@pytest.mark.django_db
def test_the_journey_has_fresh_cases_and_a_proposal_the_decision_maker_can_approve():
    seed()
    fresh = Application.objects.filter(state=ApplicationState.SUBMITTED, assigned_officer=None)
    assert fresh.count() >= 2
    assert not Review.objects.filter(application__in=fresh).exists()

    proposed = Application.objects.get(state=ApplicationState.PROPOSED)
    assert proposed.events.filter(event="application.returned").exists()
    proposal = proposed.proposals.order_by("-proposed_at").first()
    assert proposal.proposed_by.email == "handlaggare@demo.se"
    assert proposal.outcome == Outcome.APPROVE
    decider = User.objects.get(email="beslutsfattare@demo.se")
    decision = cases.decision_approve(actor=decider, application=proposed, now=timezone.now())
    assert decision.decided_by == decider
    proposed.refresh_from_db()
    assert proposed.state == ApplicationState.APPROVED


@pytest.mark.django_db
def test_the_finance_demo_has_every_stage_of_the_money():
    """Issue 10 item 9: grants awaiting acceptance, an accepted one with its advance due, an account waiting for
    verification, an open batch, an exported batch, a reconciled batch with one failed payout — all made by the
    services, with two finance officers attesting each other's batches."""
    seed()
    from documents.models import DocumentKind
    from grants.models import Grant, Payout

    assert Grant.objects.filter(state=GrantState.AWAITING_ACCEPTANCE).exists()
    due = Payout.objects.filter(state=PayoutState.DUE, batch=None, grant__state=GrantState.ACTIVE)
    assert due.count() == 1
    assert [a.state for a in PaymentAccount.objects.filter(verified_at=None)] != []
    batches = {b.state: b for b in PayoutBatch.objects.all()}
    assert set(batches) == {PayoutBatchState.OPEN, PayoutBatchState.EXPORTED, PayoutBatchState.RECONCILED}
    reconciled = batches[PayoutBatchState.RECONCILED]
    assert sorted(reconciled.lines.values_list("payout__state", flat=True)) == [PayoutState.FAILED, PayoutState.PAID]
    for batch in (reconciled, batches[PayoutBatchState.EXPORTED]):
        assert batch.approved_by != batch.created_by
        kinds = set(batch.documents.values_list("kind", flat=True))
        assert {DocumentKind.PAYMENT_FILE, DocumentKind.LEDGER_CSV, DocumentKind.LEDGER_XLSX} <= kinds
    assert set(batches[PayoutBatchState.EXPORTED].payouts.values_list("state", flat=True)) == {PayoutState.SENT}


@pytest.mark.django_db
def test_the_sample_bank_answer_reconciles_the_exported_batch():
    output = seed()
    path = output.split("(för avstämningen): ")[1].strip().splitlines()[0]
    from django.utils import timezone as tz

    from grants.services.reconciliation import reconciliation_apply, reconciliation_preview

    batch = PayoutBatch.objects.get(state=PayoutBatchState.EXPORTED)
    finance = User.objects.get(email="ekonomi@demo.se")
    with open(path, "rb") as f:
        preview = reconciliation_preview(
            actor=finance, batch=batch, content=f.read(), filename="svar.csv", now=tz.now()
        )
    assert preview.problems == []
    reconciliation_apply(actor=finance, answer=preview.answer, now=tz.now())
    batch.refresh_from_db()
    assert batch.state == PayoutBatchState.RECONCILED
    assert set(batch.payouts.values_list("state", flat=True)) == {PayoutState.PAID}
