"""The application's URLs plus the baselines of the rush benchmark: a bare view that inserts one row, and the
same for a logged-in user."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def ping(request: HttpRequest) -> HttpResponse:
    """POST: insert one row into bench_ping (created by rush.py) and answer 204. GET: 204 without writing,
    so the benchmark can wait for gunicorn to answer."""
    if request.method == "POST":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_ping (at) VALUES (now())")
    return HttpResponse(status=204)


@csrf_exempt
def authenticated_ping(request: HttpRequest) -> HttpResponse:
    """The same INSERT for a logged-in user only: what reading the session and the user adds to a request.
    Every real page pays it; it is the floor under any submission."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return ping(request)


urlpatterns = [
    path("bench/ping/", ping, name="bench_ping"),
    path("bench/authenticated-ping/", authenticated_ping, name="bench_authenticated_ping"),
    *app_urlpatterns,
]
