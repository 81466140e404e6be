import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from grants.models import Attachment
from tests.factories import ApplicationFactory, MembershipFactory, OrganisationFactory, UserFactory, make_pdf


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


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in Swedish: a request in English leaves English active in the thread (LocaleMiddleware
    activates the request's language and nothing deactivates it), which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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


# --- PostgreSQL-only tests --------------------------------------------------------------------------------
# A test marked `postgres` skips on any other database. CI runs the suite on PostgreSQL with
# REQUIRE_POSTGRES_TESTS=1; there a skipped postgres test means the rule it guards went unchecked, so the
# skip is reported as a failure instead.


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres") is not None:
        from django.db import connection

        if connection.vendor != "postgresql":
            pytest.skip(f"needs PostgreSQL (this run uses {connection.vendor})")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if (
        report.skipped
        and item.get_closest_marker("postgres") is not None
        and os.environ.get("REQUIRE_POSTGRES_TESTS") == "1"
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} is marked `postgres` and was skipped ({reason}), "
            "but REQUIRE_POSTGRES_TESTS=1 says this run must exercise PostgreSQL."
        )
    return report


# --- The people of a case ----------------------------------------------------------------------------------

# Luhn-valid and outside factories.VALID_ORGNRS, so no factory sequence ever hands it to another organisation.
OUTSIDER_ORGNR = "2120003005"


@pytest.fixture
def outsider(db):
    """An applicant of another organisation: a member, but not of the draft's organisation."""
    organisation = OrganisationFactory(orgnr=OUTSIDER_ORGNR, name="Annan kommun")
    return MembershipFactory(
        user=UserFactory(email="annan@example.se", full_name="Anders Annan"), organisation=organisation
    ).user


@pytest.fixture
def cast(applicant, outsider, officer, officer2, decider):
    from tests.workflows.lifecycle import Cast

    return Cast(applicant=applicant, outsider=outsider, officer=officer, officer2=officer2, decider=decider)
