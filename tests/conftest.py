import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.models import Attachment
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory, make_pdf


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attach_required(application, user=None):
    """Upload a PDF for every required attachment kind of the application's call."""
    for kind in application.call.attachment_kinds.filter(required=True):
        a = Attachment(
            application=application,
            kind=kind,
            original_name=f"{kind.code}.pdf",
            size=len(make_pdf()),
            sha256="0" * 64,
            uploaded_by=user or application.created_by,
        )
        a.file.save("x.pdf", SimpleUploadedFile("x.pdf", make_pdf()), save=False)
        a.save()


@pytest.fixture
def applicant(db):
    return UserFactory(email="sokande@example.se", full_name="Sara Sökande")


@pytest.fixture
def draft(applicant):
    membership = MembershipFactory(user=applicant)
    application = ApplicationFactory(organisation=membership.organisation, created_by=applicant)
    attach_required(application, applicant)
    return application


@pytest.fixture
def officer(db):
    return UserFactory(email="handlaggare@example.se", full_name="Hanna Handläggare", roles=["case_officer"])


@pytest.fixture
def officer2(db):
    return UserFactory(email="handlaggare2@example.se", full_name="Olle Handläggare", roles=["case_officer"])


@pytest.fixture
def decider(db):
    return UserFactory(email="beslut@example.se", full_name="Britt Beslutsfattare", roles=["decision_maker"])


@pytest.fixture
def now():
    return timezone.now()
