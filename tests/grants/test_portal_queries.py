"""Portal pages cost the same number of SQL queries for 5 rows as for 500: no query per row (N+1).

Rows are made with bulk_create for speed, with every field the pages show filled in. Each page is fetched
once to warm caches, counted at 5 rows, then at 500; the two counts must be equal.
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import (
    Application,
    ApplicationState,
    Attachment,
    BudgetCategory,
    BudgetLine,
    Call,
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationType,
    RequiredAttachment,
)
from tests.factories import CallFactory, MembershipFactory, UserFactory

SMALL, LARGE = 5, 500
Grow = Callable[[int], None]


def _login(client, user):
    user.refresh_from_db()  # UserFactory sets the password after saving and never saves it again
    client.force_login(user)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def assert_flat(client, url: str, grow: Grow, django_assert_max_num_queries) -> None:
    """Grow to SMALL rows and count; grow to LARGE rows and count again: the counts must match."""
    grow(SMALL)
    client.get(url)  # warm-up: per-process caches (content types, translations) are not the page's cost
    small = _count(client, url)
    grow(LARGE)
    large = _count(client, url)
    assert large == small, f"{url}: {small} queries for {SMALL} rows but {large} for {LARGE} (a query per row)"
    with django_assert_max_num_queries(small):
        assert client.get(url).status_code == 200


def _batches(make: Callable[[int], None]) -> Grow:
    """Turn `make(i)` for one row into `grow(total)`, which adds the rows not yet made."""
    made = [0]

    def grow(total: int) -> None:
        for i in range(made[0], total):
            make(i)
        made[0] = total

    return grow


@pytest.fixture
def member(db):
    membership = MembershipFactory(user=UserFactory(email="lista@example.se", full_name="Lisa Lista"))
    return membership.user, membership.organisation


def _application_rows(user, organisations: list[Organisation]) -> Grow:
    calls = [CallFactory(title_sv=f"Utlysning {i}", with_kinds=False) for i in range(3)]
    now = timezone.now()
    made = [0]

    def grow(total: int) -> None:
        rows = []
        for i in range(made[0], total):
            submitted = i % 2 == 1
            rows.append(
                Application(
                    call=calls[i % len(calls)],
                    organisation=organisations[i % len(organisations)],
                    created_by=user,
                    state=ApplicationState.SUBMITTED if submitted else ApplicationState.DRAFT,
                    reference_number=f"{now.year}-{i + 1:05d}" if submitted else None,
                    submitted_at=now if submitted else None,
                    title=f"Projekt nummer {i}",
                    summary="Sammanfattning",
                    description="Beskrivning",
                    coworking_sites="Samverket Östersund",
                    participants_count=10 + i,
                    participants_description="Medarbetare",
                    start_date=date.today() + timedelta(days=30),
                    end_date=date.today() + timedelta(days=400),
                    requested_amount=Decimal("100000.00") + i,
                    co_financing=Decimal("5000.00"),
                    contact_name="Anna Andersson",
                    contact_email="anna@example.se",
                    contact_phone="070-000 00 00",
                    finance_contact_name="Erik Ekonom",
                    finance_contact_email="erik@example.se",
                    created_at=now - timedelta(minutes=i),
                )
            )
        Application.objects.bulk_create(rows)
        made[0] = total

    return grow


# --- lists ---------------------------------------------------------------------------------------------


def test_application_list_is_flat(client, member, django_assert_max_num_queries):
    user, organisation = member
    _login(client, user)
    grow = _application_rows(user, [organisation])
    assert_flat(client, reverse("application_list"), grow, django_assert_max_num_queries)
    response = client.get(reverse("application_list"))
    assert len(response.context["applications"]) == LARGE
    assert "Projekt nummer 499" in response.content.decode()


def test_application_list_across_organisations_is_flat(client, member, django_assert_max_num_queries):
    """A person in several organisations (each with other members): the join neither repeats nor grows."""
    user, organisation = member
    other = Organisation.objects.create(name="Region Jämtland", orgnr="2321000206", org_type=OrganisationType.REGION)
    Membership.objects.create(user=user, organisation=other, role=MembershipRole.SIGNATORY)
    for org in (organisation, other):
        Membership.objects.create(user=UserFactory(), organisation=org)
    _login(client, user)
    grow = _application_rows(user, [organisation, other])
    assert_flat(client, reverse("application_list"), grow, django_assert_max_num_queries)
    response = client.get(reverse("application_list"))
    assert len(response.context["applications"]) == LARGE  # each once, although two people share each org


def test_call_list_is_flat(client, member, django_assert_max_num_queries):
    user, _organisation = member
    now = timezone.now()

    def grow(total: int) -> None:
        existing = Call.objects.count()
        Call.objects.bulk_create(
            Call(
                title_sv=f"Öppen utlysning {i}",
                title_en=f"Open call {i}",
                description_sv="Beskrivning",
                description_en="Description",
                opens_at=now - timedelta(days=1),
                closes_at=now + timedelta(days=1 + i),
                total_budget=Decimal("1000000.00"),
                max_grant_amount=Decimal("600000.00"),
            )
            for i in range(existing, total)
        )

    for who in ("anonymous", "member"):
        Call.objects.all().delete()
        if who == "member":
            _login(client, user)
        assert_flat(client, reverse("call_list"), grow, django_assert_max_num_queries)
    assert "Öppen utlysning 499" in client.get(reverse("call_list")).content.decode()


def test_organisation_list_is_flat(client, member, django_assert_max_num_queries):
    user, _organisation = member
    _login(client, user)

    def grow(total: int) -> None:
        have = Membership.objects.filter(user=user).count()
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"Kommun {i}", orgnr=f"{9000000000 + i}", org_type=OrganisationType.MUNICIPALITY)
            for i in range(have, total)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=o, role=MembershipRole.MEMBER) for o in organisations
        )

    assert_flat(client, reverse("organisation_list"), grow, django_assert_max_num_queries)
    assert client.get(reverse("organisation_list")).content.decode().count("Kommun ") >= LARGE - 1


# --- pages with a growing part -------------------------------------------------------------------------


def test_organisation_detail_is_flat_in_members_and_invitations(client, member, django_assert_max_num_queries):
    user, organisation = member
    _login(client, user)

    def make(i: int) -> None:
        Membership.objects.create(user=UserFactory(email=f"medlem{i}@example.se"), organisation=organisation)
        Invitation.objects.create(organisation=organisation, email=f"inbjuden{i}@example.se", invited_by=user)

    url = reverse("organisation_detail", kwargs={"pk": organisation.pk})
    assert_flat(client, url, _batches(make), django_assert_max_num_queries)


@pytest.fixture
def rich_draft(member):
    """A draft whose budget lines and attachments grow (SMALL, then LARGE of each)."""
    user, organisation = member
    call = CallFactory(with_kinds=False)
    kinds = [
        RequiredAttachment.objects.create(call=call, code=f"k{i}", name_sv=f"Bilaga {i}", name_en=f"Att {i}")
        for i in range(3)
    ]
    application = Application.objects.create(
        call=call, organisation=organisation, created_by=user, title="Rik ansökan", requested_amount=Decimal("0")
    )
    made = [0]

    def grow(total: int) -> None:
        BudgetLine.objects.bulk_create(
            BudgetLine(
                application=application,
                category=BudgetCategory.STAFF,
                description=f"Rad {i}",
                amount=Decimal("10.00"),
                position=i,
            )
            for i in range(made[0], total)
        )
        # The pages list attachments without opening them, so the rows need no file on disk.
        Attachment.objects.bulk_create(
            Attachment(
                application=application,
                kind=kinds[i % 3] if i % 4 else None,
                file=f"attachments/{application.pk}/{i:032x}.pdf",
                original_name=f"bilaga-{i}.pdf",
                size=1000 + i,
                sha256="0" * 64,
                uploaded_by=user,
            )
            for i in range(made[0], total)
        )
        made[0] = total

    return user, application, grow


@pytest.mark.parametrize("page", ["application_detail", "application_preview", "attachments", "budget"])
def test_application_pages_are_flat_in_lines_and_attachments(
    client, rich_draft, django_assert_max_num_queries, page, monkeypatch
):
    user, application, grow = rich_draft
    _login(client, user)
    if page in ("attachments", "budget"):
        url = reverse("application_section", kwargs={"pk": application.pk, "section": page})
    else:
        url = reverse(page, kwargs={"pk": application.pk})
    # 500 budget lines is more than the form allows (50); the pages must still show them all at one cost.
    assert_flat(client, url, grow, django_assert_max_num_queries)
