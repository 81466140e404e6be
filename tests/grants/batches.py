"""Due payouts for the batch services and pages: each from its own approved, accepted grant, to an account of
the kind asked for, verified by a second person (tests/workflows/payouts.py makes the grants)."""

import itertools
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from stdnum import luhn

from grants.models import MembershipRole, Organisation, PaymentAccount, PaymentAccountType, Payout, PayoutTrigger, User
from tests.factories import MembershipFactory, UserFactory
from tests.workflows.payouts import accept_directly, make_grant
from workflows.payout import PayoutFlow

ACCOUNTS = {
    PaymentAccountType.BANKGIRO: ("56788003", ""),
    PaymentAccountType.PLUSGIRO: ("9001223", ""),
    PaymentAccountType.IBAN: ("DE89370400440532013000", "COBADEFF"),
}


_numbers = itertools.count(1)


def fresh_organisation() -> Organisation:
    """An organisation of its own with a valid organisation number (the factory's few numbers repeat)."""
    n = next(_numbers)
    digits = f"802{n:06d}"
    return Organisation.objects.create(
        name=f"Förening {n}", orgnr=digits + luhn.calc_check_digit(digits), org_type="MUNICIPALITY"
    )


@dataclass
class Finance:
    assembler: User
    attester: User
    now: datetime


def finance_people() -> Finance:
    return Finance(UserFactory(roles=["finance"]), UserFactory(roles=["finance"]), timezone.now())


def due_payout(
    people: Finance, *, kind: str = PaymentAccountType.BANKGIRO, verified: bool = True, call=None, **grant
) -> Payout:
    """The advance (80 %) of a new accepted grant, DUE, to a verified account of `kind`."""
    now = people.now
    made = make_grant(now=now, **grant)
    made.application.organisation = fresh_organisation()
    if call is not None:
        made.application.call = call
    made.application.save(update_fields=["call", "organisation"])
    organisation = made.application.organisation
    signatory = MembershipFactory(organisation=organisation, role=MembershipRole.SIGNATORY).user
    number, bic = ACCOUNTS[kind]
    PaymentAccount.objects.create(
        organisation=organisation,
        kind=kind,
        number=number,
        bic=bic,
        created_by=signatory,
        verified_by=people.attester if verified else None,
        verified_at=now if verified else None,
    )
    accept_directly(made, signatory, now)
    payout = made.payouts.get(trigger=PayoutTrigger.ON_ACCEPTANCE)
    PayoutFlow(payout, actor=None).make_due(now=now)
    return payout
