"""The applicant portal: calls and applications (organisations: views/organisations.py). Every lookup is scoped
to the person's organisations, so another organisation's URLs answer 404."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants import forms, permissions, selectors
from grants.errors import REFUSALS as REFUSED
from grants.errors import NotAllowed
from grants.models import Application, ApplicationState, Attachment, Call
from grants.sections import BY_KEY, SECTIONS
from grants.selectors.versions import application_as_it_is
from grants.services import applications as app_services
from grants.services import attachments as attachment_services
from grants.views import language
from grants.views.actions import run_service
from grants.views.base import AuthedRequest, pdf_attachment_response
from workflows.base import refusal_message

# --- calls -------------------------------------------------------------------------------------------


def call_list(request: HttpRequest) -> HttpResponse:
    return render(request, "grants/call_list.html", {"calls": selectors.call_list_open(now=timezone.now())})


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = get_object_or_404(Call.objects.prefetch_related("criteria", "attachment_kinds"), pk=pk)
    now = timezone.now()
    form = None
    if request.user.is_authenticated:
        organisations = selectors.organisation_list_for(request.user).filter(org_type__in=call.eligible_org_types)
        form = forms.StartApplicationForm(request.POST or None, organisations=organisations)
        if request.method == "POST" and form.is_valid():
            try:
                application = app_services.application_create(
                    actor=request.user, call=call, organisation=form.cleaned_data["organisation"], now=now
                )
            except REFUSED as exc:
                form.add_error(
                    getattr(exc, "field", None) if getattr(exc, "field", None) in form.fields else None,
                    refusal_message(exc),
                )
            else:
                messages.success(request, _("Utkastet är skapat. Fyll i avsnitten i valfri ordning."))
                return redirect("application_section", pk=application.pk, section=SECTIONS[0].key)
    return render(request, "grants/call_detail.html", {"call": call, "form": form, "is_open": call.is_open(now)})


# --- applications ------------------------------------------------------------------------------------


@login_required
def application_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "grants/application_list.html",
        {"applications": selectors.application_list_for_applicant(request.user)},
    )


def _section_status(application: Application) -> list[dict[str, Any]]:
    problems = selectors.application_problems(application)
    by_section: dict[str, list[Any]] = {}
    for section, message in problems:
        by_section.setdefault(section, []).append(message)
    return [{"section": s, "problems": by_section.get(s.key, [])} for s in SECTIONS]


@login_required
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_applicant(request.user, pk)
    user = request.user
    return render(
        request,
        "grants/application_detail.html",
        {
            "application": application,
            "submitted": application_as_it_is(application),
            "sections": _section_status(application),
            "can_edit": permissions.can_edit_draft(user, application),
            "can_withdraw": permissions.can_withdraw(user, application),
            "can_delete": permissions.can_delete_draft(user, application),
            "versions": application.versions.order_by("number"),
        },
    )


def _next_section(section: str) -> str | None:
    keys = [s.key for s in SECTIONS]
    i = keys.index(section)
    return keys[i + 1] if i + 1 < len(keys) else None


def _after_save(request: AuthedRequest, application: Application, section: str) -> HttpResponse:
    messages.success(request, _("Avsnittet ”%(section)s” är sparat.") % {"section": BY_KEY[section].label})
    nxt = _next_section(section)
    if "save_next" in request.POST and nxt and application.state == ApplicationState.DRAFT:
        return redirect("application_section", pk=application.pk, section=nxt)
    if "save_next" in request.POST and application.state == ApplicationState.DRAFT:
        return redirect("application_preview", pk=application.pk)
    return redirect("application_detail", pk=application.pk)


def _budget_rows_from_post(data: Any, drop: int | None = None, add: bool = False) -> list[dict[str, str]]:
    """Rebuild the typed rows from the raw POST so adding or removing a row never loses what was typed."""
    try:
        total = min(int(data.get("form-TOTAL_FORMS", 0)), 60)
    except (TypeError, ValueError):
        total = 0
    rows = []
    for i in range(total):
        if i == drop:
            continue
        rows.append({k: str(data.get(f"form-{i}-{k}", ""))[:200] for k in ("category", "description", "amount")})
    if add:
        rows.append({"category": "", "description": "", "amount": ""})
    return rows


@login_required
def application_section(request: AuthedRequest, pk: int, section: str) -> HttpResponse:
    application = selectors.application_get_for_applicant(request.user, pk)
    if section not in BY_KEY:
        raise Http404
    verdict = app_services.section_editable(request.user, application, section)
    if not verdict:
        messages.error(request, str(verdict.reason))
        return redirect("application_detail", pk=application.pk)
    context: dict[str, Any] = {
        "application": application,
        "section": BY_KEY[section],
        "sections": SECTIONS,
        "next_section": _next_section(section),
    }
    now = timezone.now()
    switch = language.switch_requested(request)
    here = reverse("application_section", kwargs={"pk": application.pk, "section": section})
    if section == "budget":
        return _budget_section(request, application, context, now, switch=switch, here=here)
    if section == "attachments":
        return _attachments_section(request, application, context, now)

    form_class = forms.section_form_class(section)
    form = form_class(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            app_services.application_update(
                actor=request.user, application=application, section=section, values=form.cleaned_data, now=now
            )
        except (NotAllowed, *REFUSED) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            if switch:
                return language.saved_and_switched(request, here, switch)
            return _after_save(request, application, section)
    context["form"] = form
    if switch:
        return language.unsaved_and_switched(request, "grants/application_section.html", context, switch)
    return render(request, "grants/application_section.html", context)


def _budget_section(
    request: AuthedRequest,
    application: Application,
    context: dict[str, Any],
    now: Any,
    *,
    switch: str | None,
    here: str,
) -> HttpResponse:
    post = request.POST if request.method == "POST" else None
    if post is not None and ("add_line" in post or "remove_line" in post):
        drop = None
        if "remove_line" in post:
            try:
                drop = int(post["remove_line"])
            except ValueError:
                drop = None
        rows = _budget_rows_from_post(post, drop=drop, add="add_line" in post)
        formset = forms.BudgetLineFormSet(initial=rows)
        co_form = forms.CoFinancingForm(initial={"co_financing": post.get("co_financing", "")})
        context["unsaved"] = True  # the rows are redrawn, not saved: say so
    elif post is not None:
        formset = forms.BudgetLineFormSet(post)
        co_form = forms.CoFinancingForm(post)
        if formset.is_valid() and co_form.is_valid():
            deleted = set(formset.deleted_forms)
            lines = [f.cleaned_data for f in formset.forms if f.has_changed() and f not in deleted]
            try:
                app_services.budget_lines_replace(
                    actor=request.user,
                    application=application,
                    lines=lines,
                    co_financing=co_form.cleaned_data.get("co_financing") or Decimal("0"),
                    now=now,
                )
            except (NotAllowed, *REFUSED) as exc:
                co_form.add_error(None, refusal_message(exc))
            else:
                if switch:
                    return language.saved_and_switched(request, here, switch)
                return _after_save(request, application, "budget")
    else:
        initial = [
            {"category": line.category, "description": line.description, "amount": line.amount}
            for line in application.budget_lines.all()
        ] or [{"category": "", "description": "", "amount": ""}]
        formset = forms.BudgetLineFormSet(initial=initial)
        co_form = forms.CoFinancingForm(initial={"co_financing": application.co_financing})
    context.update({"formset": formset, "co_form": co_form})
    if switch:
        return language.unsaved_and_switched(request, "grants/application_budget.html", context, switch)
    return render(request, "grants/application_budget.html", context)


def _attachments_section(
    request: AuthedRequest, application: Application, context: dict[str, Any], now: Any
) -> HttpResponse:
    form = forms.AttachmentForm(request.POST or None, request.FILES or None, call=application.call)
    if request.method == "POST":
        if form.is_valid():
            try:
                attachment = attachment_services.attachment_add(
                    actor=request.user,
                    application=application,
                    kind=form.cleaned_data["kind"],
                    file=form.cleaned_data["file"],
                    now=now,
                )
            except (NotAllowed, *REFUSED) as exc:
                form.add_error("file", refusal_message(exc))
            else:
                messages.success(request, _("Bilagan ”%(name)s” är uppladdad.") % {"name": attachment.original_name})
                return redirect("application_section", pk=application.pk, section="attachments")
    context.update(
        {
            "form": form,
            "attachments": application.attachments.filter(removed_at__isnull=True).select_related("kind"),
            "kinds": application.call.attachment_kinds.all(),
        }
    )
    return render(request, "grants/application_attachments.html", context)


@login_required
def application_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_applicant(request.user, pk)
    return render(
        request,
        "grants/application_preview.html",
        {
            "application": application,
            "submitted": application_as_it_is(application),
            "problems": selectors.application_problems(application)
            if application.state == ApplicationState.DRAFT
            else [],
            "can_submit": permissions.can_submit(request.user, application),
        },
    )


@login_required
def application_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        application = get_object_or_404(
            Application.objects.only("pk"), pk=pk, organisation__memberships__user=request.user
        )
        return redirect("application_preview", pk=application.pk)
    # No lookup here: the service reads and locks the application by its key, membership in the same query,
    # and refuses anyone else, who gets the same 404 as for a key that does not exist.
    try:
        app_services.application_submit(actor=request.user, application=Application(pk=pk), now=timezone.now())
    except (Application.DoesNotExist, NotAllowed) as exc:
        raise Http404 from exc
    except app_services.AlreadySubmitted:
        # A double click: the first POST sent it, this one found it sent (the refusal is only raised to a
        # member). What the person wants to see is the receipt, not an error.
        return redirect("application_receipt", pk=pk)
    except REFUSED as exc:
        messages.error(request, str(refusal_message(exc)))
        return redirect("application_preview", pk=pk)
    return redirect("application_receipt", pk=pk)


@login_required
def application_receipt(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_applicant(request.user, pk)
    if application.state == ApplicationState.DRAFT:
        return redirect("application_preview", pk=application.pk)
    return render(request, "grants/application_receipt.html", {"application": application})


@login_required
def application_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_applicant(request.user, pk)
    verdict = permissions.can_withdraw(request.user, application)
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        run_service(
            request,
            app_services.application_withdraw,
            verdict=verdict,
            success_message=_("Ansökan är återkallad. Den finns kvar som allmän handling."),
            application=application,
            reason=form.cleaned_data["reason"],
        )
        return redirect("application_detail", pk=application.pk)
    return render(
        request, "grants/application_withdraw.html", {"application": application, "form": form, "verdict": verdict}
    )


@login_required
def application_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_applicant(request.user, pk)
    verdict = permissions.can_delete_draft(request.user, application)
    if request.method == "POST":
        ran = run_service(
            request,
            app_services.application_delete,
            verdict=verdict,
            success_message=_("Utkastet är borttaget."),
            refusals=(IntegrityError,),  # something still refers to the draft
            application=application,
        )
        return redirect("application_list") if ran else redirect("application_detail", pk=application.pk)
    return render(request, "grants/application_delete.html", {"application": application, "verdict": verdict})


STAFF_FILE_ROLES = (permissions.CASE_OFFICER, permissions.DECISION_MAKER, permissions.PROGRAMME_ADMIN)


@login_required
def attachment_download(request: AuthedRequest, pk: int, attachment_pk: int) -> FileResponse:
    user = request.user
    attachment = None
    if user.is_superuser or any(permissions.has_role(user, r) for r in STAFF_FILE_ROLES):
        # Staff read the files of cases; a draft is the organisation's own work until it is sent.
        attachment = (
            Attachment.objects.filter(pk=attachment_pk, application_id=pk)
            .exclude(application__state=ApplicationState.DRAFT)
            .select_related("application")
            .first()
        )
        # Not for someone asked to review the case who has not declared no conflict (jäv, DESIGN §5 rule 6).
        if attachment is not None and not permissions.free_of_review_conflict(user, attachment.application):
            attachment = None
    if attachment is None:
        attachment = selectors.attachment_get_for_applicant(user, pk, attachment_pk)
    return pdf_attachment_response(attachment.file, attachment.original_name)


@login_required
@require_POST
def attachment_remove(request: AuthedRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_applicant(request.user, pk, attachment_pk)
    try:
        attachment_services.attachment_remove(actor=request.user, attachment=attachment, now=timezone.now())
    except (NotAllowed, *REFUSED) as exc:
        messages.error(request, str(refusal_message(exc)))
    else:
        messages.success(request, _("Bilagan ”%(name)s” är borttagen.") % {"name": attachment.original_name})
    return redirect(reverse("application_section", kwargs={"pk": pk, "section": "attachments"}))
