"""Finance's workspace and batch pages (grants/views/staff/finance_batches.py): due payouts with filters and
totals, a batch from the ticked payouts, the batch page with its payouts or frozen lines and totals per call,
the approve button disabled for the assembler with the reason the service gives, export and the files. The same
number of queries for 3 rows as for 30."""

import pytest
from django.urls import reverse

from grants.models import OrganisationType, PaymentAccountType, Payout, PayoutBatch, PayoutBatchState, PayoutState
from grants.services.batches import batch_approve, batch_create, batch_export
from tests.factories import CallFactory
from tests.grants.batches import due_payout, finance_people


@pytest.fixture
def people(db):
    return finance_people()


def _html(response):
    assert response.status_code == 200
    return response.content.decode()


def test_finance_lands_on_the_workspace_which_links_the_accounts(client, people):
    client.force_login(people.assembler)
    html = _html(client.get(reverse("staff_finance")))
    assert reverse("staff_finance_accounts") in html


def test_due_payouts_with_filters_and_totals(client, people):
    call = CallFactory()
    verified = due_payout(people, call=call)
    waiting = due_payout(people, verified=False)
    region = due_payout(people, kind=PaymentAccountType.PLUSGIRO)
    organisation = region.grant.application.organisation
    organisation.org_type = OrganisationType.REGION
    organisation.save()
    client.force_login(people.assembler)
    url = reverse("staff_finance")

    def refs(html):
        return {
            p.grant.application.reference_number
            for p in (verified, waiting, region)
            if f">{p.grant.application.reference_number}<" in html
        }

    html = _html(client.get(url))
    assert refs(html) == {p.grant.application.reference_number for p in (verified, waiting, region)}
    assert "3 utbetalningar att betala, sammanlagt 240 000 kr" in html.replace("\xa0", " ")
    assert f'name="payouts" value="{waiting.pk}"' not in html  # an unverified account cannot be ticked
    assert f'name="payouts" value="{verified.pk}"' in html
    assert refs(_html(client.get(url, {"call": call.pk}))) == {verified.grant.application.reference_number}
    assert refs(_html(client.get(url, {"verified": "no"}))) == {waiting.grant.application.reference_number}
    assert refs(_html(client.get(url, {"org_type": "REGION"}))) == {region.grant.application.reference_number}
    for bad in ("x", "²", "9" * 30):  # ignored, never a 500
        assert _html(client.get(url, {"call": bad, "org_type": "<b>", "verified": "maybe"}))


def test_create_a_batch_from_the_ticked_payouts(client, people):
    payouts = [due_payout(people) for _ in range(2)]
    client.force_login(people.assembler)
    response = client.post(reverse("staff_finance_batch_create"), {"payouts": [payouts[0].pk]})
    batch = PayoutBatch.objects.get()
    assert response["Location"] == reverse("staff_finance_batch", args=[batch.pk])
    assert Payout.objects.get(pk=payouts[0].pk).batch == batch
    assert Payout.objects.get(pk=payouts[1].pk).state == PayoutState.DUE


def test_creating_with_nothing_ticked_says_so(client, people):
    due_payout(people)
    client.force_login(people.assembler)
    for bad in (["x"], ["²"], ["9" * 30], []):
        response = client.post(reverse("staff_finance_batch_create"), {"payouts": bad}, follow=True)
        assert "Välj minst en utbetalning" in _html(response)
    assert not PayoutBatch.objects.exists()


def test_the_assembler_sees_the_approve_button_disabled_with_the_reason(client, people):
    batch = batch_create(actor=people.assembler, payout_ids=[due_payout(people).pk], now=people.now)
    client.force_login(people.assembler)
    html = _html(client.get(reverse("staff_finance_batch", args=[batch.pk])))
    assert 'disabled aria-describedby="why-approve"' in html
    assert "två personer ska attestera" in html
    response = client.post(reverse("staff_finance_batch_approve", args=[batch.pk]), follow=True)
    assert "två personer ska attestera" in _html(response)
    assert PayoutBatch.objects.get().state == PayoutBatchState.OPEN

    client.force_login(people.attester)
    html = _html(client.get(reverse("staff_finance_batch", args=[batch.pk])))
    assert 'aria-describedby="why-approve"' not in html
    client.post(reverse("staff_finance_batch_approve", args=[batch.pk]))
    assert PayoutBatch.objects.get().state == PayoutBatchState.APPROVED


def test_export_and_download_the_files(client, people):
    batch = batch_create(actor=people.assembler, payout_ids=[due_payout(people).pk], now=people.now)
    batch_approve(actor=people.attester, batch=batch, now=people.now)
    client.force_login(people.assembler)
    client.post(reverse("staff_finance_batch_export", args=[batch.pk]))
    assert PayoutBatch.objects.get().state == PayoutBatchState.EXPORTED
    html = _html(client.get(reverse("staff_finance_batch", args=[batch.pk])))
    for document in batch.documents.all():
        url = reverse("staff_document_download", args=[document.pk])
        assert url in html and document.sha256 in html
        assert client.get(url).status_code == 200


def test_remove_a_payout_from_an_open_batch(client, people):
    payout = due_payout(people)
    batch = batch_create(actor=people.assembler, payout_ids=[payout.pk], now=people.now)
    client.force_login(people.attester)
    client.post(reverse("staff_finance_batch_remove_payout", args=[batch.pk, payout.pk]))
    assert Payout.objects.get(pk=payout.pk).state == PayoutState.DUE


def _world(people, n):
    payouts = [due_payout(people, kind=PaymentAccountType.values[i % 3]) for i in range(n)]
    open_batch = batch_create(actor=people.assembler, payout_ids=[p.pk for p in payouts[: n // 2]], now=people.now)
    attested = batch_create(actor=people.assembler, payout_ids=[p.pk for p in payouts[n // 2 :]], now=people.now)
    batch_approve(actor=people.attester, batch=attested, now=people.now)
    batch_export(actor=people.attester, batch=attested, now=people.now)
    for _ in range(n):
        due_payout(people)
    return open_batch, attested


@pytest.mark.parametrize("page", ["workspace", "open", "exported"])
def test_same_queries_for_few_and_many_rows(client, people, django_assert_max_num_queries, page):
    counts = []
    for n in (3, 30):
        open_batch, attested = _world(people, n)
        url = {
            "workspace": reverse("staff_finance"),
            "open": reverse("staff_finance_batch", args=[open_batch.pk]),
            "exported": reverse("staff_finance_batch", args=[attested.pk]),
        }[page]
        client.force_login(people.assembler)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    with django_assert_max_num_queries(counts[0]):
        assert client.get(url).status_code == 200
    assert counts[0] == counts[1], counts


def test_an_exported_batch_leads_to_reading_in_the_banks_answer(client, people):
    from tests.grants.reconciliation import exported_batch

    exported = exported_batch(1, people)
    client.force_login(people.attester)
    html = _html(client.get(reverse("staff_finance_batch", args=[exported.batch.pk])))
    assert reverse("staff_finance_batch_reconcile", args=[exported.batch.pk]) in html
    assert "Läs in bankens svar" in html
