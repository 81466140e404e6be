"""What of the cases each person sees in the admin: the rules of the staff pages (DESIGN.md §5 rules 6 and 10),
applied to every admin that shows case content, in SQL (one EXISTS), so a changelist costs the same queries
however many cases it leaves out.

- Jäv: a case the person was asked to review and has not declared themselves free of conflict for (or declared
  a conflict for) is not there at all, whatever their other roles (`permissions.review_conflict_bars`).
- Drafts are the organisation's own work until sent: no draft and nothing of one for case officers,
  decision-makers or finance. A programme admin sees that a draft exists (its row in the application list:
  organisation, call, state, times) to help an applicant, never its content; the records hanging off a draft
  are hidden from them too.
- Superusers see everything.
"""

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from grants import permissions
from grants.models import ApplicationState, User


def _user(request: HttpRequest) -> User | AnonymousUser:
    return request.user  # type: ignore[return-value]


def sees_everything(request: HttpRequest) -> bool:
    return bool(_user(request).is_superuser)


def may_see_draft_rows(request: HttpRequest) -> bool:
    """Whether the application list shows drafts (their existence, not their content) to this person."""
    user = _user(request)
    return bool(user.is_superuser) or permissions.has_role(user, permissions.PROGRAMME_ADMIN)  # type: ignore[arg-type]


def scope_to_visible_cases(request: HttpRequest, queryset: QuerySet[Any], case_path: str) -> QuerySet[Any]:
    """The rows of `queryset` whose case the person may see. `case_path` leads from the row to its application
    ("" for the application itself, "application", "grant__application" …); rows without a case (a message
    about an organisation, a payment file) stay."""
    if sees_everything(request):
        return queryset
    user = _user(request)
    if not user.is_authenticated:
        return queryset.none()
    prefix = f"{case_path}__" if case_path else ""
    queryset = queryset.filter(~permissions.review_conflict_bars(user, case_path or "pk"))  # type: ignore[arg-type]
    if not case_path and may_see_draft_rows(request):
        return queryset
    return queryset.exclude(Q(**{f"{prefix}state": ApplicationState.DRAFT}))


class CaseScopedMixin:
    """For an admin or inline of records that belong to a case: only those of the cases the person may see."""

    case_path = "application"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope_to_visible_cases(request, super().get_queryset(request), self.case_path)  # type: ignore[misc]

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        # Django looks the row up before asking for the right: without it, 403 as on every other page of the
        # model, not "does not exist" for rows the scoping hides.
        if not self.has_view_or_change_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)  # type: ignore[misc]
