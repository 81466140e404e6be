"""The finance data of DESIGN.md §3, §4.2–4.4: a call's payout plan, the grant's acceptance record, and the
database rules that keep them whole whatever code writes them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from grants.errors import ServiceError
from grants.models import ApplicationState, Grant, GrantState, PayoutPlanStep, PayoutTrigger
from grants.models.plans import DEFAULT_PLAN, call_payout_plan, payout_amounts, plan_total_error
from tests.factories import CallFactory, UserFactory
from tests.workflows.lifecycle import bring_to

A, F = PayoutTrigger.ON_ACCEPTANCE, PayoutTrigger.ON_FINAL_REPORT

# --- the payout plan -----------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    granted=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("600000"), places=2),
    advance=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99.99"), places=2),
)
def test_payouts_always_sum_to_the_grant(granted, advance):
    amounts = payout_amounts(granted, [(advance, A), (Decimal("100") - advance, F)])
    assert sum(a for a, _t in amounts) == granted
    assert all(a > 0 for a, _t in amounts)


@pytest.mark.parametrize(
    ("plan", "ok"),
    [
        ([(Decimal("80"), A), (Decimal("20"), F)], True),
        ([(Decimal("100"), F)], True),
        ([(Decimal("80"), A), (Decimal("10"), F)], False),
        ([(Decimal("80"), A), (Decimal("20.01"), F)], False),
        ([], False),
    ],
)
def test_a_plan_must_sum_to_100(plan, ok):
    assert (plan_total_error(p for p, _t in plan) == "") is ok
    if not ok:
        with pytest.raises(ValueError):
            payout_amounts(Decimal("1000"), plan)


def test_a_call_without_steps_pays_by_the_default_plan(db):
    assert call_payout_plan(CallFactory(plan=[])) == list(DEFAULT_PLAN)
    own = CallFactory(plan=[(100, F)])
    assert call_payout_plan(own) == [(Decimal("100.00"), F)]


@pytest.mark.parametrize("percent", ["0", "-5", "100.01"])
def test_the_database_refuses_a_step_outside_0_to_100(db, percent):
    call = CallFactory(plan=[])
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutPlanStep.objects.create(call=call, percent=Decimal(percent), trigger=A)


def test_one_step_per_trigger(db):
    call = CallFactory(plan=[(50, A), (50, F)])
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutPlanStep.objects.create(call=call, position=3, percent=Decimal("1"), trigger=A)


def test_approval_pays_by_the_calls_own_plan(draft, cast, now):
    draft.call.payout_plan_steps.all().delete()
    PayoutPlanStep.objects.create(call=draft.call, position=1, percent=Decimal("60"), trigger=A)
    PayoutPlanStep.objects.create(call=draft.call, position=2, percent=Decimal("40"), trigger=F)
    approved = bring_to(draft, ApplicationState.APPROVED, cast, now)
    grant = approved.grant
    assert sorted((p.trigger, p.amount) for p in grant.payouts.all()) == sorted(
        [(A, grant.granted_amount * Decimal("0.6")), (F, grant.granted_amount * Decimal("0.4"))]
    )
    assert grant.payouts.aggregate(total=Sum("amount"))["total"] == grant.granted_amount


def test_approval_refused_while_the_plan_is_incomplete(draft, cast, now):
    from grants.services.cases import decision_approve

    proposed = bring_to(draft, ApplicationState.PROPOSED, cast, now)
    PayoutPlanStep.objects.filter(call=draft.call, trigger=F).delete()  # 80 % left
    with pytest.raises(ServiceError, match="100"):
        decision_approve(actor=cast.decider, application=proposed, now=now + timedelta(minutes=1))
    proposed.refresh_from_db()
    assert proposed.state == ApplicationState.PROPOSED and not Grant.objects.filter(application=proposed).exists()


def _call_form(call, steps):
    """The call's admin change form as posted, with `steps` as its payout plan rows."""
    data = {
        "title_sv": call.title_sv,
        "title_en": call.title_en,
        "description_sv": call.description_sv,
        "description_en": call.description_en,
        "opens_at_0": call.opens_at.strftime("%Y-%m-%d"),
        "opens_at_1": call.opens_at.strftime("%H:%M:%S"),
        "closes_at_0": call.closes_at.strftime("%Y-%m-%d"),
        "closes_at_1": call.closes_at.strftime("%H:%M:%S"),
        "total_budget": str(call.total_budget),
        "max_grant_amount": str(call.max_grant_amount),
        "eligible_org_types": call.eligible_org_types,
        "interim_report_months": "6",
        "final_report_months": "2",
        "acceptance_days": str(call.acceptance_days),
        "legal_basis_sv": call.legal_basis_sv,
        "legal_basis_en": call.legal_basis_en,
        "appeal_text_sv": call.appeal_text_sv,
        "appeal_text_en": call.appeal_text_en,
        "general_terms_sv": call.general_terms_sv,
        "general_terms_en": call.general_terms_en,
    }
    for prefix, model_rows in (
        ("payout_plan_steps", steps),
        ("criteria", list(call.criteria.values("pk", "name_sv", "name_en", "weight", "position"))),
        ("attachment_kinds", list(call.attachment_kinds.values("pk", "code", "name_sv", "name_en", "position"))),
    ):
        initial = len([r for r in model_rows if r.get("pk")])
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(model_rows)),
                f"{prefix}-INITIAL_FORMS": str(initial),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for i, row in enumerate(model_rows):
            for key, value in row.items():
                name = "id" if key == "pk" else key
                data[f"{prefix}-{i}-{name}"] = "" if value is None else str(value)
            data[f"{prefix}-{i}-call"] = str(call.pk)
    return data


@pytest.mark.parametrize(("second", "saved"), [("20", True), ("30", False)])
def test_the_admin_saves_only_a_plan_of_100(client, db, second, saved):
    call = CallFactory(plan=[])
    admin = UserFactory(email="program@example.se", roles=["programme_admin"])
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    steps = [
        {"position": 1, "percent": "80", "trigger": A},
        {"position": 2, "percent": second, "trigger": F},
    ]
    response = client.post(reverse("admin:grants_call_change", args=[call.pk]), _call_form(call, steps))
    if saved:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert call_payout_plan(call) == [(Decimal("80.00"), A), (Decimal("20.00"), F)]
    else:
        assert response.status_code == 200
        assert "ska tillsammans vara 100 %, inte 110" in response.content.decode()
        assert not call.payout_plan_steps.exists()


# --- the grant's acceptance record ---------------------------------------------------------------------------


@pytest.fixture
def grant(draft, cast, now):
    return bring_to(draft, ApplicationState.APPROVED, cast, now).grant


def _update(grant, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.filter(pk=grant.pk).update(**fields)


def test_a_new_grant_awaits_acceptance_with_nothing_recorded(grant):
    assert grant.state == GrantState.AWAITING_ACCEPTANCE
    assert (grant.accepted_by, grant.accepted_at, grant.terms_sha256, grant.cancelled_at) == (None, None, "", None)
    assert grant.released_amount == 0


def test_accepted_only_with_who_when_and_which_terms(grant, cast, now):
    _update(grant, state=GrantState.ACTIVE)  # nothing recorded
    _update(grant, state=GrantState.ACTIVE, accepted_by=cast.applicant, accepted_at=now)  # no terms checksum
    _update(grant, accepted_by=cast.applicant, accepted_at=now, terms_sha256="a" * 64)  # still awaiting
    Grant.objects.filter(pk=grant.pk).update(
        state=GrantState.ACTIVE, accepted_by=cast.applicant, accepted_at=now, terms_sha256="a" * 64
    )


def test_cancelled_only_with_its_time_and_releases_within_the_grant(grant, now):
    _update(grant, state=GrantState.CANCELLED)
    _update(grant, released_amount=Decimal("1"))  # not cancelled: nothing to release
    _update(grant, state=GrantState.CANCELLED, cancelled_at=now, released_amount=grant.granted_amount + 1)
    _update(grant, state=GrantState.CANCELLED, cancelled_at=now, released_amount=Decimal("-1"))
    Grant.objects.filter(pk=grant.pk).update(
        state=GrantState.CANCELLED, cancelled_at=now, released_amount=grant.granted_amount, declined_reason="Nej."
    )
