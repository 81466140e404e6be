"""The organisation's payment account, for its members (DESIGN.md §4.3): the current account and its state,
the accounts it had before, and a form to register a new one. Any member may; the new account supersedes
the current one and nothing is paid to it until finance has verified it (grants/services/payment_accounts.py).
The finance side is grants/views/staff/finance_accounts.py.

    GET      /organisations/<pk>/            the section "Utbetalningskonto" (organisation_detail)
    GET/POST /organisations/<pk>/account/    members: register or change the account (payment_account_register)
"""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import permissions, selectors
from grants.models import Organisation, PaymentAccountType
from grants.selectors.payment_accounts import payment_account_history
from grants.services.payment_accounts import payment_account_register
from grants.views.actions import run_service
from grants.views.base import AuthedRequest


class Radios(forms.RadioSelect):
    """Radios whose field id is the first option's, so the error summary's link lands on an input."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class PaymentAccountForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Kontotyp"),
        choices=PaymentAccountType.choices,
        widget=Radios,
        error_messages={
            "required": gettext_lazy("Välj om kontot är ett bankgiro, ett plusgiro eller ett IBAN."),
            "invalid_choice": gettext_lazy("Välj om kontot är ett bankgiro, ett plusgiro eller ett IBAN."),
        },
    )
    number = forms.CharField(
        label=gettext_lazy("Kontonummer"),
        max_length=60,
        help_text=gettext_lazy(
            "Till exempel bankgiro 5050-1055, plusgiro 28 65 43-4 eller IBAN SE45 5000 0000 0583 9825 7466. "
            "Mellanslag och bindestreck går bra."
        ),
        error_messages={"required": gettext_lazy("Ange kontonumret.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.CharField(
        label=gettext_lazy("BIC (SWIFT-kod)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy(
            "Bara för IBAN. För ett svenskt IBAN kan du lämna fältet tomt: vi läser då ut banken ur numret."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def payment_account_context(organisation: Organisation, form: PaymentAccountForm | None = None) -> dict[str, Any]:
    """What the organisation page's section needs: the current account, the earlier ones and the form."""
    history = list(payment_account_history(organisation))
    current = history[0] if history and history[0].is_current else None
    return {
        "account": current,
        "account_history": history[1:] if current else history,
        "account_form": form or PaymentAccountForm(),
    }


@login_required
def payment_account_register_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """A member registers or changes the organisation's account; on an error the form is shown again."""
    organisation = selectors.organisation_get_for(request.user, pk)  # 404 for anyone outside
    form = PaymentAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ran = run_service(
            request,
            payment_account_register,
            verdict=permissions.can_register_payment_account(request.user, organisation),
            form=form,
            success_message=_(
                "Kontot är registrerat. Det används för utbetalningar först när en ekonomihandläggare har "
                "verifierat det."
            ),
            organisation=organisation,
            **form.cleaned_data,
        )
        if ran:
            return redirect(reverse("organisation_detail", args=[organisation.pk]) + "#account")
    return render(
        request,
        "grants/organisation_account.html",
        {"organisation": organisation, **payment_account_context(organisation, form)},
    )
