"""Finance's workspace and batch pages in Chromium: axe-core finds no violation in Swedish and English, on the
workspace (due payouts with filters, one not payable, the batches), an open batch seen by its assembler (the
approve button disabled with its reason) and an exported batch with its frozen lines and files."""

import pytest

from grants.models import PaymentAccountType
from grants.services.batches import batch_approve, batch_create, batch_export
from tests.browser.conftest import axe_violations, language_cookie, session_cookie
from tests.grants.batches import due_payout, finance_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    people = finance_people()
    payouts = [due_payout(people, kind=kind) for kind in PaymentAccountType.values]
    due_payout(people)
    due_payout(people, verified=False)
    open_batch = batch_create(actor=people.assembler, payout_ids=[payouts[0].pk], now=people.now)
    exported = batch_create(actor=people.assembler, payout_ids=[p.pk for p in payouts[1:]], now=people.now)
    batch_approve(actor=people.attester, batch=exported, now=people.now)
    batch_export(actor=people.attester, batch=exported, now=people.now)
    return {"people": people, "open": open_batch, "exported": exported}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_finance_batch_pages_have_no_axe_violations(browser, live_server, world, language):
    context = browser.new_context()
    assembler = world["people"].assembler
    context.add_cookies([language_cookie(language, live_server), session_cookie(assembler, live_server)])
    page = context.new_page()
    failures = {}

    def check(name):
        assert page.locator("html").get_attribute("lang") == language
        if found := axe_violations(page):
            failures[name] = found

    page.goto(f"{live_server.url}/staff/finance/")
    assert page.locator("input[name=payouts]").count() == 1  # the unverified one cannot be ticked
    check("workspace")
    page.goto(f"{live_server.url}/staff/finance/?verified=no")
    check("workspace, unverified accounts")
    page.goto(f"{live_server.url}/staff/finance/batches/{world['open'].pk}/")
    assert page.locator("#why-approve").count() == 1
    check("open batch, assembler")
    page.goto(f"{live_server.url}/staff/finance/batches/{world['exported'].pk}/")
    assert page.locator("a[href^='/staff/documents/']").count() == 3
    check("exported batch")
    context.close()
    assert not failures, failures
