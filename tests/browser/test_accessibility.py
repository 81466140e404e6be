"""Pages a Swedish public body can publish: axe-core (WCAG 2.1 A and AA rules, and its best practices) finds
no violation, in Swedish and English, including pages showing form errors; the skip link and the focus ring
work. Issue 9 item 16: every page a person can reach, staff pages (workspace, queues, case, proposal,
decisions, progress, reviews) and error pages included; the admin is in test_admin_accessibility.py."""

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from documents.services import decision_letter_issue
from grants.models import ApplicationState, Review, ReviewScore
from grants.services.applications import application_submit
from grants.services.reviews import review_assign
from tests.browser.conftest import axe_violations, language_cookie, session_cookie
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, MembershipFactory, UserFactory
from tests.workflows.lifecycle import bring_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session_cookie(user, live_server):
    return session_cookie(user, live_server)


def _violations(page):
    return axe_violations(page)


@pytest.fixture
def world(db):
    user = UserFactory(email="a11y@example.se", full_name="Åsa Ärlig")
    membership = MembershipFactory(user=user)
    call = CallFactory()
    draft = ApplicationFactory(call=call, organisation=membership.organisation, created_by=user)
    attach_required(draft, user)
    return {"user": user, "call": call, "draft": draft, "org": membership.organisation}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_pages_have_no_axe_violations(browser, live_server, world, language):
    context = browser.new_context()
    context.add_cookies(
        [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )
    page = context.new_page()
    anonymous = [
        "/",
        "/calls/",
        f"/calls/{world['call'].pk}/",
        "/accounts/login/",
        "/accounts/register/",
        "/accounts/password-reset/",
        "/accounts/password-reset/sent/",
        "/accounts/reset/done/",
        "/accounts/activate/MQ/fel-lank/",  # a broken activation link
        "/accessibility/",
        "/finns-inte/",  # the 404 page
    ]
    failures = {}
    for path in anonymous:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == language
        if found := _violations(page):
            failures[path] = found

    # Forms showing their errors: the summary, the linked fields, aria-invalid.
    page.goto(live_server.url + "/accounts/register/")
    page.click("main button[type=submit]")
    assert page.locator("#error-summary").count() == 1
    if found := _violations(page):
        failures["register with errors"] = found

    context.add_cookies([_session_cookie(world["user"], live_server)])
    app = world["draft"].pk
    logged_in = [
        "/applications/",
        "/organisations/",
        "/organisations/new/",
        f"/organisations/{world['org'].pk}/",
        "/organisations/join/",
        f"/organisations/{world['org'].pk}/signatory/",
        f"/applications/{app}/",
        f"/applications/{app}/edit/project/",
        f"/applications/{app}/edit/budget/",
        f"/applications/{app}/edit/period/",
        f"/applications/{app}/edit/attachments/",
        f"/applications/{app}/preview/",
        f"/applications/{app}/delete/",
    ]
    for path in logged_in:
        page.goto(live_server.url + path)
        if found := _violations(page):
            failures[path] = found

    page.goto(live_server.url + f"/applications/{app}/edit/period/")
    page.fill("#id_start_date", "2027-05-01")
    page.fill("#id_end_date", "2027-01-01")
    page.click("button[name=save]")
    assert page.locator("#error-summary a[href='#id_end_date']").count() == 1
    assert page.locator("#id_end_date").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_start_date").input_value() == "2027-05-01"  # typed work kept
    if found := _violations(page):
        failures["period with errors"] = found

    page.goto(live_server.url + f"/applications/{app}/preview/")
    page.click("form[action$='/submit/'] button")
    page.wait_for_url("**/receipt/")
    if found := _violations(page):
        failures["receipt"] = found
    context.close()
    assert failures == {}


def test_skip_link_and_visible_focus(browser, live_server, world):
    page = browser.new_page()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.close()


def test_axe_reports_a_known_violation(browser):
    """Guards the guard: if axe stopped running, the page tests above would pass on anything."""
    page = browser.new_page()
    page.set_content(
        '<html lang="sv"><head><title>x</title></head><body><main><input type="text"></main></body></html>'
    )
    assert "label" in {v[0] for v in _violations(page)}
    page.close()


# --- staff pages and error pages (issue 9 item 16: every page a person can reach, in both languages) --------


@pytest.fixture
def staff_world(draft, cast, now):
    """A case of each kind staff open: new and unassigned, in review with a reviewer to declare, proposed with
    a submitted review (the review summary), and approved with its letter issued."""
    call = draft.call

    def another(title):
        app = ApplicationFactory(call=call, organisation=draft.organisation, created_by=cast.applicant, title=title)
        attach_required(app, cast.applicant)
        return app

    reviewer = UserFactory(email="bedomare@example.se", full_name="Berit Bedömare", roles=["reviewer"])
    proposed = bring_to(draft, ApplicationState.PROPOSED, cast, now)
    scorer = UserFactory(email="bedomare2@example.se", full_name="Bengt Bedömare", roles=["reviewer"])
    review = Review.objects.create(
        application=proposed,
        reviewer=scorer,
        assigned_by=cast.officer,
        conflict=Review.Conflict.NONE,
        recommendation="APPROVE",
        comment="Genomtänkt.",
    )
    for criterion in call.criteria.all():
        ReviewScore.objects.create(review=review, criterion=criterion, score=5, justification="Motiverat.")
    review.submitted_at = now  # after the scores, as review_submit does (grants 0010 freezes submitted ones)
    review.save(update_fields=["submitted_at"])
    new = another("Nytt ärende")
    application_submit(actor=cast.applicant, application=new, now=now)
    in_review = bring_to(another("Under bedömning"), ApplicationState.IN_REVIEW, cast, now)
    to_declare = review_assign(actor=cast.officer, application=in_review, reviewer=reviewer, now=now)
    approved = bring_to(another("Beviljat"), ApplicationState.APPROVED, cast, now)
    decision = approved.decisions.get()
    decision_letter_issue(decision_id=decision.pk, now=now)
    return {
        "cast": cast,
        "reviewer": reviewer,
        "review": to_declare,
        "cases": {"proposed": proposed, "new": new, "in_review": in_review, "approved": approved},
        "decision": decision,
    }


def _collect(page, live_server, paths, failures, language):
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        assert page.locator("html").get_attribute("lang") == language, path
        if found := _violations(page):
            failures[f"{language} {path}"] = found


@pytest.mark.parametrize("language", ["sv", "en"])
def test_staff_pages_have_no_axe_violations(browser, live_server, staff_world, language):
    cast, cases = staff_world["cast"], staff_world["cases"]
    failures: dict = {}

    def page_for(user):
        context = browser.new_context()
        context.add_cookies([language_cookie(language, live_server), _session_cookie(user, live_server)])
        contexts.append(context)
        return context.new_page()

    contexts: list = []
    try:
        officer = page_for(cast.officer)
        queues = [f"/staff/queue/?queue={q}" for q in ("new", "mine", "completion", "ready", "all")]
        case_pages = [f"/staff/cases/{app.pk}/" for app in cases.values()]
        _collect(officer, live_server, ["/staff/", *queues, *case_pages], failures, language)
        _collect(officer, live_server, [f"/staff/cases/{cases['in_review'].pk}/propose/"], failures, language)

        decider = page_for(cast.decider)
        decision = staff_world["decision"]
        _collect(
            decider,
            live_server,
            [
                "/staff/",
                "/staff/decisions/",
                f"/staff/decisions/{cases['proposed'].pk}/",
                f"/staff/decisions/{cases['approved'].pk}/",
                f"/staff/decisions/progress/?ids={decision.pk}",
                f"/staff/cases/{cases['approved'].pk}/",
            ],
            failures,
            language,
        )
        # A decision not confirmed: the error summary, the box marked invalid.
        decider.goto(f"{live_server.url}/staff/decisions/{cases['proposed'].pk}/")
        with decider.expect_navigation():
            decider.click("main form[action$='/approve/'] button[type=submit]")
        assert decider.locator("#error-summary a[href='#id_confirmed']").count() == 1
        if found := _violations(decider):
            failures[f"{language} decision not confirmed"] = found
        # The letter the progress page links opens for the decision-maker.
        decider.goto(f"{live_server.url}/staff/decisions/progress/?ids={decision.pk}")
        assert decider.locator("main a[download][href^='/staff/documents/']").count() == 1

        reviewer = page_for(staff_world["reviewer"])
        review = staff_world["review"]
        _collect(
            reviewer,
            live_server,
            ["/staff/", "/staff/reviews/", f"/staff/reviews/{review.pk}/declare/"],
            failures,
            language,
        )

        # Error pages: the refused form (CSRF), and the 500 page as the server writes it.
        anonymous = page_for(UserFactory(email=f"anonym-{language}@example.se"))
        anonymous.goto(f"{live_server.url}/accounts/register/")
        anonymous.evaluate("document.querySelector('main input[name=csrfmiddlewaretoken]').remove()")
        with anonymous.expect_navigation():
            anonymous.click("main button[type=submit]")
        assert anonymous.locator("html").get_attribute("lang") == language
        assert anonymous.locator("h1").count() == 1
        if found := _violations(anonymous):
            failures[f"{language} 403 csrf"] = found
        with translation.override(language):
            broken = render_to_string("500.html")
        anonymous.goto(f"{live_server.url}/finns-inte/")  # a page of the site, so the 500 page's links resolve
        if found := _violations(anonymous):
            failures[f"{language} 404"] = found
        anonymous.set_content(broken)
        if found := _violations(anonymous):
            failures[f"{language} 500"] = found
    finally:
        for context in contexts:
            context.close()
    assert failures == {}
