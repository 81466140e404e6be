from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from grants.selectors import call_list_open


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "grants/home.html", {"calls": call_list_open(now=timezone.now())})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "grants/accessibility.html", {"contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (settings.CSRF_FAILURE_VIEW). Django's own view renders 403_csrf.html
    without the request: the page would lose the menu and the person, and its language switch would post
    without a token. Rendered with the request it also hands out a fresh token, so a reload and retry work."""
    return render(request, "403_csrf.html", status=403)
