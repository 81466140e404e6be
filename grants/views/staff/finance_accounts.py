"""Finance's payment accounts (DESIGN.md §4.3, §5 rule 6): accounts waiting for verification, verify one
(never the person who registered it: four eyes) or reject it with a reason the organisation is shown. Finance
sees organisations and their accounts here, nothing of cases or reviews. Everyone without the finance role
gets 404: the area does not exist for them.

    GET      /staff/finance/accounts/?state=waiting|verified|all     the list (staff_finance_accounts)
    POST     /staff/finance/accounts/<pk>/verify/                     payment_account_verify
    GET/POST /staff/finance/accounts/<pk>/reject/                     payment_account_reject, with a reason
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from grants import permissions
from grants.forms import MultilineTextField
from grants.models import PaymentAccount
from grants.selectors.payment_accounts import FINANCE_FILTERS, payment_account_list_for_finance
from grants.services.payment_accounts import REASON_MAX_LENGTH, payment_account_reject, payment_account_verify
from grants.views.actions import run_service
from grants.views.base import AuthedRequest

PAGE_SIZE = 50
FILTER_LABELS = {
    "waiting": gettext_lazy("Väntar på verifiering"),
    "verified": gettext_lazy("Verifierade"),
    "all": gettext_lazy("Alla"),
}


class RejectForm(forms.Form):
    reason = MultilineTextField(
        label=gettext_lazy("Varför avvisas kontot?"),
        help_text=gettext_lazy(
            "Organisationen ser skälet på sin sida, till exempel ”Kontot står på en annan organisation”."
        ),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Skriv varför kontot avvisas. Organisationen får se skälet.")},
    )


def _require_finance(request: AuthedRequest) -> None:
    if not permissions.has_role(request.user, permissions.FINANCE):
        raise Http404


def _state(value: str | None) -> str:
    return value if value in FINANCE_FILTERS else "waiting"


def _list_url(state: str) -> str:
    return reverse("staff_finance_accounts") + "?" + urlencode({"state": _state(state)})


@login_required
@require_GET
def account_list(request: AuthedRequest) -> HttpResponse:
    _require_finance(request)
    state = _state(request.GET.get("state"))
    page = Paginator(payment_account_list_for_finance(state), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "account": account,
            "verify": permissions.can_verify_payment_account(request.user, account),
            "reject": permissions.can_reject_payment_account(request.user, account),
            # Back to the same filter after the POST.
            "verify_url": reverse("staff_finance_account_verify", args=[account.pk])
            + "?"
            + urlencode({"state": state}),
            "reason_id": f"why-verify-{account.pk}",
        }
        for account in page.object_list
    ]
    tabs = [
        {"label": label, "query": urlencode({"state": key}), "current": key == state}
        for key, label in FILTER_LABELS.items()
    ]
    return render(
        request,
        "staff/finance/payment_accounts.html",
        {"rows": rows, "page": page, "state": state, "state_label": FILTER_LABELS[state], "tabs": tabs},
    )


@login_required
@require_POST
def account_verify(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    account = get_object_or_404(PaymentAccount.objects.select_related("organisation"), pk=pk)
    run_service(
        request,
        payment_account_verify,
        verdict=permissions.can_verify_payment_account(request.user, account),
        success_message=_("Kontot för %(org)s är verifierat. Utbetalningar kan nu gå till det.")
        % {"org": account.organisation.name},
        account=account,
    )
    return redirect(_list_url(request.GET.get("state", "")))


@login_required
def account_reject(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_finance(request)
    account = get_object_or_404(PaymentAccount.objects.select_related("organisation", "created_by"), pk=pk)
    verdict = permissions.can_reject_payment_account(request.user, account)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ran = run_service(
            request,
            payment_account_reject,
            verdict=verdict,
            form=form,
            success_message=_("Kontot för %(org)s är avvisat.") % {"org": account.organisation.name},
            account=account,
            reason=form.cleaned_data["reason"],
        )
        if ran:
            return redirect(_list_url("waiting"))
    return render(
        request, "staff/finance/payment_account_reject.html", {"account": account, "form": form, "verdict": verdict}
    )


urlpatterns = [
    path("finance/accounts/", account_list, name="staff_finance_accounts"),
    path("finance/accounts/<int:pk>/verify/", account_verify, name="staff_finance_account_verify"),
    path("finance/accounts/<int:pk>/reject/", account_reject, name="staff_finance_account_reject"),
]
