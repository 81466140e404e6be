"""The same file twice pays nothing twice (DESIGN.md §5 rule 4, §7), under concurrency, on PostgreSQL with real
parallel connections: two finance officers import and book the same bank answer at the same instant, and so do
two officers with two different files that both say the payouts were paid. Each payout is paid once, one
booking wins and the other is refused with a message, and nobody deadlocks. Also: the database keeps the
booked answer and its entries as they are."""

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction

from grants.errors import ServiceError
from grants.models import BankAnswer, Payout, PayoutBatchState, PayoutState, ReconciliationEntry
from tests.factories import UserFactory
from tests.grants.reconciliation import answer_csv, camt054, exported_batch, paid, pain002
from workflows.models import CaseEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(e, contents):
    from grants.services.reconciliation import reconciliation_apply, reconciliation_preview

    officers = [UserFactory(roles=["finance"]) for _ in contents]
    barrier = threading.Barrier(len(contents))
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(officer, content, name):
        try:
            barrier.wait(timeout=60)
            try:
                preview = reconciliation_preview(
                    actor=officer, batch=e.batch.pk, content=content, filename=name, now=e.people.now
                )
                reconciliation_apply(actor=officer, answer=preview.answer.pk, now=e.people.now)
                result = "booked"
            except ServiceError:
                result = "refused"
        except Exception as exc:  # a deadlock, a unique violation or anything else is a bug
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=(o, c, n)) for o, (c, n) in zip(officers, contents, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def _paid_once(e):
    ids = [p.pk for p in e.payouts]
    assert set(Payout.objects.filter(pk__in=ids).values_list("state", flat=True)) == {PayoutState.PAID}
    paid_events = CaseEvent.objects.filter(event="payout.paid", subject_id__in=ids)
    assert sorted(paid_events.values_list("subject_id", flat=True)) == sorted(ids)
    assert ReconciliationEntry.objects.filter(outcome="PAID").count() == len(ids)
    assert CaseEvent.objects.filter(event="batch.reconciled").count() == 1
    e.batch.refresh_from_db()
    assert e.batch.state == PayoutBatchState.RECONCILED


def test_two_reconciliations_of_the_same_file_at_once_pay_once():
    assert connection.vendor == "postgresql"
    e = exported_batch(4)
    content = pain002(e.batch, [paid(p) for p in e.payouts])
    outcomes = _race(e, [(content, "svar.xml"), (content, "svar-kopia.xml")])
    assert sorted(outcomes) == ["booked", "refused"], outcomes
    assert BankAnswer.objects.count() == 1
    _paid_once(e)


def test_two_different_files_paying_the_same_payouts_at_once_pay_once():
    e = exported_batch(4)
    outcomes = _race(
        e,
        [
            (camt054(e.batch, [paid(p) for p in e.payouts]), "avi.xml"),
            (answer_csv([paid(p) for p in e.payouts]), "svar.csv"),
        ],
    )
    # The second waits for the first's payout locks, then finds every payout paid: nothing left to book.
    assert sorted(outcomes) == ["booked", "refused"], outcomes
    _paid_once(e)


def test_the_database_keeps_a_booked_answer_and_its_entries():
    from grants.services.reconciliation import reconciliation_apply, reconciliation_preview

    e = exported_batch(1)
    preview = reconciliation_preview(
        actor=e.people.assembler,
        batch=e.batch,
        content=answer_csv([paid(e.payouts[0])]),
        filename="a.csv",
        now=e.people.now,
    )
    reconciliation_apply(actor=e.people.attester, answer=preview.answer, now=e.people.now)
    for sql in (
        "UPDATE grants_bankanswer SET applied_at = NULL, applied_by_id = NULL",
        "UPDATE grants_bankanswer SET sha256 = 'x'",
        "DELETE FROM grants_bankanswer",
        "UPDATE grants_reconciliationentry SET outcome = 'FAILED'",
        "DELETE FROM grants_reconciliationentry",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
