"""Role-based staff navigation: one entry per area the person's roles may use."""

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from grants import permissions

STAFF_AREAS = [
    ("staff_queue", _("Ärendeköer"), permissions.CASE_OFFICER),
    ("staff_review_list", _("Mina bedömningar"), permissions.REVIEWER),
    ("staff_decision_queue", _("Att besluta"), permissions.DECISION_MAKER),
    ("admin:index", _("Administration"), permissions.PROGRAMME_ADMIN),
]


def staff_nav(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"staff_areas": []}
    areas = []
    for url_name, label, role in STAFF_AREAS:
        if not permissions.has_role(user, role):  # type: ignore[arg-type]
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # an area whose pages are not built yet
            continue
        areas.append({"url": url, "label": label, "url_name": url_name})
    return {"staff_areas": areas}
