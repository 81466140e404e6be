"""Attachments through the attachments section: a PDF by its content, at most MAX_ATTACHMENT_BYTES, never
empty, stored under a name of our choosing outside every public URL, served only by the checked view."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse

import config.settings
from grants.models import ApplicationState, Attachment
from grants.services.applications import application_submit
from tests.factories import make_pdf

NOT_A_PDF = "Filen är inte en PDF"
TOO_BIG = "Filen är för stor"
BROKEN = "PDF-filen är ofullständig eller skadad"
EMPTY = "tom"  # Django's own "Den skickade filen är tom." or ours, "Filen är tom."

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


NOT_PDFS = {
    "png": PNG,
    "html": b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>\n",
    "zip (a .docx)": _zip(),
    "text": "Projektplan för hybridarbete på Samverket.\n".encode(),
    # Readers tolerate a little junk before the header, not a whole document of it.
    "header after 1 KB": b"Not a PDF. " + b"." * 2000 + b"%PDF-1.4\n%%EOF\n",
}


def _login(client, user):
    user.refresh_from_db()  # UserFactory sets the password after saving and never saves it again
    client.force_login(user)


def _files(tmp_path: Path) -> list[tuple[str, bytes]]:
    root = tmp_path / "private"
    return sorted((str(p.relative_to(root)), p.read_bytes()) for p in root.rglob("*") if p.is_file())


def _upload(client, application, content: bytes, name: str = "projektplan.pdf", kind=None):
    data = {"file": SimpleUploadedFile(name, content, content_type="application/pdf")}
    if kind is not None:
        data["kind"] = kind.pk
    return client.post(reverse("application_section", kwargs={"pk": application.pk, "section": "attachments"}), data)


@pytest.fixture
def member(client, draft, applicant):
    _login(client, applicant)
    return client


def _assert_refused(response, draft, tmp_path, before_files, before_rows, message):
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any(message in str(e) for e in errors), errors
    assert message in response.content.decode()  # … and the person sees why, next to the field
    assert Attachment.objects.filter(application=draft).count() == before_rows
    assert _files(tmp_path) == before_files


@pytest.mark.parametrize("content", NOT_PDFS.values(), ids=NOT_PDFS.keys())
def test_a_pdf_name_on_something_else_is_refused(member, draft, tmp_path, content):
    before_files, before_rows = _files(tmp_path), Attachment.objects.filter(application=draft).count()
    response = _upload(member, draft, content)
    _assert_refused(response, draft, tmp_path, before_files, before_rows, NOT_A_PDF)


def test_a_pdf_cut_short_is_refused(member, draft, tmp_path):
    before_files, before_rows = _files(tmp_path), Attachment.objects.filter(application=draft).count()
    truncated = make_pdf(pad_to=10_000)[:-200]
    response = _upload(member, draft, truncated)
    _assert_refused(response, draft, tmp_path, before_files, before_rows, BROKEN)


def test_an_empty_file_is_refused(member, draft, tmp_path):
    before_files, before_rows = _files(tmp_path), Attachment.objects.filter(application=draft).count()
    response = _upload(member, draft, b"")
    _assert_refused(response, draft, tmp_path, before_files, before_rows, EMPTY)


def test_a_file_over_20_mb_is_refused(member, draft, tmp_path):
    assert django_settings.MAX_ATTACHMENT_BYTES == 20 * 1024 * 1024
    big = make_pdf(pad_to=20 * 1024 * 1024 + 10)
    assert len(big) > 20 * 1024 * 1024
    before_files, before_rows = _files(tmp_path), Attachment.objects.filter(application=draft).count()
    response = _upload(member, draft, big)
    _assert_refused(response, draft, tmp_path, before_files, before_rows, TOO_BIG)


def test_the_size_limit_is_inclusive(member, draft, tmp_path, settings):
    pdf = make_pdf(pad_to=50_000)
    settings.MAX_ATTACHMENT_BYTES = len(pdf) - 1
    before_files, before_rows = _files(tmp_path), Attachment.objects.filter(application=draft).count()
    _assert_refused(_upload(member, draft, pdf), draft, tmp_path, before_files, before_rows, TOO_BIG)

    settings.MAX_ATTACHMENT_BYTES = len(pdf)
    response = _upload(member, draft, pdf)
    assert response.status_code == 302
    assert Attachment.objects.filter(application=draft).count() == before_rows + 1


def test_a_real_pdf_is_stored_with_its_digest_under_our_own_name(member, draft, tmp_path):
    kind = draft.call.attachment_kinds.get(code="plan")
    pdf = make_pdf("Projektplan för Östersund")
    name = "Projektplan Östersund – slutlig (2).pdf"
    before = set(Attachment.objects.filter(application=draft).values_list("pk", flat=True))

    response = _upload(member, draft, pdf, name=name, kind=kind)

    assert response.status_code == 302
    assert response["Location"] == reverse("application_section", kwargs={"pk": draft.pk, "section": "attachments"})
    attachment = Attachment.objects.exclude(pk__in=before).get(application=draft)
    assert attachment.original_name == name
    assert attachment.size == len(pdf)
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    assert attachment.kind == kind
    assert attachment.removed_at is None
    stored = attachment.file.name
    assert "Projektplan" not in stored and "Östersund" not in stored and "slutlig" not in stored
    assert stored.startswith(f"attachments/{draft.pk}/") and stored.endswith(".pdf")
    on_disk = tmp_path / "private" / stored
    assert on_disk.read_bytes() == pdf
    # The page it lands on lists the file by its original name.
    page = member.get(response["Location"])
    assert name in page.content.decode()


def test_a_path_in_the_filename_stays_out_of_the_storage_path(member, draft, tmp_path):
    before = set(Attachment.objects.filter(application=draft).values_list("pk", flat=True))
    response = _upload(member, draft, make_pdf(), name="../../../../etc/passwd.pdf")
    assert response.status_code == 302
    attachment = Attachment.objects.exclude(pk__in=before).get(application=draft)
    assert "/" not in attachment.original_name and ".." not in attachment.original_name
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name
    assert (tmp_path / "private" / attachment.file.name).resolve().is_relative_to((tmp_path / "private").resolve())


def test_the_download_gives_the_bytes_as_a_pdf_attachment(member, draft):
    pdf = make_pdf("Budgetunderlag")
    before = set(Attachment.objects.filter(application=draft).values_list("pk", flat=True))
    _upload(member, draft, pdf, name="budget underlag.pdf")
    attachment = Attachment.objects.exclude(pk__in=before).get(application=draft)

    response = member.get(reverse("attachment_download", kwargs={"pk": draft.pk, "attachment_pk": attachment.pk}))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "budget" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["faktura.exe", "sida.html", "bilaga.PDF.exe", "utan-filändelse"])
def test_a_pdf_is_downloaded_as_pdf_whatever_it_was_called(member, draft, name):
    """Only the content is checked, so the name must not let a PDF (or a polyglot) open as something else."""
    before = set(Attachment.objects.filter(application=draft).values_list("pk", flat=True))
    assert _upload(member, draft, make_pdf(), name=name).status_code == 302
    attachment = Attachment.objects.exclude(pk__in=before).get(application=draft)
    assert attachment.original_name == name  # kept as uploaded, for the record
    response = member.get(reverse("attachment_download", kwargs={"pk": draft.pk, "attachment_pk": attachment.pk}))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.rstrip('"').lower().endswith(".pdf"), disposition


def test_uploads_are_refused_once_submitted(member, draft, applicant, now, tmp_path):
    application_submit(actor=applicant, application=draft, now=now)
    before_files, before_rows = _files(tmp_path), list(Attachment.objects.filter(application=draft).values())
    url = reverse("application_section", kwargs={"pk": draft.pk, "section": "attachments"})

    response = _upload(member, draft, make_pdf())

    assert response.status_code == 302
    assert response["Location"] == reverse("application_detail", kwargs={"pk": draft.pk})
    page = member.get(response["Location"])
    assert "Avsnittet kan inte ändras nu." in page.content.decode()
    assert list(Attachment.objects.filter(application=draft).values()) == before_rows
    assert _files(tmp_path) == before_files
    assert member.get(url).status_code == 302  # not even the upload form


def test_removing_is_refused_once_submitted(member, draft, applicant, now, tmp_path):
    application_submit(actor=applicant, application=draft, now=now)
    attachment = draft.attachments.get()
    before_files = _files(tmp_path)
    url = reverse("attachment_remove", kwargs={"pk": draft.pk, "attachment_pk": attachment.pk})
    response = member.post(url)
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.removed_at is None
    assert _files(tmp_path) == before_files


def test_removing_a_drafts_attachment_deletes_row_and_file(member, draft, tmp_path, django_capture_on_commit_callbacks):
    attachment = draft.attachments.get()
    path = tmp_path / "private" / attachment.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(reverse("attachment_remove", kwargs={"pk": draft.pk, "attachment_pk": attachment.pk}))
    assert response.status_code == 302
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not path.exists()


def test_attachments_are_served_only_by_the_checked_view(client, member, draft, cast, tmp_path):
    attachment = draft.attachments.get()
    assert (tmp_path / "private" / attachment.file.name).exists()
    # Not under any URL: neither the production storage's base URL, nor the storage's own url(), nor
    # static files, nor a media URL.
    candidates = {
        f"/no-public-url/{attachment.file.name}",
        "/" + attachment.file.url.lstrip("/"),
        f"/static/{attachment.file.name}",
        f"/media/{attachment.file.name}",
        f"/{attachment.file.name}",
        f"/private/{attachment.file.name}",
    }
    for path in candidates:
        with pytest.raises(Resolver404):
            resolve(path)
        assert member.get(path).status_code == 404, path
        client.logout()
        assert client.get(path).status_code == 404, path
        _login(client, cast.applicant)


def test_production_storage_is_private():
    """The real settings (not the tests' tmp_path): private root outside static files, no served base URL."""
    default = config.settings.STORAGES["default"]
    root = Path(default["OPTIONS"]["location"]).resolve()
    static_roots = [Path(config.settings.STATIC_ROOT).resolve()] + [
        Path(d).resolve() for d in config.settings.STATICFILES_DIRS
    ]
    for static in static_roots:
        assert not root.is_relative_to(static) and not static.is_relative_to(root)
    assert not getattr(config.settings, "MEDIA_URL", "")
    base_url = default["OPTIONS"]["base_url"]
    with pytest.raises(Resolver404):
        resolve(base_url + "attachments/1/x.pdf")


def test_upload_through_the_form_keeps_the_state(member, draft):
    """An upload to a draft neither changes its state nor writes a case event (drafts have no case yet)."""
    from workflows.models import CaseEvent

    events = CaseEvent.objects.filter(application=draft).count()
    _upload(member, draft, make_pdf())
    draft.refresh_from_db()
    assert draft.state == ApplicationState.DRAFT
    assert CaseEvent.objects.filter(application=draft).count() == events
