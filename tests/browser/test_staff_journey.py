"""The staff journey of issue 3 in a real browser: a case officer takes a submitted application from the
queue, checks it, asks for a completion that the applicant answers, sees what changed, lets two reviewers
score it, proposes approval, and a decision-maker approves; the applicant then sees the decision.

axe-core (WCAG 2.1 A and AA rules) runs on every staff page on the way, in Swedish, and on the main staff
pages again in English; the violations are collected per page so one run shows them all. The case page is
also checked with the keyboard: every action button is reached by Tab and shows its focus ring."""

import re
from datetime import date, timedelta

import pytest

from grants.models import Application, ApplicationState
from grants.services.applications import application_submit
from tests.browser.conftest import axe_violations, language_cookie, session_cookie
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_SUMMARY = "Vi testar coworking tre dagar i veckan med tydliga mål för lärandet."


class Journey:
    """Two browser contexts per person (Swedish, English), sharing the live server; collects axe violations
    per page."""

    def __init__(self, browser, live_server):
        self.browser = browser
        self.server = live_server
        self.contexts = []
        self.english: dict = {}  # Swedish page -> the same person's English page
        self.failures: dict[str, list] = {}
        self.keyboard: dict[str, list] = {}
        self.checked: list[str] = []

    def _page(self, user, language):
        context = self.browser.new_context()
        context.add_cookies([language_cookie(language, self.server), session_cookie(user, self.server)])
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    def login(self, user, english=False):
        page = self._page(user, "sv")
        if english:
            self.english[page] = self._page(user, "en")
        return page

    def goto(self, page, path):
        response = page.goto(self.server.url + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"

    def _run_axe(self, page, name, language):
        assert page.locator("html").get_attribute("lang") == language, name
        self.checked.append(f"{name} ({language})")
        if found := axe_violations(page):
            self.failures[f"{name} ({language})"] = found

    def axe(self, page, name, english=False):
        """Run axe on the page as it is (Swedish); with english=True, also on the same URL in English."""
        self._run_axe(page, name, "sv")
        if english:
            en = self.english[page]
            response = en.goto(page.url)
            assert response is not None and response.status == 200, f"{name} (en): {response and response.status}"
            self._run_axe(en, name, "en")

    def tab_through(self, page, name):
        """Every action button on the page is reached by Tab and shows its focus ring."""
        if problems := _keyboard_reaches_every_action(page):
            self.keyboard[name] = problems

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def case(draft, applicant, now):
    return application_submit(actor=applicant, application=draft, now=now)


@pytest.fixture
def reviewers(db):
    return [
        UserFactory(email="bedomare1@example.se", full_name="Berit Bedömare", roles=["reviewer"]),
        UserFactory(email="bedomare2@example.se", full_name="Bengt Bedömare", roles=["reviewer"]),
    ]


def _keyboard_reaches_every_action(page):
    """Tab through the case page: every enabled button (and button-styled link) in <main> gets focus, with a
    visible outline. Returns the problems found."""
    wanted = page.evaluate(
        """() => Array.from(document.querySelectorAll('main button:not([disabled]), main a.button'))
              .filter(el => !el.closest('fieldset[disabled]'))
              .map((el, i) => { el.dataset.tabProbe = String(i); return el.textContent.trim(); })"""
    )
    assert wanted, "no action buttons on the case page"
    reached: dict[str, str] = {}
    page.locator("body").focus()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(400):
        page.keyboard.press("Tab")
        probe = page.evaluate(
            """() => { const el = document.activeElement;
                if (!el || !el.dataset || el.dataset.tabProbe === undefined) return null;
                const s = getComputedStyle(el);
                return [el.dataset.tabProbe, s.outlineStyle, s.outlineWidth]; }"""
        )
        if probe is not None:
            index, style, width = probe
            if index in reached:  # wrapped around
                break
            reached[index] = "ok" if style != "none" and width != "0px" else f"outline {style} {width}"
    problems = []
    for i, text in enumerate(wanted):
        state = reached.get(str(i))
        if state is None:
            problems.append(f"{text!r}: not reached by Tab")
        elif state != "ok":
            problems.append(f"{text!r}: focus not visible ({state})")
    return problems


def test_staff_journey(browser, live_server, case, applicant, officer, decider, reviewers):
    pk = case.pk
    ref = case.reference_number
    journey = Journey(browser, live_server)
    try:
        _run(journey, pk, ref, applicant, officer, decider, reviewers)
    finally:
        journey.close()
    assert len(journey.checked) >= 40  # axe ran on every page of the journey
    assert journey.failures == {}, journey.failures
    assert journey.keyboard == {}, journey.keyboard


def _run(j, pk, ref, applicant, officer, decider, reviewers):
    case_path = f"/staff/cases/{pk}/"

    # --- Officer: the new case, the queue, "Tilldela mig" -------------------------------------------------
    off = j.login(officer, english=True)
    j.goto(off, "/staff/")
    j.axe(off, "workspace", english=True)
    j.goto(off, case_path)
    j.axe(off, "case: unassigned")
    j.tab_through(off, "case: unassigned")
    j.goto(off, "/staff/queue/")
    j.axe(off, "queue: new", english=True)
    off.get_by_role("button", name=f"Tilldela mig {ref}").click()
    off.wait_for_load_state()
    j.axe(off, "queue after assignment")
    j.goto(off, "/staff/queue/?queue=mine")
    j.axe(off, "queue: mine")
    off.get_by_role("link", name=ref, exact=True).click()
    off.wait_for_url(f"**{case_path}")
    assert "Hanna Handläggare" in off.locator("main dl.summary").first.inner_text()
    j.axe(off, "case: submitted", english=True)

    # --- Eligibility check: tick every point -------------------------------------------------------------
    for label in (
        "Organisationstypen får söka i utlysningen",
        "Ansökan kom in i tid",
        "Sökt belopp ryms inom utlysningens tak",
        "Obligatoriska bilagor finns",
        "Projektet ligger inom utlysningens syfte",
    ):
        off.get_by_label(label, exact=True).check()
    off.get_by_role("button", name="Spara kontrollen").click()
    off.wait_for_url(f"**{case_path}")
    assert off.locator("#eligibility-title + p .tag-ok").count() == 1
    j.axe(off, "case: eligibility passed")
    j.tab_through(off, "case: eligibility passed")

    off.get_by_role("button", name="Ta upp till bedömning").click()
    off.wait_for_url(f"**{case_path}")
    assert Application.objects.get(pk=pk).state == ApplicationState.IN_REVIEW
    j.axe(off, "case: in review")

    # --- Completion request: one opened section and an answer-by date ------------------------------------
    answer_by = date.today() + timedelta(days=14)
    completion = off.locator("section[aria-labelledby=completion-title]")
    completion.get_by_role("button", name="Skicka begäran").click()  # empty: the errors, linked from the summary
    off.wait_for_url(f"**{case_path}completion/")
    assert off.locator("#error-summary").count() == 1
    assert completion.get_by_label("Vad behöver kompletteras?").get_attribute("aria-invalid") == "true"
    j.axe(off, "case: completion request with errors", english=False)
    completion.get_by_label("Vad behöver kompletteras?").fill("Beskriv målen för lärandet tydligare.")
    completion.get_by_label("Projektet", exact=True).check()
    completion.get_by_label("Svara senast").fill(answer_by.isoformat())
    completion.get_by_role("button", name="Skicka begäran").click()
    off.wait_for_url(f"**{case_path}")
    assert off.locator("#awaiting-title").count() == 1
    j.axe(off, "case: awaiting completion")

    # --- Applicant: the completion box, the opened section, the answer -----------------------------------
    app = j.login(applicant, english=True)
    j.goto(app, f"/applications/{pk}/")
    box = app.locator(".card", has=app.get_by_role("heading", name="Komplettering begärd"))
    assert "Beskriv målen för lärandet tydligare." in box.inner_text()
    link = box.get_by_role("link", name="Komplettera ansökan")
    assert link.get_attribute("href") == f"/applications/{pk}/completion/"
    link.click()
    app.wait_for_url(f"**/applications/{pk}/completion/")
    j.axe(app, "completion", english=True)
    app.get_by_role("link", name="Projektet", exact=True).click()
    app.wait_for_url(f"**/applications/{pk}/edit/project/")
    app.get_by_label("Kort sammanfattning").fill(NEW_SUMMARY)
    app.get_by_role("button", name="Spara", exact=True).click()
    app.wait_for_url(f"**/applications/{pk}/")
    app.get_by_role("link", name="Komplettera ansökan").click()
    app.wait_for_url(f"**/applications/{pk}/completion/")
    app.get_by_label("Vad har ni ändrat?").fill("Vi har skrivit om sammanfattningen.")
    app.get_by_role("button", name="Skicka kompletteringen").click()
    app.wait_for_url(f"**/applications/{pk}/")
    assert Application.objects.get(pk=pk).state == ApplicationState.IN_REVIEW

    # --- Officer: what changed ---------------------------------------------------------------------------
    j.goto(off, case_path)
    diff = off.locator("section[aria-labelledby=diff-title]")
    assert diff.count() == 1
    assert diff.locator("ins").count() >= 1
    assert "tre" in " ".join(diff.locator("ins").all_inner_texts())
    j.axe(off, "case: after completion")

    # --- Two reviewers -----------------------------------------------------------------------------------
    for reviewer in reviewers:
        form = off.locator("form[action$='/reviewers/']")
        form.get_by_label("Bedömare", exact=True).select_option(label=f"{reviewer.full_name} ({reviewer.email})")
        form.get_by_role("button", name="Tilldela").click()
        off.wait_for_url(f"**{case_path}")
    j.axe(off, "case: reviewers assigned")
    j.tab_through(off, "case: reviewers assigned")

    for n, reviewer in enumerate(reviewers, start=1):
        rev = j.login(reviewer, english=n == 1)
        j.goto(rev, "/staff/reviews/")
        j.axe(rev, f"reviews list {n}", english=n == 1)
        rev.get_by_role("link", name=f"Lämna jävsdeklaration – {ref}").click()
        rev.wait_for_url("**/declare/")
        j.axe(rev, f"declare {n}", english=n == 1)
        rev.get_by_label("Jag är inte jävig").check()
        rev.get_by_role("button", name="Lämna jävsdeklarationen").click()
        rev.wait_for_url(re.compile(r"/staff/reviews/\d+/$"))
        j.axe(rev, f"review form {n}", english=n == 1)
        if n == 1:  # handed in empty: every criterion's error, linked from the summary
            rev.get_by_role("button", name="Lämna in bedömningen").click()
            rev.wait_for_load_state()
            assert rev.locator("#error-summary").count() == 1
            j.axe(rev, "review form with errors")
        for criterion, score in (("Genomförbarhet", 5 + n % 2), ("Lärande", 4 + n)):
            scale = rev.get_by_role("group", name=f"Betyg för ”{criterion}”, 1–7")
            scale.get_by_label(str(score), exact=True).check()
            rev.get_by_label(f"Motivering för ”{criterion}”").fill(f"{criterion}: väl beskrivet, betyg {score}.")
        rev.get_by_label("Rekommendation").select_option("APPROVE")
        rev.get_by_role("button", name="Lämna in bedömningen").click()
        rev.wait_for_load_state()
        assert rev.get_by_role("heading", name="Din bedömning").count() == 1
        assert rev.locator("form button", has_text="Lämna in bedömningen").count() == 0
        j.axe(rev, f"review submitted {n}", english=n == 1)
        j.goto(rev, "/staff/reviews/")
        j.axe(rev, f"reviews list done {n}")

    # --- Officer: propose approval -----------------------------------------------------------------------
    j.goto(off, case_path)
    j.axe(off, "case: reviews in", english=True)
    off.get_by_role("link", name="Föredra ärendet").click()
    off.wait_for_url(f"**{case_path}propose/")
    j.axe(off, "propose", english=True)
    assert off.get_by_label("Bevilja").is_checked()
    off.get_by_label("Motivering", exact=True).fill("Projektet är genomförbart och bedömarna är eniga.")
    off.get_by_role("button", name="Föredra för beslut").click()
    off.wait_for_url(f"**{case_path}")
    assert Application.objects.get(pk=pk).state == ApplicationState.PROPOSED
    j.axe(off, "case: proposed")

    # --- Decision-maker: approve -------------------------------------------------------------------------
    dm = j.login(decider, english=True)
    j.goto(dm, "/staff/decisions/")
    j.axe(dm, "decision queue", english=True)
    dm.get_by_role("link", name=ref, exact=True).click()
    dm.wait_for_url(f"**/staff/decisions/{pk}/")
    j.axe(dm, "decision", english=True)
    dm.get_by_role("button", name=re.compile(r"^Bevilja ")).click()  # not confirmed: refused, nothing decided
    dm.wait_for_load_state()
    assert dm.locator("#error-summary a[href='#id_confirmed']").count() == 1
    assert Application.objects.get(pk=pk).state == ApplicationState.PROPOSED
    j.axe(dm, "decision without confirmation")
    dm.get_by_label("Jag har kontrollerat beslutet och att det följer föredragningen.").check()
    dm.get_by_role("button", name=re.compile(r"^Bevilja ")).click()
    dm.wait_for_url("**/staff/decisions/progress/?ids=*")
    assert f"Ärende {ref} är beviljat" in dm.locator(".messages").inner_text()
    j.axe(dm, "letter progress after approval")
    j.goto(dm, f"/staff/decisions/{pk}/")
    j.axe(dm, "decision: decided")
    assert Application.objects.get(pk=pk).state == ApplicationState.APPROVED

    # --- Applicant: the decision -------------------------------------------------------------------------
    j.goto(app, f"/applications/{pk}/")
    decision = app.locator("section[aria-labelledby=decision-title]")
    assert "Ansökan är beviljad med" in decision.inner_text()
    j.axe(app, "application with decision", english=True)

    # Final state of the case page, as the officer sees it.
    j.goto(off, case_path)
    j.axe(off, "case: decided")
