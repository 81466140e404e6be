"""The budget per call (grants/selectors/budget.py): one definition of granted, accepted, paid, released and
left, the same figures the decision approval checks against."""

from decimal import Decimal

from grants.models import Call, GrantState, PayoutState
from grants.selectors.budget import call_budget, call_budgets, committed_annotation
from grants.services.cases import call_committed_amount
from grants.services.grants import grant_accept, grant_decline
from tests.workflows.payouts import payout_act, payout_world


def test_each_figure_follows_the_grants_and_payouts(db):
    accepted = payout_world(accepted=False)
    call = accepted.grant.application.call
    Call.objects.filter(pk=call.pk).update(total_budget=Decimal("1000000.00"))
    call.refresh_from_db()
    declined = payout_world(accepted=False)
    declined.grant.application.__class__.objects.filter(pk=declined.grant.application_id).update(call=call)
    waiting = payout_world(accepted=False)
    waiting.grant.application.__class__.objects.filter(pk=waiting.grant.application_id).update(call=call)

    grant_accept(actor=accepted.signatory, grant=accepted.grant, now=accepted.now, language="sv")
    grant_decline(actor=declined.signatory, grant=declined.grant, now=declined.now, reason="Projektet blir inte av.")
    accepted.grant.refresh_from_db()
    advance = accepted.grant.payouts.get(state=PayoutState.DUE)
    for action in ("put_in_batch", "mark_sent", "mark_paid"):
        payout_act(action, advance, accepted)

    budget = call_budget(call)
    assert budget.granted == Decimal("300000.00")
    assert budget.accepted == Decimal("100000.00")
    assert budget.paid == Decimal("80000.00")
    assert budget.released == Decimal("100000.00")
    assert budget.committed == Decimal("200000.00") == call_committed_amount(call)
    assert budget.left == Decimal("800000.00")
    admin_committed = Call.objects.filter(pk=call.pk).annotate(c=committed_annotation()).get().c
    assert admin_committed == budget.committed
    assert waiting.grant.state == GrantState.AWAITING_ACCEPTANCE


def test_a_call_without_grants_has_it_all_left(db):
    call = payout_world().grant.application.call
    other = Call.objects.exclude(pk=call.pk).first() or call
    budgets = call_budgets([other])
    assert budgets[other.pk].left == other.total_budget - budgets[other.pk].committed


def test_constant_queries_in_the_number_of_calls(db, django_assert_num_queries):
    worlds = [payout_world() for _ in range(4)]
    calls = [w.grant.application.call for w in worlds]
    with django_assert_num_queries(2):
        call_budgets(calls[:1])
    with django_assert_num_queries(2):
        call_budgets(calls)
