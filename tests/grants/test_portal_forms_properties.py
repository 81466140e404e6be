"""Property tests: no portal page answers 500 to malformed input, and input the page refuses changes nothing.

Every form POST endpoint gets random text, unicode (NUL and right-to-left marks included), huge strings,
odd numbers and stray extra fields. The oracle is the page's own answer: a re-rendered form (200) means the
input was refused, so the database must be exactly as before; a redirect means it was accepted, so the
change must be the one the page is for and nothing else (no field outside the form is ever written).

Each example runs inside a savepoint that is rolled back, so every example starts from the same records.
"""

import operator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from grants.models import (
    Application,
    ApplicationState,
    Attachment,
    BudgetLine,
    Call,
    Invitation,
    Membership,
    Organisation,
    User,
)
from grants.sections import BY_KEY, SECTION_KEYS
from grants.services.applications import application_submit
from tests.factories import make_pdf

PROPS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
PASSWORD = "rätt-lösenord-123"
FRESH_ORGNR = "2120009002"  # Luhn-valid, in no factory list

# --- what a malicious or clumsy browser may send --------------------------------------------------------

CHARS = st.characters(codec="utf-8")  # every code point but surrogates, NUL and control characters included
ODD = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\r\n",
        "\u202e",
        "\ufeff",
        "0",
        "-0",
        "-1",
        "1e309",
        "1e-309",
        "1E+999999999",
        "NaN",
        "sNaN",
        "-Infinity",
        "9" * 40,
        "9" * 5000,
        "1_000",
        "١٢٣",
        "１２３",
        "0x10",
        "1,5",
        "1.5.5",
        "999999999.99",
        "999 999 999,99 kr",
        "600\u00a0000",
        "2026-02-30",
        "0000-00-00",
        "9999-12-31",
        "0001-01-01",
        "'; DROP TABLE grants_application; --",
        "<script>alert(1)</script>",
        "{{ 7|add:7 }}",
        "%(x)s %s {0}",
        "None",
        "[]",
        "😀" * 3,
    ]
)
NUMBERS = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
HUGE = st.builds(operator.mul, st.sampled_from(["x", "å", "9", " ", "\x00", "😀", "<"]), st.integers(2_000, 60_000))
JUNK = st.one_of(st.text(CHARS, max_size=300), ODD, NUMBERS, HUGE)
VALUE = st.one_of(JUNK, st.lists(JUNK, min_size=2, max_size=3))  # a repeated field is a list in a POST


def form(fields: list[str], valid: dict[str, list[str]] | None = None, extra: list[str] = ()) -> Any:
    """A POST body, one of two kinds: any subset of `fields` (and `extra`), each junk or sometimes plausible;
    or every plausible value with one or two fields spoilt, which reaches each field's own checks and,
    now and then, the page's success path."""
    valid = {name: values for name, values in (valid or {}).items() if name in fields}
    optional = {name: st.one_of(VALUE, st.sampled_from(valid[name])) if name in valid else VALUE for name in fields}
    optional.update({name: VALUE for name in extra})
    anything = st.fixed_dictionaries({}, optional=optional)
    if not valid:
        return anything
    plausible = st.fixed_dictionaries({name: st.sampled_from(values) for name, values in valid.items()})
    spoilt = st.tuples(plausible, st.dictionaries(st.sampled_from([*fields, *extra]), VALUE, max_size=2))
    return st.one_of(anything, spoilt.map(lambda pair: {**pair[0], **pair[1]}))


# Fields a page never takes from the browser; sent anyway to check nothing writes them (mass assignment).
FORBIDDEN = ["state", "reference_number", "requested_amount", "organisation", "call", "created_by", "submitted_at"]

# --- helpers ------------------------------------------------------------------------------------------


@contextmanager
def rolled_back():
    """Run one example in a savepoint and undo it, so the next example sees the same records."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _login(client, user):
    user.refresh_from_db()  # UserFactory sets the password after saving and never saves it again
    client.force_login(user)


def _row(application: Application) -> dict[str, Any] | None:
    row = Application.objects.filter(pk=application.pk).values().first()
    if row is not None:
        row.pop("updated_at")
    return row


def _lines(application: Application) -> list[tuple]:
    return list(
        BudgetLine.objects.filter(application=application)
        .order_by("pk")
        .values_list("category", "description", "amount", "position")
    )


def _attachments(application: Application) -> list[dict[str, Any]]:
    return list(Attachment.objects.filter(application=application).order_by("pk").values())


def _files(tmp_path) -> set[str]:
    root = tmp_path / "private"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def _ok(response) -> None:
    assert response.status_code < 500
    assert response.status_code in (200, 302, 400, 404, 405), response.status_code


def _nul(data: Any) -> bool:
    """A NUL byte anywhere in a POST body: grants.middleware refuses the request with a 400 before any view."""
    values = data.values() if isinstance(data, dict) else [data]
    return any("\x00" in (v if isinstance(v, str) else "".join(v)) for v in values)


@pytest.fixture
def member(client, applicant, draft):
    _login(client, applicant)
    return client


@pytest.fixture
def submitted(draft, applicant, now):
    return application_submit(actor=applicant, application=draft, now=now)


# --- accounts ------------------------------------------------------------------------------------------


@PROPS
@given(
    data=form(
        ["full_name", "email", "password1", "password2", "language", "next"],
        valid={
            "full_name": ["Åsa Öberg-Ström"],
            "email": ["ny.person@example.se", "NY.Person@Example.SE"],
            "password1": [PASSWORD],
            "password2": [PASSWORD],
            "language": ["sv", "en"],
            "next": ["/calls/", "https://evil.example/", "//evil.example/"],
        },
    )
)
def test_register_survives_any_input(db, data):
    with rolled_back():
        client = Client()
        users = User.objects.count()
        response = client.post(reverse("register"), data)
        _ok(response)
        # Registration never logs in: the account waits for its address to be confirmed (grants.services.accounts).
        assert "_auth_user_id" not in client.session
        if "Kontrollera din e-post" in response.content.decode():
            assert User.objects.count() == users + 1
            assert not User.objects.filter(is_active=False).exclude(last_login=None).exists()
        else:
            assert User.objects.count() == users


@PROPS
@given(
    data=form(
        ["username", "password", "next"],
        valid={"username": ["sokande@example.se", "SOKANDE@example.se"], "password": [PASSWORD]},
    )
)
def test_login_survives_any_input(applicant, data):
    applicant.set_password(PASSWORD)
    applicant.save()
    with rolled_back():
        client = Client()
        response = client.post(reverse("login"), data)
        _ok(response)
        logged_in = "_auth_user_id" in client.session
        assert logged_in == (response.status_code == 302)
        if logged_in:
            assert data.get("password") == PASSWORD


# --- organisations -------------------------------------------------------------------------------------


@PROPS
@given(
    data=form(
        ["name", "orgnr", "org_type", "street_address", "postal_code", "city"],
        valid={
            "name": ["Östersunds kommun"],
            "orgnr": [FRESH_ORGNR, "212000-9002", "2120009003"],
            "org_type": ["MUNICIPALITY", "REGION"],
            "postal_code": ["831 30", "83130"],
        },
    )
)
def test_organisation_create_survives_any_input(member, applicant, data):
    with rolled_back():
        organisations, memberships = Organisation.objects.count(), Membership.objects.count()
        response = member.post(reverse("organisation_create"), data)
        _ok(response)
        if response.status_code == 302:
            organisation = Organisation.objects.get(orgnr=FRESH_ORGNR)
            assert Membership.objects.filter(user=applicant, organisation=organisation).exists()
            assert Organisation.objects.count() == organisations + 1
        else:
            assert (Organisation.objects.count(), Membership.objects.count()) == (organisations, memberships)


@PROPS
@given(data=form(["email"], valid={"email": ["kollega@example.se", "sokande@example.se"]}, extra=["organisation"]))
def test_invitation_survives_any_input(member, draft, data):
    with rolled_back():
        invitations = Invitation.objects.count()
        response = member.post(reverse("organisation_detail", kwargs={"pk": draft.organisation.pk}), data)
        _ok(response)
        if response.status_code == 302:
            assert Invitation.objects.count() == invitations + 1
            assert Invitation.objects.filter(organisation=draft.organisation).count() == 1
        else:
            assert Invitation.objects.count() == invitations


@PROPS
@given(token=st.one_of(st.text(CHARS, min_size=1, max_size=120), ODD.filter(bool)), data=form(["token", "email"]))
def test_invitation_accept_survives_any_token(member, applicant, token, data):
    with rolled_back():
        memberships = Membership.objects.filter(user=applicant).count()
        url = f"/invitations/{quote(token, safe='')}/"
        got = member.get(url)
        _ok(got)
        assert got.status_code == (400 if _nul(token) else 404)
        posted = member.post(url, data)
        _ok(posted)
        assert posted.status_code == (400 if _nul(token) or _nul(data) else 404)
        assert Membership.objects.filter(user=applicant).count() == memberships


# --- starting an application ---------------------------------------------------------------------------


@PROPS
@given(data=form(["organisation"], extra=FORBIDDEN + ["title"]), own=st.booleans())
def test_call_start_survives_any_input(member, draft, data, own):
    if own:
        data = {**data, "organisation": str(draft.organisation.pk)}
    with rolled_back():
        count = Application.objects.count()
        response = member.post(reverse("call_detail", kwargs={"pk": draft.call.pk}), data)
        _ok(response)
        if response.status_code == 302:
            new = Application.objects.exclude(pk=draft.pk).get()
            assert new.organisation == draft.organisation
            assert new.state == ApplicationState.DRAFT and new.reference_number is None
            assert new.title == ""  # nothing but the organisation comes from the browser
        else:
            assert Application.objects.count() == count


# --- the sections of a draft ---------------------------------------------------------------------------

FIELD_SECTIONS = [key for key, section in BY_KEY.items() if section.fields and key != "budget"]
PLAUSIBLE = {
    "title": ["Hybridarbete i Jämtland"],
    "participants_count": ["12", "0", "100001"],
    "start_date": ["2027-01-01", "2027-12-31"],
    "end_date": ["2027-12-31", "2027-01-01"],
    "contact_email": ["anna@example.se"],
    "finance_contact_email": ["ekonomi@example.se"],
}
ALL_SECTION_FIELDS = sorted({f for s in BY_KEY.values() for f in s.fields})


@pytest.mark.parametrize("section", FIELD_SECTIONS)
@PROPS
@given(data=st.data())
def test_section_survives_any_input(member, draft, section, data):
    fields = list(BY_KEY[section].fields)
    others = [f for f in ALL_SECTION_FIELDS if f not in fields]
    body = data.draw(form(fields, valid=PLAUSIBLE, extra=FORBIDDEN + others + ["save", "save_next"]))
    with rolled_back():
        before, lines = _row(draft), _lines(draft)
        response = member.post(reverse("application_section", kwargs={"pk": draft.pk, "section": section}), body)
        _ok(response)
        after = _row(draft)
        # Whatever happens, only this section's fields may change.
        assert {k: v for k, v in after.items() if k not in fields} == {
            k: v for k, v in before.items() if k not in fields
        }
        assert _lines(draft) == lines
        if response.status_code == 200:
            assert after == before


BUDGET_AMOUNTS = ["450 000", "1", "999999999.99", "999 999 999,99 kr", "0", "-5", "1,005"]
ROW_FIELDS = [f"form-{i}-{name}" for i in range(4) for name in ("category", "description", "amount", "DELETE")]


@PROPS
@given(
    body=form(
        ["form-TOTAL_FORMS", "form-INITIAL_FORMS", "form-MIN_NUM_FORMS", "form-MAX_NUM_FORMS", "co_financing"]
        + ROW_FIELDS
        + ["form-59-amount", "form-60-amount"],
        valid={
            "form-TOTAL_FORMS": ["0", "1", "2", "4", "60", "61", "1000"],
            "form-INITIAL_FORMS": ["0", "1", "4"],
            **{f"form-{i}-category": ["PREMISES", "STAFF", "BOGUS"] for i in range(4)},
            **{f"form-{i}-description": ["Platser på Samverket"] for i in range(4)},
            **{f"form-{i}-amount": BUDGET_AMOUNTS for i in range(4)},
            "co_financing": ["0", "100 000", "-1"],
        },
        extra=FORBIDDEN,
    ),
    button=st.sampled_from([{}, {"save": "1"}, {"save_next": "1"}, {"add_line": "1"}]).flatmap(
        lambda b: st.one_of(st.just(b), st.fixed_dictionaries({"remove_line": VALUE}).map(lambda r: {**b, **r}))
    ),
)
def test_budget_survives_any_input(member, draft, body, button):
    with rolled_back():
        before, lines = _row(draft), _lines(draft)
        response = member.post(
            reverse("application_section", kwargs={"pk": draft.pk, "section": "budget"}), {**body, **button}
        )
        _ok(response)
        after = _row(draft)
        if response.status_code == 200:
            assert after == before and _lines(draft) == lines
        else:
            new_lines = BudgetLine.objects.filter(application=draft)
            assert new_lines.exists()
            assert after["requested_amount"] == sum(line.amount for line in new_lines)
            assert all(line.amount > 0 for line in new_lines)
            changed = {k for k in after if after[k] != before[k]}
            assert changed <= {"requested_amount", "co_financing"}


def test_a_budget_too_large_to_store_is_refused_not_a_500(member, draft):
    """Each line may be up to 999 999 999,99 kr, but their sum becomes the requested amount (12 digits)."""
    before, lines = _row(draft), _lines(draft)
    body = {"form-TOTAL_FORMS": "11", "form-INITIAL_FORMS": "0", "co_financing": "0", "save": "1"}
    for i in range(11):
        body.update({f"form-{i}-category": "STAFF", f"form-{i}-description": "Lön", f"form-{i}-amount": "999999999.99"})
    response = member.post(reverse("application_section", kwargs={"pk": draft.pk, "section": "budget"}), body)
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors()
    assert "Budgetraderna blir sammanlagt för mycket" in response.content.decode()
    assert _row(draft) == before and _lines(draft) == lines


@PROPS
@given(
    content=st.one_of(
        st.binary(max_size=4096),
        st.binary(max_size=2048).map(lambda b: b"%PDF-1.7\n" + b),
        st.binary(max_size=2048).map(lambda b: b"%PDF-1.7\n" + b + b"\n%%EOF\n"),
        st.binary(max_size=512).map(lambda b: b + make_pdf()),
    ),
    name=st.one_of(
        st.text(CHARS, max_size=300).map(lambda s: s + ".pdf"),
        st.sampled_from(["a\x00b.pdf", "..", ".pdf", "con.pdf", "a\\b.pdf", "a/../../b.pdf", "\u202efdp.exe"]),
    ),
    fields=form(["kind"], extra=["original_name", "sha256", "size", "application"]),
)
def test_attachment_upload_survives_any_bytes(member, draft, tmp_path, content, name, fields):
    with rolled_back():
        rows, files = _attachments(draft), _files(tmp_path)
        file = SimpleUploadedFile("x.pdf", content, content_type="application/pdf")
        file._name = name  # past the client-side name check: a browser can send any filename
        upload = {"file": file}
        response = member.post(
            reverse("application_section", kwargs={"pk": draft.pk, "section": "attachments"}), {**fields, **upload}
        )
        _ok(response)
        if response.status_code == 302:
            new = Attachment.objects.filter(application=draft).exclude(pk__in=[r["id"] for r in rows]).get()
            assert b"%PDF-" in content[:1024] and b"%%EOF" in content[-2048:]
            assert new.size == len(content)
            assert new.file.read() == content
            assert new.uploaded_by_id == draft.created_by_id
            # The stored name is display text: no control characters or path parts survive into it.
            assert "/" not in new.original_name and "\x00" not in new.original_name
            download = member.get(reverse("attachment_download", kwargs={"pk": draft.pk, "attachment_pk": new.pk}))
            assert download.status_code == 200
            assert b"".join(download.streaming_content) == content
            assert download["Content-Disposition"].rstrip('"').lower().endswith(".pdf")
        else:
            assert _attachments(draft) == rows
            assert _files(tmp_path) == files


# --- actions -------------------------------------------------------------------------------------------


@PROPS
@given(data=form(["reason"], valid={"reason": ["Projektet blir inte av."]}, extra=FORBIDDEN + ["title"]))
def test_withdraw_survives_any_input(member, submitted, data):
    with rolled_back():
        before = _row(submitted)
        response = member.post(reverse("application_withdraw", kwargs={"pk": submitted.pk}), data)
        _ok(response)
        after = _row(submitted)
        if _nul(data):
            assert response.status_code == 400 and after == before
        elif response.status_code == 200:
            assert after == before
        else:
            assert after["state"] == ApplicationState.WITHDRAWN
            changed = {k for k in after if after[k] != before[k]}
            assert changed <= {"state", "withdrawn_reason"}


@PROPS
@given(data=form(["confirm"], extra=FORBIDDEN + ALL_SECTION_FIELDS))
def test_submit_takes_nothing_from_the_post(member, draft, data):
    with rolled_back():
        before = _row(draft)
        response = member.post(reverse("application_submit", kwargs={"pk": draft.pk}), data)
        _ok(response)
        after = _row(draft)
        if _nul(data):
            assert response.status_code == 400 and after == before
            return
        assert after["state"] == ApplicationState.SUBMITTED  # the draft is complete: junk does not stop it
        changed = {k for k in after if after[k] != before[k]}
        assert changed == {"state", "reference_number", "submitted_at"}


@PROPS
@given(data=form(["confirm"], extra=FORBIDDEN + ALL_SECTION_FIELDS))
def test_delete_survives_any_input(member, draft, applicant, now, data):
    with rolled_back():
        response = member.post(reverse("application_delete", kwargs={"pk": draft.pk}), data)
        _ok(response)
        # A draft may go, whatever was posted, unless the body holds a NUL byte (refused before any view).
        assert Application.objects.filter(pk=draft.pk).exists() == _nul(data)
    with rolled_back():
        application_submit(actor=applicant, application=draft, now=now)
        before = _row(draft)
        response = member.post(reverse("application_delete", kwargs={"pk": draft.pk}), data)
        _ok(response)
        assert _row(draft) == before  # … a submitted application never does


@PROPS
@given(data=form(["language", "next"], valid={"language": ["sv", "en", "de", "EN"], "next": ["/calls/"]}))
def test_set_language_survives_any_input(member, data):
    response = member.post("/i18n/setlang/", data)
    _ok(response)
    page = member.get(reverse("call_list"))
    assert page.status_code == 200
    assert page.content.startswith(b"<!DOCTYPE html>")
    assert page.content.split(b">", 2)[1].strip() in (b'<html lang="sv"', b'<html lang="en"')


# --- malformed URLs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/applications/999999999999/",
        "/applications/99999999999999999999999999999/",
        "/applications/0/",
        "/applications/999999999999/edit/project/",
        "/applications/999999999999/attachments/99999999999999999999999/",
        "/calls/999999999999999999999999/",
        "/organisations/999999999999999999999999/",
        "/invitations/%F0%9F%98%80/",
        "/invitations/" + "x" * 500 + "/",
    ],
)
def test_malformed_urls_are_404(member, path):
    assert member.get(path).status_code == 404
    assert member.post(path).status_code in (404, 405)


@pytest.mark.parametrize("path", ["/invitations/%00/", "/invitations/a%00b/", "/applications/1%00/"])
def test_a_nul_byte_in_the_url_is_400(member, path):
    assert member.get(path).status_code == 400
    assert member.post(path).status_code == 400


@PROPS
@given(pk=st.integers(min_value=0, max_value=10**40), section=st.text(CHARS, min_size=1, max_size=40))
def test_random_ids_and_sections_are_404(member, draft, pk, section):
    for model in (Application, Call, Organisation):
        assume(not model.objects.filter(pk=pk).exists())
    assume(section not in SECTION_KEYS)
    for url in (
        f"/applications/{pk}/",
        f"/applications/{pk}/preview/",
        f"/applications/{pk}/edit/project/",
        f"/applications/{draft.pk}/edit/{quote(section, safe='')}/",
        f"/calls/{pk}/",
        f"/organisations/{pk}/",
    ):
        assert member.get(url).status_code == 404, url
