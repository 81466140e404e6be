"""Role-based staff navigation: one entry per area the person's roles may use."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from grants import permissions

# (URL name, label, the role or roles whose people see the area), in menu order.
STAFF_AREAS: list[tuple[str, Any, str | tuple[str, ...]]] = [
    ("staff_queue", _("Ärendeköer"), permissions.CASE_OFFICER),
    ("staff_review_list", _("Mina bedömningar"), permissions.REVIEWER),
    ("staff_decision_queue", _("Att besluta"), permissions.DECISION_MAKER),
    ("staff_finance", _("Utbetalningar"), permissions.FINANCE),
    ("staff_finance_accounts", _("Konton"), permissions.FINANCE),
    ("admin:index", _("Administration"), permissions.PROGRAMME_ADMIN),
    ("staff_finance_budget", _("Budget"), permissions.BUDGET_ROLES),
]


def staff_area_list(user: Any) -> list[dict[str, Any]]:
    """The staff areas (url, label, url_name) the person's roles may use, in menu order."""
    areas = []
    for url_name, label, roles in STAFF_AREAS:
        if not permissions.has_any_role(user, (roles,) if isinstance(roles, str) else roles):
            continue
        if url_name.startswith("admin:") and not user.is_staff:
            continue  # Django's admin lets in is_staff accounts only: a link would end at its login page
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # an area whose pages are not built yet
            continue
        areas.append({"url": url, "label": label, "url_name": url_name})
    return areas


def staff_nav(request: HttpRequest) -> dict[str, Any]:
    """`staff_workspace`: whether the person gets the staff start page; `staff_areas`: their areas. Both follow
    the roles (the groups the staff pages check), not `is_staff`, which only opens Django's admin: an external
    reviewer has a role but no admin account."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"staff_workspace": False, "staff_areas": []}
    return {"staff_workspace": permissions.has_staff_workspace(user), "staff_areas": staff_area_list(user)}  # type: ignore[arg-type]
