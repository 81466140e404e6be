"""Issue 9 items 5 and 6 (NUL bytes): response headers, cookies, the proxy header only when trusted, and a
400 page for a NUL byte anywhere in a request's path or parameters (a 500 on PostgreSQL before)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from grants.models import Application, User
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def test_pages_have_a_csp_without_unsafe_inline(client, db):
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_the_admin_login_has_the_csp_too(client, db):
    assert "script-src 'self'" in client.get(reverse("admin:login"))["Content-Security-Policy"]


def test_logged_in_pages_are_not_stored(client, db):
    assert "no-store" not in client.get(reverse("call_list")).get("Cache-Control", "")
    client.force_login(UserFactory())
    for name in ("call_list", "application_list", "organisation_list"):
        assert "no-store" in client.get(reverse(name))["Cache-Control"], name


# Inline script and style, and event-handler attributes, which the CSP above would block.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_served_as_a_page_has_inline_script_or_style():
    found = []
    for path in (ROOT / "templates").rglob("*.html"):
        rel = path.relative_to(ROOT / "templates").as_posix()
        if rel == "base_pdf.html" or rel.startswith("documents/"):
            continue  # rendered by WeasyPrint into PDF, never served as a page
        for match in INLINE.finditer(path.read_text()):
            found.append(f"{rel}: {match.group(0)}")
    assert not found, found


def test_the_language_cookie_is_lax_and_http_only(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["samesite"] == "Lax" and cookie["httponly"]


def _settings_in(env: dict[str, str], expr: str) -> str:
    code = (
        f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; django.setup(); "
        f"from django.conf import settings as s; print({expr})"
    )
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TRUST_X_FORWARDED_PROTO")}
    out = subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_x_forwarded_proto_is_trusted_only_when_a_setting_says_so():
    production = {"DEBUG": "0", "SECRET_KEY": "x", "ALLOWED_HOSTS": "a"}
    assert _settings_in(production, "getattr(s, 'SECURE_PROXY_SSL_HEADER', None)") == "None"
    trusted = _settings_in({**production, "TRUST_X_FORWARDED_PROTO": "1"}, "s.SECURE_PROXY_SSL_HEADER")
    assert trusted == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert _settings_in(production, "s.LANGUAGE_COOKIE_SECURE") == "True"
    assert _settings_in({"DEBUG": "1"}, "s.LANGUAGE_COOKIE_SECURE") == "False"


# --- NUL bytes -------------------------------------------------------------------------------------------


def _refused(response):
    assert response.status_code == 400
    body = response.content.decode()
    assert "nolltecken" in body and "Ingenting har sparats" in body


@pytest.fixture
def superuser(db):
    return UserFactory(email="super@example.se", is_staff=True, is_superuser=True)


NUL_QUERIES = [
    {"state__exact": "\x00"},
    {"q": "abc\x00def"},
    {"call__id__exact": "\x00"},
    {"o": "\x00"},
    {"\x00": "1"},
]


@pytest.mark.parametrize("query", NUL_QUERIES)
def test_a_nul_byte_in_an_admin_filter_is_a_400(client, superuser, query):
    client.force_login(superuser)
    _refused(client.get(reverse("admin:grants_application_changelist"), query))


@pytest.mark.postgres
@pytest.mark.parametrize("query", NUL_QUERIES)
def test_a_nul_byte_in_an_admin_filter_is_a_400_on_postgresql(client, superuser, query):
    client.force_login(superuser)
    _refused(client.get(reverse("admin:grants_application_changelist"), query))
    # Without the NUL the same filter works: the 400 is for the byte, not the filter.
    assert client.get(reverse("admin:grants_application_changelist"), {"state__exact": "DRAFT"}).status_code == 200


@pytest.mark.postgres
def test_a_nul_byte_in_a_form_is_a_400_and_changes_nothing_on_postgresql(client, db):
    users = User.objects.count()
    data = {"full_name": "A\x00", "email": "a@example.se", "password1": "x", "password2": "x", "language": "sv"}
    _refused(client.post(reverse("register"), data))
    _refused(client.post(reverse("login"), {"username": "a\x00@example.se", "password": "x"}))
    assert User.objects.count() == users


def test_a_nul_byte_in_post_or_path_is_a_400(client, db):
    users, applications = User.objects.count(), Application.objects.count()
    _refused(client.post(reverse("login"), {"username": "a@example.se", "password": "x\x00"}))
    _refused(client.get("/calls/%00/"))
    _refused(client.get(reverse("call_list"), {"page": "1\x00"}))
    assert (User.objects.count(), Application.objects.count()) == (users, applications)


def test_the_400_page_is_in_english_too(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        response = client.get(reverse("call_list"), {"q": "\x00"})
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left English active in this thread
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert "Nothing has been saved" in response.content.decode()
