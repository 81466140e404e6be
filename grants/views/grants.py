"""The applicant's answer to a grant (DESIGN.md §4.2): the frozen terms in full, accept (a signatory, before the
deadline) or decline with a reason. Members who are not signatories see who can answer."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import permissions
from grants.forms import MultilineTextField
from grants.models import Grant, Membership, MembershipRole, User
from grants.services import grants as grant_services
from grants.views.actions import run_service
from grants.views.base import AuthedRequest
from workflows.grant import grant_terms_text, terms_sha256


class AcceptForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("Jag har läst villkoren och godtar dem för organisationens räkning."),
        error_messages={"required": gettext_lazy("Kryssa i rutan för att bekräfta att du godtar villkoren.")},
    )
    terms_sha256 = forms.CharField(widget=forms.HiddenInput, required=False)


class DeclineForm(forms.Form):
    reason = MultilineTextField(
        label=gettext_lazy("Varför avstår organisationen från bidraget?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("Skriv varför organisationen avstår från bidraget.")},
    )


def _grant_for_member(user: User, pk: int) -> Grant:
    """The grant if the person is a member of its organisation; otherwise 404 (no hint that it exists)."""
    grant = (
        Grant.objects.filter(pk=pk, application__organisation__memberships__user=user)
        .select_related("application__organisation", "application__call")
        .first()
    )
    if grant is None:
        raise Http404
    return grant


def _page(request: AuthedRequest, grant: Grant, accept_form: AcceptForm, decline_form: DeclineForm) -> HttpResponse:
    now = timezone.now()
    text = grant_terms_text(grant, get_language() or "sv")
    signatories = (
        Membership.objects.filter(organisation_id=grant.application.organisation_id, role=MembershipRole.SIGNATORY)
        .select_related("user")
        .order_by("user__full_name")
    )
    return render(
        request,
        "grants/grant_accept.html",
        {
            "grant": grant,
            "application": grant.application,
            "terms_text": text,
            "terms_digest": terms_sha256(text),
            "can_accept": permissions.can_accept_grant(request.user, grant, now),
            "can_decline": permissions.can_decline_grant(request.user, grant),
            "is_signatory": bool(permissions.grant_signatory_verdict(request.user, grant)),
            "past_deadline": now >= grant.acceptance_deadline_at,
            "signatories": [m.user for m in signatories],
            "accept_form": accept_form,
            "decline_form": decline_form,
        },
    )


@login_required
def grant_accept(request: AuthedRequest, pk: int) -> HttpResponse:
    grant = _grant_for_member(request.user, pk)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ran = run_service(
            request,
            grant_services.grant_accept,
            verdict=permissions.can_accept_grant(request.user, grant, timezone.now()),
            form=form,
            success_message=_("Villkoren är godtagna. Förskottet betalas ut till organisationens verifierade konto."),
            grant=grant,
            language=get_language() or "sv",
            shown_sha256=form.cleaned_data["terms_sha256"],
        )
        if ran:
            return redirect("application_detail", pk=grant.application_id)
    return _page(request, grant, form, DeclineForm())


@login_required
@require_POST
def grant_decline(request: AuthedRequest, pk: int) -> HttpResponse:
    grant = _grant_for_member(request.user, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        ran = run_service(
            request,
            grant_services.grant_decline,
            verdict=permissions.can_decline_grant(request.user, grant),
            form=form,
            success_message=_("Organisationen har avstått från bidraget."),
            grant=grant,
            reason=form.cleaned_data["reason"],
        )
        if ran:
            return redirect("application_detail", pk=grant.application_id)
    return _page(request, grant, AcceptForm(), form)
