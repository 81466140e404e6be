"""The budget per call and the grant's acceptance page in Chromium: axe-core finds no violation in Swedish and
English on the budget page (a call with paid, accepted, awaiting and released money, one granted over its
budget, one without budget), and on /grants/<pk>/accept/ for a signatory (accept and decline forms), with the
accept form's error (confirmation not ticked), for a member who is not a signatory, and after the deadline."""

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.models import Application, Call, Grant, MembershipRole, Payout, PayoutState
from grants.services.grants import grant_decline
from tests.browser.conftest import axe_violations, language_cookie, session_cookie
from tests.factories import CallFactory, MembershipFactory, UserFactory
from tests.workflows.payouts import accept_directly, make_grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = Decimal
SCREENSHOT_DIR = os.environ.get("BUDGET_SCREENSHOT_DIR", "")  # e.g. /tmp: save the pages as PNGs


def _in_call(grant, call):
    Application.objects.filter(pk=grant.application_id).update(call=call)
    return grant


@pytest.fixture
def budget_world(db):
    now = timezone.now()
    call = CallFactory(title_sv="Testa coworking 2026", title_en="Try coworking 2026", total_budget=D("1000000"))
    accepted = _in_call(make_grant(granted=D("300000")), call)
    signatory = MembershipFactory(organisation=accepted.application.organisation, role=MembershipRole.SIGNATORY).user
    accept_directly(accepted, signatory, now)
    Payout.objects.filter(grant=accepted, amount=D("240000")).update(state=PayoutState.PAID, paid_at=now)
    _in_call(make_grant(granted=D("150000")), call)
    declined = _in_call(make_grant(granted=D("100000")), call)
    decliner = MembershipFactory(organisation=declined.application.organisation, role=MembershipRole.SIGNATORY).user
    grant_decline(actor=decliner, grant=declined, now=now, reason="Projektet blir inte av.")
    over = CallFactory(title_sv="Digital samverkan", title_en="Digital cooperation", total_budget=D("400000"))
    _in_call(make_grant(granted=D("500000")), over)  # the budget was lowered after the approval
    CallFactory(title_sv="Ny utlysning utan budget", title_en="New call without budget", total_budget=D("0"))
    Call.objects.filter(applications__isnull=True).exclude(total_budget=0).delete()
    return {"finance": UserFactory(roles=["finance"]), "admin": UserFactory(roles=["programme_admin"])}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_budget_page_has_no_axe_violations(browser, live_server, budget_world, language):
    failures = {}
    for role in ("finance", "admin"):
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.add_cookies([language_cookie(language, live_server), session_cookie(budget_world[role], live_server)])
        page = context.new_page()
        page.goto(f"{live_server.url}/staff/finance/budget/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("svg.bar-chart[role=img]").count() == 3
        assert page.locator("svg.bar-chart line.bar-budget-line").count() == 1  # the over-budget call
        if found := axe_violations(page):
            failures[role] = found
        if SCREENSHOT_DIR and role == "finance":
            page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"budget-{language}.png"), full_page=True)
        context.close()
    assert not failures, failures


@pytest.fixture
def grant_world(db):
    now = timezone.now()
    grant = make_grant(granted=D("250000"), now=now)
    org = grant.application.organisation
    signatory = UserFactory(full_name="Sara Signatur")
    MembershipFactory(organisation=org, user=signatory, role=MembershipRole.SIGNATORY)
    member = UserFactory(full_name="Mats Medlem")
    MembershipFactory(organisation=org, user=member, role=MembershipRole.MEMBER)
    Grant.objects.filter(pk=grant.pk).update(
        terms="1. Bidraget får bara användas till projektet.\n\n2. Slutrapporten lämnas senast två månader efter "
        "projektets slut.\n\n3. Pengar som inte används betalas tillbaka.",
        terms_en="1. The grant may only be used for the project.\n\n2. The final report is due two months after "
        "the project ends.\n\n3. Money not used is paid back.",
    )
    return {"grant": grant, "signatory": signatory, "member": member}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_grant_acceptance_page_has_no_axe_violations(browser, live_server, grant_world, language):
    grant = grant_world["grant"]
    url = f"{live_server.url}/grants/{grant.pk}/accept/"
    failures = {}

    def visit(user, name, then=None):
        context = browser.new_context()
        context.add_cookies([language_cookie(language, live_server), session_cookie(user, live_server)])
        page = context.new_page()
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator(".terms").count() == 1
        if then:
            then(page)
        if found := axe_violations(page):
            failures[name] = found
        if SCREENSHOT_DIR:
            shot = f"grant-accept-{language}-{name.replace(' ', '-').replace(',', '')}.png"
            page.screenshot(path=os.path.join(SCREENSHOT_DIR, shot), full_page=True)
        context.close()

    def has_both_forms(page):
        assert page.locator("#id_confirm").count() == 1 and page.locator("#id_reason").count() == 1

    def submit_unticked(page):
        page.click(f"form[action$='/grants/{grant.pk}/accept/'] button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("#confirm-error").count() == 1
        assert page.locator("#id_confirm").get_attribute("aria-invalid") == "true"

    def no_forms(page):
        assert page.locator("#id_confirm").count() == 0

    visit(grant_world["signatory"], "signatory", has_both_forms)
    visit(grant_world["signatory"], "accept without confirmation", submit_unticked)
    visit(grant_world["member"], "member, not signatory", no_forms)
    Grant.objects.filter(pk=grant.pk).update(acceptance_deadline_at=timezone.now() - timedelta(minutes=1))
    visit(grant_world["signatory"], "after the deadline", no_forms)
    assert Grant.objects.get(pk=grant.pk).accepted_at is None
    assert not failures, failures
