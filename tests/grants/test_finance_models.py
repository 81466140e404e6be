"""The finance data of DESIGN.md §3, §4.2–4.4: a call's payout plan, the grant's acceptance record, and the
database rules that keep them whole whatever code writes them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from grants.errors import ServiceError
from grants.models import (
    ApplicationState,
    Grant,
    GrantState,
    PaymentAccount,
    PaymentAccountType,
    Payout,
    PayoutBatch,
    PayoutBatchLine,
    PayoutBatchState,
    PayoutPlanStep,
    PayoutState,
    PayoutTrigger,
)
from grants.models.base import ImmutableRecordError
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


# --- payment accounts ----------------------------------------------------------------------------------------


@pytest.fixture
def organisation(draft):
    return draft.organisation


@pytest.fixture
def finance(db):
    return UserFactory(email="ekonomi@example.se", roles=["finance"])


@pytest.fixture
def finance2(db):
    return UserFactory(email="ekonomi2@example.se", roles=["finance"])


def _account(organisation, user, **fields):
    values = {"kind": PaymentAccountType.BANKGIRO, "number": "50501055", "created_by": user} | fields
    return PaymentAccount.objects.create(organisation=organisation, **values)


@pytest.mark.parametrize(
    ("kind", "typed", "bic", "number", "stored_bic"),
    [
        (PaymentAccountType.BANKGIRO, "5050-1055", "", "50501055", ""),
        (PaymentAccountType.PLUSGIRO, "28 65 43-4", "", "2865434", ""),
        (PaymentAccountType.IBAN, "SE45 5000 0000 0583 9825 7466", "ESSESESS", "SE4550000000058398257466", "ESSESESS"),
    ],
)
def test_clean_checks_and_compacts_the_number(organisation, finance, kind, typed, bic, number, stored_bic):
    account = PaymentAccount(organisation=organisation, kind=kind, number=typed, bic=bic, created_by=finance)
    account.full_clean()
    assert (account.number, account.bic) == (number, stored_bic)
    account.save()
    assert account.account.number == number


@pytest.mark.parametrize(
    ("kind", "typed", "bic"),
    [
        (PaymentAccountType.BANKGIRO, "5050-1056", ""),  # wrong check digit
        (PaymentAccountType.PLUSGIRO, "28 65 43-5", ""),
        (PaymentAccountType.IBAN, "SE45 5000 0000 0583 9825 7467", "ESSESESS"),
        (PaymentAccountType.IBAN, "SE45 5000 0000 0583 9825 7466", "ZZZZSESS"),  # no such bank
    ],
)
def test_clean_refuses_an_invalid_account(organisation, finance, kind, typed, bic):
    account = PaymentAccount(organisation=organisation, kind=kind, number=typed, bic=bic, created_by=finance)
    with pytest.raises(ValidationError) as caught:
        account.full_clean()
    assert "number" in caught.value.message_dict


@pytest.mark.parametrize(
    "fields",
    [
        {"number": "5050-1055"},  # not the compact form
        {"kind": PaymentAccountType.IBAN, "number": "SE4550000000058398257466"},  # an IBAN needs its BIC
        {"bic": "ESSESESS"},  # a bankgiro has none
        {"kind": "SWISH"},
    ],
)
def test_the_database_refuses_a_malformed_account(organisation, finance, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        _account(organisation, finance, **fields)


def test_the_verifier_is_not_who_entered_it(organisation, finance, finance2, now):
    with pytest.raises(IntegrityError), transaction.atomic():
        _account(organisation, finance, verified_by=finance, verified_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        _account(organisation, finance, verified_by=finance2)  # who without when
    account = _account(organisation, finance)
    assert not account.usable_for_payouts()
    account.verified_by, account.verified_at = finance2, now
    account.save()
    assert account.usable_for_payouts()


def test_one_current_account_per_organisation_and_history_kept(organisation, finance, finance2, now):
    old = _account(organisation, finance, verified_by=finance2, verified_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        _account(organisation, finance, number="9912346")
    old.superseded_at = now
    old.save()
    new = _account(organisation, finance, number="9912346")
    assert not old.usable_for_payouts() and not new.usable_for_payouts()  # the change waits for a second person
    assert list(organisation.payment_accounts.order_by("pk")) == [old, new]


def test_a_stored_account_is_never_edited(organisation, finance, finance2, now):
    account = _account(organisation, finance)
    account.number = "9912346"
    with pytest.raises(ImmutableRecordError):
        account.save()
    account = PaymentAccount.objects.get(pk=account.pk)
    account.verified_by, account.verified_at = finance2, now
    account.save()
    account.verified_at = now + timedelta(days=1)  # verified once, for good
    with pytest.raises(ImmutableRecordError):
        account.save()
    with pytest.raises(ImmutableRecordError):
        account.delete()


@pytest.mark.postgres
def test_postgres_refuses_edits_behind_the_models_back(organisation, finance, finance2, now):
    account = _account(organisation, finance)
    for change in ({"number": "9912346"}, {"created_by": finance2}, {"kind": PaymentAccountType.PLUSGIRO}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PaymentAccount.objects.filter(pk=account.pk).update(**change)
    PaymentAccount.objects.filter(pk=account.pk).update(verified_by=finance2, verified_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentAccount.objects.filter(pk=account.pk).update(verified_at=now + timedelta(days=1))
    PaymentAccount.objects.filter(pk=account.pk).update(superseded_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentAccount.objects.filter(pk=account.pk).update(superseded_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentAccount.objects.filter(pk=account.pk)._raw_delete(using="default")


@pytest.mark.django_db(transaction=True)
def test_migration_carries_the_organisations_account_over_unverified():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("grants", "0011_finance_models")])
    old_apps = executor.loader.project_state([("grants", "0011_finance_models")]).apps
    Organisation = old_apps.get_model("grants", "Organisation")
    with_account = Organisation.objects.create(
        name="Umeå kommun",
        orgnr="2120002627",
        org_type="MUNICIPALITY",
        payment_account_type="IBAN",
        payment_account="SE4550000000058398257466",
        bic="ESSESESS",
    )
    without = Organisation.objects.create(name="Kiruna kommun", orgnr="2120002858", org_type="MUNICIPALITY")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    account = PaymentAccount.objects.get(organisation_id=with_account.pk)
    assert (account.kind, account.number, account.bic) == ("IBAN", "SE4550000000058398257466", "ESSESESS")
    assert (account.created_by, account.verified_at, account.superseded_at) == (None, None, None)
    assert not PaymentAccount.objects.filter(organisation_id=without.pk).exists()


# --- payouts, batches and their frozen lines -----------------------------------------------------------------


@pytest.fixture
def payouts(grant):
    return list(grant.payouts.order_by("pk"))


@pytest.fixture
def verified(grant, finance, finance2, now):
    return _account(grant.application.organisation, finance, verified_by=finance2, verified_at=now)


def test_approval_links_each_payout_to_its_plan_step(grant, payouts):
    steps = {s.trigger: s for s in grant.application.call.payout_plan_steps.all()}
    assert steps and all(p.step == steps[p.trigger] for p in payouts)


def _pay(payout, now, amount=None):
    fields = {"state": PayoutState.PAID, "paid_at": now}
    if amount is not None:
        fields["amount"] = amount
    Payout.objects.filter(pk=payout.pk).update(**fields)


def test_the_database_never_pays_more_than_granted(grant, payouts, now):
    advance, final = payouts
    _pay(advance, now)
    _pay(final, now)  # exactly the granted amount: allowed
    assert grant.payouts.filter(state=PayoutState.PAID).aggregate(t=Sum("amount"))["t"] == grant.granted_amount
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(grant=grant, amount=Decimal("0.01"), trigger=F, state=PayoutState.PAID, paid_at=now)
    Payout.objects.filter(pk=final.pk).update(state=PayoutState.DUE, paid_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        _pay(final, now, amount=final.amount + Decimal("0.01"))  # one öre too much


@pytest.mark.parametrize(
    "fields",
    [
        {"state": PayoutState.PAID},  # paid without when
        {"paid_at": "now"},  # when without being paid
        {"state": PayoutState.IN_BATCH, "batch": "batch"},  # batched without the account it goes to
    ],
)
def test_payout_state_and_its_record_go_together(grant, payouts, finance, now, fields):
    batch = PayoutBatch.objects.create(created_by=finance)
    values = {k: (now if v == "now" else batch if v == "batch" else v) for k, v in fields.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.filter(pk=payouts[0].pk).update(**values)


def test_a_batch_is_attested_by_a_second_person(finance, finance2, now):
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.create(
            created_by=finance, state=PayoutBatchState.APPROVED, approved_by=finance, approved_at=now
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.create(created_by=finance, state=PayoutBatchState.APPROVED)  # by nobody
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.create(
            created_by=finance, state=PayoutBatchState.EXPORTED, approved_by=finance2, approved_at=now
        )  # exported without when
    PayoutBatch.objects.create(
        created_by=finance, state=PayoutBatchState.APPROVED, approved_by=finance2, approved_at=now
    )


def _exported_batch(grant, payouts, verified, finance, finance2, now):
    batch = PayoutBatch.objects.create(created_by=finance)
    advance = payouts[0]
    Payout.objects.filter(pk=advance.pk).update(state=PayoutState.IN_BATCH, batch=batch, account=verified)
    PayoutBatch.objects.filter(pk=batch.pk).update(
        state=PayoutBatchState.APPROVED, approved_by=finance2, approved_at=now
    )
    line = PayoutBatchLine.objects.create(
        batch=batch,
        payout=advance,
        amount=advance.amount,
        payee_name=grant.application.organisation.name,
        payee_orgnr=grant.application.organisation.orgnr,
        account=verified,
        account_kind=verified.kind,
        account_number=verified.number,
        reference=f"{grant.application.reference_number} förskott",
    )
    PayoutBatch.objects.filter(pk=batch.pk).update(state=PayoutBatchState.EXPORTED, exported_at=now)
    return batch, line


def test_a_line_is_never_rewritten(grant, payouts, verified, finance, finance2, now):
    batch, line = _exported_batch(grant, payouts, verified, finance, finance2, now)
    with pytest.raises(ImmutableRecordError):
        PayoutBatchLine.objects.filter(pk=line.pk).update(amount=Decimal("1"))
    line.amount = Decimal("1")
    with pytest.raises(ImmutableRecordError):
        line.save()
    with pytest.raises(IntegrityError), transaction.atomic():  # the same payout twice in one batch
        PayoutBatchLine.objects.create(
            **{f.attname: getattr(line, f.attname) for f in line._meta.concrete_fields if f.name != "id"}
        )


@pytest.mark.postgres
def test_postgres_freezes_an_exported_batch_and_its_lines(grant, payouts, verified, finance, finance2, now):
    batch, line = _exported_batch(grant, payouts, verified, finance, finance2, now)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatchLine.objects.filter(pk=line.pk)._raw_delete(using="default")
    from django.db import connection

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE grants_payoutbatchline SET amount = 1 WHERE id = %s", [line.pk])
    for change in (
        # each allowed by the check constraints, refused by the trigger
        {"state": PayoutBatchState.APPROVED, "exported_at": None},
        {"approved_at": now + timedelta(1)},
        {"exported_at": now + timedelta(1)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            PayoutBatch.objects.filter(pk=batch.pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk)._raw_delete(using="default")
    PayoutBatch.objects.filter(pk=batch.pk).update(state=PayoutBatchState.RECONCILED, reconciled_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk).update(reconciled_at=now + timedelta(1))
