"""The payment account pages in Chromium: axe-core finds no violation in Swedish and English, on the
organisation page's account section with history, the register form with its errors, and finance's list
(with a verify button disabled with its reason) and reject page with its errors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grants.services.payment_accounts import payment_account_register, payment_account_verify
from tests.browser.conftest import axe_violations, language_cookie, session_cookie
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    now = timezone.now()
    member = UserFactory(email="konto@example.se", full_name="Kim Konto")
    org = MembershipFactory(user=member).organisation
    finance = UserFactory(email="ekonomi@example.se", full_name="Eva Ekonomi", roles=["finance"])
    old = payment_account_register(actor=member, organisation=org, kind="BANKGIRO", number="5050-1055", now=now)
    payment_account_verify(actor=finance, account=old, now=now)
    payment_account_register(
        actor=member, organisation=org, kind="PLUSGIRO", number="28 65 43-4", now=now + timedelta(hours=1)
    )
    # An account the finance officer registered as a member of another organisation: their button is disabled.
    other = OrganisationFactory(name="Annan kommun")
    MembershipFactory(user=finance, organisation=other)
    own = payment_account_register(actor=finance, organisation=other, kind="BANKGIRO", number="5050-1055", now=now)
    return {"member": member, "finance": finance, "org": org, "own": own}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_payment_account_pages_have_no_axe_violations(browser, live_server, world, language):
    context = browser.new_context()
    context.add_cookies([language_cookie(language, live_server), session_cookie(world["member"], live_server)])
    page = context.new_page()
    failures = {}

    def check(name):
        assert page.locator("html").get_attribute("lang") == language
        if found := axe_violations(page):
            failures[name] = found

    org_url = f"{live_server.url}/organisations/{world['org'].pk}/"
    page.goto(org_url)
    assert page.locator("#account").count() == 1 and "28 65 43-4" in page.content()
    check("organisation page")
    page.goto(org_url + "account/")
    page.check("#id_kind_0")
    page.fill("#id_number", "5050-1056")
    page.click("main form[action$='/account/'] button[type=submit]")
    assert page.locator("#error-summary").count() == 1
    check("account form with errors")

    context.clear_cookies()
    context.add_cookies([language_cookie(language, live_server), session_cookie(world["finance"], live_server)])
    page.goto(f"{live_server.url}/staff/finance/accounts/")
    assert page.locator(f"#why-verify-{world['own'].pk}").count() == 1
    check("finance list")
    page.goto(f"{live_server.url}/staff/finance/accounts/?state=all")
    check("finance list, all")
    page.goto(f"{live_server.url}/staff/finance/accounts/{world['own'].pk}/reject/")
    page.click("main form button[type=submit]")
    assert page.locator("#error-summary").count() == 1
    check("reject with errors")
    context.close()
    assert not failures, failures
