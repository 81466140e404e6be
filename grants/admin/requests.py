"""Join requests and signatory requests: read here, and decided by programme admins with the list's actions,
through the services (logged in the organisation log, the person e-mailed). Never added or edited by hand."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from grants.errors import ServiceError
from grants.models import JoinRequest, SignatoryRequest
from grants.services.join_requests import (
    join_request_grant,
    join_request_refuse,
    signatory_request_grant,
    signatory_request_refuse,
)


def _decide_each(
    admin_: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any], service: Callable[..., Any], key: str
) -> None:
    done = 0
    for obj in queryset.order_by("pk"):
        try:
            service(actor=request.user, now=timezone.now(), **{key: obj})
        except ServiceError as exc:  # NotAllowed included: decided already, or not theirs to decide
            admin_.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        admin_.message_user(
            request, ngettext("%(count)d begäran avgjord.", "%(count)d begäranden avgjorda.", done) % {"count": done}
        )


class RequestAdmin(admin.ModelAdmin):
    """Shown read-only; the decision is an action (a change permission) on the pending ones."""

    list_filter = ["state"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or []

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            actions = {}
        return actions


@admin.register(JoinRequest)
class JoinRequestAdmin(RequestAdmin):
    list_display = ["created_at", "user", "organisation", "state", "decided_by", "decided_at"]
    list_select_related = ["user", "organisation", "decided_by"]
    search_fields = ["user__email", "user__full_name", "organisation__name", "organisation__orgnr"]
    fields = ["organisation", "user", "message", "created_at", "state", "decided_by", "decided_at"]
    actions = ["grant", "refuse"]

    @admin.action(description=_("Bevilja valda förfrågningar (personen blir medlem)"), permissions=["change"])
    def grant(self, request: HttpRequest, queryset: QuerySet[JoinRequest]) -> None:
        _decide_each(self, request, queryset, join_request_grant, "join_request")

    @admin.action(description=_("Avslå valda förfrågningar"), permissions=["change"])
    def refuse(self, request: HttpRequest, queryset: QuerySet[JoinRequest]) -> None:
        _decide_each(self, request, queryset, join_request_refuse, "join_request")


@admin.register(SignatoryRequest)
class SignatoryRequestAdmin(RequestAdmin):
    list_display = ["created_at", "member", "organisation", "requested_by", "state", "decided_by", "decided_at"]
    list_select_related = ["member", "organisation", "requested_by", "decided_by"]
    search_fields = ["member__email", "member__full_name", "organisation__name", "organisation__orgnr"]
    fields = ["organisation", "member", "requested_by", "reason", "created_at", "state", "decided_by", "decided_at"]
    actions = ["grant", "refuse"]

    @admin.action(description=_("Bevilja valda begäranden (personen blir firmatecknare)"), permissions=["change"])
    def grant(self, request: HttpRequest, queryset: QuerySet[SignatoryRequest]) -> None:
        _decide_each(self, request, queryset, signatory_request_grant, "signatory_request")

    @admin.action(description=_("Avslå valda begäranden"), permissions=["change"])
    def refuse(self, request: HttpRequest, queryset: QuerySet[SignatoryRequest]) -> None:
        _decide_each(self, request, queryset, signatory_request_refuse, "signatory_request")
