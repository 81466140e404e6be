from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from grants.selectors import call_list_open


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "grants/home.html", {"calls": call_list_open(now=timezone.now())})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "grants/accessibility.html")
