"""Decision-makers (beslutsfattare): the queue of proposals and the decision on one (DESIGN.md §4.1, §8).

Only people with the decision-maker role get in (others: 404, like the other staff areas). The proposer
of a case sees its decision page read-only, with the four-eyes reason on the disabled buttons, and any
POST of theirs is refused with 403. Each POST makes one service call; the service checks four-eyes and
the budget again under its locks."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from viewflow.fsm import TransitionNotAllowed

from grants import permissions
from grants.errors import ServiceError
from grants.formatting import format_money
from grants.models import ApplicationState, Outcome
from grants.selectors.decisions import DecisionCase, decision_case_get, decision_queue
from grants.services import cases
from grants.text import Text
from grants.views.base import AuthedRequest
from workflows.base import TransitionRefused, refusal_message

REFUSALS = (TransitionRefused, TransitionNotAllowed, ServiceError)


class DecisionForm(forms.Form):
    """No fields: it carries a refusal to the error summary."""


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("Anteckning till handläggaren"),
        help_text=_("Skriv vad som behöver göras innan ärendet kan beslutas."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


def _require_decision_maker(request: AuthedRequest) -> None:
    if not permissions.has_role(request.user, permissions.DECISION_MAKER):
        raise Http404


def _message(exc: Exception) -> Text:
    message = getattr(exc, "message", None)
    return message if message else refusal_message(exc)


def _case_url(pk: int) -> str:
    try:
        return reverse("staff_case", args=[pk])
    except NoReverseMatch:  # the case page lives in another module; its path is fixed
        return f"/staff/cases/{pk}/"


@login_required
def staff_decision_queue(request: AuthedRequest) -> HttpResponse:
    """Proposals waiting for a decision, not the person's own; their own ones listed apart."""
    _require_decision_maker(request)
    return render(request, "staff/decisions/queue.html", {"queue": decision_queue(request.user)})


def _page(
    request: AuthedRequest,
    case: DecisionCase,
    *,
    decision_form: DecisionForm | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    application, proposal = case.application, case.proposal
    proposed_by_id = proposal.proposed_by_id if proposal else None
    verdict = permissions.can_decide(request.user, application, proposed_by_id)
    open_ = application.state == ApplicationState.PROPOSED and proposal is not None
    context: dict[str, Any] = {
        "case": case,
        "application": application,
        "proposal": proposal,
        "verdict": verdict,
        "is_open": open_,
        "can_act": open_ and bool(verdict),
        "offers_approve": proposal is not None and proposal.outcome == Outcome.APPROVE,
        "budget_covers": proposal is None or proposal.amount is None or proposal.amount <= case.budget_left,
        "decision_form": decision_form or DecisionForm(),
        "return_form": return_form or ReturnForm(),
        "case_url": _case_url(application.pk),
        "review_summary": case.review_summary,
    }
    return render(request, "staff/decisions/detail.html", context, status=status)


@login_required
def staff_decision(request: AuthedRequest, pk: int) -> HttpResponse:
    """One proposal with what it rests on, and the buttons to decide or return it."""
    _require_decision_maker(request)
    return _page(request, decision_case_get(pk))


def _refuse_proposer(request: AuthedRequest, case: DecisionCase) -> HttpResponse | None:
    """Four-eyes in the view as well as in the service: the proposer's page is read-only."""
    proposed_by_id = case.proposal.proposed_by_id if case.proposal else None
    verdict = permissions.can_decide(request.user, case.application, proposed_by_id)
    if verdict:
        return None
    form = DecisionForm(data={})
    form.is_valid()
    form.add_error(None, verdict.reason)
    return _page(request, case, decision_form=form, status=403)


def _decide(request: AuthedRequest, pk: int, outcome: str) -> HttpResponse:
    _require_decision_maker(request)
    case = decision_case_get(pk)
    refused = _refuse_proposer(request, case)
    if refused is not None:
        return refused
    service = cases.decision_approve if outcome == Outcome.APPROVE else cases.decision_reject
    try:
        decision = service(actor=request.user, application=case.application, now=timezone.now())
    except REFUSALS as exc:
        form = DecisionForm(data={})
        form.is_valid()
        form.add_error(None, _message(exc))
        return _page(request, decision_case_get(pk), decision_form=form)
    ref = case.application.reference_number
    if decision.outcome == Outcome.APPROVE:
        text = _("Ärende %(ref)s är beviljat med %(amount)s. Sökanden har underrättats.") % {
            "ref": ref,
            "amount": format_money(decision.amount),
        }
    else:
        text = _("Ärende %(ref)s är avslaget. Sökanden har underrättats.") % {"ref": ref}
    messages.success(request, text)
    return redirect("staff_decision_queue")


@login_required
@require_POST
def staff_decision_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    """Approve as proposed (Bevilja)."""
    return _decide(request, pk, Outcome.APPROVE)


@login_required
@require_POST
def staff_decision_reject(request: AuthedRequest, pk: int) -> HttpResponse:
    """Reject as proposed (Avslå)."""
    return _decide(request, pk, Outcome.REJECT)


@login_required
@require_POST
def staff_decision_return(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send the proposal back to the case officer with a note (Returnera)."""
    _require_decision_maker(request)
    case = decision_case_get(pk)
    refused = _refuse_proposer(request, case)
    if refused is not None:
        return refused
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _page(request, case, return_form=form)
    try:
        cases.proposal_return(
            actor=request.user, application=case.application, note=form.cleaned_data["note"], now=timezone.now()
        )
    except REFUSALS as exc:
        field = getattr(exc, "field", None)
        form.add_error("note" if field == "note" else None, _message(exc))
        return _page(request, decision_case_get(pk), return_form=form)
    messages.success(
        request,
        _("Ärende %(ref)s är returnerat till handläggaren.") % {"ref": case.application.reference_number},
    )
    return redirect("staff_decision_queue")


urlpatterns: list[URLPattern] = [
    path("decisions/", staff_decision_queue, name="staff_decision_queue"),
    path("decisions/<int:pk>/", staff_decision, name="staff_decision"),
    path("decisions/<int:pk>/approve/", staff_decision_approve, name="staff_decision_approve"),
    path("decisions/<int:pk>/reject/", staff_decision_reject, name="staff_decision_reject"),
    path("decisions/<int:pk>/return/", staff_decision_return, name="staff_decision_return"),
]
