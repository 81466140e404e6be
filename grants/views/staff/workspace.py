from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

from grants import permissions
from grants.views.base import AuthedRequest


@login_required
def workspace(request: AuthedRequest) -> HttpResponse:
    """The staff start page: what each of the person's roles has waiting. Any staff role opens it, with or
    without `is_staff` (that flag is Django admin's, and an external reviewer has no admin account)."""
    if not permissions.has_staff_workspace(request.user):
        raise Http404
    return render(request, "staff/workspace.html")


urlpatterns = [path("", workspace, name="staff_workspace")]
