"""Decision-makers (beslutsfattare): the queue of proposals and the decision on one (DESIGN.md §4.1, §8).

Only people with the decision-maker role get in (others: 404, like the other staff areas). The proposer
of a case sees its decision page read-only, with the four-eyes reason on the disabled buttons, and any
POST of theirs is refused with 403. Each POST makes one service call; the service checks four-eyes and
the budget again under its locks.

Bulk (issue 4): the queue's checkboxes post to `staff_decision_bulk`, which decides each selected case as
proposed, each in its own transaction, and lists the refusals per case. It then shows the progress page,
which counts the issued letters of those decisions; failed and interrupted letters can be enqueued again
from there."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from viewflow.fsm import TransitionNotAllowed

from documents.letter_batches import LetterProgress, decision_letters_retry, letter_progress, parse_decision_ids
from grants import permissions
from grants.errors import ServiceError
from grants.formatting import format_money
from grants.forms import MultilineTextField
from grants.ids import parse_ids
from grants.models import ApplicationState, Outcome
from grants.selectors.decisions import DecisionCase, decision_case_get, decision_ids_visible_to, decision_queue
from grants.services import cases
from grants.services.decisions_bulk import decisions_bulk_decide
from grants.views.base import AuthedRequest
from workflows.base import TransitionRefused, refusal_message

REFUSALS = (TransitionRefused, TransitionNotAllowed, ServiceError)


CONFIRM_LABEL = _("Jag har kontrollerat beslutet och att det följer föredragningen.")
CONFIRM_REQUIRED = _("Kryssa i att du har kontrollerat beslutet innan du beslutar.")


class DecisionForm(forms.Form):
    """No fields: it carries a refusal to the error summary."""


class ConfirmForm(forms.Form):
    """The confirmation a decision asks for (issue 9): a ticked box, checked here on the server, no script
    dialog. The decision page writes the checkbox itself, in plain markup."""

    confirmed = forms.BooleanField(label=CONFIRM_LABEL, error_messages={"required": CONFIRM_REQUIRED})


class ReturnForm(forms.Form):
    note = MultilineTextField(
        label=_("Anteckning till handläggaren"),
        help_text=_("Skriv vad som behöver göras innan ärendet kan beslutas."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


def _require_decision_maker(request: AuthedRequest) -> None:
    if not permissions.has_role(request.user, permissions.DECISION_MAKER):
        raise Http404


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
    confirm_form: ConfirmForm | None = None,
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
        "confirm_form": confirm_form or ConfirmForm(auto_id="id_%s"),
        "return_form": return_form or ReturnForm(),
        "case_url": reverse("staff_case", args=[application.pk]),
        "review_summary": case.review_summary,
    }
    return render(request, "staff/decisions/detail.html", context, status=status)


@login_required
def staff_decision(request: AuthedRequest, pk: int) -> HttpResponse:
    """One proposal with what it rests on, and the buttons to decide or return it."""
    _require_decision_maker(request)
    return _page(request, decision_case_get(request.user, pk))


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
    case = decision_case_get(request.user, pk)
    refused = _refuse_proposer(request, case)
    if refused is not None:
        return refused
    confirm = ConfirmForm(request.POST)
    if not confirm.is_valid():  # not ticked: nothing decided, the page again with the error
        return _page(request, case, confirm_form=confirm)
    service = cases.decision_approve if outcome == Outcome.APPROVE else cases.decision_reject
    try:
        decision = service(actor=request.user, application=case.application, now=timezone.now())
    except REFUSALS as exc:
        form = DecisionForm(data={})
        form.is_valid()
        form.add_error(None, refusal_message(exc))
        return _page(request, decision_case_get(request.user, pk), decision_form=form)
    ref = case.application.reference_number
    if decision.outcome == Outcome.APPROVE:
        text = _(
            "Ärende %(ref)s är beviljat med %(amount)s. Sökanden får besked med e-post när beslutsbrevet är klart."
        ) % {
            "ref": ref,
            "amount": format_money(decision.amount),
        }
    else:
        text = _("Ärende %(ref)s är avslaget. Sökanden får besked med e-post när beslutsbrevet är klart.") % {
            "ref": ref
        }
    messages.success(request, text)
    # As after a bulk decision: the progress page shows when the letter (and with it the e-mail) is out, or
    # that it failed, with a retry.
    return redirect(_progress_url([decision.pk]))


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
    case = decision_case_get(request.user, pk)
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
        form.add_error("note" if field == "note" else None, refusal_message(exc))
        return _page(request, decision_case_get(request.user, pk), return_form=form)
    messages.success(
        request,
        _("Ärende %(ref)s är returnerat till handläggaren.") % {"ref": case.application.reference_number},
    )
    return redirect("staff_decision_queue")


def _progress_url(decision_ids: list[int]) -> str:
    return reverse("staff_decision_progress") + "?" + urlencode({"ids": ",".join(map(str, decision_ids))})


@login_required
@require_POST
def staff_decision_bulk(request: AuthedRequest) -> HttpResponse:
    """Decide the selected proposals, each as proposed; then follow their letters on the progress page."""
    _require_decision_maker(request)
    ids = parse_ids(request.POST.getlist("cases"))
    if not ids:  # none chosen, or a list with a value that is no case id: nothing is decided
        messages.error(request, _("Välj minst ett ärende att besluta."))
        return redirect("staff_decision_queue")
    if not ConfirmForm(request.POST).is_valid():  # the box not ticked: nothing is decided
        messages.error(request, CONFIRM_REQUIRED)
        return redirect("staff_decision_queue")
    result = decisions_bulk_decide(actor=request.user, application_ids=ids, now=timezone.now())
    for refusal in result.refusals:
        messages.error(
            request,
            _("Ärende %(ref)s beslutades inte: %(reason)s")
            % {"ref": refusal.application.reference_number, "reason": refusal.message},
        )
    if not result.decisions:
        return redirect("staff_decision_queue")
    n = len(result.decisions)
    messages.success(
        request,
        ngettext(
            "%(n)d ärende är beslutat. Beslutsbrevet skapas nu.",
            "%(n)d ärenden är beslutade. Beslutsbreven skapas nu.",
            n,
        )
        % {"n": n},
    )
    return redirect(_progress_url([d.pk for d in result.decisions]))


def _progress_text(progress: LetterProgress) -> str:
    return ngettext(
        "%(done)d av %(total)d beslutsbrev klart",
        "%(done)d av %(total)d beslutsbrev klara",
        progress.total,
    ) % {"done": progress.done, "total": progress.total}


@login_required
def staff_decision_progress(request: AuthedRequest) -> HttpResponse:
    """How many of the letters of a bulk decision are issued; the failed ones, and those whose worker died
    (interrupted), with a button to try again.
    Works without JavaScript (an Uppdatera link); progress.js refreshes it from the JSON twin."""
    _require_decision_maker(request)
    ids = decision_ids_visible_to(request.user, parse_decision_ids(request.GET.get("ids", "")))
    progress = letter_progress(ids, now=timezone.now())
    ids = [d.pk for d in progress.decisions]
    context = {
        "progress": progress,
        "progress_text": _progress_text(progress),
        # Each decision with its issued letters, linked for download (issue 9).
        "rows": [(d, progress.letters.get(d.pk, [])) for d in progress.decisions],
        "ids": ",".join(map(str, ids)),
        "self_url": _progress_url(ids),
        "json_url": reverse("staff_decision_progress_json") + "?" + urlencode({"ids": ",".join(map(str, ids))}),
    }
    return render(request, "staff/decisions/progress.html", context)


@login_required
def staff_decision_progress_json(request: AuthedRequest) -> JsonResponse:
    """The progress page's numbers, for progress.js."""
    _require_decision_maker(request)
    ids = decision_ids_visible_to(request.user, parse_decision_ids(request.GET.get("ids", "")))
    progress = letter_progress(ids, now=timezone.now())
    response = JsonResponse(
        {
            "done": progress.done,
            "total": progress.total,
            "failed": len(progress.failed),
            "interrupted": len(progress.interrupted),
            "pending": progress.pending,
            "finished": progress.finished,
            "text": _progress_text(progress),
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def staff_decision_letters_retry(request: AuthedRequest) -> HttpResponse:
    """Enqueue again the letters of a bulk decision that failed or whose worker died."""
    _require_decision_maker(request)
    ids = decision_ids_visible_to(request.user, parse_decision_ids(request.POST.get("ids", "")))
    retried = decision_letters_retry(decision_ids=ids, now=timezone.now())
    if retried:
        messages.success(
            request,
            ngettext(
                "%(n)d beslutsbrev skapas på nytt.",
                "%(n)d beslutsbrev skapas på nytt.",
                len(retried),
            )
            % {"n": len(retried)},
        )
    else:
        messages.info(request, _("Inga misslyckade eller avbrutna beslutsbrev att försöka igen."))
    return redirect(_progress_url(ids))


urlpatterns: list[URLPattern] = [
    path("decisions/", staff_decision_queue, name="staff_decision_queue"),
    path("decisions/bulk/", staff_decision_bulk, name="staff_decision_bulk"),
    path("decisions/progress/", staff_decision_progress, name="staff_decision_progress"),
    path("decisions/progress.json", staff_decision_progress_json, name="staff_decision_progress_json"),
    path("decisions/progress/retry/", staff_decision_letters_retry, name="staff_decision_letters_retry"),
    path("decisions/<int:pk>/", staff_decision, name="staff_decision"),
    path("decisions/<int:pk>/approve/", staff_decision_approve, name="staff_decision_approve"),
    path("decisions/<int:pk>/reject/", staff_decision_reject, name="staff_decision_reject"),
    path("decisions/<int:pk>/return/", staff_decision_return, name="staff_decision_return"),
]
