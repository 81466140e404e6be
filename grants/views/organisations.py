"""The applicant's organisations: register one, invite a colleague, ask to join one already registered, answer
those who ask, and ask for the signatory role for a member. An organisation's page is for its members only
(404 otherwise); someone outside learns only that their request was sent (never who the members are).

    GET/POST /organisations/new/                                  register (organisation_create)
    GET/POST /organisations/join/                                 ask to join by orgnr (join_request_create)
    GET/POST /organisations/<pk>/                                 members: the page, invite (invitation_create)
    POST     /organisations/<pk>/join-requests/<request_pk>/      members: decision=grant|refuse
    GET/POST /organisations/<pk>/signatory/                       members: ask for the signatory role
    GET/POST /organisations/<pk>/account/                         members: payment account (views/payment_accounts.py)
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import forms, selectors
from grants.errors import NotAllowed, ServiceError
from grants.models import Invitation, JoinRequest
from grants.services import join_requests as join_services
from grants.services import organisations as org_services
from grants.views.base import AuthedRequest
from grants.views.payment_accounts import payment_account_context


@login_required
def organisation_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "grants/organisation_list.html",
        {
            "memberships": request.user.memberships.select_related("organisation").order_by("organisation__name"),
            "join_requests": selectors.join_request_list_for_user(request.user),
        },
    )


@login_required
def organisation_create(request: AuthedRequest) -> HttpResponse:
    form = forms.OrganisationForm(request.POST or None)
    already_registered = False
    if request.method == "POST" and form.is_valid():
        try:
            organisation = org_services.organisation_create(actor=request.user, now=timezone.now(), **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            already_registered = isinstance(exc, org_services.OrganisationAlreadyRegistered)
        else:
            messages.success(request, _("Organisationen är registrerad och du är medlem."))
            return redirect("organisation_detail", pk=organisation.pk)
    join_url = reverse("organisation_join")
    if already_registered:  # the join page, with the orgnr already filled in
        join_url += "?" + urlencode({"orgnr": form.data.get("orgnr", "")})
    return render(
        request,
        "grants/organisation_form.html",
        {"form": form, "already_registered": already_registered, "join_url": join_url},
    )


@login_required
def organisation_join(request: AuthedRequest) -> HttpResponse:
    """Ask the members of a registered organisation to let me join. The answer names no one."""
    form = forms.JoinRequestForm(request.POST or None, initial={"orgnr": request.GET.get("orgnr", "")[:20]})
    if request.method == "POST" and form.is_valid():
        try:
            join_services.join_request_create(
                actor=request.user,
                orgnr=form.cleaned_data["orgnr"],
                message=form.cleaned_data["message"],
                now=timezone.now(),
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Din förfrågan är skickad till organisationens medlemmar. "
                    "Du får ett e-postmeddelande när den är besvarad."
                ),
            )
            return redirect("organisation_list")
    return render(request, "grants/organisation_join.html", {"form": form})


@login_required
def organisation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for(request.user, pk)
    form = forms.InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.invitation_create(
                actor=request.user, organisation=organisation, email=form.cleaned_data["email"], now=timezone.now()
            )
        except ServiceError as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(request, _("Inbjudan är skickad till %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("organisation_detail", pk=organisation.pk)
    return render(
        request,
        "grants/organisation_detail.html",
        {
            "organisation": organisation,
            "memberships": selectors.membership_list_for_organisation(organisation),
            "invitations": organisation.invitations.filter(accepted_at__isnull=True).order_by("-created_at"),
            "join_requests": selectors.join_request_list_pending(organisation),
            "signatory_requests": selectors.signatory_request_list_pending(organisation),
            "can_request_signatory": selectors.signatory_candidates(organisation).exists(),
            "form": form,
            **payment_account_context(organisation),
        },
    )


@login_required
@require_POST
def join_request_decide(request: AuthedRequest, pk: int, request_pk: int) -> HttpResponse:
    """A member grants (the person becomes a member) or refuses a request to join."""
    organisation = selectors.organisation_get_for(request.user, pk)  # 404 for anyone outside
    join_request = JoinRequest.objects.select_related("user").filter(pk=request_pk, organisation=organisation).first()
    decision = request.POST.get("decision")
    if join_request is None or decision not in ("grant", "refuse"):
        raise Http404
    service = join_services.join_request_grant if decision == "grant" else join_services.join_request_refuse
    try:
        service(actor=request.user, join_request=join_request, now=timezone.now())
    except NotAllowed as exc:
        raise Http404 from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        name = join_request.user.get_full_name()
        if decision == "grant":
            messages.success(request, _("%(name)s är nu medlem i organisationen.") % {"name": name})
        else:
            messages.success(request, _("Förfrågan från %(name)s är avslagen.") % {"name": name})
    return redirect("organisation_detail", pk=organisation.pk)


@login_required
def signatory_request_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """A member asks the programme staff to make a member (themself or another) a signatory."""
    organisation = selectors.organisation_get_for(request.user, pk)
    form = forms.SignatoryRequestForm(request.POST or None, members=selectors.signatory_candidates(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            join_services.signatory_request_create(
                actor=request.user,
                organisation=organisation,
                member=form.cleaned_data["member"],
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except NotAllowed as exc:
            raise Http404 from exc
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Begäran är skickad. Vi prövar den och meddelar er med e-post."),
            )
            return redirect("organisation_detail", pk=organisation.pk)
    return render(request, "grants/organisation_signatory.html", {"organisation": organisation, "form": form})


@login_required
def invitation_accept(request: AuthedRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("organisation").filter(token=token[:64]).first()
    if invitation is None:
        raise Http404
    if request.method == "POST":
        try:
            membership = org_services.invitation_accept(actor=request.user, token=token, now=timezone.now())
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Du är nu medlem i %(org)s.") % {"org": membership.organisation.name})
            return redirect("organisation_detail", pk=membership.organisation_id)
    return render(request, "grants/invitation_accept.html", {"invitation": invitation})
