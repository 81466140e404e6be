"""The applicant's whole journey through the portal, by the test client, as a browser without JavaScript
would do it: register, register the organisation, start from the open call, fill every section, upload,
preview, submit, receipt and e-mail, the list, withdraw; plus invitations, a closed call and English."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from grants.formatting import format_date, format_money
from grants.models import (
    Application,
    ApplicationState,
    ApplicationVersion,
    Attachment,
    BudgetLine,
    Invitation,
    Membership,
    Message,
    Organisation,
    RegistrationCounter,
    User,
)
from tests.factories import CallFactory, make_pdf

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PASSWORD = "Hybrid-Östersund-2027"
NBSP = "\u00a0"


# --- reading pages like a browser ----------------------------------------------------------------------


class _Fields(HTMLParser):
    """The current values of a page's form fields, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "checkbox", "file"):
            self.values[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            # Django renders a newline right after <textarea>; browsers drop it.
            current = self.values[self._textarea]
            self.values[self._textarea] = current + (data[1:] if not current and data.startswith("\n") else data)


def fields(response) -> dict[str, str]:
    parser = _Fields()
    parser.feed(response.content.decode())
    return parser.values


def text(response) -> str:
    """The page's visible text with whitespace collapsed (entities decoded)."""
    import html

    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(body))


def assert_kept(response, typed: dict[str, str]) -> None:
    shown = fields(response)
    lost = {k: (v, shown.get(k)) for k, v in typed.items() if shown.get(k) != v}
    assert not lost, f"typed values not shown again (typed, shown): {lost}"


def _login(client, user):
    user.refresh_from_db()  # UserFactory sets the password after saving and never saves it again
    client.force_login(user)


def section_url(application, key):
    return reverse("application_section", kwargs={"pk": application.pk, "section": key})


# --- the journey ---------------------------------------------------------------------------------------


@pytest.fixture
def call(db):
    return CallFactory()


@pytest.fixture
def journey_dates():
    start = date.today() + timedelta(days=90)
    return start, start + timedelta(days=364)


def _register(client, full_name, email, next_url=""):
    """Register, then follow the link in the activation e-mail (which is taken out of the outbox, so that the
    journey counts only its own e-mails): returns the answer to the link."""
    data = {
        "full_name": full_name,
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "language": "sv",
        "next": next_url,
    }
    sent = len(mail.outbox)
    with mock.patch("grants.tasks.transaction.on_commit", lambda func, *a, **k: func()):
        response = client.post(reverse("register") + (f"?next={next_url}" if next_url else ""), data)
    assert response.status_code == 200 and "Kontrollera din e-post" in text(response)
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == sent + 1
    activation = mail.outbox.pop()
    assert activation.to == [email.strip().lower()]
    return client.get(re.search(r"https?://[^/\s]+(/accounts/activate/\S+)", activation.body).group(1))


def test_the_whole_journey(client, call, journey_dates, django_capture_on_commit_callbacks):
    start, end = journey_dates

    # 1. Register, with Swedish letters in the name.
    response = _register(client, "  Åsa Öberg-Ärlebäck ", "Asa.Oberg@Ostersund.se")
    assert response.status_code == 302 and response["Location"] == reverse("organisation_list")
    user = User.objects.get(email="asa.oberg@ostersund.se")
    assert user.full_name == "Åsa Öberg-Ärlebäck"
    page = client.get(response["Location"])
    assert "Logga ut Åsa" in text(page)

    # 2. Register the organisation: the orgnr as people type it; refused when invalid or taken.
    org_url = reverse("organisation_create")
    typed = {"name": "Östersunds kommun", "org_type": "MUNICIPALITY", "city": "Östersund", "postal_code": "831 82"}
    refused = client.post(org_url, {**typed, "orgnr": "212000-2412"})  # fails the Luhn check
    assert refused.status_code == 200
    assert "inte giltigt" in text(refused)
    assert_kept(refused, {**typed, "orgnr": "212000-2412"})
    assert not Organisation.objects.exists()

    created = client.post(org_url, {**typed, "orgnr": "212000-2411"})
    assert created.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.orgnr == "2120002411" and organisation.name == "Östersunds kommun"
    assert Membership.objects.filter(user=user, organisation=organisation).exists()
    assert "212000-2411" in text(client.get(created["Location"]))

    duplicate = client.post(org_url, {**typed, "name": "Östersund igen", "orgnr": "2120002411"})
    assert duplicate.status_code == 200
    assert "redan registrerad" in text(duplicate) and "Be att få gå med i organisationen" in text(duplicate)
    assert Organisation.objects.count() == 1

    # 3. Start an application from the open call.
    calls = client.get(reverse("call_list"))
    assert call.title_sv in text(calls)
    detail = client.get(reverse("call_detail", kwargs={"pk": call.pk}))
    assert fields(detail).get("organisation") == "" and organisation.name in text(detail)
    started = client.post(reverse("call_detail", kwargs={"pk": call.pk}), {"organisation": organisation.pk})
    assert started.status_code == 302
    application = Application.objects.get()
    assert started["Location"] == section_url(application, "project")
    assert application.state == ApplicationState.DRAFT and application.created_by == user

    # 4. Fill every section, "Spara och fortsätt" leading to the next one.
    values = {
        "project": {
            "title": "Hybridarbete på Samverket Östersund",
            "summary": "Tjugo medarbetare arbetar två dagar i veckan från en coworkinghubb.",
            "description": "Vi prövar hybridarbete, mäter restid och trivsel och delar lärdomarna.\nRad två.",
        },
        "site": {"coworking_sites": "Samverket Östersund, Storgatan 1"},
        "participants": {"participants_count": "23", "participants_description": "Socialtjänst och ekonomi"},
        "period": {"start_date": start.isoformat(), "end_date": end.isoformat()},
    }
    for key, data in values.items():
        response = client.post(section_url(application, key), {**data, "save_next": "1"})
        assert response.status_code == 302, (key, response.context and response.context["form"].errors)
    assert response["Location"] == section_url(application, "budget")

    # Budget: add and remove rows without losing what was typed; "450 000" with a space.
    budget_url = section_url(application, "budget")
    page = client.get(budget_url)
    assert fields(page)["form-TOTAL_FORMS"] == "1"
    row0 = {"form-0-category": "PREMISES", "form-0-description": "Platser på Samverket", "form-0-amount": "450 000"}
    management = {"form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "50"}
    page = client.post(
        budget_url, {**management, "form-TOTAL_FORMS": "1", **row0, "co_financing": "50 000", "add_line": "1"}
    )
    assert page.status_code == 200
    assert fields(page)["form-TOTAL_FORMS"] == "2"
    assert_kept(page, {**row0, "co_financing": "50 000", "form-1-description": "", "form-1-amount": ""})

    row1 = {"form-1-category": "OTHER", "form-1-description": "Ska tas bort", "form-1-amount": "1 000"}
    page = client.post(
        budget_url, {**management, "form-TOTAL_FORMS": "2", **row0, **row1, "co_financing": "50 000", "add_line": "1"}
    )
    assert fields(page)["form-TOTAL_FORMS"] == "3"
    assert_kept(page, {**row0, **row1})

    row2 = {"form-2-category": "TRAVEL", "form-2-description": "Resor till Östersund", "form-2-amount": "12 500"}
    page = client.post(
        budget_url,
        {**management, "form-TOTAL_FORMS": "3", **row0, **row1, **row2, "co_financing": "50 000", "remove_line": "1"},
    )
    assert fields(page)["form-TOTAL_FORMS"] == "2"
    moved = {"form-1-category": "TRAVEL", "form-1-description": "Resor till Östersund", "form-1-amount": "12 500"}
    assert_kept(page, {**row0, **moved, "co_financing": "50 000"})
    assert "Ska tas bort" not in page.content.decode()
    assert not BudgetLine.objects.filter(application=application).exists()  # nothing saved until "Spara"

    saved = client.post(budget_url, {**fields(page), "save_next": "1"})  # submit the page exactly as shown
    assert saved.status_code == 302 and saved["Location"] == section_url(application, "contacts")
    lines = list(BudgetLine.objects.filter(application=application).order_by("position"))
    assert [(ln.category, ln.description, ln.amount) for ln in lines] == [
        ("PREMISES", "Platser på Samverket", 450000),
        ("TRAVEL", "Resor till Östersund", 12500),
    ]
    application.refresh_from_db()
    assert application.requested_amount == 462500 and application.co_financing == 50000

    contacts = {
        "contact_name": "Åsa Öberg-Ärlebäck",
        "contact_email": "asa.oberg@ostersund.se",
        "contact_phone": "063-14 30 00",
        "finance_contact_name": "Örjan Ekonom",
        "finance_contact_email": "ekonomi@ostersund.se",
    }
    response = client.post(section_url(application, "contacts"), {**contacts, "save_next": "1"})
    assert response.status_code == 302 and response["Location"] == section_url(application, "attachments")

    # 5. The preview says what is missing: the required PDF.
    preview = client.get(reverse("application_preview", kwargs={"pk": application.pk}))
    assert "Ansökan kan inte skickas in ännu" in text(preview)
    assert "Projektplan" in text(preview)

    kind = call.attachment_kinds.get(code="plan")
    pdf = make_pdf("Projektplan Östersund")
    uploaded = client.post(
        section_url(application, "attachments"),
        {"kind": kind.pk, "file": SimpleUploadedFile("Projektplan Östersund.pdf", pdf, "application/pdf")},
    )
    assert uploaded.status_code == 302
    assert Attachment.objects.get(application=application).original_name == "Projektplan Östersund.pdf"

    # 6. The preview shows every value entered, and nothing stops the submission.
    preview = client.get(reverse("application_preview", kwargs={"pk": application.pk}))
    shown = text(preview)
    assert "Ansökan kan inte skickas in ännu" not in shown
    with translation.override("sv"):
        expected = [
            *values["project"]["title"].split("\n"),
            values["project"]["summary"],
            *values["project"]["description"].split("\n"),
            values["site"]["coworking_sites"],
            "23",
            values["participants"]["participants_description"],
            format_date(start),
            format_date(end),
            "Lokaler och coworkingavgifter",
            "Platser på Samverket",
            format_money(450000),
            "Resor",
            "Resor till Östersund",
            format_money(12500),
            format_money(462500),
            format_money(50000),
            *contacts.values(),
            "Projektplan Östersund.pdf",
            "Östersunds kommun",
            "212000-2411",
            call.title_sv,
        ]
    missing = [value for value in expected if value not in shown]
    assert not missing, f"not on the preview: {missing}"
    assert f"450{NBSP}000{NBSP}kr" in shown

    # 7. Submit: receipt with a diarienummer, an e-mail with the same number.
    counter_before = dict(RegistrationCounter.objects.values_list("year", "last_number"))
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(reverse("application_submit", kwargs={"pk": application.pk}))
    assert submitted.status_code == 302
    assert submitted["Location"] == reverse("application_receipt", kwargs={"pk": application.pk})
    application.refresh_from_db()
    year = timezone.localtime(application.submitted_at, STOCKHOLM).year
    assert re.fullmatch(rf"{year}-\d{{5}}", application.reference_number)
    assert application.reference_number == f"{year}-{counter_before.get(year, 0) + 1:05d}"
    assert application.state == ApplicationState.SUBMITTED
    receipt = client.get(submitted["Location"])
    assert receipt.status_code == 200
    assert application.reference_number in text(receipt)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["asa.oberg@ostersund.se"]
    assert application.reference_number in email.subject
    assert application.reference_number in email.body
    assert "Hybridarbete på Samverket Östersund" in email.body
    assert Message.objects.get(application=application).status == "SENT"

    # 8. The list shows the case with the applicant's label (not the staff state name).
    listing = text(client.get(reverse("application_list")))
    assert application.reference_number in listing
    assert "Inskickad – under handläggning" in listing
    assert "Inkommen" not in listing  # the staff name of the state

    # Once submitted nothing is editable or deletable.
    assert client.get(section_url(application, "project")).status_code == 302
    client.post(section_url(application, "project"), {**values["project"], "title": "Ändrad"})
    application.refresh_from_db()
    assert application.title == values["project"]["title"]

    # 9. Delete works only for drafts: a submitted application stays.
    refused = client.post(reverse("application_delete", kwargs={"pk": application.pk}), follow=True)
    assert Application.objects.filter(pk=application.pk).exists()
    # The reason the delete page gives is the one the POST answers with (the same predicate).
    assert "Bara utkast kan tas bort; en inskickad ansökan är en allmän handling." in text(refused)

    # 10. Withdraw: the record stays, with its number and version.
    page = client.get(reverse("application_withdraw", kwargs={"pk": application.pk}))
    assert page.status_code == 200 and application.reference_number in text(page)
    withdrawn = client.post(
        reverse("application_withdraw", kwargs={"pk": application.pk}), {"reason": "Lokalen blev inte klar."}
    )
    assert withdrawn.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
    assert application.withdrawn_reason == "Lokalen blev inte klar."
    assert application.reference_number and ApplicationVersion.objects.filter(application=application).count() == 1
    assert "Återkallad" in text(client.get(reverse("application_list")))
    assert client.post(reverse("application_delete", kwargs={"pk": application.pk})).status_code == 302
    assert Application.objects.filter(pk=application.pk).exists()

    # … while a new draft can be deleted, with its attachment file.
    client.post(reverse("call_detail", kwargs={"pk": call.pk}), {"organisation": organisation.pk})
    second = Application.objects.exclude(pk=application.pk).get()
    gone = client.post(reverse("application_delete", kwargs={"pk": second.pk}))
    assert gone.status_code == 302 and gone["Location"] == reverse("application_list")
    assert not Application.objects.filter(pk=second.pk).exists()


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/calls/", "/calls/"),
        ("0", "/organisations/"),  # not a path: once read as a view name (NoReverseMatch, a 500)
        ("call_list", "/organisations/"),
        ("https://evil.example/", "/organisations/"),
        ("//evil.example/", "/organisations/"),
    ],
)
def test_registration_goes_on_only_to_a_path_on_this_site(db, client, next_url, lands_on):
    response = _register(client, "Åsa Öberg", "asa@ostersund.se", next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_the_applicant_logs_in_again_with_the_email_as_typed(client, call):
    _register(client, "Åsa Öberg", "asa@ostersund.se")
    client.post(reverse("logout"))
    for typed in ("asa@ostersund.se", "Asa@Ostersund.se", " asa@ostersund.se "):
        client.post(reverse("logout"))
        response = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
        assert response.status_code == 302, (typed, response.context and response.context["form"].errors)
        assert "_auth_user_id" in client.session
    client.post(reverse("logout"))
    wrong = client.post(reverse("login"), {"username": "asa@ostersund.se", "password": "fel-lösenord-1"})
    assert wrong.status_code == 200 and "Fel e-postadress eller lösenord" in text(wrong)


# --- a validation error keeps every typed value --------------------------------------------------------


@pytest.fixture
def member(client, applicant, draft):
    _login(client, applicant)
    return client


def test_an_error_in_the_project_section_keeps_what_was_typed(member, draft):
    typed = {
        "title": "Ny titel med åäö",
        "summary": "x" * 2001,
        "description": "Rad ett.\nRad två med ”citat” & <tagg>",
    }
    before = Application.objects.filter(pk=draft.pk).values().get()
    response = member.post(section_url(draft, "project"), {**typed, "save_next": "1"})
    assert response.status_code == 200
    assert "summary" in response.context["form"].errors
    assert_kept(response, typed)
    assert "Det finns fel i formuläret" in text(response)
    after = Application.objects.filter(pk=draft.pk).values().get()
    assert after == before


def test_an_error_in_the_period_keeps_both_dates(member, draft):
    typed = {"start_date": "2027-06-01", "end_date": "2027-05-01"}
    response = member.post(section_url(draft, "period"), typed)
    assert response.status_code == 200
    assert "Sista dagen ska vara efter första dagen" in text(response)
    assert_kept(response, typed)
    draft.refresh_from_db()
    assert (draft.start_date, draft.end_date) != (date(2027, 6, 1), date(2027, 5, 1))


def test_an_error_in_contacts_keeps_every_field(member, draft):
    typed = {
        "contact_name": "Örjan Åberg",
        "contact_email": "inte-en-adress",
        "contact_phone": "070-123 45 67",
        "finance_contact_name": "Ärla Ekonom",
        "finance_contact_email": "ekonomi@example.se",
    }
    response = member.post(section_url(draft, "contacts"), typed)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["contact_email"]
    assert_kept(response, typed)
    draft.refresh_from_db()
    assert draft.contact_name != "Örjan Åberg"


def test_an_error_in_the_budget_keeps_every_row(member, draft):
    typed = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-0-category": "PREMISES",
        "form-0-description": "Platser",
        "form-0-amount": "450 000",
        "form-1-category": "STAFF",
        "form-1-description": "Projektledning",
        "form-1-amount": "fyrahundra",
        "form-2-category": "TRAVEL",
        "form-2-description": "Resor",
        "form-2-amount": "12 500,50",
        "co_financing": "10 000",
    }
    lines = list(draft.budget_lines.values_list("description", "amount"))
    response = member.post(section_url(draft, "budget"), {**typed, "save": "1"})
    assert response.status_code == 200
    assert_kept(response, {k: v for k, v in typed.items() if k != "form-INITIAL_FORMS"})
    assert list(draft.budget_lines.values_list("description", "amount")) == lines


# --- invitations ---------------------------------------------------------------------------------------


def test_a_member_invites_a_colleague_who_registers_and_joins(
    client, draft, applicant, django_capture_on_commit_callbacks
):
    organisation = draft.organisation
    _login(client, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("organisation_detail", kwargs={"pk": organisation.pk}), {"email": "colleague@x.se"})
    assert sent.status_code == 302
    invitation = Invitation.objects.get(organisation=organisation)
    assert invitation.email == "colleague@x.se" and invitation.accepted_at is None
    link = reverse("invitation_accept", kwargs={"token": invitation.token})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["colleague@x.se"]
    assert link in mail.outbox[0].body and organisation.name in mail.outbox[0].subject
    assert "colleague@x.se" in text(client.get(reverse("organisation_detail", kwargs={"pk": organisation.pk})))
    client.post(reverse("logout"))

    # The colleague follows the link: first to the login page, then to registration, then back.
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    login_page = client.get(response["Location"])
    assert f"{reverse('register')}?next=" in login_page.content.decode()
    registered = _register(client, "Kalle Kollega", "colleague@x.se", next_url=link)
    assert registered.status_code == 302 and registered["Location"] == link
    colleague = User.objects.get(email="colleague@x.se")

    page = client.get(link)
    assert page.status_code == 200 and organisation.name in text(page)
    joined = client.post(link)
    assert joined.status_code == 302
    assert joined["Location"] == reverse("organisation_detail", kwargs={"pk": organisation.pk})
    assert Membership.objects.filter(user=colleague, organisation=organisation).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == colleague and invitation.accepted_at is not None

    # As a member the colleague now sees the organisation's application.
    assert client.get(reverse("application_detail", kwargs={"pk": draft.pk})).status_code == 200
    # The link works once.
    again = client.post(link, follow=True)
    assert "redan använd" in text(again)
    assert Membership.objects.filter(user=colleague, organisation=organisation).count() == 1


def test_an_invitation_is_only_for_its_address(client, draft, applicant, outsider):
    invitation = Invitation.objects.create(
        organisation=draft.organisation, email="colleague@x.se", invited_by=applicant
    )
    _login(client, outsider)
    link = reverse("invitation_accept", kwargs={"token": invitation.token})
    response = client.post(link, follow=True)
    assert "gäller en annan e-postadress" in text(response)
    assert not Membership.objects.filter(user=outsider, organisation=draft.organisation).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


# --- deadlines -----------------------------------------------------------------------------------------


def test_submitting_after_the_call_closed_is_refused_on_the_preview(member, draft, django_capture_on_commit_callbacks):
    call = draft.call
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.save()
    before = Application.objects.filter(pk=draft.pk).values().get()
    counters = dict(RegistrationCounter.objects.values_list("year", "last_number"))

    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(reverse("application_submit", kwargs={"pk": draft.pk}), follow=True)

    assert response.redirect_chain[-1][0] == reverse("application_preview", kwargs={"pk": draft.pk})
    assert "Utlysningen är stängd" in text(response)
    assert Application.objects.filter(pk=draft.pk).values().get() == before
    assert dict(RegistrationCounter.objects.values_list("year", "last_number")) == counters
    assert not ApplicationVersion.objects.filter(application=draft).exists()
    assert not Message.objects.filter(application=draft).exists() and not mail.outbox


def test_a_closed_call_cannot_be_started(member, draft):
    call = draft.call
    call.closes_at = timezone.now() - timedelta(minutes=1)
    call.save()
    count = Application.objects.count()
    page = member.get(reverse("call_detail", kwargs={"pk": call.pk}))
    assert "inte öppen" in text(page)
    response = member.post(reverse("call_detail", kwargs={"pk": call.pk}), {"organisation": draft.organisation.pk})
    assert response.status_code == 200
    assert Application.objects.count() == count


def test_a_draft_can_be_deleted_and_its_files_go(member, draft, tmp_path, django_capture_on_commit_callbacks):
    files = [tmp_path / "private" / a.file.name for a in draft.attachments.all()]
    assert files and all(f.exists() for f in files)
    page = member.get(reverse("application_delete", kwargs={"pk": draft.pk}))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(reverse("application_delete", kwargs={"pk": draft.pk}))
    assert response.status_code == 302
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not any(f.exists() for f in files)


# --- English -------------------------------------------------------------------------------------------


def test_english_is_one_click_away(client, draft, applicant):
    _login(client, applicant)
    response = client.post("/i18n/setlang/", {"language": "en", "next": reverse("call_list")})
    assert response.status_code == 302 and response["Location"] == reverse("call_list")
    for url in (
        reverse("call_list"),
        reverse("call_detail", kwargs={"pk": draft.call.pk}),
        reverse("application_list"),
        reverse("application_detail", kwargs={"pk": draft.pk}),
        reverse("application_preview", kwargs={"pk": draft.pk}),
        section_url(draft, "budget"),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert '<html lang="en">' in page.content.decode(), url
    # Content in two languages comes from the call itself, not from translation files.
    assert draft.call.title_en in text(client.get(reverse("call_list")))
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert '<html lang="sv">' in client.get(reverse("call_list")).content.decode()
