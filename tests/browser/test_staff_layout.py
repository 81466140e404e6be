"""Staff pages at the sizes people use (issue 9 item 14): the case officer queue fits a 1 280 × 800 window
with "Tilldela mig" on screen, and reflows at 320 CSS px (WCAG 1.4.10) with nothing cut off sideways; staff
buttons are styled, disabled ones still readable (contrast ≥ 4.5:1)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grants.models import ApplicationState, OrganisationType
from tests.browser.conftest import language_cookie, session_cookie
from tests.factories import ApplicationFactory, CallFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = "Samverkan för hybridarbete och gemensamma arbetsplatser i glesbygdskommuner i Jämtlands län"


@pytest.fixture
def queue_world(db):
    officer = UserFactory(email="handlaggare@example.se", full_name="Hanna Handläggare", roles=["case_officer"])
    colleague = UserFactory(
        email="kollega@example.se", full_name="Maximiliana Lindqvist-Östergren", roles=["case_officer"]
    )
    call = CallFactory(title_sv="Testa coworking och hybridarbete 2026 – andra ansökningsomgången")
    org = OrganisationFactory(
        name="Regionförbundet Jämtlands och Härjedalens kommuner", org_type=OrganisationType.MUNICIPALITY
    )
    cases = []
    for n in range(3):
        cases.append(
            ApplicationFactory(
                call=call,
                organisation=org,
                created_by=UserFactory(),
                state=ApplicationState.SUBMITTED,
                reference_number=f"2026-{n + 1:05d}",
                submitted_at=timezone.now() - timedelta(days=3 + n),
                assigned_officer=colleague if n == 2 else None,
                title=LONG_TITLE,
                lines=False,
            )
        )
    return {"officer": officer, "cases": cases}


def _page(browser, live_server, user, width, height, language="sv"):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_cookies([language_cookie(language, live_server), session_cookie(user, live_server)])
    return context, context.new_page()


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("queue", ["new", "all"])
def test_the_queue_fits_a_1280_window_with_assign_to_me_on_screen(browser, live_server, queue_world, queue, language):
    context, page = _page(browser, live_server, queue_world["officer"], 1280, 800, language)
    page.goto(f"{live_server.url}/staff/queue/?queue={queue}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    name = "Tilldela mig" if language == "sv" else "Assign to me"
    buttons = page.get_by_role("button", name=name)
    assert buttons.count() == (3 if queue == "all" else 2)
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
    context.close()


def test_the_queue_reflows_at_320_css_pixels(browser, live_server, queue_world):
    context, page = _page(browser, live_server, queue_world["officer"], 320, 640)
    page.goto(f"{live_server.url}/staff/queue/?queue=all")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    buttons = page.get_by_role("button", name="Tilldela mig")
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    # Each cell still says which column it belongs to, now that the rows are stacked.
    label = page.evaluate(
        "getComputedStyle(document.querySelector('.queue-table tbody td[data-label]'), '::before').content"
    )
    assert label not in ("none", "normal", '""')
    context.close()


def _contrast(page, selector):
    """The contrast ratio of an element's text against its own background (both opaque here)."""
    return page.evaluate(
        """(sel) => {
        const el = document.querySelector(sel); const s = getComputedStyle(el);
        const rgb = c => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
        const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        const lum = ([r, g, b]) => 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        const a = lum(rgb(s.color)), b = lum(rgb(s.backgroundColor));
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); }""",
        selector,
    )


def test_staff_buttons_are_styled_and_disabled_ones_readable(browser, live_server, queue_world):
    """The case page of a case assigned to someone else: "Tilldela mig" enabled, "Ta upp till bedömning" and
    "Föredra ärendet" disabled with their reason."""
    case = queue_world["cases"][2]
    context, page = _page(browser, live_server, queue_world["officer"], 1280, 800)
    page.goto(f"{live_server.url}/staff/cases/{case.pk}/")
    enabled = "main form[action$='/assign-me/'] button"
    disabled = "main button[disabled]"
    assert page.locator(disabled).count() >= 1
    style = page.evaluate(
        """(sel) => { const s = getComputedStyle(document.querySelector(sel));
                      return [s.backgroundColor, s.borderStyle, s.fontWeight]; }""",
        enabled,
    )
    assert style[0] not in ("rgba(0, 0, 0, 0)", "rgb(239, 239, 239)", "rgb(240, 240, 240)"), style  # not the UA grey
    assert style[1] != "outset" and int(style[2]) >= 600, style
    assert _contrast(page, enabled) >= 4.5
    for i in range(page.locator(disabled).count()):
        page.evaluate("(i) => document.querySelectorAll('main button[disabled]')[i].id = 'probe-disabled'", i)
        assert _contrast(page, "#probe-disabled") >= 4.5
        page.evaluate("document.getElementById('probe-disabled').removeAttribute('id')")
    context.close()
