import re
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, DocumentKind
from grants.admin import CallAdminForm, OrganisationAdminForm
from grants.demo.data import CALL_TITLE_SV
from grants.models import (
    Application,
    ApplicationState,
    ApplicationVersion,
    Attachment,
    Call,
    Decision,
    EligibilityCheck,
    Grant,
    Invitation,
    JoinRequest,
    Membership,
    MembershipRole,
    Message,
    Organisation,
    OrganisationEvent,
    OrganisationType,
    PaymentAccount,
    Payout,
    PayoutBatch,
    Proposal,
    RepaymentClaim,
    Report,
    Review,
    ReviewScore,
    SignatoryRequest,
    User,
)
from grants.models.reconciliation import BankAnswer
from tests.factories import ApplicationFactory, CallFactory, UserFactory
from workflows.models import CaseEvent

# Session, user, the count, the page of rows with their organisation, call and officer, and the filters' choices.
CHANGELIST_QUERIES = 12
OUR_APPS = {"grants", "workflows", "documents"}
APPEND_ONLY = [CaseEvent, ApplicationVersion, Decision, Proposal, EligibilityCheck, Document, OrganisationEvent]
REGISTERED = [
    Call,
    Organisation,
    PaymentAccount,
    Membership,
    OrganisationEvent,
    JoinRequest,
    SignatoryRequest,
    Invitation,
    User,
    Application,
    ApplicationVersion,
    EligibilityCheck,
    Proposal,
    Decision,
    Review,
    Grant,
    Payout,
    PayoutBatch,
    BankAnswer,
    Report,
    RepaymentClaim,
    Message,
    CaseEvent,
    Document,
]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def seeded(db):
    """The demo data, plus one of each record no current service writes yet."""
    call_command("seed_demo", stdout=StringIO())
    application = Application.objects.get(state=ApplicationState.APPROVED, call__title_sv=CALL_TITLE_SV)
    reviewer = User.objects.get(email="bedomare@demo.se")
    officer = User.objects.get(email="handlaggare@demo.se")
    review = Review.objects.create(
        application=application,
        reviewer=reviewer,
        assigned_by=officer,
        conflict=Review.Conflict.NONE,
        recommendation="APPROVE",
    )
    ReviewScore.objects.create(
        review=review, criterion=application.call.criteria.first(), score=6, justification="Tydlig plan."
    )
    # Scored first, then submitted, as review_submit does: a submitted review's scores are frozen (grants 0010).
    review.submitted_at = timezone.now()
    review.save(update_fields=["submitted_at"])
    PayoutBatch.objects.create(created_by=User.objects.get(email="ekonomi@demo.se"))
    RepaymentClaim.objects.create(
        grant=application.grant,
        amount=Decimal("10000"),
        reasons="Kostnader utanför projektet.",
        due_date=date.today() + timedelta(days=30),
        created_by=officer,
    )
    document = Document(
        kind=DocumentKind.DECISION_LETTER,
        application=application,
        filename="beslut.pdf",
        sha256="0" * 64,
        size=8,
        media_type="application/pdf",
    )
    document.file.save("beslut.pdf", ContentFile(b"%PDF-1.4"), save=False)
    document.save()
    Invitation.objects.create(
        organisation=application.organisation, email="ny@example.se", invited_by=application.created_by
    )
    JoinRequest.objects.create(organisation=application.organisation, user=reviewer, message="Jag är ny här.")
    SignatoryRequest.objects.create(
        organisation=application.organisation,
        member=application.created_by,
        requested_by=application.created_by,
        reason="Jag har fått delegation.",
    )
    return application


def test_every_model_of_ours_that_is_registered_is_covered_here():
    registered = {m for m in admin.site._registry if m._meta.app_label in OUR_APPS}
    assert registered == set(REGISTERED)


def superuser_request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_changelist_and_change_page_answer_200_for_a_superuser(admin_client, admin_user, seeded, subtests):
    # One seeding for all models (it is the slow part); each model is its own subtest.
    for model in REGISTERED:
        with subtests.test(model=model.__name__):
            assert admin_client.get(url(model, "changelist")).status_code == 200
            assert admin_client.get(url(model, "changelist"), {"q": "2026"}).status_code == 200
            obj = model._default_manager.order_by("pk").last()
            assert obj is not None, f"no {model.__name__} to show"
            assert admin_client.get(url(model, "change", obj.pk)).status_code == 200
            if admin.site.get_model_admin(model).has_add_permission(superuser_request(admin_user)):
                assert admin_client.get(url(model, "add")).status_code == 200


def test_append_only_records_cannot_be_added_changed_or_deleted(admin_client, admin_user, seeded, subtests):
    request = superuser_request(admin_user)
    for model in APPEND_ONLY:
        with subtests.test(model=model.__name__):
            model_admin = admin.site.get_model_admin(model)
            obj = model._default_manager.first()
            assert not model_admin.has_add_permission(request)
            assert not model_admin.has_change_permission(request, obj)
            assert not model_admin.has_delete_permission(request, obj)
            assert "delete_selected" not in model_admin.get_actions(request)
            assert admin_client.post(url(model, "change", obj.pk), {}).status_code == 403
            assert admin_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
            assert admin_client.get(url(model, "add")).status_code == 403
            assert model._default_manager.filter(pk=obj.pk).exists()


def test_submitted_applications_cannot_be_deleted(admin_client, admin_user, seeded):
    request = superuser_request(admin_user)
    model_admin = admin.site.get_model_admin(Application)
    assert "delete_selected" not in model_admin.get_actions(request)
    for application in Application.objects.exclude(state=ApplicationState.DRAFT):
        assert not model_admin.has_delete_permission(request, application)
        assert admin_client.post(url(Application, "delete", application.pk), {"post": "yes"}).status_code == 403
    assert Application.objects.exclude(state=ApplicationState.DRAFT).count() == 14  # 9 this year, 5 last year


def test_a_draft_can_be_deleted_with_its_attachments(admin_client, seeded):
    draft = Application.objects.get(state=ApplicationState.DRAFT)
    stored = [a.file.name for a in draft.attachments.all()]
    storage = draft.attachments.first().file.storage
    page = admin_client.get(url(Application, "delete", draft.pk))
    assert page.status_code == 200
    assert "Projektplan" in page.content.decode()
    response = admin_client.post(url(Application, "delete", draft.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not Attachment.objects.filter(application_id=draft.pk).exists()
    assert stored and all(storage.exists(name) for name in stored)  # files go after commit, never before


def test_a_draft_with_a_case_event_is_kept_and_the_page_says_why(admin_client, seeded):
    draft = Application.objects.get(state=ApplicationState.DRAFT)
    CaseEvent.objects.create(application=draft, event="application.assigned")
    page = admin_client.get(url(Application, "delete", draft.pk))
    assert page.status_code == 200 and page.context["protected"]
    admin_client.post(url(Application, "delete", draft.pk), {"post": "yes"})
    assert Application.objects.filter(pk=draft.pk).exists()


def test_state_and_reference_number_are_read_only(admin_client, seeded):
    application = Application.objects.get(state=ApplicationState.IN_REVIEW, versions__number=2)
    response = admin_client.get(url(Application, "change", application.pk))
    form = response.context["adminform"].form
    assert "state" not in form.fields and "reference_number" not in form.fields
    # A superuser without the case officer role cannot reassign either: that is the officer's action.
    assert list(form.fields) == []


def test_case_log_is_shown_in_time_order(admin_client, seeded):
    application = Application.objects.get(state=ApplicationState.APPROVED, call__title_sv=CALL_TITLE_SV)
    response = admin_client.get(url(Application, "change", application.pk))
    inline = next(i for i in response.context["inline_admin_formsets"] if i.formset.model is CaseEvent)
    shown = [form.instance for form in inline.formset.forms]
    assert len(shown) == application.events.count() > 3
    assert shown == sorted(shown, key=lambda e: (e.created_at, e.pk))
    # In words, as on the case page: labels, not the stored codes.
    cells = re.findall(
        r'<td class="field-(event_label|from_state_label|to_state_label)">\s*<p>([^<]*)</p>', response.content.decode()
    )
    shown_words = {text for _, text in cells}
    assert {"Ansökan inskickad", "Föredragen för beslut", "Ansökan beviljad", "Inkommen", "Beviljad"} <= shown_words
    assert not any("." in text or text.isupper() for text in shown_words)


@pytest.fixture
def staff_officer(db):
    """A case officer who may use the admin for applications (view and change)."""
    officer = UserFactory(email="admin-officer@example.se", roles=["case_officer"])
    officer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_application", "change_application"]),
        *Permission.objects.filter(content_type__app_label__in=OUR_APPS, codename__startswith="view_"),
    )
    return officer


def post_data_for_change(response, **fields) -> dict[str, str]:
    data = {**fields}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


def test_a_case_officer_reassigns_through_the_service_and_the_case_log_records_it(client, seeded, staff_officer):
    application = Application.objects.get(state=ApplicationState.PROPOSED)
    new_officer = User.objects.get(email="handlaggare2@demo.se")
    client.force_login(staff_officer)
    page = client.get(url(Application, "change", application.pk))
    assert list(page.context["adminform"].form.fields) == ["assigned_officer"]
    events_before = application.events.count()
    response = client.post(
        url(Application, "change", application.pk), post_data_for_change(page, assigned_officer=new_officer.pk)
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.assigned_officer == new_officer
    assert application.state == ApplicationState.PROPOSED
    event = application.events.order_by("-pk").first()
    assert application.events.count() == events_before + 1
    assert (event.event, event.actor) == ("application.assigned", staff_officer)


def test_the_admin_refuses_a_reviewer_of_the_case_as_its_officer_with_a_form_error(client, seeded, staff_officer):
    application = Application.objects.get(state=ApplicationState.PROPOSED)
    reviewer_officer = User.objects.get(email="handlaggare2@demo.se")
    Review.objects.create(
        application=application, reviewer=reviewer_officer, assigned_by=staff_officer, conflict=Review.Conflict.NONE
    )
    before = (application.assigned_officer_id, application.events.count())
    client.force_login(staff_officer)
    page = client.get(url(Application, "change", application.pk))
    response = client.post(
        url(Application, "change", application.pk), post_data_for_change(page, assigned_officer=reviewer_officer.pk)
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "är bedömare i ärende" in response.content.decode()
    application.refresh_from_db()
    assert (application.assigned_officer_id, application.events.count()) == before


def test_a_closed_case_takes_no_new_officer_in_the_admin_either(client, seeded, staff_officer):
    """The admin asks the same rule as application_assign (permissions.can_assign_officer): the field is
    read-only on a decided case instead of a form whose save would be refused."""
    application = Application.objects.filter(state=ApplicationState.APPROVED).first()
    client.force_login(staff_officer)
    page = client.get(url(Application, "change", application.pk))
    assert list(page.context["adminform"].form.fields) == []


def test_only_case_officers_can_be_assigned_and_a_case_is_never_left_without_one(client, seeded, staff_officer):
    application = Application.objects.get(state=ApplicationState.PROPOSED)
    applicant = User.objects.get(email="sokande@demo.se")
    client.force_login(staff_officer)
    page = client.get(url(Application, "change", application.pk))
    for value in (applicant.pk, ""):
        response = client.post(
            url(Application, "change", application.pk), post_data_for_change(page, assigned_officer=value)
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    application.refresh_from_db()
    assert application.assigned_officer.email == "handlaggare@demo.se"


@pytest.mark.parametrize("n", [5, 50])
def test_application_changelist_costs_the_same_queries_for_5_and_50(admin_client, db, django_assert_max_num_queries, n):
    calls = [CallFactory(with_kinds=False) for _ in range(3)]
    officers = [UserFactory(roles=["case_officer"]) for _ in range(4)]
    for i in range(n):
        ApplicationFactory(
            call=calls[i % 3],
            state=ApplicationState.SUBMITTED,
            reference_number=f"2026-{i + 1:05d}",
            submitted_at=timezone.now(),
            assigned_officer=officers[i % 4],
        )
    admin_client.get(url(Application, "changelist"))  # warm caches (content types)
    with django_assert_max_num_queries(CHANGELIST_QUERIES):
        response = admin_client.get(url(Application, "changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == n


def test_application_changelist_query_count_does_not_grow(admin_client, db, django_assert_max_num_queries):
    calls = [CallFactory(with_kinds=False) for _ in range(3)]

    def add(count: int) -> None:
        start = Application.objects.count()
        for i in range(start, start + count):
            ApplicationFactory(
                call=calls[i % 3],
                state=ApplicationState.SUBMITTED,
                reference_number=f"2026-{i + 1:05d}",
                submitted_at=timezone.now(),
                assigned_officer=UserFactory(roles=["case_officer"]),
            )

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url(Application, "changelist")).status_code == 200
        return len(queries)

    add(5)
    admin_client.get(url(Application, "changelist"))
    with_5 = measure()
    add(45)
    with_50 = measure()
    assert with_5 == with_50
    with django_assert_max_num_queries(with_5):
        admin_client.get(url(Application, "changelist"), {"state__exact": "SUBMITTED", "q": "Hybrid"})


def test_call_form_edits_eligible_types_as_checkboxes(admin_client, db):
    page = admin_client.get(url(Call, "add")).content.decode()
    assert 'type="checkbox" name="eligible_org_types" value="MUNICIPALITY"' in page
    call = CallFactory()
    data = {name: getattr(call, name) for name in CallAdminForm._meta.fields if name != "eligible_org_types"} | {
        "eligible_org_types": ["REGION", "MUNICIPALITY"]
    }
    form = CallAdminForm(data=data, instance=call)
    assert form.is_valid(), form.errors
    assert form.save().eligible_org_types == ["MUNICIPALITY", "REGION"]  # in the order of OrganisationType
    assert not CallAdminForm(data=data | {"eligible_org_types": ["COMPANY"]}, instance=call).is_valid()
    assert not CallAdminForm(data=data | {"eligible_org_types": []}, instance=call).is_valid()


def org_data(**overrides) -> dict[str, str]:
    return {"name": "Umeå kommun", "orgnr": "212000-2627", "org_type": OrganisationType.MUNICIPALITY} | overrides


@pytest.mark.django_db
def test_organisation_form_checks_orgnr():
    # Payment accounts are rows of their own, with a history and a second person's verification
    # (tests/grants/test_finance_models.py); the organisation form no longer holds one.
    form = OrganisationAdminForm(data=org_data())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["orgnr"] == "2120002627"
    assert not OrganisationAdminForm(data=org_data(orgnr="212000-2628")).is_valid()
    assert "payment_account" not in form.fields


def test_staff_make_a_member_signatory_on_the_organisation_page(admin_client, seeded):
    organisation = Organisation.objects.get(orgnr="2321000016")  # Region Stockholm: sokande@demo.se is a member
    membership = Membership.objects.get(organisation=organisation, user__email="sokande@demo.se")
    assert membership.role == MembershipRole.MEMBER
    data = {
        "name": organisation.name,
        "orgnr": organisation.orgnr,
        "org_type": organisation.org_type,
        "city": organisation.city,
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": membership.pk,
        "memberships-0-organisation": organisation.pk,
        "memberships-0-user": membership.user_id,
        "memberships-0-role": MembershipRole.SIGNATORY,
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "payment_accounts-TOTAL_FORMS": "0",
        "payment_accounts-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url(Organisation, "change", organisation.pk), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    membership.refresh_from_db()
    assert membership.role == MembershipRole.SIGNATORY
    event = organisation.events.order_by("-pk").first()
    assert (event.event, event.user, event.from_role, event.to_role) == (
        "membership.role_changed",
        membership.user,
        MembershipRole.MEMBER,
        MembershipRole.SIGNATORY,
    )


def test_organisation_search_finds_a_dashed_orgnr(admin_client, seeded):
    response = admin_client.get(url(Organisation, "changelist"), {"q": "212000-0142"})
    assert [o.name for o in response.context["cl"].result_list] == ["Stockholms stad"]


def test_user_admin_adds_a_user_with_email_and_password_twice(admin_client, db):
    page = admin_client.get(url(User, "add"))
    assert set(page.context["adminform"].form.fields) == {"email", "full_name", "language", "password1", "password2"}
    data = {"email": "Ny.Person@Example.se", "full_name": "Ny Person", "language": "sv"}
    mismatch = admin_client.post(url(User, "add"), data | {"password1": "ett-bra-lösenord", "password2": "annat"})
    assert mismatch.status_code == 200 and not User.objects.filter(email="ny.person@example.se").exists()
    response = admin_client.post(
        url(User, "add"), data | {"password1": "ett-bra-lösenord", "password2": "ett-bra-lösenord"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="ny.person@example.se")
    assert user.check_password("ett-bra-lösenord")
    duplicate = admin_client.post(
        url(User, "add"),
        data | {"email": "NY.PERSON@example.se", "password1": "x-y-z-å-ä-ö-1", "password2": "x-y-z-å-ä-ö-1"},
    )
    assert duplicate.status_code == 200 and User.objects.filter(email__iexact="ny.person@example.se").count() == 1


def test_user_admin_change_page_and_filter_by_role(admin_client, seeded):
    officer = User.objects.get(email="handlaggare@demo.se")
    page = admin_client.get(url(User, "change", officer.pk))
    assert page.status_code == 200
    assert {"email", "full_name", "language", "is_staff", "is_active", "groups"} <= set(
        page.context["adminform"].form.fields
    )
    group = Group.objects.get(name="case_officer")
    response = admin_client.get(url(User, "changelist"), {"groups__id__exact": group.pk})
    emails = {u.email for u in response.context["cl"].result_list}
    assert emails == {"handlaggare@demo.se", "handlaggare2@demo.se"}
    assert "Handläggare" in response.content.decode()


def test_staff_who_are_not_superusers_cannot_make_superusers(client, seeded):
    programme_admin = UserFactory(email="pa@example.se", roles=["programme_admin"])
    programme_admin.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client.force_login(programme_admin)
    officer = User.objects.get(email="handlaggare@demo.se")
    fields = client.get(url(User, "change", officer.pk)).context["adminform"].form.fields
    assert "groups" in fields and "is_superuser" not in fields and "user_permissions" not in fields
    superuser = User.objects.get(email="admin@demo.se")
    assert client.post(url(User, "change", superuser.pk), {"email": "x@example.se"}).status_code == 403
    password_page = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.post(password_page, {"password1": "nytt-lösen-123", "password2": "nytt-lösen-123"}).status_code == 403
    superuser.refresh_from_db()
    assert superuser.check_password("demo-lösenord-2026")


def test_a_migration_creates_the_staff_groups_and_names_the_same_roles(db):
    import importlib

    from django.apps import apps

    from grants.roles import STAFF_GROUPS

    migration = importlib.import_module("grants.migrations.0005_staff_groups")
    assert set(migration.STAFF_GROUPS) == set(STAFF_GROUPS)
    Group.objects.filter(name__in=STAFF_GROUPS).delete()
    migration.create_groups(apps, connection.schema_editor())
    assert set(Group.objects.filter(name__in=STAFF_GROUPS).values_list("name", flat=True)) == set(STAFF_GROUPS)


def test_the_case_log_in_the_admin_speaks_in_words(admin_client, seeded):
    from workflows.events import EVENT_LABELS

    page = admin_client.get(reverse("admin:workflows_caseevent_changelist")).content.decode()
    assert str(EVENT_LABELS["application.submitted"]) in page
    assert ">application.submitted<" not in page  # neither a cell nor a filter shows the stored code
    assert '<td class="field-to_label">Inkommen</td>' in page  # a state label, not SUBMITTED
    only = admin_client.get(reverse("admin:workflows_caseevent_changelist"), {"event": "application.submitted"})
    assert only.status_code == 200
    rows = only.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert str(EVENT_LABELS["application.submitted"]) in rows
    assert str(EVENT_LABELS["application.withdrawn"]) not in rows


def test_the_review_list_shows_and_filters_withdrawn_assignments(admin_client, seeded):
    review = Review.objects.filter(submitted_at__isnull=True).order_by("pk").first()
    Review.objects.filter(pk=review.pk).update(withdrawn_at=timezone.now())
    changelist = reverse("admin:grants_review_changelist")
    page = admin_client.get(changelist).content.decode()
    assert "column-withdrawn_at" in page
    withdrawn = admin_client.get(changelist, {"withdrawn_at__isempty": "0"}).content.decode()
    rows = withdrawn.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert rows.count("<tr") == 1
