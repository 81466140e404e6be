"""Where a person lands after logging in (issue 9 item 14): staff on their role's workspace, applicants on the
home page (LOGIN_REDIRECT_URL). A `next` address, when the login page got one, still wins (LoginView)."""

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from grants import permissions
from grants.context_processors import staff_area_list
from grants.models import User


def landing_url(user: User) -> str:
    """The page to open after login: the first staff area of a person with a single staff role (the queue, the
    reviews, the decisions, finance's workspace), the staff workspace (which lists each area) for several roles,
    and the home page for everyone else."""
    if not permissions.has_staff_workspace(user):
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    areas = staff_area_list(user)
    roles = [role for role in permissions.STAFF_ROLES if permissions.has_role(user, role)]
    # A role may have several areas (finance: accounts, budget): its first one in the menu is its start page.
    if len(roles) == 1 and areas:
        return str(areas[0]["url"])
    return reverse("staff_workspace")
