"""The applicant's side of a completion request (komplettering): which sections are open, links to the
section editor, and the answer that freezes a new version and sends the case back to review."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import permissions, selectors
from grants.errors import REFUSALS as REFUSED
from grants.errors import NotAllowed
from grants.forms import MultilineTextField
from grants.sections import BY_KEY
from grants.services import applications as app_services
from grants.views.base import AuthedRequest
from workflows.base import refusal_message


class CompletionAnswerForm(forms.Form):
    note = MultilineTextField(
        label=gettext_lazy("Vad har ni ändrat?"),
        help_text=gettext_lazy("Handläggaren ser ditt svar tillsammans med ändringarna."),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@login_required
def application_completion(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_applicant(request.user, pk)
    verdict = permissions.can_complete(request.user, application)
    form = CompletionAnswerForm(request.POST or None)
    if request.method == "POST" and verdict and form.is_valid():
        try:
            app_services.application_complete(
                actor=request.user, application=application, note=form.cleaned_data["note"], now=timezone.now()
            )
        except (NotAllowed, *REFUSED) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("Tack! Kompletteringen är skickad till handläggaren."))
            return redirect("application_detail", pk=application.pk)
    elif request.method == "POST" and not verdict:
        messages.error(request, str(verdict.reason))
        return redirect("application_detail", pk=application.pk)
    problems = selectors.application_problems(application)
    return render(
        request,
        "grants/completion.html",
        {
            "application": application,
            "verdict": verdict,
            "form": form,
            "opened_sections": [BY_KEY[k] for k in application.completion_sections if k in BY_KEY],
            "problems": problems,
        },
    )


urlpatterns: list[URLPattern] = [
    path("applications/<int:pk>/completion/", application_completion, name="application_completion"),
]
