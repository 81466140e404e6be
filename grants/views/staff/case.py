"""The case page for case officers (decision-makers read it): the current version, what changed after a
completion, attachments, reviews, the case log and the actions open now. Each action is a POST view that
asks the same predicate the page used for its button, then makes one service call."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants.errors import REFUSALS as REFUSED
from grants.errors import NotAllowed
from grants.forms_staff import CompletionRequestForm, EligibilityForm, ProposalForm, ReviewerAssignForm
from grants.models import Application, Outcome, Review
from grants.permissions import Verdict
from grants.sections import BY_KEY
from grants.selectors import cases as sel
from grants.selectors.case_log import case_log
from grants.selectors.decisions import latest_decision, pending_proposal
from grants.selectors.reviews import review_summary
from grants.selectors.versions import case_versions, submitted_content
from grants.services import cases as case_services
from grants.services import reviews as review_services
from grants.views.actions import run_service
from grants.views.base import AuthedRequest
from workflows.application import OPEN_CASE_STATES
from workflows.base import refusal_message


def _add_error(form: Any, exc: Exception) -> None:
    name = getattr(exc, "field", None)
    form.add_error(name if name in form.fields else None, refusal_message(exc))


def _page(
    request: AuthedRequest, application: Application, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    latest_check = sel.case_latest_check(application)
    reviews = sel.case_reviews(application)
    actions = sel.case_actions(user, application, latest_check=latest_check, reviews=reviews)
    forms = forms or {}
    # Staff read what was sent: the latest frozen version, not the row the applicant may be completing.
    versions = case_versions(application)
    suggestions = sel.eligibility_suggestions(application, versions.shown)
    candidates = sel.reviewer_candidates(application)
    decision, grant = latest_decision(application)
    context: dict[str, Any] = {
        "application": application,
        # A case that has left handling (proposed, decided, withdrawn) shows what became of it, not the forms
        # of handling that can no longer apply.
        "handling_open": application.state in OPEN_CASE_STATES,
        "decision": decision,
        "grant": grant,
        "proposal": pending_proposal(application),
        "actions": actions,
        "latest_check": latest_check,
        "failures": sel.eligibility_failures(latest_check) if latest_check else [],
        "reviews": [(r, actions.unassign[r.pk]) for r in reviews],
        "review_summary": review_summary(application),
        "events": case_log(application),
        "submitted": versions.shown,
        "versions": versions.versions,
        "diff": versions.diff,
        "opened_sections": [BY_KEY[k] for k in application.completion_sections if k in BY_KEY],
        "suggestions": suggestions,
        "eligibility_form": forms.get("eligibility") or EligibilityForm(suggestions=suggestions),
        "completion_form": forms.get("completion") or CompletionRequestForm(),
        "reviewer_form": forms.get("reviewer") or ReviewerAssignForm(candidates=candidates),
        "error_forms": list(forms.values()),
    }
    return render(request, "staff/case/detail.html", context, status=status)


@login_required
def staff_case(request: AuthedRequest, pk: int) -> HttpResponse:
    application = sel.case_get_for_staff(request.user, pk)
    return _page(request, application)


def _refused(request: AuthedRequest, application: Application, verdict: Verdict) -> HttpResponseRedirect:
    messages.error(request, str(verdict.reason))
    return redirect("staff_case", pk=application.pk)


def _done(request: AuthedRequest, application: Application, text: str) -> HttpResponseRedirect:
    messages.success(request, text)
    return redirect("staff_case", pk=application.pk)


@login_required
@require_POST
def staff_case_assign_self(request: AuthedRequest, pk: int) -> HttpResponse:
    application = sel.case_get_for_staff(request.user, pk)
    run_service(
        request,
        case_services.application_assign,
        verdict=sel.can_assign_self(request.user, application),
        success_message=_("Ärendet är tilldelat dig."),
        application=application,
        officer=request.user,
    )
    return redirect("staff_case", pk=application.pk)


@login_required
@require_POST
def staff_case_eligibility(request: AuthedRequest, pk: int) -> HttpResponse:
    application = sel.case_get_for_staff(request.user, pk)
    verdict = sel.can_check_eligibility(request.user, application)
    if not verdict:
        return _refused(request, application, verdict)
    form = EligibilityForm(
        request.POST, suggestions=sel.eligibility_suggestions(application, submitted_content(application))
    )
    if form.is_valid():
        try:
            check = case_services.eligibility_check_record(
                actor=request.user, application=application, now=timezone.now(), **form.cleaned_data
            )
        except (NotAllowed, *REFUSED) as exc:
            _add_error(form, exc)
        else:
            if check.passed:
                return _done(request, application, _("Den formella kontrollen är godkänd."))
            messages.warning(request, _("Den formella kontrollen är inte godkänd. Du kan föreslå avslag."))
            return redirect("staff_case", pk=application.pk)
    return _page(request, application, {"eligibility": form})


@login_required
@require_POST
def staff_case_start_review(request: AuthedRequest, pk: int) -> HttpResponse:
    application = sel.case_get_for_staff(request.user, pk)
    run_service(
        request,
        case_services.application_start_review,
        verdict=sel.can_start_review(request.user, application, sel.case_latest_check(application)),
        success_message=_("Ärendet är under bedömning."),
        application=application,
    )
    return redirect("staff_case", pk=application.pk)


@login_required
@require_POST
def staff_case_request_completion(request: AuthedRequest, pk: int) -> HttpResponse:
    application = sel.case_get_for_staff(request.user, pk)
    verdict = sel.can_request_completion(request.user, application)
    if not verdict:
        return _refused(request, application, verdict)
    form = CompletionRequestForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case_services.application_request_completion(
                actor=request.user,
                application=application,
                message=data["message"],
                answer_by=data["answer_by"],
                sections=list(data["sections"]),
                now=timezone.now(),
            )
        except (NotAllowed, *REFUSED) as exc:
            _add_error(form, exc)
        else:
            return _done(request, application, _("Kompletteringen är begärd och sökanden har fått besked."))
    return _page(request, application, {"completion": form})


@login_required
@require_POST
def staff_case_reviewer_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    application = sel.case_get_for_staff(request.user, pk)
    verdict = sel.can_assign_reviewer(request.user, application)
    if not verdict:
        return _refused(request, application, verdict)
    form = ReviewerAssignForm(request.POST, candidates=sel.reviewer_candidates(application))
    if form.is_valid():
        reviewer = form.cleaned_data["reviewer"]
        try:
            review_services.review_assign(
                actor=request.user, application=application, reviewer=reviewer, now=timezone.now()
            )
        except (NotAllowed, *REFUSED) as exc:
            _add_error(form, exc)
        else:
            return _done(
                request, application, _("%(name)s är bedömare i ärendet.") % {"name": reviewer.get_full_name()}
            )
    return _page(request, application, {"reviewer": form})


@login_required
@require_POST
def staff_case_reviewer_unassign(request: AuthedRequest, pk: int, review_pk: int) -> HttpResponse:
    application = sel.case_get_for_staff(request.user, pk)
    review = get_object_or_404(Review.objects.select_related("reviewer"), pk=review_pk, application=application)
    verdict = sel.can_unassign_reviewer(request.user, review)
    if not verdict:
        return _refused(request, application, verdict)
    try:
        review_services.review_unassign(actor=request.user, review=review, now=timezone.now())
    except (NotAllowed, *REFUSED) as exc:
        messages.error(request, str(refusal_message(exc)))
        return redirect("staff_case", pk=application.pk)
    return _done(
        request,
        application,
        _("%(name)s är inte längre bedömare i ärendet.") % {"name": review.reviewer.get_full_name()},
    )


@login_required
def staff_case_propose(request: AuthedRequest, pk: int) -> HttpResponse:
    """The proposal form (föredragning). `?reject=formal` prefills a rejection with the failed check's reasons."""
    application = sel.case_get_for_staff(request.user, pk)
    reviews = sel.case_reviews(application)
    verdict = sel.can_propose_case(request.user, application, reviews)
    latest_check = sel.case_latest_check(application)
    approval = sel.can_propose_approval(request.user, application, reviews, latest_check)
    submitted = submitted_content(application)  # what the proposal is on: as sent, not as being completed
    if request.method == "POST":
        if not verdict:
            return _refused(request, application, verdict)
        form = ProposalForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case_services.application_propose(
                    actor=request.user,
                    application=application,
                    outcome=data["outcome"],
                    amount=data["amount"] if data["outcome"] == Outcome.APPROVE else None,
                    reasons=data["reasons"],
                    conditions=data["conditions"],
                    now=timezone.now(),
                )
            except (NotAllowed, *REFUSED) as exc:
                _add_error(form, exc)
            else:
                return _done(request, application, _("Ärendet är föredraget för beslut."))
    else:
        initial: dict[str, Any] = {"outcome": Outcome.APPROVE, "amount": submitted.requested_amount}
        if not approval:
            initial = {"outcome": Outcome.REJECT}
        if request.GET.get("reject") == "formal" and latest_check is not None and not latest_check.passed:
            initial = {"outcome": Outcome.REJECT, "reasons": sel.rejection_reason(latest_check)}
        form = ProposalForm(initial=initial)
    return render(
        request,
        "staff/case/propose.html",
        {"application": application, "submitted": submitted, "form": form, "verdict": verdict, "approval": approval},
    )


urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/", staff_case, name="staff_case"),
    path("cases/<int:pk>/assign-me/", staff_case_assign_self, name="staff_case_assign_self"),
    path("cases/<int:pk>/eligibility/", staff_case_eligibility, name="staff_case_eligibility"),
    path("cases/<int:pk>/start-review/", staff_case_start_review, name="staff_case_start_review"),
    path("cases/<int:pk>/completion/", staff_case_request_completion, name="staff_case_request_completion"),
    path("cases/<int:pk>/reviewers/", staff_case_reviewer_assign, name="staff_case_reviewer_assign"),
    path(
        "cases/<int:pk>/reviewers/<int:review_pk>/unassign/",
        staff_case_reviewer_unassign,
        name="staff_case_reviewer_unassign",
    ),
    path("cases/<int:pk>/propose/", staff_case_propose, name="staff_case_propose"),
]
