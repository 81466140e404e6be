"""One way for a view to run a service (CONVENTIONS.md "A view makes one service call").

    ran = run_service(
        request,
        case_services.application_start_review,
        verdict=sel.can_start_review(request.user, application, check),  # the predicate the button used
        success_message=_("Ärendet är under bedömning."),
        application=application,
    )
    return redirect("staff_case", pk=application.pk)

`run_service` asks the permission predicate first (the same Verdict the page used to enable or disable the
button: templates/components/action_button.html), then calls the service with `actor=request.user` and
`now=timezone.now()` (unless given), and turns what the service refuses into words for the person:

- a predicate that says no, ServiceError, TransitionRefused, viewflow's TransitionNotAllowed: an error
  message (or, with `form=`, an error on the form field the refusal names, else on the form);
- NotAllowed (the actor may not do this at all): 403, as PermissionDenied — hidden buttons are not
  security, so a forged POST gets the same answer as any other forbidden request.

Nothing else is caught: a bug stays a 500 and is reported.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.utils import timezone

from grants.errors import REFUSALS, NotAllowed
from grants.permissions import Verdict
from grants.text import Text
from grants.views.base import AuthedRequest
from workflows.base import refusal_message


@dataclass(frozen=True)
class Ran:
    """What became of the call: `ok` (true also as the object itself), the service's return `value`, or the
    `message` the person was shown instead."""

    ok: bool
    value: Any = None
    message: Text = ""

    def __bool__(self) -> bool:
        return self.ok


def _refuse(request: AuthedRequest, form: BaseForm | None, message: Text, field: str | None = None) -> Ran:
    if form is not None:
        form.add_error(field if field in form.fields else None, str(message))
    else:
        messages.error(request, str(message))
    return Ran(False, message=message)


def run_service(
    request: AuthedRequest,
    fn: Callable[..., Any],
    /,
    *,
    success_message: Text | None = None,
    verdict: Verdict | None = None,
    form: BaseForm | None = None,
    refusals: tuple[type[Exception], ...] = (),
    **kwargs: Any,
) -> Ran:
    """Run the service `fn` for the person behind `request` and say how it went (a message on success, the
    reason on refusal). `verdict`: the permission predicate's answer, checked before the call. `form`: put
    refusals on this form instead of in a message. `refusals`: further exceptions to treat as a refusal
    (e.g. IntegrityError where the service relies on a constraint). Raises PermissionDenied on NotAllowed."""
    if verdict is not None and not verdict:
        return _refuse(request, form, verdict.reason)
    kwargs.setdefault("actor", request.user)
    kwargs.setdefault("now", timezone.now())
    try:
        value = fn(**kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except (*REFUSALS, *refusals) as exc:
        return _refuse(request, form, refusal_message(exc), getattr(exc, "field", None))
    if success_message:
        messages.success(request, str(success_message))
    return Ran(True, value=value)
