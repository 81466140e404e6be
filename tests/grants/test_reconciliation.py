"""Reconciliation (grants/services/reconciliation.py, DESIGN.md §7): the bank's answer previewed, then booked
atomically; a file with any bad row changes nothing; the same file twice pays nothing twice; Σ paid ≤ granted."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.models import Document, DocumentKind
from grants.errors import NotAllowed, ServiceError
from grants.models import BankAnswer, Payout, PayoutBatch, PayoutBatchState, PayoutState, ReconciliationEntry
from grants.services.reconciliation import (
    ReconciliationRefused,
    answer_preview,
    payout_retry,
    reconciliation_apply,
    reconciliation_preview,
)
from tests.factories import UserFactory
from tests.grants.reconciliation import answer_csv, camt054, exported_batch, failed, paid, pain002
from tests.workflows.batches import batch_snapshot
from workflows.models import CaseEvent

P = PayoutState


@pytest.fixture
def exported(db):
    return exported_batch(3)


def _preview(e, content, name="svar.xml"):
    return reconciliation_preview(
        actor=e.people.assembler, batch=e.batch, content=content, filename=name, now=e.people.now
    )


def _apply(e, preview, actor=None):
    return reconciliation_apply(actor=actor or e.people.attester, answer=preview.answer, now=e.people.now)


def _states(e):
    return [Payout.objects.get(pk=p.pk).state for p in e.payouts]


def _ids(rows):
    return [row.payout_id for row in rows]


@pytest.mark.parametrize("build", ["pain002", "camt054", "csv"])
def test_one_rejected_payment_fails_the_rest_are_paid_and_the_batch_is_reconciled(exported, build):
    e = exported
    a, b, c = e.payouts
    rows = [paid(a), failed(b, "AC04"), paid(c)]
    content = {"pain002": lambda: pain002(e.batch, rows), "camt054": lambda: camt054(e.batch, rows)}.get(
        build, lambda: answer_csv(rows)
    )()
    preview = _preview(e, content, "svar.csv" if build == "csv" else "svar.xml")
    assert _ids(preview.matched.paid) == [a.pk, c.pk] and _ids(preview.matched.failed) == [b.pk]
    assert preview.problems == [] and preview.completes_batch
    assert str(preview.matched.failed[0].reason_label) == "Kontot är avslutat."
    assert _states(e) == [P.SENT] * 3  # a preview changes nothing

    _apply(e, preview)
    assert _states(e) == [P.PAID, P.FAILED, P.PAID]
    batch = PayoutBatch.objects.get(pk=e.batch.pk)
    assert batch.state == PayoutBatchState.RECONCILED and batch.reconciled_at == e.people.now
    answer = BankAnswer.objects.get(pk=preview.answer.pk)
    assert answer.applied_by == e.people.attester and answer.document.kind == DocumentKind.BANK_ANSWER
    entries = {x.payout_id: (x.outcome, x.reason_code) for x in ReconciliationEntry.objects.all()}
    assert entries == {a.pk: ("PAID", ""), b.pk: ("FAILED", "AC04"), c.pk: ("PAID", "")}
    assert CaseEvent.objects.filter(event="payout.failed", subject_id=b.pk, note__contains="AC04").exists()
    assert CaseEvent.objects.filter(event="batch.reconciled", subject_id=e.batch.pk).count() == 1


def test_the_stored_file_has_its_sha256_and_a_second_import_is_the_same_answer(exported):
    e = exported
    content = pain002(e.batch, [paid(p) for p in e.payouts])
    first = _preview(e, content)
    again = _preview(e, content, "kopia.xml")
    assert first.answer.pk == again.answer.pk
    assert Document.objects.filter(kind=DocumentKind.BANK_ANSWER).count() == 1
    import hashlib

    assert first.answer.sha256 == hashlib.sha256(content).hexdigest() == first.answer.document.sha256


def test_the_same_file_twice_pays_nothing_twice(exported):
    e = exported
    content = camt054(e.batch, [paid(p) for p in e.payouts])
    _apply(e, _preview(e, content))
    events = CaseEvent.objects.count()
    preview = _preview(e, content)
    assert preview.already_applied
    with pytest.raises(ServiceError, match="redan bokförd"):
        _apply(e, preview)
    assert CaseEvent.objects.count() == events
    assert ReconciliationEntry.objects.filter(outcome="PAID").count() == 3


def test_another_file_saying_paid_again_skips_the_paid_payouts_and_books_nothing(exported):
    e = exported
    a, b, c = e.payouts
    _apply(e, _preview(e, pain002(e.batch, [paid(a), paid(b), (str(c.pk), c.amount, "pending", "")])))
    later = _preview(e, camt054(e.batch, [paid(a), paid(b), paid(c)]))
    assert _ids(later.matched.skipped) == [a.pk, b.pk] and _ids(later.matched.paid) == [c.pk]
    _apply(e, later)
    assert ReconciliationEntry.objects.filter(payout=a, outcome="PAID").count() == 1
    assert CaseEvent.objects.filter(event="payout.paid", subject_id=a.pk).count() == 1
    assert PayoutBatch.objects.get(pk=e.batch.pk).state == PayoutBatchState.RECONCILED


def test_a_pending_payment_leaves_the_batch_exported(exported):
    e = exported
    a, b, c = e.payouts
    preview = _preview(e, pain002(e.batch, [paid(a), paid(b), (str(c.pk), None, "pending", "")]))
    assert _ids(preview.matched.pending) == [c.pk] and preview.waiting == 1 and not preview.completes_batch
    _apply(e, preview)
    assert _states(e) == [P.PAID, P.PAID, P.SENT]
    assert PayoutBatch.objects.get(pk=e.batch.pk).state == PayoutBatchState.EXPORTED


def _bad_rows(e):
    a, b, c = e.payouts
    other = exported_batch(1, people=e.people).payouts[0]
    return [
        paid(a),
        (str(b.pk), b.amount + Decimal("0.01"), "paid", ""),  # amount differs from the frozen line
        ("999999", Decimal("5.00"), "paid", ""),  # no such payout
        ("²", Decimal("5.00"), "paid", ""),  # a "digit" that is no id (str.isdigit says yes)
        paid(other),  # a payout of another batch
        paid(c),
        paid(c),  # duplicate
    ]


def test_a_file_with_bad_rows_names_each_with_its_line_and_changes_nothing(exported):
    e = exported
    a, b, c = e.payouts
    rows = _bad_rows(e)
    preview = _preview(e, pain002(e.batch, rows))
    messages = [(m.line, str(m.message)) for m in preview.problems]
    assert len(messages) == 5, messages
    assert "stämmer inte med underlagets" in messages[0][1] and str(b.pk) in messages[0][1]
    assert "Okänd betalning 999999" in messages[1][1]
    assert "Okänd betalning ²" in messages[2][1]
    assert "finns inte i detta underlag" in messages[3][1]
    assert "finns redan på rad" in messages[4][1]
    assert [line for line, _ in messages] == sorted(line for line, _ in messages)
    before = batch_snapshot(e.batch)
    with pytest.raises(ReconciliationRefused) as refused:
        _apply(e, preview)
    assert len(refused.value.problems) == 5
    assert batch_snapshot(e.batch) == before
    assert BankAnswer.objects.get(pk=preview.answer.pk).applied_at is None


def test_a_csv_with_a_bad_row_changes_nothing(exported):
    e = exported
    a, b, _ = e.payouts
    content = answer_csv([paid(a), failed(b)]) + b"inte-ett-id;12,00;betald;;\n;1,00;konstig;;\n"
    preview = _preview(e, content, "svar.csv")
    assert preview.problems and all(m.line >= 4 for m in preview.problems)
    before = batch_snapshot(e.batch)
    with pytest.raises(ReconciliationRefused):
        _apply(e, preview)
    assert batch_snapshot(e.batch) == before


def test_a_row_about_a_payout_not_sent_is_a_problem(exported):
    e = exported
    a, b, c = e.payouts
    _apply(e, _preview(e, pain002(e.batch, [paid(a), failed(b), paid(c)])))
    preview = _preview(e, camt054(e.batch, [failed(a)]))
    assert [str(m.message) for m in preview.problems] == [
        f"Utbetalning {a.pk} är utbetald, inte skickad i detta underlag."
    ]


def test_a_whole_file_rejected_fails_every_payout_and_a_status_of_another_file_is_a_problem(exported):
    e = exported
    rejected = pain002(e.batch, [], group="RJCT")
    preview = _preview(e, rejected)
    assert sorted(_ids(preview.matched.failed)) == sorted(p.pk for p in e.payouts) and not preview.problems
    other = _preview(e, pain002(e.batch, [], group="RJCT", msg_id="SAMVERKET-BATCH-0"))
    assert [str(m.message) for m in other.problems] == [
        f"Statusen gäller betalfilen SAMVERKET-BATCH-0, inte detta underlags SAMVERKET-BATCH-{e.batch.pk}."
    ]


def test_camt054_booked_then_returned_is_failed(exported):
    e = exported
    a, b, c = e.payouts
    preview = _preview(e, camt054(e.batch, [paid(a), paid(b), failed(b, "AC01"), paid(c)]))
    assert not preview.problems and _ids(preview.matched.failed) == [b.pk]


def test_files_that_are_not_answers_and_batches_not_exported_are_refused_and_store_nothing(db):
    e = exported_batch(1)
    for content, words in ((b"", "tom"), (b"<x/>", "varken"), (b"<?xml version='1.0'?><Document", "")):
        with pytest.raises(ServiceError) as refused:
            _preview(e, content)
        assert words in str(refused.value.message) and refused.value.field == "file"
    open_batch = PayoutBatch.objects.create(created_by=e.people.assembler)
    with pytest.raises(ServiceError, match="inte exporterat"):
        reconciliation_preview(
            actor=e.people.assembler, batch=open_batch, content=answer_csv([]), filename="a.csv", now=e.people.now
        )
    assert not BankAnswer.objects.exists() and not Document.objects.filter(kind=DocumentKind.BANK_ANSWER).exists()


def test_only_finance_previews_books_and_retries(exported):
    e = exported
    stranger = UserFactory(roles=["case_officer"])
    with pytest.raises(NotAllowed):
        reconciliation_preview(actor=stranger, batch=e.batch, content=b"x", filename="a.csv", now=e.people.now)
    preview = _preview(e, pain002(e.batch, [paid(p) for p in e.payouts]))
    with pytest.raises(NotAllowed):
        _apply(e, preview, actor=stranger)
    with pytest.raises(NotAllowed):
        payout_retry(actor=stranger, payout=e.payouts[0], now=e.people.now)


def test_a_failed_payout_is_due_again_once_the_account_is_verified_and_goes_into_a_later_batch(exported):
    from grants.services.batches import batch_create
    from grants.services.payment_accounts import payment_account_register, payment_account_verify

    e = exported
    a, b, c = e.payouts
    with pytest.raises(ServiceError, match="misslyckad"):
        payout_retry(actor=e.people.assembler, payout=a, now=e.people.now)  # still SENT
    _apply(e, _preview(e, pain002(e.batch, [paid(a), failed(b), paid(c)])))
    # The organisation registers a new account after the failure: waiting for verification, no retry yet.
    organisation = b.grant.application.organisation
    member = organisation.memberships.first().user
    new = payment_account_register(
        actor=member, organisation=organisation, kind="PLUSGIRO", number="9001223", bic="", now=e.people.now
    )
    with pytest.raises(ServiceError, match="inte verifierat"):
        payout_retry(actor=e.people.assembler, payout=b, now=e.people.now)
    payment_account_verify(actor=e.people.attester, account=new, now=e.people.now)
    retried = payout_retry(actor=e.people.assembler, payout=b, now=e.people.now)
    assert retried.state == P.DUE and retried.batch_id is None
    later = batch_create(actor=e.people.assembler, payout_ids=[b.pk], now=e.people.now)
    assert Payout.objects.get(pk=b.pk).batch_id == later.pk
    assert e.batch.lines.filter(payout=b).exists()  # the old batch keeps its frozen line


def test_answer_preview_reads_the_stored_file_again(exported):
    e = exported
    preview = _preview(e, pain002(e.batch, [paid(p) for p in e.payouts]))
    again = answer_preview(BankAnswer.objects.get(pk=preview.answer.pk))
    assert _ids(again.matched.paid) == _ids(preview.matched.paid)


# --- property: random answers, applied in random order, never pay more than granted, nor a payout twice -----

OUTCOMES = st.sampled_from(["paid", "failed", "pending", "wrong_amount", "unknown"])


@pytest.mark.django_db
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    answers=st.lists(
        st.tuples(
            st.sampled_from(["pain002", "camt054", "csv"]), st.lists(st.tuples(st.integers(0, 2), OUTCOMES), max_size=5)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_random_answers_keep_paid_within_granted_and_pay_each_payout_once(answers):
    with transaction.atomic():  # each example starts from an empty world
        _random_answers(answers)
        transaction.set_rollback(True)


def _random_answers(answers):
    e = exported_batch(3)
    for kind, picks in answers:
        rows = []
        for index, outcome in picks:
            p = e.payouts[index]
            if outcome == "wrong_amount":
                rows.append((str(p.pk), p.amount + 1, "paid", ""))
            elif outcome == "unknown":
                rows.append(("4242424", Decimal("1.00"), "paid", ""))
            else:
                rows.append((str(p.pk), p.amount, outcome, "AC01" if outcome == "failed" else ""))
        if kind == "csv":
            rows = [r for r in rows if r[2] != "pending"]
            content, name = answer_csv(rows), "a.csv"
        else:
            content, name = (pain002 if kind == "pain002" else camt054)(e.batch, rows), "a.xml"
        try:
            preview = _preview(e, content, name)
            _apply(e, preview)
        except ServiceError:
            pass
        for payout in e.payouts:
            payout.refresh_from_db()
            grant = payout.grant
            paid_total = sum(p.amount for p in grant.payouts.filter(state=P.PAID))
            assert paid_total <= grant.granted_amount
            assert CaseEvent.objects.filter(event="payout.paid", subject_id=payout.pk).count() <= 1
            assert ReconciliationEntry.objects.filter(payout=payout, outcome="PAID").count() == (payout.state == P.PAID)
    batch = PayoutBatch.objects.get(pk=e.batch.pk)
    settled = all(p.state in (P.PAID, P.FAILED) for p in e.payouts)
    assert (batch.state == PayoutBatchState.RECONCILED) == settled
