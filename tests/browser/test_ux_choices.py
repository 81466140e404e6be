"""Issue 9 item 9 in Chromium: each radio and checkbox is drawn on the same line as its own label, just before
it, and not under the label of the option above (the jäv declaration, the sections of a completion request, the
eligibility checklist, the proposal)."""

import pytest
from django.urls import reverse

from grants.models import ApplicationState
from grants.services.reviews import review_assign
from tests.browser.conftest import axe_violations, language_cookie, session_cookie
from tests.factories import UserFactory
from tests.workflows.lifecycle import bring_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GEOMETRY = """() => [...document.querySelectorAll("main input[type=radio], main input[type=checkbox]")]
  .filter(i => !i.closest("table"))
  .map(i => {
    const label = document.querySelector(`label[for="${i.id}"]`);
    const a = i.getBoundingClientRect(), b = label.getBoundingClientRect();
    return {name: `${i.name}=${i.value}`, input: [a.left, a.top, a.right, a.bottom],
            label: [b.left, b.top, b.right, b.bottom], text: label.textContent.trim()};
  })"""


def misplaced(page):
    """Options whose label does not start just right of the input, on the same line."""
    problems = []
    for box in page.evaluate(GEOMETRY):
        (_, it, ir, ib), (ll, lt, _, lb) = box["input"], box["label"]
        beside = 0 <= ll - ir <= 16
        same_line = lt < ib and it < lb  # the vertical extents overlap
        if not (beside and same_line):
            problems.append((box["name"], box["text"], box["input"], box["label"]))
    return problems


def open_page(browser, live_server, user, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([language_cookie("sv", live_server), session_cookie(user, live_server)])
    page = context.new_page()
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == 200
    return context, page


def test_radios_and_checkboxes_are_drawn_beside_their_labels(browser, live_server, draft, cast, officer, now):
    case = bring_to(draft, ApplicationState.IN_REVIEW, cast, now)
    reviewer = UserFactory(email="bedomare@example.se", full_name="Berit Bedömare", roles=["reviewer"])
    review = review_assign(actor=officer, application=case, reviewer=reviewer, now=now)
    pages = [
        (reviewer, reverse("staff_review_declare", args=[review.pk]), 2),
        (officer, reverse("staff_case", args=[case.pk]), 10),
        (officer, reverse("staff_case_propose", args=[case.pk]), 2),
    ]
    found, violations = {}, {}
    for user, path, at_least in pages:
        context, page = open_page(browser, live_server, user, path)
        assert len(page.evaluate(GEOMETRY)) >= at_least, path
        if problems := misplaced(page):
            found[path] = problems
        if axe := axe_violations(page):
            violations[path] = axe
        context.close()
    assert found == {}
    assert violations == {}
