"""Admin rights by role (DESIGN.md §5 rule 10, issue 9 item 1): memberships and the signatory role are the
programme admin's alone, every membership change is in the organisation log (append-only), and nobody
escalates through the user admin. The whole admin, URL by URL and role by role: test_admin_matrix.py."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from grants.models import Membership, MembershipRole, Organisation, OrganisationEvent, User
from grants.models.base import ImmutableRecordError
from grants.services.organisations import invitation_accept, invitation_create, organisation_create
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Region Testland", orgnr="2321000016")


@pytest.fixture
def programme_admin(db):
    return UserFactory(email="pa@example.se", full_name="Pia Programansvarig", roles=["programme_admin"])


def events(organisation):
    return list(
        OrganisationEvent.objects.filter(organisation=organisation)
        .order_by("pk")
        .values_list("event", "user__email", "from_role", "to_role", "actor__email")
    )


# --- a case officer cannot make themself an applicant -------------------------------------------------------


def test_a_case_officer_cannot_make_themself_a_signatory_in_the_admin(client, officer, org):
    client.force_login(officer)
    data = {"user": officer.pk, "organisation": org.pk, "role": MembershipRole.SIGNATORY}
    assert client.get(url(Membership, "add")).status_code == 403
    assert client.post(url(Membership, "add"), data).status_code == 403
    # Nor through the organisation's page (the officer only reads it) or the user admin (not theirs at all).
    inline = {
        "name": org.name,
        "orgnr": org.orgnr,
        "org_type": org.org_type,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-0-user": officer.pk,
        "memberships-0-role": MembershipRole.SIGNATORY,
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "payment_accounts-TOTAL_FORMS": "0",
        "payment_accounts-INITIAL_FORMS": "0",
    }
    assert client.post(url(Organisation, "change", org.pk), inline).status_code == 403
    assert client.get(url(User, "change", officer.pk)).status_code == 403
    assert not Membership.objects.filter(user=officer).exists()
    assert not officer.user_permissions.exists()
    for codename in ("add_membership", "change_membership", "delete_membership"):
        assert not officer.has_perm(f"grants.{codename}")


@pytest.mark.parametrize("role", ["case_officer", "reviewer", "decision_maker", "finance"])
def test_only_programme_admins_hold_membership_rights(db, role):
    group = Group.objects.get(name=role)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert not codenames & {"add_membership", "change_membership", "delete_membership", "change_signatoryrequest"}
    assert not codenames & {"add_user", "change_user", "change_group"}


# --- every membership change is logged ---------------------------------------------------------------------


def test_the_membership_admin_logs_add_role_change_and_delete(client, programme_admin, org):
    person = UserFactory(email="ny@example.se")
    client.force_login(programme_admin)
    response = client.post(url(Membership, "add"), {"user": person.pk, "organisation": org.pk, "role": "MEMBER"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=person, organisation=org)
    page = client.get(url(Membership, "change", membership.pk))
    assert set(page.context["adminform"].form.fields) == {"role"}  # person and organisation are fixed
    assert client.post(url(Membership, "change", membership.pk), {"role": "SIGNATORY"}).status_code == 302
    assert client.post(url(Membership, "delete", membership.pk), {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert events(org) == [
        ("membership.added", "ny@example.se", "", "MEMBER", "pa@example.se"),
        ("membership.role_changed", "ny@example.se", "MEMBER", "SIGNATORY", "pa@example.se"),
        ("membership.removed", "ny@example.se", "SIGNATORY", "", "pa@example.se"),
    ]


def test_the_bulk_delete_action_logs_each_membership(client, programme_admin, org):
    memberships = [MembershipFactory(organisation=org) for _ in range(3)]
    client.force_login(programme_admin)
    response = client.post(
        url(Membership, "changelist"),
        {"action": "delete_selected", "_selected_action": [m.pk for m in memberships], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(organisation=org).exists()
    assert [e[0] for e in events(org)] == ["membership.removed"] * 3


def _organisation_post(org, rows, initial):
    data = {
        "name": org.name,
        "orgnr": org.orgnr,
        "org_type": org.org_type,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "payment_accounts-TOTAL_FORMS": "0",
        "payment_accounts-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(rows):
        data |= {f"memberships-{i}-{key}": value for key, value in row.items()}
    return data


def test_the_organisation_pages_inline_logs_add_role_change_and_delete(client, programme_admin, org):
    kept = MembershipFactory(organisation=org, user=UserFactory(email="kvar@example.se"))
    gone = MembershipFactory(organisation=org, user=UserFactory(email="bort@example.se"))
    newcomer = UserFactory(email="ny@example.se")
    client.force_login(programme_admin)
    rows = [
        {"id": kept.pk, "organisation": org.pk, "role": "SIGNATORY"},
        {"id": gone.pk, "organisation": org.pk, "role": "MEMBER", "DELETE": "on"},
        {"organisation": org.pk, "user": newcomer.pk, "role": "MEMBER"},
    ]
    response = client.post(url(Organisation, "change", org.pk), _organisation_post(org, rows, initial=2))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(Membership.objects.filter(organisation=org).values_list("user__email", "role")) == {
        ("kvar@example.se", "SIGNATORY"),
        ("ny@example.se", "MEMBER"),
    }
    assert events(org) == [
        ("membership.removed", "bort@example.se", "MEMBER", "", "pa@example.se"),
        ("membership.role_changed", "kvar@example.se", "MEMBER", "SIGNATORY", "pa@example.se"),
        ("membership.added", "ny@example.se", "", "MEMBER", "pa@example.se"),
    ]


def test_an_existing_row_of_the_inline_cannot_be_moved_to_another_person(client, programme_admin, org):
    membership = MembershipFactory(organisation=org, user=UserFactory(email="agare@example.se"))
    intruder = UserFactory(email="inkraktare@example.se")
    client.force_login(programme_admin)
    rows = [{"id": membership.pk, "organisation": org.pk, "user": intruder.pk, "role": "MEMBER"}]
    client.post(url(Organisation, "change", org.pk), _organisation_post(org, rows, initial=1))
    membership.refresh_from_db()
    assert membership.user.email == "agare@example.se"
    assert not Membership.objects.filter(user=intruder).exists()


def test_the_user_pages_inline_logs_too(client, programme_admin, org):
    person = UserFactory(email="person@example.se", full_name="Per Person")
    other = OrganisationFactory(name="Annan kommun", orgnr="2120000142")
    MembershipFactory(organisation=other, user=person)
    client.force_login(programme_admin)
    page = client.get(url(User, "change", person.pk))
    existing = Membership.objects.get(user=person)
    data = {
        "email": person.email,
        "full_name": person.full_name,
        "language": "sv",
        "is_active": "on",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": existing.pk,
        "memberships-0-user": person.pk,
        "memberships-0-role": "MEMBER",
        "memberships-0-DELETE": "on",
        "memberships-1-user": person.pk,
        "memberships-1-organisation": org.pk,
        "memberships-1-role": "SIGNATORY",
    }
    assert page.status_code == 200
    response = client.post(url(User, "change", person.pk), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert events(other) == [("membership.removed", "person@example.se", "MEMBER", "", "pa@example.se")]
    assert events(org) == [("membership.added", "person@example.se", "", "SIGNATORY", "pa@example.se")]


def test_the_portal_logs_the_memberships_it_makes(applicant, now):
    organisation = organisation_create(
        actor=applicant, name="Nya kommunen", orgnr="212000-2411", org_type="MUNICIPALITY", now=now
    )
    invited = UserFactory(email="kollega@example.se")
    invitation = invitation_create(actor=applicant, organisation=organisation, email=invited.email, now=now)
    invitation_accept(actor=invited, token=invitation.token, now=now)
    assert [(e[0], e[1], e[3]) for e in events(organisation)] == [
        ("membership.added", applicant.email, "MEMBER"),
        ("invitation.created", None, ""),
        ("membership.added", "kollega@example.se", "MEMBER"),
    ]


WRITES = ("create", "bulk_create", "get_or_create", "update_or_create", "update", "delete", "save")


def _membership_writes(path: Path) -> list[str]:
    """Calls like Membership.objects.create(…), Membership(…), x.memberships.create(…) in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        text = ast.unparse(node.func)
        if text == "Membership" or (
            text.rsplit(".", 1)[-1] in WRITES and ("Membership.objects" in text or "memberships." in text)
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {text}")
    return found


def test_no_code_writes_memberships_but_the_membership_services():
    """The log is complete only if every write goes through grants/services/memberships.py."""
    allowed = {ROOT / "grants/services/memberships.py"}
    writes = []
    for app in ("grants", "documents", "workflows", "config"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts and path not in allowed:
                writes += _membership_writes(path)
    assert not writes, writes
    assert _membership_writes(ROOT / "grants/services/memberships.py")  # the guard sees a write when there is one


# --- the organisation log: append-only, shown read-only -------------------------------------------------------


@pytest.fixture
def logged(programme_admin, org, now):
    from grants.services.memberships import membership_add

    membership_add(actor=programme_admin, organisation=org, user=UserFactory(), role="MEMBER", now=now)
    return OrganisationEvent.objects.get(organisation=org)


def test_the_organisation_log_cannot_be_changed_or_deleted_through_the_orm(logged):
    logged.note = "ändrat"
    with pytest.raises(ImmutableRecordError):
        logged.save()
    with pytest.raises(ImmutableRecordError):
        logged.delete()
    with pytest.raises(ImmutableRecordError):
        OrganisationEvent.objects.filter(pk=logged.pk).update(note="ändrat")
    with pytest.raises(ImmutableRecordError):
        OrganisationEvent.objects.filter(pk=logged.pk).delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql", ["UPDATE grants_organisationevent SET note = 'x'", "DELETE FROM grants_organisationevent"]
)
def test_the_organisation_log_refuses_update_and_delete_in_sql(logged, sql):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert OrganisationEvent.objects.filter(pk=logged.pk, note="").exists()


def test_an_organisation_with_a_log_cannot_be_deleted_with_it(logged, org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=org.pk).delete()


def test_the_organisation_page_shows_its_log_read_only(client, programme_admin, logged, org):
    client.force_login(programme_admin)
    page = client.get(url(Organisation, "change", org.pk))
    html = page.content.decode()
    assert "Organisationslogg" in html and "Medlem tillagd" in html and "membership.added" not in html
    log = client.get(url(OrganisationEvent, "changelist"))
    assert log.status_code == 200 and "Medlem tillagd" in log.content.decode()
    assert client.get(url(OrganisationEvent, "add")).status_code == 403
    assert client.post(url(OrganisationEvent, "delete", logged.pk), {"post": "yes"}).status_code == 403


def test_case_officers_do_not_read_the_organisation_log(client, officer, logged, org):
    client.force_login(officer)
    assert client.get(url(OrganisationEvent, "changelist")).status_code == 403
    assert "Medlem tillagd" not in client.get(url(Organisation, "change", org.pk)).content.decode()


# --- no escalation through the user admin ---------------------------------------------------------------------


def _user_post(user, **overrides):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    if user.is_active:
        data["is_active"] = "on"
    if user.is_staff:
        data["is_staff"] = "on"
    data["groups"] = [g.pk for g in user.groups.all()]
    return data | overrides


def group(name):
    return Group.objects.get(name=name)


def test_a_programme_admin_gives_and_takes_the_working_roles_and_is_staff(client, programme_admin, applicant):
    client.force_login(programme_admin)
    data = _user_post(applicant, is_staff="on", groups=[group("case_officer").pk, group("reviewer").pk])
    assert client.post(url(User, "change", applicant.pk), data).status_code == 302
    applicant.refresh_from_db()
    assert applicant.is_staff
    assert set(applicant.groups.values_list("name", flat=True)) == {"case_officer", "reviewer"}


def test_a_programme_admin_cannot_grant_the_programme_admin_role(client, programme_admin, officer):
    client.force_login(programme_admin)
    response = client.post(url(User, "change", officer.pk), _user_post(officer, groups=[group("programme_admin").pk]))
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert list(officer.groups.values_list("name", flat=True)) == ["case_officer"]
    offered = response.context["adminform"].form.fields["groups"].queryset
    assert set(offered.values_list("name", flat=True)) == {"case_officer", "reviewer", "decision_maker", "finance"}


def test_a_programme_admin_cannot_change_their_own_rights(client, programme_admin):
    client.force_login(programme_admin)
    page = client.get(url(User, "change", programme_admin.pk))
    assert not {"groups", "is_staff", "is_active", "is_superuser", "user_permissions"} & set(
        page.context["adminform"].form.fields
    )
    data = _user_post(programme_admin, full_name="Pia P.", groups=[group("decision_maker").pk], is_superuser="on")
    assert client.post(url(User, "change", programme_admin.pk), data).status_code == 302
    programme_admin.refresh_from_db()
    assert programme_admin.full_name == "Pia P."  # their own details, yes
    assert list(programme_admin.groups.values_list("name", flat=True)) == ["programme_admin"]
    assert not programme_admin.is_superuser


def test_a_programme_admin_cannot_edit_another_programme_admin_or_a_superuser(client, programme_admin, admin_user):
    other = UserFactory(email="pa2@example.se", roles=["programme_admin"])
    client.force_login(programme_admin)
    for target in (other, admin_user):
        assert client.post(url(User, "change", target.pk), _user_post(target, is_active="")).status_code == 403
        target.refresh_from_db()
        assert target.is_active


def test_only_superusers_set_another_persons_password(client, programme_admin, officer, admin_client):
    password_page = reverse("admin:auth_user_password_change", args=[officer.pk])
    data = {"password1": "nytt-lösen-123-ab", "password2": "nytt-lösen-123-ab", "set_usable_password": "true"}
    client.force_login(programme_admin)
    assert "password" not in client.get(url(User, "change", officer.pk)).context["adminform"].form.fields
    assert client.get(password_page).status_code == 403
    assert client.post(password_page, data).status_code == 403
    officer.refresh_from_db()
    assert officer.check_password("rätt-lösenord-123")
    own = reverse("admin:auth_user_password_change", args=[programme_admin.pk])
    assert client.get(own).status_code == 200  # their own, yes
    assert admin_client.get(password_page).status_code == 200


def test_a_superuser_grants_the_programme_admin_role(admin_client, officer):
    response = admin_client.post(
        url(User, "change", officer.pk),
        _user_post(officer, groups=[group("case_officer").pk, group("programme_admin").pk]),
    )
    assert response.status_code == 302
    assert set(officer.groups.values_list("name", flat=True)) == {"case_officer", "programme_admin"}


@pytest.mark.parametrize("role", ["case_officer", "reviewer", "decision_maker", "finance"])
def test_other_staff_cannot_open_the_user_admin(client, role, applicant):
    person = UserFactory(roles=[role])
    client.force_login(person)
    assert client.get(url(User, "changelist")).status_code == 403
    assert client.post(url(User, "change", person.pk), _user_post(person, is_superuser="on")).status_code == 403
    assert client.post(url(User, "change", applicant.pk), _user_post(applicant, is_staff="on")).status_code == 403
    person.refresh_from_db()
    assert not person.is_superuser


def test_the_timestamp_of_the_log_is_the_services_now(programme_admin, org):
    from grants.services.memberships import membership_add

    moment = timezone.now().replace(microsecond=0)
    membership_add(actor=programme_admin, organisation=org, user=UserFactory(), role="MEMBER", now=moment)
    assert OrganisationEvent.objects.get(organisation=org).created_at == moment
