"""DESIGN.md §5 rule 6 in the applicant portal: an applicant sees only their own organisations' cases.

Another organisation's application, attachment or organisation answers 404, exactly like an id that does
not exist (never 403, which would confirm it exists, and never 200). The URLs are read from
`grants.urls`, so a URL added under applications/<int:pk>/ is covered without touching this file; a URL
with a parameter this file does not know how to fill fails `test_every_application_route_can_be_filled`.
"""

import hashlib
import re
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, reverse

import grants.urls
from documents.models import Document, DocumentKind
from grants.models import ApplicationState, Attachment, Invitation, Membership
from grants.sections import SECTION_KEYS
from tests.factories import UserFactory, make_pdf
from tests.workflows.lifecycle import bring_to, snapshot

S = ApplicationState

# How to fill each URL parameter from the application under test; `section` expands to every section.
KNOWN_PARAMETERS = {"pk", "attachment_pk", "section", "doc_pk"}
NO_SUCH_ID = 987654321


def _routes(patterns=None, prefix: str = "", namespace: str = "") -> list[tuple[str, str]]:
    """Every (full route, URL name) of grants.urls, included modules too."""
    found: list[tuple[str, str]] = []
    for p in grants.urls.urlpatterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found.extend(_routes(p.url_patterns, prefix + str(p.pattern), ns))
        elif isinstance(p, URLPattern) and p.name:
            found.append((prefix + str(p.pattern), namespace + p.name))
    return found


def _parameters(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def _application_routes() -> dict[str, str]:
    """URL name → route, for every route of the portal under applications/ that names one application."""
    return {name: route for route, name in _routes() if route.startswith("applications/") and "<int:pk>" in route}


ROUTES = _application_routes()


def _cases() -> list[tuple[str, str | None]]:
    cases: list[tuple[str, str | None]] = []
    for name, route in ROUTES.items():
        if "section" in _parameters(route):
            cases.extend((name, key) for key in SECTION_KEYS)
        else:
            cases.append((name, None))
    return cases


CASES = _cases()
IDS = [f"{name}[{section}]" if section else name for name, section in CASES]


def _document_pk(application_pk: int) -> int:
    """An issued decision letter of the application (stored with its checksum), made on first use."""
    document = Document.objects.filter(application_id=application_pk).first()
    if document is None:
        if application_pk == NO_SUCH_ID:
            return NO_SUCH_ID
        content = make_pdf("Beslutsbrev")
        document = Document(
            kind=DocumentKind.DECISION_LETTER,
            application_id=application_pk,
            filename="beslut.pdf",
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            media_type="application/pdf",
        )
        document.file.save("beslut.pdf", ContentFile(content), save=False)
        document.save()
    return document.pk


def _url(name: str, section: str | None, application_pk: int, attachment_pk: int) -> str:
    values = {"pk": application_pk, "attachment_pk": attachment_pk, "section": section}
    parameters = _parameters(ROUTES[name])
    if "doc_pk" in parameters:
        values["doc_pk"] = _document_pk(application_pk)
    return reverse(name, kwargs={k: values[k] for k in parameters})


def _login(client, user):
    user.refresh_from_db()  # UserFactory sets the password after saving and never saves it again
    client.force_login(user)


def _state_of_a(draft, cast, now, state):
    application = bring_to(draft, state, cast, now)
    attachment = Attachment.objects.filter(application=application).first()
    assert attachment is not None
    return application, attachment


def _files(tmp_path):
    root = tmp_path / "private"
    return sorted((p.relative_to(root), p.read_bytes()) for p in root.rglob("*") if p.is_file())


# --- the list of routes is complete and usable --------------------------------------------------------


def test_every_application_route_can_be_filled():
    unknown = {
        route: set(_parameters(route)) - KNOWN_PARAMETERS
        for route in ROUTES.values()
        if set(_parameters(route)) - KNOWN_PARAMETERS
    }
    assert not unknown, f"teach this file how to fill these URL parameters: {unknown}"


def test_the_generated_routes_include_the_known_ones():
    # Guards the generator itself: if it silently produced nothing, every test below would pass vacuously.
    names = {name for name, _section in CASES}
    assert names >= {
        "application_detail",
        "application_section",
        "application_preview",
        "application_submit",
        "application_receipt",
        "application_withdraw",
        "application_delete",
        "attachment_download",
        "attachment_remove",
    }
    assert len([c for c in CASES if c[0] == "application_section"]) == len(SECTION_KEYS)


# --- another organisation's applicant ------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.DRAFT, S.AWAITING_COMPLETION, S.APPROVED])
@pytest.mark.parametrize(("name", "section"), CASES, ids=IDS)
def test_another_organisations_applicant_gets_404(client, draft, cast, now, tmp_path, name, section, state):
    application, attachment = _state_of_a(draft, cast, now, state)
    outsider = cast.outsider
    assert not Membership.objects.filter(user=outsider, organisation=application.organisation).exists()
    _login(client, outsider)
    url = _url(name, section, application.pk, attachment.pk)
    before, files_before = snapshot(application), _files(tmp_path)
    attachments_before = list(Attachment.objects.filter(application=application).values())

    for method in ("get", "post"):
        response = getattr(client, method)(url, {"reason": "x", "title": "Kapad", "file": ""})
        if response.status_code == 405:
            # Refused for everyone before any lookup (e.g. a POST-only view): fine only if an id that does
            # not exist gets the very same answer, so nothing is learnt about A's application.
            ghost = _url(name, section, NO_SUCH_ID, NO_SUCH_ID)
            assert getattr(client, method)(ghost).status_code == 405, f"{method.upper()} {url}"
        else:
            assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}"

    assert snapshot(application) == before
    assert list(Attachment.objects.filter(application=application).values()) == attachments_before
    assert _files(tmp_path) == files_before


@pytest.mark.parametrize("role", ["reviewer", "finance"])
@pytest.mark.parametrize(("name", "section"), CASES, ids=IDS)
def test_staff_outside_the_organisation_get_404_from_the_applicant_portal(
    client, draft, cast, now, name, section, role
):
    # A reviewer sees a case only once assigned and through the review pages; finance never sees applications.
    application, attachment = _state_of_a(draft, cast, now, S.SUBMITTED)
    staff = UserFactory(email=f"{role}@example.se", roles=[role])
    _login(client, staff)
    url = _url(name, section, application.pk, attachment.pk)
    before = snapshot(application)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if response.status_code == 405:
            assert getattr(client, method)(_url(name, section, NO_SUCH_ID, NO_SUCH_ID)).status_code == 405
        else:
            assert response.status_code == 404, f"{method.upper()} {url} answered {response.status_code}"
    assert snapshot(application) == before


def test_an_attachment_of_a_is_not_reachable_through_bs_own_application(client, draft, cast, now):
    """The attachment id is checked against the application in the URL, and that one against the person."""
    from tests.factories import ApplicationFactory

    outsider = cast.outsider
    b_application = ApplicationFactory(
        organisation=outsider.memberships.get().organisation, created_by=outsider, call=draft.call
    )
    a_attachment = draft.attachments.get()
    _login(client, outsider)
    for name in ("attachment_download", "attachment_remove"):
        url = reverse(name, kwargs={"pk": b_application.pk, "attachment_pk": a_attachment.pk})
        assert client.post(url).status_code == 404
        assert client.get(url).status_code in (404, 405)
    assert Attachment.objects.filter(pk=a_attachment.pk).exists()


def test_another_organisation_is_404_and_cannot_be_invited_to(client, draft, cast):
    organisation = draft.organisation
    _login(client, cast.outsider)
    url = reverse("organisation_detail", kwargs={"pk": organisation.pk})
    assert client.get(url).status_code == 404
    response = client.post(url, {"email": "inkraktare@example.se"})
    assert response.status_code == 404
    assert not Invitation.objects.filter(organisation=organisation).exists()
    # … and exactly like an organisation that does not exist.
    assert client.get(reverse("organisation_detail", kwargs={"pk": NO_SUCH_ID})).status_code == 404


def test_lists_show_only_the_persons_own_organisations(client, draft, cast):
    _login(client, cast.outsider)
    applications = client.get(reverse("application_list"))
    organisations = client.get(reverse("organisation_list"))
    assert applications.status_code == organisations.status_code == 200
    assert draft not in list(applications.context["applications"])
    assert draft.organisation.name not in organisations.content.decode()
    assert reverse("organisation_detail", kwargs={"pk": draft.organisation.pk}) not in organisations.content.decode()
    assert reverse("application_detail", kwargs={"pk": draft.pk}) not in applications.content.decode()


def test_call_start_form_offers_only_the_persons_organisations(client, draft, cast):
    """POSTing another organisation's id to start an application is refused, not obeyed."""
    _login(client, cast.outsider)
    url = reverse("call_detail", kwargs={"pk": draft.call.pk})
    count = draft.organisation.applications.count()
    response = client.post(url, {"organisation": draft.organisation.pk})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert draft.organisation.applications.count() == count


# --- nobody logged in -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "section"), CASES, ids=IDS)
def test_anonymous_is_sent_to_login(client, draft, name, section):
    attachment = draft.attachments.get()
    url = _url(name, section, draft.pk, attachment.pk)
    before = snapshot(draft)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response["Location"] == f"{reverse('login')}?next={quote(url)}"
    assert snapshot(draft) == before


@pytest.mark.parametrize(
    "name", ["application_list", "organisation_list", "organisation_create", "organisation_detail", "invitation"]
)
def test_anonymous_is_sent_to_login_from_personal_pages(client, draft, name):
    if name == "organisation_detail":
        url = reverse(name, kwargs={"pk": draft.organisation.pk})
    elif name == "invitation":
        url = reverse("invitation_accept", kwargs={"token": "abc"})
    else:
        url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(url)}"


# --- the organisation's own member ---------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.DRAFT, S.AWAITING_COMPLETION, S.APPROVED])
@pytest.mark.parametrize(("name", "section"), CASES, ids=IDS)
def test_the_organisations_member_is_let_in(client, draft, cast, now, name, section, state):
    application, attachment = _state_of_a(draft, cast, now, state)
    # A colleague who did not create the application has the same rights as its creator.
    colleague = UserFactory(email="kollega@example.se")
    Membership.objects.create(user=colleague, organisation=application.organisation)
    _login(client, colleague)
    url = _url(name, section, application.pk, attachment.pk)

    response = client.get(url)
    assert response.status_code in (200, 302, 405), f"GET {url} answered {response.status_code}"
    if response.status_code == 405:
        assert response["Allow"] == "POST"
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("login"))
    if name in ("attachment_download", "document_download"):
        assert response.status_code == 200

    response = client.post(url, {"reason": "Vi drar tillbaka ansökan."})
    assert response.status_code in (200, 302), f"POST {url} answered {response.status_code}"
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("login"))


def test_the_organisations_member_sees_the_organisation(client, draft, applicant):
    _login(client, applicant)
    response = client.get(reverse("organisation_detail", kwargs={"pk": draft.organisation.pk}))
    assert response.status_code == 200
    assert draft.organisation.name in response.content.decode()


@pytest.mark.parametrize("role", ["case_officer", "decision_maker", "programme_admin"])
def test_staff_read_a_cases_files_but_not_a_drafts(client, draft, cast, now, role):
    """Until it is sent, a draft and its files are the organisation's own work, also towards staff."""
    staff = UserFactory(email=f"{role}@example.se", roles=[role])
    attachment = draft.attachments.get()
    url = reverse("attachment_download", kwargs={"pk": draft.pk, "attachment_pk": attachment.pk})
    _login(client, staff)
    assert client.get(url).status_code == 404
    bring_to(draft, S.SUBMITTED, cast, now)
    assert client.get(url).status_code == 200
