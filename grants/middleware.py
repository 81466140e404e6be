"""Response headers for every page (Content-Security-Policy, Permissions-Policy, no-store for logged-in people)
and the refusal of NUL bytes in a request before anything reads it (issue 9 items 5 and 6)."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

# No 'unsafe-inline' anywhere: the pages have no inline script, style element, style attribute or event handler
# (tests/grants/test_security_headers.py walks the templates), and the admin's own scripts are static files.
# `data:` images for the few icons stylesheets embed; nothing is loaded from another origin (DESIGN.md §9).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)


class SecurityHeadersMiddleware:
    """Set the headers Django's SecurityMiddleware does not: CSP on HTML pages, Permissions-Policy everywhere,
    and `Cache-Control: no-store` on every response to a logged-in person, i.e. one with a session (a shared or
    back-button cache must not keep a case, a review or a payment account)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        # A session cookie, sent or being set, is what a logged-in person has; reading request.user instead would
        # load the session from the database on every response, the error page's included.
        if settings.SESSION_COOKIE_NAME in request.COOKIES or settings.SESSION_COOKIE_NAME in response.cookies:
            add_never_cache_headers(response)
        return response


def _has_nul(values: list[str]) -> bool:
    return any("\x00" in value for value in values)


class RefuseNulBytesMiddleware:
    """Answer 400, with a page, to a request with a NUL byte in its path, a GET or POST parameter (name or value)
    or an uploaded file's name. PostgreSQL cannot store or compare text with NUL in it and raises an error (a 500
    from any filter, e.g. the admin's `?state__exact=%00`); no form or filter has a use for one. Placed after the
    session and authentication middleware, which only read lazily, and before any view: nothing has touched the
    database with the value, and nothing is changed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._refused(request):
            return HttpResponseBadRequest(render_to_string("400.html", {"nul_byte": True}, request=request))
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        if "\x00" in request.path or "\x00" in request.path_info:
            return True
        for query in (request.GET, request.POST if request.method == "POST" else None):
            if query is None:
                continue
            if _has_nul(list(query.keys())) or any(_has_nul(query.getlist(key)) for key in query):
                return True
        if request.method == "POST":
            names = [f.name or "" for key in request.FILES for f in request.FILES.getlist(key)]
            if _has_nul(list(request.FILES.keys())) or _has_nul(names):
                return True
        return False
