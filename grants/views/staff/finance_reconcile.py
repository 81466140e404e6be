"""Reconciliation pages for finance (DESIGN.md §7): read in the bank's answer to an exported batch, see what it
would do, book it; see what the bank answered for each line; make a failed payout due again. Everyone without
the finance role gets 404: the area does not exist for them.

    GET/POST /staff/finance/batches/<pk>/reconcile/                        staff_finance_batch_reconcile
             (the results per line, the answers read in, the upload form; POST: upload → its preview)
    GET      /staff/finance/batches/<pk>/reconcile/<answer_pk>/            staff_finance_batch_answer (preview)
    POST     /staff/finance/batches/<pk>/reconcile/<answer_pk>/apply/      staff_finance_batch_answer_apply
    POST     /staff/finance/payouts/<pk>/retry/                            staff_finance_payout_retry
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from grants import permissions
from grants import permissions_reconciliation as rules
from grants.ids import parse_id
from grants.models import BankAnswer, Payout, PayoutBatch, PayoutState
from grants.selectors.reconciliation import batch_answer_list, batch_reconciliation_rows
from grants.services.reconciliation import (
    ANSWER_MAX_BYTES,
    answer_preview,
    payout_retry,
    reconciliation_apply,
    reconciliation_preview,
)
from grants.views.actions import run_service
from grants.views.base import AuthedRequest


class AnswerForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bankens svarsfil"),
        help_text=gettext_lazy(
            "Statusrapport (pain.002), debiteringsavi (camt.054) eller CSV med kolumnerna betalning och status."
        ),
        error_messages={
            "required": gettext_lazy("Välj filen med bankens svar."),
            "empty": gettext_lazy("Filen är tom. Välj bankens svarsfil."),
        },
    )


def _require_finance(request: AuthedRequest) -> None:
    if not permissions.has_role(request.user, permissions.FINANCE):
        raise Http404


def _batch(pk: int) -> PayoutBatch:
    return get_object_or_404(PayoutBatch, pk=pk)


def _answer(batch: PayoutBatch, answer_pk: int) -> BankAnswer:
    return get_object_or_404(
        BankAnswer.objects.select_related("batch", "document", "imported_by", "applied_by"),
        pk=answer_pk,
        batch=batch,
    )


def _result_rows(request: AuthedRequest, batch: PayoutBatch) -> list[dict]:
    rows = batch_reconciliation_rows(batch)
    failed = [row.payout for row in rows if row.payout.state == PayoutState.FAILED]
    ready = rules.current_accounts_ready(p.grant.application.organisation_id for p in failed)
    return [
        {
            "row": row,
            "retry": rules.can_retry_payout(
                request.user, row.payout, account_ready=ready[row.payout.grant.application.organisation_id]
            )
            if row.payout.state == PayoutState.FAILED
            else None,
            "reason_id": f"why-retry-{row.payout.pk}",
        }
        for row in rows
    ]


@login_required
def reconcile(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    batch = _batch(pk)
    verdict = rules.can_import_answer(request.user, batch)
    form = AnswerForm(request.POST, request.FILES) if request.method == "POST" else AnswerForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > ANSWER_MAX_BYTES:
            form.add_error("file", _("Filen är större än 20 MB. Det är inget svar på ett utbetalningsunderlag."))
        else:
            ran = run_service(
                request,
                reconciliation_preview,
                verdict=verdict,
                form=form,
                batch=batch,
                content=upload.read(),
                filename=upload.name or "",
            )
            if ran:
                return redirect("staff_finance_batch_answer", pk=batch.pk, answer_pk=ran.value.answer.pk)
    return render(
        request,
        "staff/finance/reconcile.html",
        {
            "batch": batch,
            "form": form,
            "verdict": verdict,
            "rows": _result_rows(request, batch),
            "answers": list(batch_answer_list(batch)),
        },
    )


@login_required
@require_GET
def answer(request: AuthedRequest, pk: int, answer_pk: int) -> HttpResponse:
    _require_finance(request)
    batch = _batch(pk)
    stored = _answer(batch, answer_pk)
    preview = answer_preview(stored)
    verdict = rules.can_apply_answer(
        request.user, stored, problems=len(preview.problems), changes=preview.matched.changes
    )
    return render(
        request,
        "staff/finance/reconcile_preview.html",
        {"batch": batch, "answer": stored, "preview": preview, "verdict": verdict},
    )


@login_required
@require_POST
def answer_apply(request: AuthedRequest, pk: int, answer_pk: int) -> HttpResponse:
    _require_finance(request)
    batch = _batch(pk)
    stored = _answer(batch, answer_pk)
    ran = run_service(
        request,
        reconciliation_apply,
        verdict=rules.can_apply_answer(request.user, stored),
        success_message=_("Bankens svar är bokfört."),
        answer=stored,
    )
    if ran:
        return redirect("staff_finance_batch_reconcile", pk=batch.pk)
    return redirect("staff_finance_batch_answer", pk=batch.pk, answer_pk=stored.pk)


@login_required
@require_POST
def retry(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    payout = get_object_or_404(Payout.objects.select_related("grant__application"), pk=pk)
    run_service(
        request,
        payout_retry,
        verdict=rules.can_retry_payout(request.user, payout),
        success_message=_("Utbetalningen ska betalas igen och kan läggas i ett nytt underlag."),
        payout=payout,
    )
    back = parse_id(request.POST.get("batch"))
    if back is not None:
        return redirect(reverse("staff_finance_batch_reconcile", args=[back]))
    batch_pk = payout.lines.order_by("-pk").values_list("batch_id", flat=True).first()  # type: ignore[attr-defined]
    if batch_pk is None:
        raise Http404
    return redirect("staff_finance_batch_reconcile", pk=batch_pk)


urlpatterns = [
    path("finance/batches/<int:pk>/reconcile/", reconcile, name="staff_finance_batch_reconcile"),
    path("finance/batches/<int:pk>/reconcile/<int:answer_pk>/", answer, name="staff_finance_batch_answer"),
    path(
        "finance/batches/<int:pk>/reconcile/<int:answer_pk>/apply/",
        answer_apply,
        name="staff_finance_batch_answer_apply",
    ),
    path("finance/payouts/<int:pk>/retry/", retry, name="staff_finance_payout_retry"),
]
