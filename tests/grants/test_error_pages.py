"""The site's own error pages, as production shows them (DEBUG off): 404, 403, a refused form (CSRF) and 500,
in Swedish by default and in English on request, each with the skip link and the accessibility statement.
The 500 page renders from an empty context: no request, no database, no URL reversing."""

import html5lib
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("planned failure")


urlpatterns = [*site_urlpatterns, path("test/forbidden/", forbidden), path("test/broken/", broken)]


class OnlyTheBrokenView:
    """A URLconf without any of the site's names: the 500 page must not need them."""

    urlpatterns = [path("test/broken/", broken)]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def parse(response, status):
    assert response.status_code == status
    html = response.content.decode()
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    doc = parser.parse(html)
    assert doc.find(".//a[@class='skip-link']").get("href") == "#main"
    assert doc.find(".//main").get("id") == "main"
    assert any(a.get("href") == "/accessibility/" for a in doc.iter("a"))
    (h1,) = doc.findall(".//h1")
    return doc, "".join(h1.itertext()).strip()


ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.urls(__name__)
def test_page_not_found(client, db):
    doc, h1 = parse(client.get("/finns/inte/"), 404)
    assert h1 == "Sidan finns inte" and doc.get("lang") == "sv"
    assert doc.find(".//form[@class='lang-switch']") is not None
    doc, h1 = parse(client.get("/finns/inte/", **ENGLISH), 404)
    assert h1 == "Page not found" and doc.get("lang") == "en"


def test_another_organisations_application_gets_the_same_page(client, draft, outsider):
    client.force_login(outsider)
    _doc, h1 = parse(client.get(f"/applications/{draft.pk}/"), 404)
    assert h1 == "Sidan finns inte"


@pytest.mark.urls(__name__)
def test_permission_denied(client, db):
    doc, h1 = parse(client.get("/test/forbidden/"), 403)
    assert h1 == "Du har inte behörighet" and doc.find(".//form[@class='lang-switch']") is not None
    _doc, h1 = parse(client.get("/test/forbidden/", **ENGLISH), 403)
    assert h1 == "You are not allowed to do this"


def test_a_form_refused_by_the_csrf_check(db, applicant):
    browser = Client(enforce_csrf_checks=True)
    applicant.refresh_from_db()
    browser.force_login(applicant)
    response = browser.post("/organisations/new/", {"name": "Utan token"})
    doc, h1 = parse(response, 403)
    assert h1 == "Formuläret kunde inte skickas"
    # Rendered with the request: the person is still logged in, and a fresh token makes a retry work.
    assert "Logga ut" in response.content.decode()
    assert "csrftoken" in response.cookies
    token = doc.find(".//form[@class='lang-switch']/input[@name='csrfmiddlewaretoken']").get("value")
    assert token
    english = Client(enforce_csrf_checks=True).post("/accounts/login/", {}, **ENGLISH)
    _doc, h1 = parse(english, 403)
    assert h1 == "The form could not be sent"


@pytest.mark.urls(__name__)
def test_server_error_touches_no_database(db, applicant):
    browser = Client(raise_request_exception=False)
    applicant.refresh_from_db()
    browser.force_login(applicant)
    with CaptureQueriesContext(connection) as queries:
        response = browser.get("/test/broken/")
    _doc, h1 = parse(response, 500)
    assert h1 == "Något gick fel"
    assert "Ett tekniskt fel uppstod hos oss." in response.content.decode()
    assert queries.captured_queries == []
    _doc, h1 = parse(Client(raise_request_exception=False).get("/test/broken/", **ENGLISH), 500)
    assert h1 == "Something went wrong"


def test_server_error_page_needs_no_url_names(settings, db):
    settings.ROOT_URLCONF = OnlyTheBrokenView
    settings.STATIC_URL = "/assets/"
    doc, h1 = parse(Client(raise_request_exception=False).get("/test/broken/"), 500)
    assert h1 == "Något gick fel"
    # The stylesheet is found where the static files are served, without the manifest.
    assert doc.find(".//link[@rel='stylesheet']").get("href") == "/assets/css/samverket.css"
