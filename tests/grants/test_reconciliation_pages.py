"""The reconciliation pages (grants/views/staff/finance_reconcile.py): upload the bank's answer, preview it,
book it with "Bokför", see the outcome per line with the bank's reason in Swedish and English, and make a failed
payout due again; errors named GOV.UK-style; the same number of queries for few and many lines."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import BankAnswer, Payout, PayoutBatch, PayoutBatchState, PayoutState
from tests.grants.reconciliation import answer_csv, exported_batch, failed, paid, pain002


@pytest.fixture
def exported(db):
    return exported_batch(3)


def _url(e):
    return reverse("staff_finance_batch_reconcile", args=[e.batch.pk])


def _upload(client, e, content, name="svar.xml"):
    return client.post(_url(e), {"file": SimpleUploadedFile(name, content)})


def test_upload_preview_and_book_a_status_report_with_one_rejected_payment(client, exported):
    e = exported
    a, b, c = e.payouts
    client.force_login(e.people.attester)
    page = client.get(_url(e))
    assert page.status_code == 200 and "Läs in bankens svar" in page.content.decode()
    response = _upload(client, e, pain002(e.batch, [paid(a), failed(b, "AC04"), paid(c)]))
    answer = BankAnswer.objects.get()
    preview_url = reverse("staff_finance_batch_answer", args=[e.batch.pk, answer.pk])
    assert response.status_code == 302 and response["Location"] == preview_url
    html = client.get(preview_url).content.decode()
    assert "Blir utbetalda (2)" in html and "Blir misslyckade (1)" in html and "Kontot är avslutat." in html
    assert "underlaget blir avstämt" in html and 'aria-describedby="why-apply"' not in html
    assert Payout.objects.get(pk=a.pk).state == PayoutState.SENT  # nothing booked yet

    response = client.post(reverse("staff_finance_batch_answer_apply", args=[e.batch.pk, answer.pk]))
    assert response.status_code == 302 and response["Location"] == _url(e)
    assert PayoutBatch.objects.get(pk=e.batch.pk).state == PayoutBatchState.RECONCILED
    html = client.get(_url(e)).content.decode()
    assert "Bankens svar är bokfört." in html and "AC04 Kontot är avslutat." in html and "rad " in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(_url(e)).content.decode()
    assert "The account is closed." in html and "Reconciliation of batch" in html


def test_a_file_with_bad_rows_lists_each_row_and_the_button_is_disabled(client, exported):
    e = exported
    a, b, _ = e.payouts
    client.force_login(e.people.attester)
    _upload(client, e, pain002(e.batch, [paid(a), (str(b.pk), b.amount + 1, "paid", ""), ("77777", None, "paid", "")]))
    answer = BankAnswer.objects.get()
    html = client.get(reverse("staff_finance_batch_answer", args=[e.batch.pk, answer.pk])).content.decode()
    assert 'class="error-summary"' in html and "2 rader stämmer inte" in html
    assert "Okänd betalning 77777" in html and "stämmer inte med underlagets" in html
    assert 'disabled aria-describedby="why-apply"' in html
    # A forged POST is refused with the reason and changes nothing.
    client.post(reverse("staff_finance_batch_answer_apply", args=[e.batch.pk, answer.pk]))
    assert Payout.objects.get(pk=a.pk).state == PayoutState.SENT
    assert BankAnswer.objects.get().applied_at is None


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "Välj filen med bankens svar."), (b"<nej/>", "varken en statusrapport"), (b"a;b\n1;2\n", "betalning")],
)
def test_a_file_that_is_not_an_answer_is_an_error_linked_to_the_field(client, exported, content, message):
    e = exported
    client.force_login(e.people.attester)
    data = {} if content is None else {"file": SimpleUploadedFile("x.csv", content)}
    response = client.post(_url(e), data)
    html = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in html and 'href="#id_file"' in html
    assert message in html and not BankAnswer.objects.exists()


def test_a_failed_payout_is_made_due_again_from_the_page(client, exported):
    e = exported
    a, b, c = e.payouts
    client.force_login(e.people.assembler)
    _upload(client, e, answer_csv([paid(a), failed(b), paid(c)]), "svar.csv")
    client.post(reverse("staff_finance_batch_answer_apply", args=[e.batch.pk, BankAnswer.objects.get().pk]))
    html = client.get(_url(e)).content.decode()
    assert f"Betala utbetalning {b.pk} igen" in html
    response = client.post(reverse("staff_finance_payout_retry", args=[b.pk]), {"batch": e.batch.pk})
    assert response.status_code == 302 and response["Location"] == _url(e)
    assert Payout.objects.get(pk=b.pk).state == PayoutState.DUE


def test_an_open_batch_says_there_is_nothing_to_reconcile_yet(client, exported):
    e = exported
    batch = PayoutBatch.objects.create(created_by=e.people.assembler)
    client.force_login(e.people.attester)
    html = client.get(reverse("staff_finance_batch_reconcile", args=[batch.pk])).content.decode()
    assert "inte exporterat än" in html and 'type="file"' not in html


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("page", ["reconcile", "preview"])
def test_the_pages_cost_the_same_queries_for_3_and_12_lines(client, db, page):
    counts = []
    for size in (3, 12):
        e = exported_batch(size)
        client.force_login(e.people.attester)
        rows = [paid(p) for p in e.payouts[:-1]] + [failed(e.payouts[-1])]
        _upload(client, e, pain002(e.batch, rows))
        answer = BankAnswer.objects.get(batch=e.batch)
        if page == "reconcile":
            client.post(reverse("staff_finance_batch_answer_apply", args=[e.batch.pk, answer.pk]))
            url = _url(e)
        else:
            url = reverse("staff_finance_batch_answer", args=[e.batch.pk, answer.pk])
        client.get(url)  # session and caches warm
        queries, response = _count(client, url)
        counts.append(queries)
        assert response.content.decode().count("<tr") >= size
    assert counts[0] == counts[1], counts
