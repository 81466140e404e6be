"""Payment account services (grants/services/payment_accounts.py): a member registers, finance verifies or
rejects, never the person who registered it (four eyes), a new account supersedes the old one with the
history kept, and every change is in the organisation log."""

from datetime import timedelta

import pytest
from django.utils import translation

from grants.errors import NotAllowed, ServiceError
from grants.models import OrganisationEvent, PaymentAccount, PaymentAccountState, PaymentAccountType
from grants.permissions import payment_account_ready
from grants.selectors.payment_accounts import organisation_payable_account
from grants.services.payment_accounts import (
    payment_account_register,
    payment_account_reject,
    payment_account_verify,
)
from tests.factories import MembershipFactory, UserFactory

BG = PaymentAccountType.BANKGIRO
PG = PaymentAccountType.PLUSGIRO
IBAN = PaymentAccountType.IBAN


@pytest.fixture
def organisation(draft):
    return draft.organisation


@pytest.fixture
def finance(db):
    return UserFactory(email="ekonomi@example.se", roles=["finance"])


@pytest.fixture
def finance2(db):
    return UserFactory(email="ekonomi2@example.se", roles=["finance"])


def register(actor, organisation, now, kind=BG, number="5050-1055", bic=""):
    return payment_account_register(actor=actor, organisation=organisation, kind=kind, number=number, bic=bic, now=now)


def events(organisation):
    return list(
        OrganisationEvent.objects.filter(organisation=organisation).order_by("pk").values_list("event", "actor_id")
    )


@pytest.mark.parametrize(
    ("kind", "typed", "bic", "number", "stored_bic"),
    [
        (BG, "5050-1055", "", "50501055", ""),
        (PG, "28 65 43-4", "", "2865434", ""),
        (IBAN, "se45 5000 0000 0583 9825 7466", "esseSESS", "SE4550000000058398257466", "ESSESESS"),
        (IBAN, "DE89 3704 0044 0532 0130 00", "", "DE89370400440532013000", "COBADEFFXXX"),  # BIC from the IBAN
    ],
)
def test_a_member_registers_an_account_in_compact_form_waiting_for_verification(
    applicant, organisation, now, kind, typed, bic, number, stored_bic
):
    account = register(applicant, organisation, now, kind, typed, bic)
    assert (account.kind, account.number, account.bic) == (kind, number, stored_bic)
    assert account.created_by == applicant and account.state == PaymentAccountState.WAITING
    assert organisation_payable_account(organisation) is None
    verdict = payment_account_ready(organisation)
    assert not verdict and str(verdict.reason) == "Kontot väntar på verifiering"
    assert events(organisation)[-1] == ("payment_account.registered", applicant.pk)


@pytest.mark.parametrize(
    ("kind", "typed", "bic", "field", "sv", "en"),
    [
        (BG, "5050-1056", "", "number", "Kontrollsiffran stämmer inte", "check digit"),
        (BG, "505-10", "", "number", "7 eller 8 siffror", "7 or 8 digits"),
        (PG, "28 65 43-5", "", "number", "Kontrollsiffran stämmer inte", "check digit"),
        (PG, "28x65", "", "number", "bara innehålla siffror", "only"),
        (IBAN, "SE45 5000 0000 0583 9825 7467", "ESSESESS", "number", "Kontrollsiffrorna i IBAN", "check digits"),
        (IBAN, "SE45 5000 0000 0583 9825 74", "", "number", "24 tecken", "24 characters"),
        (IBAN, "DE89 3704 0044 0532 0130 00", "ZZZZDEFF", "bic", "finns inte i registret", "register"),
        (IBAN, "SE45 5000 0000 0583 9825 7466", "NDEASESS", "bic", "hör inte till banken", "bank"),
        ("SWISH", "123", "", "kind", "bankgiro, ett plusgiro eller ett IBAN", "bankgiro"),
        (BG, "", "", "number", "Ange ett bankgironummer", "bankgiro number"),
    ],
)
def test_a_bad_account_is_refused_with_a_message_naming_the_field_and_nothing_changes(
    applicant, organisation, now, kind, typed, bic, field, sv, en
):
    with pytest.raises(ServiceError) as refused:
        register(applicant, organisation, now, kind, typed, bic)
    assert refused.value.field == field
    assert sv in str(refused.value.message)
    with translation.override("en"):
        assert en in str(refused.value.message), str(refused.value.message)
    assert not PaymentAccount.objects.filter(organisation=organisation).exists()
    assert not OrganisationEvent.objects.filter(organisation=organisation, event__startswith="payment_account").exists()


def test_only_a_member_registers(organisation, outsider, finance, now):
    for person in (outsider, finance):
        with pytest.raises(NotAllowed):
            register(person, organisation, now)
    assert not PaymentAccount.objects.filter(organisation=organisation).exists()


def test_a_new_account_supersedes_the_verified_one_which_is_kept_and_the_new_one_waits(
    applicant, organisation, finance, now
):
    first = payment_account_verify(actor=finance, account=register(applicant, organisation, now), now=now)
    assert organisation_payable_account(organisation) == first and payment_account_ready(organisation)
    later = now + timedelta(hours=1)
    second = register(applicant, organisation, later, PG, "28 65 43-4")
    first.refresh_from_db()
    assert first.superseded_at == later and first.state == PaymentAccountState.SUPERSEDED
    assert first.verified_by == finance and first.number == "50501055"  # nothing of the old row changed
    assert second.is_current and not second.is_verified
    # The changed account is not paid to until it is verified again (the classic grant fraud).
    assert organisation_payable_account(organisation) is None and not payment_account_ready(organisation)
    assert list(PaymentAccount.objects.filter(organisation=organisation).order_by("pk")) == [first, second]
    assert [e for e, _ in events(organisation)][-3:] == [
        "payment_account.registered",
        "payment_account.verified",
        "payment_account.registered",
    ]


def test_registering_the_same_account_again_is_refused(applicant, organisation, finance, now):
    account = payment_account_verify(actor=finance, account=register(applicant, organisation, now), now=now)
    with pytest.raises(ServiceError, match="redan registrerat"):
        register(applicant, organisation, now, BG, "50501055")
    account.refresh_from_db()
    assert account.is_current and account.is_verified


def test_four_eyes_the_registrant_cannot_verify_even_with_the_finance_role(organisation, finance, finance2, now):
    MembershipFactory(user=finance, organisation=organisation)  # a finance officer who is also a member
    account = register(finance, organisation, now)
    with pytest.raises(ServiceError, match="fyraögonsprincipen"):
        payment_account_verify(actor=finance, account=account, now=now)
    account.refresh_from_db()
    assert not account.is_verified
    verified = payment_account_verify(actor=finance2, account=account, now=now)
    assert verified.verified_by == finance2 and organisation_payable_account(organisation) == verified


def test_a_finance_officer_who_is_a_member_of_the_organisation_cannot_verify_its_account(
    applicant, organisation, finance, now
):
    account = register(applicant, organisation, now)
    MembershipFactory(user=finance, organisation=organisation)
    with pytest.raises(ServiceError, match="medlem i organisationen"):
        payment_account_verify(actor=finance, account=account, now=now)


@pytest.mark.parametrize("role", ["case_officer", "decision_maker", "programme_admin", None])
def test_only_finance_verifies_or_rejects(applicant, organisation, now, role):
    account = register(applicant, organisation, now)
    person = UserFactory(roles=[role] if role else [])
    with pytest.raises(NotAllowed):
        payment_account_verify(actor=person, account=account, now=now)
    with pytest.raises(NotAllowed):
        payment_account_reject(actor=person, account=account, reason="Fel", now=now)
    account.refresh_from_db()
    assert account.state == PaymentAccountState.WAITING


def test_only_the_current_waiting_account_is_verified(applicant, organisation, finance, now):
    old = register(applicant, organisation, now)
    register(applicant, organisation, now, PG, "28 65 43-4")
    with pytest.raises(ServiceError, match="ersatts"):
        payment_account_verify(actor=finance, account=old, now=now)
    old.refresh_from_db()
    assert not old.is_verified


def test_an_account_is_verified_once(applicant, organisation, finance, finance2, now):
    account = payment_account_verify(actor=finance, account=register(applicant, organisation, now), now=now)
    with pytest.raises(ServiceError, match="redan verifierat"):
        payment_account_verify(actor=finance2, account=account, now=now + timedelta(days=1))
    with pytest.raises(ServiceError, match="redan verifierat"):
        payment_account_reject(actor=finance2, account=account, reason="Fel", now=now)
    account.refresh_from_db()
    assert account.verified_by == finance and account.verified_at == now


def test_finance_rejects_with_a_reason_and_a_new_account_can_then_be_registered(applicant, organisation, finance, now):
    account = register(applicant, organisation, now)
    with pytest.raises(ServiceError) as no_reason:
        payment_account_reject(actor=finance, account=account, reason="  ", now=now)
    assert no_reason.value.field == "reason"
    rejected = payment_account_reject(actor=finance, account=account, reason="Kontot tillhör inte er.", now=now)
    assert rejected.state == PaymentAccountState.REJECTED and rejected.rejection_reason == "Kontot tillhör inte er."
    verdict = payment_account_ready(organisation)
    assert not verdict and str(verdict.reason) == "Kontot är avvisat"
    with pytest.raises(ServiceError, match="redan avvisat"):
        payment_account_verify(actor=finance, account=rejected, now=now)
    # The same number may be entered again once corrected elsewhere (e.g. after a call with the bank).
    again = register(applicant, organisation, now + timedelta(hours=1))
    assert again.is_waiting and PaymentAccount.objects.filter(organisation=organisation).count() == 2
    rejected_event = OrganisationEvent.objects.get(organisation=organisation, event="payment_account.rejected")
    assert rejected_event.actor == finance and "Kontot tillhör inte er." in rejected_event.note


def test_no_account_means_not_ready(organisation):
    verdict = payment_account_ready(organisation)
    assert not verdict and str(verdict.reason) == "Inget konto"
    assert organisation_payable_account(organisation) is None


def test_every_change_is_logged_with_who_did_it(applicant, organisation, finance, now):
    account = register(applicant, organisation, now)
    payment_account_verify(actor=finance, account=account, now=now)
    logged = OrganisationEvent.objects.filter(organisation=organisation, event__startswith="payment_account")
    assert [(e.event, e.actor, e.note) for e in logged.order_by("pk")] == [
        ("payment_account.registered", applicant, "Bankgiro 5050-1055"),
        ("payment_account.verified", finance, "Bankgiro 5050-1055"),
    ]


def test_a_rejection_is_written_once_and_never_edited(applicant, organisation, finance, now):
    from grants.models.base import ImmutableRecordError

    account = payment_account_reject(
        actor=finance, account=register(applicant, organisation, now), reason="Fel bank.", now=now
    )
    account.rejection_reason = "Något annat."
    with pytest.raises(ImmutableRecordError):
        account.save()


@pytest.mark.postgres
def test_postgres_lets_a_rejection_be_set_once_and_refuses_changing_it(applicant, organisation, finance, now):
    from django.db import IntegrityError, transaction

    account = register(applicant, organisation, now)
    rows = PaymentAccount.objects.filter(pk=account.pk)
    rows.update(rejected_by=finance, rejected_at=now, rejection_reason="Fel bank.")
    for change in ({"rejection_reason": "Något annat."}, {"rejected_at": now + timedelta(days=1)}):
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():  # verified and rejected: never both
        rows.update(verified_by=UserFactory(roles=["finance"]), verified_at=now)


def test_the_demo_has_one_account_waiting_and_the_others_verified(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=__import__("io").StringIO())
    waiting = PaymentAccount.objects.filter(superseded_at__isnull=True, verified_at__isnull=True)
    assert [a.organisation.name for a in waiting] == ["Region Västernorrland"]
    assert waiting.get().created_by.email and events(waiting.get().organisation)[-1][0] == "payment_account.registered"
    assert PaymentAccount.objects.filter(verified_at__isnull=False).count() == 3
