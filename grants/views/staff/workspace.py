from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

from grants import permissions
from grants.views.base import AuthedRequest


def staff_roles(user: object) -> list[str]:
    return [role for role in permissions.STAFF_ROLES if permissions.has_role(user, role)]  # type: ignore[arg-type]


@login_required
def workspace(request: AuthedRequest) -> HttpResponse:
    """The staff start page: what each of the person's roles has waiting."""
    if not request.user.is_staff or not (staff_roles(request.user) or request.user.is_superuser):
        raise Http404
    return render(request, "staff/workspace.html")


urlpatterns = [path("", workspace, name="staff_workspace")]
