"""grants/views/actions.py and templates/components/action_button.html: a view runs a service one way, and
the button on the page is disabled with the very reason the server gives when the action is posted anyway."""

import re
from datetime import timedelta

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from viewflow.fsm import TransitionNotAllowed

from grants.errors import NotAllowed, ServiceError
from grants.forms import WithdrawForm
from grants.models import Application, ApplicationState
from grants.permissions import YES, Verdict
from grants.views.actions import run_service
from tests.factories import UserFactory
from tests.workflows.lifecycle import act, bring_to
from workflows.base import TransitionRefused
from workflows.models import CaseEvent

# --- run_service -----------------------------------------------------------------------------------------


@pytest.fixture
def request_(db):
    request = RequestFactory().post("/")
    request.user = UserFactory(email="person@example.se")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in messages.get_messages(request)]


def test_success_passes_actor_and_now_and_says_so(request_):
    seen = {}

    def service(*, actor, now, thing):
        seen.update(actor=actor, now=now, thing=thing)
        return "value"

    ran = run_service(request_, service, success_message="Klart.", thing=3)
    assert ran and ran.value == "value"
    assert seen["actor"] == request_.user and seen["thing"] == 3 and seen["now"] is not None
    assert _messages(request_) == [("success", "Klart.")]


def test_a_predicate_that_says_no_stops_the_call(request_):
    called = []
    ran = run_service(
        request_, lambda **kw: called.append(kw), verdict=Verdict(False, "Inte nu."), success_message="Klart."
    )
    assert not ran and ran.message == "Inte nu." and called == []
    assert _messages(request_) == [("error", "Inte nu.")]
    assert run_service(request_, lambda **kw: "ok", verdict=YES)


@pytest.mark.parametrize(
    ("exc", "message"),
    [
        (ServiceError("Budgeten räcker inte."), "Budgeten räcker inte."),
        (TransitionRefused("Utlysningen är stängd."), "Utlysningen är stängd."),
        (TransitionNotAllowed("internal"), "Åtgärden går inte att utföra."),
    ],
)
@translation.override("sv")
def test_refusals_become_messages(request_, exc, message):
    def service(**kw):
        raise exc

    ran = run_service(request_, service, success_message="Klart.")
    assert not ran and str(ran.message) == message
    assert _messages(request_) == [("error", message)]


@translation.override("sv")
def test_refusals_go_on_the_form_field_they_name(request_):
    def service(**kw):
        raise ServiceError("För långt.", "reason")

    form = WithdrawForm({"reason": "x"})
    assert form.is_valid()
    assert not run_service(request_, service, form=form)
    assert form.errors == {"reason": ["För långt."]} and _messages(request_) == []

    def elsewhere(**kw):
        raise ServiceError("Fel i något annat.", "no_such_field")

    form = WithdrawForm({"reason": "x"})
    form.is_valid()
    run_service(request_, elsewhere, form=form)
    assert form.non_field_errors() == ["Fel i något annat."]


def test_not_allowed_is_403(request_):
    def service(**kw):
        raise NotAllowed("Du har inte rollen handläggare.")

    with pytest.raises(PermissionDenied):
        run_service(request_, service)


def test_other_errors_are_not_swallowed(request_):
    def service(**kw):
        raise IntegrityError("a bug")

    with pytest.raises(IntegrityError):
        run_service(request_, service)
    ran = run_service(request_, service, refusals=(IntegrityError,))  # unless the view says it is a refusal
    assert not ran and _messages(request_)


# --- the button ----------------------------------------------------------------------------------------------


def _button(html: str) -> str:
    return re.search(r"<button[^>]*>", html).group(0)


def test_button_enabled_has_no_reason():
    html = render_to_string(
        "components/action_button.html", {"action": "/x/", "verdict": YES, "label": "Gör", "reason_id": "why-x"}
    )
    assert 'action="/x/"' in html and 'method="post"' in html and "csrfmiddlewaretoken" not in html  # no request
    assert "disabled" not in _button(html) and "why-x" not in html


def test_button_disabled_points_at_its_reason():
    html = render_to_string(
        "components/action_button.html",
        {"action": "/x/", "verdict": Verdict(False, "Inte nu."), "label": "Gör", "reason_id": "why-x"},
    )
    button = _button(html)
    assert "disabled" in button and 'aria-describedby="why-x"' in button
    assert re.search(r'<p class="hint" id="why-x">Inte nu\.</p>', html)


# --- the converted views -------------------------------------------------------------------------------------


def _page_button(html: str, label: str) -> tuple[str, str]:
    """The button with `label` and the text of the reason it points at ("" if enabled)."""
    match = re.search(r"(<button[^>]*>)" + re.escape(label) + "</button>", html)
    assert match, label
    button = match.group(1)
    described = re.search(r'aria-describedby="([^"]+)"', button)
    if not described:
        return button, ""
    reason = re.search(r'id="' + described.group(1) + r'">([^<]*)<', html)
    return button, reason.group(1)


@pytest.fixture
def submitted(draft, cast, now):
    return act("submit", draft, cast, now)


@translation.override("sv")
def test_case_buttons_and_posts_give_the_same_reason(client, submitted, cast):
    client.force_login(cast.officer)
    case_url = reverse("staff_case", args=[submitted.pk])
    page = client.get(case_url).content.decode()
    assign, why = _page_button(page, "Tilldela mig")
    assert "disabled" not in assign and why == ""
    start, why_start = _page_button(page, "Ta upp till bedömning")
    assert "disabled" in start and why_start == "Gör den formella kontrollen först."

    # Posted anyway: the same reason as a message, nothing done.
    events = CaseEvent.objects.count()
    response = client.post(reverse("staff_case_start_review", args=[submitted.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [why_start]
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED and CaseEvent.objects.count() == events

    # Assigning works, then the button says why it cannot be done twice, and so does the POST.
    response = client.post(reverse("staff_case_assign_self", args=[submitted.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Ärendet är tilldelat dig."]
    submitted.refresh_from_db()
    assert submitted.assigned_officer == cast.officer
    assign, why = _page_button(response.content.decode(), "Tilldela mig")
    assert "disabled" in assign and why == "Du är redan handläggare för ärendet."
    response = client.post(reverse("staff_case_assign_self", args=[submitted.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [why]


@translation.override("sv")
def test_delete_page_button_and_post_give_the_same_reason(client, submitted, cast):
    client.force_login(cast.applicant)
    page = client.get(reverse("application_delete", args=[submitted.pk])).content.decode()
    button, why = _page_button(page, "Ta bort utkastet")
    assert "disabled" in button and why == "Bara utkast kan tas bort; en inskickad ansökan är en allmän handling."
    response = client.post(reverse("application_delete", args=[submitted.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [why]
    assert Application.objects.filter(pk=submitted.pk).exists()


@translation.override("sv")
def test_delete_of_a_draft_works(client, draft, cast):
    client.force_login(cast.applicant)
    page = client.get(reverse("application_delete", args=[draft.pk])).content.decode()
    button, why = _page_button(page, "Ta bort utkastet")
    assert "disabled" not in button and why == ""
    response = client.post(reverse("application_delete", args=[draft.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("application_list")
    assert [str(m) for m in response.context["messages"]] == ["Utkastet är borttaget."]
    assert not Application.objects.filter(pk=draft.pk).exists()


@translation.override("sv")
def test_withdraw_refused_with_the_predicates_reason(client, draft, cast, now):
    proposed = bring_to(draft, ApplicationState.PROPOSED, cast, now + timedelta(seconds=1))
    client.force_login(cast.applicant)
    response = client.post(
        reverse("application_withdraw", args=[proposed.pk]), {"reason": "Blev inte av."}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Ansökan kan inte återkallas i det här skedet."]
    proposed.refresh_from_db()
    assert proposed.state == ApplicationState.PROPOSED


@translation.override("en")
def test_reasons_are_translated(client, submitted, cast):
    client.force_login(cast.applicant)
    page = client.get(reverse("application_delete", args=[submitted.pk]), HTTP_ACCEPT_LANGUAGE="en")
    _, why = _page_button(page.content.decode(), "Delete the draft")
    assert why and "utkast" not in why
