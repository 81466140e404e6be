"""Finance's workspace (DESIGN.md §8 Finance, issue 10 item 4): due payouts with filters and totals, a batch
made from a selection, the batches, and one batch's page with its payouts (while open) or frozen lines, totals
per call, who assembled and attested it, approve and export, and its files. Finance sees payouts, payees and
accounts, nothing of reviews. Everyone without the finance role gets 404: the area does not exist for them.

    GET  /staff/finance/?call=&org_type=&verified=yes|no      the workspace (staff_finance)
    POST /staff/finance/batches/                               batch_create from the ticked payouts
    GET  /staff/finance/batches/<pk>/                          the batch page (staff_finance_batch)
    POST /staff/finance/batches/<pk>/approve/                  batch_approve (not by its assembler)
    POST /staff/finance/batches/<pk>/export/                   batch_export
    POST /staff/finance/batches/<pk>/payouts/<payout_pk>/remove/  batch_remove_payout (open batches)
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from grants import permissions
from grants import permissions_batches as rules
from grants.ids import parse_id, parse_ids
from grants.models import OrganisationType, PayoutBatch
from grants.models.states import BATCH_OPEN_STATES
from grants.selectors import payouts as sel
from grants.services.batches import batch_approve, batch_create, batch_documents, batch_export, batch_remove_payout
from grants.views.actions import run_service
from grants.views.base import AuthedRequest

DUE_LIMIT = 500  # one page of due payouts; the filters narrow it
BATCH_LIMIT = 50


def _require_finance(request: AuthedRequest) -> None:
    if not permissions.has_role(request.user, permissions.FINANCE):
        raise Http404


def _filters(request: AuthedRequest) -> sel.DueFilters:
    call = request.GET.get("call", "")
    org_type = request.GET.get("org_type", "")
    verified = request.GET.get("verified", "")
    return sel.DueFilters(
        call_id=parse_id(call),
        org_type=org_type if org_type in OrganisationType.values else "",
        verified=verified if verified in sel.VERIFIED_FILTERS else "",
    )


@login_required
@require_GET
def workspace(request: AuthedRequest) -> HttpResponse:
    _require_finance(request)
    filters = _filters(request)
    due = sel.due_payout_list(filters)
    totals = sel.payout_totals(due)
    batches = list(sel.batch_list()[:BATCH_LIMIT])
    sums = sel.batch_sums(batches)
    return render(
        request,
        "staff/finance/workspace.html",
        {
            "filters": filters,
            "payouts": list(due[:DUE_LIMIT]),
            "totals": totals,
            "truncated": totals["count"] > DUE_LIMIT,
            "due_limit": DUE_LIMIT,
            "calls": list(sel.calls_with_due_payouts()),
            "org_types": OrganisationType.choices,
            "batches": [{"batch": b, **sums[b.pk]} for b in batches],
        },
    )


def _batch_url(batch_pk: int) -> str:
    return reverse("staff_finance_batch", args=[batch_pk])


@login_required
@require_POST
def batch_create_view(request: AuthedRequest) -> HttpResponse:
    _require_finance(request)
    ids = parse_ids(request.POST.getlist("payouts")) or []  # a tampered list is no choice: refused with a message
    ran = run_service(request, batch_create, payout_ids=ids, success_message=_("Utbetalningsunderlaget är skapat."))
    if ran:
        return redirect(_batch_url(ran.value.pk))
    back = {k: str(request.POST.get(k, "")) for k in ("call", "org_type", "verified") if request.POST.get(k)}
    return redirect(reverse("staff_finance") + ("?" + urlencode(back) if back else ""))


@login_required
@require_GET
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    batch = get_object_or_404(PayoutBatch.objects.select_related("created_by", "approved_by"), pk=pk)
    is_open = batch.state in BATCH_OPEN_STATES
    payouts = list(sel.batch_payouts_for_page(batch)) if is_open else []
    lines = [] if is_open else list(sel.batch_lines_for_page(batch))
    if is_open:
        per_call = sel.totals_per_call([(p.grant.application.call, p.amount) for p in payouts])
        rows = [{"payout": p, "problem": rules.payout_payee_problem(p)} for p in payouts]
    else:
        per_call = sel.totals_per_call([(line.payout.grant.application.call, line.amount) for line in lines])
        rows = []
    return render(
        request,
        "staff/finance/batch.html",
        {
            "batch": batch,
            "is_open": is_open,
            "rows": rows,
            "lines": lines,
            "per_call": per_call,
            "total": sum((t.amount for t in per_call), start=Decimal("0")),
            "count": sum(t.count for t in per_call),
            "approve": rules.can_approve_batch(request.user, batch, payouts),
            "export": rules.can_export_batch(request.user, batch),
            "documents": batch_documents(batch),
        },
    )


@login_required
@require_POST
def batch_approve_view(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    batch = get_object_or_404(PayoutBatch, pk=pk)
    run_service(
        request,
        batch_approve,
        verdict=rules.can_approve_batch(request.user, batch),
        success_message=_("Utbetalningsunderlaget är attesterat. Raderna är låsta."),
        batch=batch,
    )
    return redirect(_batch_url(pk))


@login_required
@require_POST
def batch_export_view(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    batch = get_object_or_404(PayoutBatch, pk=pk)
    run_service(
        request,
        batch_export,
        verdict=rules.can_export_batch(request.user, batch),
        success_message=_("Betalfilen och bokföringsunderlagen är skapade. Utbetalningarna är markerade som skickade."),
        batch=batch,
    )
    return redirect(_batch_url(pk))


@login_required
@require_POST
def batch_remove_payout_view(request: AuthedRequest, pk: int, payout_pk: int) -> HttpResponse:
    _require_finance(request)
    batch = get_object_or_404(PayoutBatch, pk=pk)
    run_service(
        request,
        batch_remove_payout,
        success_message=_("Utbetalningen är borttagen ur underlaget och ska betalas igen."),
        batch=batch,
        payout_id=payout_pk,
    )
    return redirect(_batch_url(pk))


urlpatterns = [
    path("finance/", workspace, name="staff_finance"),
    path("finance/batches/", batch_create_view, name="staff_finance_batch_create"),
    path("finance/batches/<int:pk>/", batch_detail, name="staff_finance_batch"),
    path("finance/batches/<int:pk>/approve/", batch_approve_view, name="staff_finance_batch_approve"),
    path("finance/batches/<int:pk>/export/", batch_export_view, name="staff_finance_batch_export"),
    path(
        "finance/batches/<int:pk>/payouts/<int:payout_pk>/remove/",
        batch_remove_payout_view,
        name="staff_finance_batch_remove_payout",
    ),
]
