"""The Django admin and the organisation pages of issue 9 meet WCAG 2.1 AA: axe-core finds no violation, in
Swedish and English (issue 9 item 16: `link-in-text-block` in the admin; templates/admin/base_site.html adds
static/css/admin.css). The admin's pages: the index, changelists, change forms (with inlines and the
organisation log), the new organisation log and request admins, and a form with errors."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from grants.models import PaymentAccount
from grants.services.join_requests import join_request_create, signatory_request_create
from grants.services.memberships import membership_create_logged
from tests.browser.conftest import axe_violations, language_cookie, session_cookie
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(db):
    now = timezone.now()
    superuser = UserFactory(email="super@example.se", full_name="Sara Super", roles=["programme_admin"])
    superuser.is_superuser = True
    superuser.save()
    member = UserFactory(email="medlem@example.se", full_name="Maja Medlem")
    colleague = UserFactory(email="kollega@example.se", full_name="Kalle Kollega")
    organisation = OrganisationFactory(name="Östersunds kommun", orgnr="2120002411")
    membership = membership_create_logged(actor=None, organisation=organisation, user=member, role="MEMBER", now=now)
    other = UserFactory(email="nora@example.se", full_name="Nora Nordin")
    membership_create_logged(actor=None, organisation=organisation, user=other, role="MEMBER", now=now)
    join = join_request_create(actor=colleague, orgnr=organisation.orgnr, message="Jag är ny på enheten.", now=now)
    signatory = signatory_request_create(
        actor=member, organisation=organisation, member=member, reason="Delegation 2026:4.", now=now
    )
    call = CallFactory()
    # The organisation's account history shows on its page (a read-only inline), and in an admin of its own.
    PaymentAccount.objects.create(organisation=organisation, kind="BANKGIRO", number="50501055", created_by=superuser)
    draft = ApplicationFactory(call=call, organisation=organisation, created_by=member)
    attach_required(draft, member)
    return {
        "superuser": superuser,
        "member": member,
        "organisation": organisation,
        "membership": membership,
        "join": join,
        "signatory": signatory,
        "call": call,
        "draft": draft,
    }


def _check(page, live_server, paths, failures, language):
    for path in paths:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language, path
        if found := axe_violations(page):
            failures[f"{language} {path}"] = found


@pytest.mark.parametrize("language", ["sv", "en"])
def test_admin_pages_have_no_axe_violations(browser, live_server, world, language):
    context = browser.new_context()
    context.add_cookies([language_cookie(language, live_server), session_cookie(world["superuser"], live_server)])
    page = context.new_page()
    org = world["organisation"]
    paths = [
        "/admin/",
        "/admin/grants/",
        "/admin/grants/application/",
        f"/admin/grants/application/{world['draft'].pk}/change/",
        "/admin/grants/organisation/",
        f"/admin/grants/organisation/{org.pk}/change/",
        "/admin/grants/membership/",
        "/admin/grants/membership/add/",
        "/admin/grants/call/",
        f"/admin/grants/call/{world['call'].pk}/change/",
        f"/admin/grants/user/{world['member'].pk}/change/",
        "/admin/grants/organisationevent/",
        f"/admin/grants/organisationevent/{org.events.first().pk}/change/",
        "/admin/grants/joinrequest/",
        f"/admin/grants/joinrequest/{world['join'].pk}/change/",
        "/admin/grants/signatoryrequest/",
        f"/admin/grants/signatoryrequest/{world['signatory'].pk}/change/",
        "/admin/workflows/caseevent/",
        "/admin/grants/paymentaccount/",
        f"/admin/grants/paymentaccount/{org.payment_accounts.get().pk}/change/",
        "/admin/grants/payoutbatch/",
        "/admin/grants/organisation/add/",
        "/admin/grants/user/add/",
        f"/admin/grants/membership/{world['membership'].pk}/delete/",
        f"/admin/grants/organisation/{org.pk}/history/",
        f"/admin/auth/group/{Group.objects.get(name='case_officer').pk}/change/",
    ]
    failures: dict = {}
    _check(page, live_server, paths, failures, language)
    # A form with errors: the membership add form sent empty.
    page.goto(live_server.url + "/admin/grants/membership/add/")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert page.locator(".errornote").count() == 1
    if found := axe_violations(page):
        failures[f"{language} membership add with errors"] = found
    context.close()
    assert failures == {}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_organisation_pages_have_no_axe_violations(browser, live_server, world, language):
    context = browser.new_context()
    context.add_cookies([language_cookie(language, live_server), session_cookie(world["member"], live_server)])
    page = context.new_page()
    org = world["organisation"]
    failures: dict = {}
    _check(
        page,
        live_server,
        ["/organisations/", f"/organisations/{org.pk}/", "/organisations/join/", f"/organisations/{org.pk}/signatory/"],
        failures,
        language,
    )
    page.goto(live_server.url + "/organisations/join/")
    page.fill("#id_orgnr", "123")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.locator("#error-summary a[href='#id_orgnr']").count() == 1
    if found := axe_violations(page):
        failures[f"{language} join with errors"] = found
    context.close()
    assert failures == {}
