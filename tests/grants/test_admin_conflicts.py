"""Jäv (DESIGN.md §5 rules 6 and 10) in the Django admin and in every staff queue, drafts kept out of staff
hands, and finance kept to payment files.

A person with several staff roles who was asked to review a case and has not declared themselves free of
conflict (or declared a conflict) sees nothing of the case anywhere: not in the staff case page (tested in
test_staff_case.py), not in any admin changelist, change page or inline, and not in any queue or search.
The person here is given every admin view permission of our apps, so each admin's own filtering is what is
tested, not the groups' grants (test_admin_matrix.py tests those).
"""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse

from documents.models import Document, DocumentKind
from grants.models import (
    Application,
    ApplicationState,
    Grant,
    Message,
    Payout,
    PayoutBatch,
    RepaymentClaim,
    Report,
    Review,
    ReviewScore,
)
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, UserFactory
from tests.workflows.lifecycle import bring_to
from workflows.models import CaseEvent

OUR_APPS = ("grants", "workflows", "documents")
SECRET_TITLE = "Hemligt projekt Zeta"
OTHER_JUSTIFICATION = "Den andra bedömarens motivering"


def admin_url(obj_or_model, view: str, *args) -> str:
    meta = obj_or_model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def with_every_view_permission(user):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=OUR_APPS, codename__startswith="view_")
    )
    return user


def _document(application, kind, name):
    document = Document(
        kind=kind,
        application=application,
        filename=name,
        sha256="0" * 64,
        size=8,
        media_type="application/pdf",
    )
    document.file.save(name, ContentFile(b"%PDF-1.4"), save=False)
    document.save()
    return document


@pytest.fixture
def barred_case(draft, cast, now):
    """An approved case with every record the admin shows: versions, check, proposal, decision, grant with
    payouts and reports, a repayment claim, documents, messages, a submitted review with scores by another
    reviewer, and the case log."""
    application = ApplicationFactory(
        call=draft.call,
        organisation=draft.organisation,
        created_by=draft.created_by,
        title=SECRET_TITLE,
        requested_amount=Decimal("300000.00"),
    )
    attach_required(application)
    application = bring_to(application, ApplicationState.APPROVED, cast, now)
    other = Review.objects.create(
        application=application,
        reviewer=UserFactory(roles=["reviewer"]),
        assigned_by=cast.officer,
        conflict=Review.Conflict.NONE,
        recommendation="APPROVE",
        comment=OTHER_JUSTIFICATION,
    )
    ReviewScore.objects.create(
        review=other, criterion=application.call.criteria.first(), score=6, justification=OTHER_JUSTIFICATION
    )
    # Scored first, then submitted, as review_submit does: a submitted review's scores are frozen (grants 0010).
    other.submitted_at = now
    other.save(update_fields=["submitted_at"])
    grant = Grant.objects.get(application=application)
    RepaymentClaim.objects.create(
        grant=grant,
        amount=Decimal("10000"),
        reasons="Kostnader utanför projektet.",
        due_date=date.today() + timedelta(days=30),
        created_by=cast.officer,
    )
    _document(application, DocumentKind.DECISION_LETTER, "beslut.pdf")
    _document(application, DocumentKind.APPLICATION_SUMMARY, "ansokan.pdf")
    Message.objects.create(
        recipient=cast.applicant,
        recipient_email=cast.applicant.email,
        application=application,
        event="application.decided",
        subject=f"Beslut i ärende {application.reference_number}",
        body=f"Beslut om {SECRET_TITLE}.",
    )
    return application


def case_records(application):
    """Every admin-registered record that belongs to the case."""
    grant = Grant.objects.get(application=application)
    return [
        application,
        *application.versions.all(),
        *application.eligibility_checks.all(),
        *application.proposals.all(),
        *application.decisions.all(),
        *application.reviews.all(),
        *CaseEvent.objects.filter(application=application),
        *Document.objects.filter(application=application),
        *Message.objects.filter(application=application),
        grant,
        *Payout.objects.filter(grant=grant),
        *Report.objects.filter(grant=grant),
        *RepaymentClaim.objects.filter(grant=grant),
    ]


@pytest.fixture
def officer_reviewer(db):
    return with_every_view_permission(
        UserFactory(email="dubbelroll@example.se", full_name="Dora Dubbelroll", roles=["case_officer", "reviewer"])
    )


def our_changelists():
    return [model for model in admin.site._registry if model._meta.app_label in OUR_APPS]


def without_search_box(html: str) -> str:
    """The page without what repeats the search: the search field, and the query in the filters' links."""
    return re.sub(r'q=[^&"]*', "", re.sub(r'<input[^>]*name="q"[^>]*>', "", html))


def assert_sees_nothing_of(client, application):
    shows = []
    for model in our_changelists():
        for params in ({}, {"q": application.reference_number}, {"q": SECRET_TITLE}):
            page = client.get(admin_url(model, "changelist"), params)
            assert page.status_code in (200, 403), (model, page.status_code)
            html = without_search_box(page.content.decode())
            if SECRET_TITLE in html or application.reference_number in html or OTHER_JUSTIFICATION in html:
                shows.append(f"{model.__name__} changelist {params}")
    for record in case_records(application):
        page = client.get(admin_url(record, "change", record.pk))
        if page.status_code == 200:
            shows.append(f"{type(record).__name__} {record.pk} change page")
    assert not shows, "the barred person sees the case in: " + ", ".join(shows)


@pytest.mark.parametrize("declaration", ["undeclared", "conflict", "conflict_then_withdrawn"])
def test_a_barred_reviewer_with_other_roles_sees_nothing_of_the_case_in_the_admin(
    client, barred_case, officer_reviewer, cast, now, declaration
):
    review = Review.objects.create(application=barred_case, reviewer=officer_reviewer, assigned_by=cast.officer2)
    if declaration != "undeclared":
        review.conflict, review.conflict_reason, review.declared_at = Review.Conflict.CONFLICT, "Min bror.", now
        review.save()
    if declaration == "conflict_then_withdrawn":
        review.withdrawn_at = now
        review.save()
    client.force_login(officer_reviewer)
    assert_sees_nothing_of(client, barred_case)


def test_once_free_of_conflict_the_same_person_sees_the_case_in_the_admin(client, barred_case, officer_reviewer, cast):
    Review.objects.create(
        application=barred_case, reviewer=officer_reviewer, assigned_by=cast.officer2, conflict=Review.Conflict.NONE
    )
    client.force_login(officer_reviewer)
    page = client.get(admin_url(Application, "change", barred_case.pk))
    assert page.status_code == 200 and SECRET_TITLE in page.content.decode()
    other = barred_case.reviews.exclude(reviewer=officer_reviewer).get()
    assert client.get(admin_url(Review, "change", other.pk)).status_code == 200


def test_an_assignment_withdrawn_before_any_declaration_bars_nothing(client, barred_case, officer_reviewer, cast, now):
    Review.objects.create(
        application=barred_case, reviewer=officer_reviewer, assigned_by=cast.officer2, withdrawn_at=now
    )
    client.force_login(officer_reviewer)
    assert client.get(admin_url(Application, "change", barred_case.pk)).status_code == 200


def test_the_superuser_sees_everything(admin_client, admin_user, barred_case, cast):
    Review.objects.create(application=barred_case, reviewer=admin_user, assigned_by=cast.officer2)
    page = admin_client.get(admin_url(Application, "change", barred_case.pk))
    assert page.status_code == 200 and SECRET_TITLE in page.content.decode()


@pytest.mark.parametrize("n", [2, 12])
def test_the_admin_changelists_cost_the_same_queries_whatever_the_barred_cases(
    client, draft, cast, now, officer_reviewer, django_assert_max_num_queries, n
):
    for i in range(n):
        application = ApplicationFactory(
            call=draft.call,
            organisation=draft.organisation,
            state=ApplicationState.SUBMITTED,
            reference_number=f"2026-{i + 1:05d}",
            submitted_at=now,
        )
        if i % 2:
            Review.objects.create(application=application, reviewer=officer_reviewer, assigned_by=cast.officer)
        CaseEvent.objects.create(application=application, event="application.submitted", created_at=now)
    client.force_login(officer_reviewer)
    free = (n + 1) // 2  # the cases without the person's review
    # The person's own reviews are all on barred cases: the review list shows none of them.
    for model, shown in ((Application, free), (CaseEvent, free), (Review, 0)):
        client.get(admin_url(model, "changelist"))  # warm the content types
        with django_assert_max_num_queries(12):
            page = client.get(admin_url(model, "changelist"))
        assert len(page.context["cl"].result_list) == shown, model


# --- the staff queues ----------------------------------------------------------------------------------------


def _queue_refs(client, **params):
    page = client.get("/staff/queue/", params)
    assert page.status_code == 200
    return without_search_box(page.content.decode()), [row["ref"] for row in page.context["rows"]]


@pytest.mark.parametrize("queue", ["new", "mine", "completion", "ready", "all"])
def test_a_barred_officer_finds_the_case_in_no_queue_nor_by_search(client, draft, cast, now, queue):
    """The officer-reviewer is the case's assigned officer too (assigned before being asked to review), so it
    would be in "mine" as well as "all"."""
    officer_reviewer = UserFactory(email="dubbel@example.se", roles=["case_officer", "reviewer"])
    application = ApplicationFactory(
        call=draft.call, organisation=draft.organisation, created_by=draft.created_by, title=SECRET_TITLE
    )
    attach_required(application)
    application = bring_to(application, ApplicationState.SUBMITTED, cast, now)
    Review.objects.create(application=application, reviewer=officer_reviewer, assigned_by=cast.officer)
    client.force_login(officer_reviewer)
    for params in ({"queue": queue}, {"queue": queue, "q": SECRET_TITLE}, {"queue": queue, "q": "2026"}):
        html, refs = _queue_refs(client, **params)
        assert application.reference_number not in refs and SECRET_TITLE not in html, params
    # The control: a colleague without the review sees it in "all".
    client.force_login(cast.officer2)
    assert application.reference_number in _queue_refs(client, queue="all")[1]


def test_the_queue_query_count_does_not_grow_with_barred_cases(client, draft, cast, now, django_assert_num_queries):
    officer_reviewer = UserFactory(email="dubbel@example.se", roles=["case_officer", "reviewer"])

    def add(count):
        for _ in range(count):
            application = ApplicationFactory(
                call=draft.call,
                organisation=draft.organisation,
                state=ApplicationState.SUBMITTED,
                reference_number=f"2026-{Application.objects.count() + 1:05d}",
                submitted_at=now,
                lines=False,
            )
            Review.objects.create(application=application, reviewer=officer_reviewer, assigned_by=cast.officer)

    client.force_login(officer_reviewer)
    add(2)
    client.get("/staff/queue/", {"queue": "all"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/staff/queue/", {"queue": "all"})
    add(20)
    with django_assert_num_queries(len(few)):
        client.get("/staff/queue/", {"queue": "all"})


def test_the_decision_queue_leaves_out_barred_cases_in_sql(client, draft, cast, now, django_assert_num_queries):
    decider_reviewer = UserFactory(email="beslut-bedom@example.se", roles=["decision_maker", "reviewer"])
    proposed = []
    for title in ("Fritt ärende", SECRET_TITLE):
        application = ApplicationFactory(
            call=draft.call, organisation=draft.organisation, created_by=draft.created_by, title=title
        )
        attach_required(application)
        proposed.append(bring_to(application, ApplicationState.PROPOSED, cast, now))
    Review.objects.create(application=proposed[1], reviewer=decider_reviewer, assigned_by=cast.officer)
    from grants.selectors.decisions import decision_queue

    with django_assert_num_queries(3):  # the rows (barred ones left out in SQL); the budget left (granted, paid)
        queue = decision_queue(decider_reviewer)
    assert [a.pk for a in queue.to_decide] == [proposed[0].pk]
    client.force_login(decider_reviewer)
    html = client.get("/staff/decisions/").content.decode()
    assert "Fritt ärende" in html and SECRET_TITLE not in html


# --- drafts are not staff business ----------------------------------------------------------------------------


@pytest.fixture
def secret_draft(draft):
    Application.objects.filter(pk=draft.pk).update(title=SECRET_TITLE, summary="Utkastets hemliga sammanfattning")
    draft.refresh_from_db()
    return draft


@pytest.mark.parametrize("roles", [["case_officer"], ["decision_maker"], ["case_officer", "decision_maker"]])
def test_case_officers_and_decision_makers_see_no_draft_in_the_admin(client, secret_draft, roles):
    person = with_every_view_permission(UserFactory(roles=roles))
    client.force_login(person)
    listing = client.get(admin_url(Application, "changelist")).content.decode()
    assert SECRET_TITLE not in listing
    assert client.get(admin_url(Application, "change", secret_draft.pk)).status_code == 302  # "does not exist"
    searched = client.get(admin_url(Application, "changelist"), {"q": SECRET_TITLE})
    assert not searched.context["cl"].result_list


def test_the_programme_admin_sees_that_a_draft_exists_but_not_its_content(client, secret_draft):
    programme_admin = UserFactory(roles=["programme_admin"])
    client.force_login(programme_admin)
    listing = client.get(admin_url(Application, "changelist"))
    assert [a.pk for a in listing.context["cl"].result_list] == [secret_draft.pk]
    html = listing.content.decode()
    assert secret_draft.organisation.name in html and SECRET_TITLE not in html
    page = client.get(admin_url(Application, "change", secret_draft.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert secret_draft.organisation.name in html
    assert SECRET_TITLE not in html and "Utkastets hemliga sammanfattning" not in html
    assert "plan.pdf" not in html  # nor its attachments or budget lines
    assert "Platser på Samverket" not in html
    assert not client.get(admin_url(Application, "changelist"), {"q": SECRET_TITLE}).context["cl"].result_list
    by_organisation = client.get(admin_url(Application, "changelist"), {"q": secret_draft.organisation.name})
    assert [a.pk for a in by_organisation.context["cl"].result_list] == [secret_draft.pk]


def test_the_superuser_sees_a_drafts_content(admin_client, secret_draft):
    page = admin_client.get(admin_url(Application, "change", secret_draft.pk))
    assert SECRET_TITLE in page.content.decode()


# --- finance: payment files only --------------------------------------------------------------------------------


def test_finance_sees_only_payment_files_in_the_admin_document_list(client, barred_case):
    batch = PayoutBatch.objects.create(created_by=UserFactory(roles=["finance"]))
    payment_file = _document(None, DocumentKind.PAYMENT_FILE, "pain001.xml")
    finance = UserFactory(roles=["finance"])
    client.force_login(finance)
    page = client.get(admin_url(Document, "changelist"))
    assert page.status_code == 200
    assert [d.pk for d in page.context["cl"].result_list] == [payment_file.pk]
    for letter in Document.objects.exclude(kind=DocumentKind.PAYMENT_FILE):
        assert client.get(admin_url(Document, "change", letter.pk)).status_code == 302
    assert client.get(admin_url(Document, "change", payment_file.pk)).status_code == 200
    assert batch.pk  # a batch exists for the file to belong to, once payment files are written


def test_finance_with_the_case_officer_role_sees_the_letters_too(client, barred_case):
    person = UserFactory(roles=["finance", "case_officer"])
    client.force_login(person)
    page = client.get(admin_url(Document, "changelist"))
    kinds = {d.kind for d in page.context["cl"].result_list}
    assert {DocumentKind.DECISION_LETTER, DocumentKind.APPLICATION_SUMMARY} <= kinds


def test_the_letter_progress_pages_leave_out_barred_cases(client, draft, cast, now):
    """They list each decision's diarienummer and organisation, for any ids in the address."""
    decider_reviewer = UserFactory(email="beslut-bedom@example.se", roles=["decision_maker", "reviewer"])
    decided = []
    for title in ("Fritt ärende", SECRET_TITLE):
        application = ApplicationFactory(
            call=draft.call, organisation=draft.organisation, created_by=draft.created_by, title=title
        )
        attach_required(application)
        decided.append(bring_to(application, ApplicationState.APPROVED, cast, now))
    Review.objects.create(application=decided[1], reviewer=decider_reviewer, assigned_by=cast.officer)
    ids = ",".join(str(a.decisions.get().pk) for a in decided)
    client.force_login(decider_reviewer)
    html = client.get("/staff/decisions/progress/", {"ids": ids}).content.decode()
    assert decided[0].reference_number in html and decided[1].reference_number not in html
    assert client.get("/staff/decisions/progress.json", {"ids": ids}).json()["total"] == 1
    client.force_login(cast.decider)  # the control: not barred, sees both
    assert client.get("/staff/decisions/progress.json", {"ids": ids}).json()["total"] == 2
