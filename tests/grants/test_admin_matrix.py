"""The whole Django admin, role by role (DESIGN.md §5 rule 10, issue 9 item 1), generated from the registry.

Every model in `admin.site._registry` must have a row in `EXPECT` (a newly registered model without one fails
`test_every_registered_model_has_an_expectation`), saying what each staff role may do with it: `v` view,
`a` add, `c` change, `d` delete. For every model and every role — the five staff roles, a person holding
several, and a superuser — the test GETs the changelist, add, change, history and delete pages and POSTs to
add, change and delete, and checks each status against the row:

- GET changelist, change, history: 200 with `v` or `c`, else 403;  GET add: 200 with `a`;  GET delete: 200
  with `d`; else 403.
- POST add with `a`: valid data (ADD_DATA) → 302 and one more row; POST change with `c`: the change form sent
  back as shown → 302; POST delete with `d`: a fresh disposable row (DISPOSABLE) → 302 and the row gone.
  Without the right, each POST → 403 and nothing changes.

Each POST runs in a savepoint that is rolled back, so one role's action never changes what the next finds.
The change pages are tried on a record every role with a view right may see (an open case no one here
reviews; a payment file): what the admins hide per case is tested in test_admin_conflicts.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, DocumentKind
from grants.models import (
    ApplicationState,
    Grant,
    Invitation,
    JoinRequest,
    Membership,
    Message,
    Organisation,
    PaymentAccount,
    PayoutBatch,
    RepaymentClaim,
    Review,
    ReviewScore,
    SignatoryRequest,
    User,
)
from grants.services.memberships import membership_create_logged
from tests.conftest import attach_required
from tests.factories import (
    VALID_ORGNRS,
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.workflows.lifecycle import bring_to
from workflows.models import CaseEvent

ROLES = ("case_officer", "reviewer", "decision_maker", "finance", "programme_admin", "multi", "superuser")
# The person holding several roles: a case officer who also reviews and decides (a small agency's reality).
MULTI = ["case_officer", "reviewer", "decision_maker"]


def rights(**per_role: str) -> dict[str, str]:
    unknown = set(per_role) - set(ROLES)
    assert not unknown, unknown
    return {role: per_role.get(role, "") for role in ROLES}


def readers(*roles: str) -> dict[str, str]:
    """Read-only records: the listed roles (and superusers) view, nobody adds, changes or deletes."""
    return rights(**{role: "v" for role in (*roles, "superuser")})


CASE_READERS = ("case_officer", "multi")  # what the case officer group reads
EXPECT: dict[str, dict[str, str]] = {
    # Django's and the task backend's own
    "auth.group": rights(programme_admin="v", superuser="vacd"),
    "django_tasks_database.dbtaskresult": readers(),
    # people and organisations: the programme admin's
    "grants.user": rights(programme_admin="vac", superuser="vacd"),
    "grants.organisation": rights(
        case_officer="v", decision_maker="v", finance="v", multi="v", programme_admin="vac", superuser="vacd"
    ),
    "grants.membership": rights(case_officer="v", multi="v", programme_admin="vacd", superuser="vacd"),
    # payment accounts: entered and verified through the finance services, read here by finance and admins
    "grants.paymentaccount": readers("finance", "programme_admin"),
    "grants.organisationevent": readers("programme_admin"),
    "grants.invitation": rights(programme_admin="vd", superuser="vd"),
    "grants.joinrequest": rights(programme_admin="vc", superuser="vc"),
    "grants.signatoryrequest": rights(programme_admin="vc", superuser="vc"),
    # calls: configured by the programme admin, read by everyone who works with them
    "grants.call": rights(
        case_officer="v",
        reviewer="v",
        decision_maker="v",
        finance="v",
        multi="v",
        programme_admin="vac",
        superuser="vacd",
    ),
    # cases: read; the case officer changes only the assigned officer; a submitted case is never deleted
    "grants.application": rights(
        case_officer="vc", multi="vc", decision_maker="v", programme_admin="v", superuser="vc"
    ),
    "grants.applicationversion": readers(),
    "grants.eligibilitycheck": readers(),
    "grants.proposal": readers("decision_maker", "multi"),
    "grants.decision": readers("decision_maker", "multi"),
    "grants.review": readers(*CASE_READERS),
    "workflows.caseevent": readers(*CASE_READERS, "decision_maker", "programme_admin"),
    "documents.document": readers(*CASE_READERS, "finance", "programme_admin"),
    "grants.message": readers(*CASE_READERS, "programme_admin"),
    # money and reports
    "grants.grant": readers(*CASE_READERS, "decision_maker", "finance", "programme_admin"),
    "grants.payout": readers("finance"),
    "grants.payoutbatch": readers("finance"),
    "grants.bankanswer": readers("finance"),
    "grants.report": readers(*CASE_READERS),
    "grants.repaymentclaim": readers("finance"),
}


def label(model) -> str:
    return model._meta.label_lower


def test_every_registered_model_has_an_expectation():
    missing = sorted({label(m) for m in admin.site._registry} - set(EXPECT))
    assert not missing, f"registered in the admin without a row in EXPECT: {missing}"


def test_no_stale_expectations():
    stale = sorted(set(EXPECT) - {label(m) for m in admin.site._registry})
    assert not stale, f"rows in EXPECT for models no longer registered: {stale}"


def test_the_matrix_fails_for_a_model_without_an_expectation(monkeypatch):
    monkeypatch.delitem(EXPECT, "grants.membership")
    with pytest.raises(AssertionError, match="grants.membership"):
        test_every_registered_model_has_an_expectation()


# --- the world ---------------------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    objects: dict[str, Any]
    organisation: Organisation
    call: Any


def _document(application, kind, name):
    document = Document(
        kind=kind, application=application, filename=name, sha256="0" * 64, size=8, media_type="application/pdf"
    )
    document.file.save(name, ContentFile(b"%PDF-1.4"), save=False)
    document.save()
    return document


@pytest.fixture
def world(draft, cast, now):
    from django_tasks_db.models import DBTaskResult, get_date_max

    decided = ApplicationFactory(call=draft.call, organisation=draft.organisation, created_by=draft.created_by)
    attach_required(decided)
    decided = bring_to(decided, ApplicationState.APPROVED, cast, now)
    open_case = ApplicationFactory(call=draft.call, organisation=draft.organisation, created_by=draft.created_by)
    attach_required(open_case)
    open_case = bring_to(open_case, ApplicationState.SUBMITTED, cast, now)
    review = Review.objects.create(
        application=decided,
        reviewer=UserFactory(roles=["reviewer"]),
        assigned_by=cast.officer,
        conflict=Review.Conflict.NONE,
        recommendation="APPROVE",
    )
    ReviewScore.objects.create(review=review, criterion=decided.call.criteria.first(), score=5, justification="Bra.")
    # Scored first, then submitted, as review_submit does: a submitted review's scores are frozen (grants 0010).
    review.submitted_at = now
    review.save(update_fields=["submitted_at"])
    grant = Grant.objects.get(application=decided)
    claim = RepaymentClaim.objects.create(
        grant=grant,
        amount=Decimal("1000"),
        reasons="Fel.",
        due_date=date.today() + timedelta(days=30),
        created_by=cast.officer,
    )
    organisation = draft.organisation
    users = {role: UserFactory(email=f"{role}@matris.se", roles=[role]) for role in ROLES[:5]}
    users["multi"] = UserFactory(email="multi@matris.se", roles=MULTI)
    superuser = UserFactory(email="super@matris.se")
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    users["superuser"] = superuser
    membership_create_logged(actor=None, organisation=organisation, user=UserFactory(), role="MEMBER", now=now)
    objects = {
        "auth.group": Group.objects.get(name="reviewer"),
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="grants.tasks.message_deliver",
            backend_name="default",
            run_after=get_date_max(),  # not scheduled: the tests' immediate backend takes no run_after
        ),
        "grants.user": cast.applicant,
        "grants.organisation": organisation,
        # On an organisation of its own: the account PROTECTs its organisation, and DISPOSABLE's organisation
        # (get_or_create by orgnr) may be the world's.
        "grants.paymentaccount": PaymentAccount.objects.create(
            organisation=OrganisationFactory(name="Kontokommun", orgnr="2120002627"),
            kind="BANKGIRO",
            number="50501055",
            created_by=users["programme_admin"],
        ),
        "grants.membership": Membership.objects.filter(organisation=organisation).first(),
        "grants.organisationevent": organisation.events.first(),
        "grants.invitation": Invitation.objects.create(
            organisation=organisation, email="ny@example.se", invited_by=cast.applicant
        ),
        "grants.joinrequest": JoinRequest.objects.create(organisation=organisation, user=UserFactory()),
        "grants.signatoryrequest": SignatoryRequest.objects.create(
            organisation=organisation, member=cast.applicant, requested_by=cast.applicant, reason="Delegation."
        ),
        "grants.call": draft.call,
        "grants.application": open_case,
        "grants.applicationversion": decided.versions.first(),
        "grants.eligibilitycheck": decided.eligibility_checks.first(),
        "grants.proposal": decided.proposals.first(),
        "grants.decision": decided.decisions.first(),
        "grants.review": review,
        "workflows.caseevent": CaseEvent.objects.filter(application=decided).first(),
        "documents.document": _document(None, DocumentKind.PAYMENT_FILE, "pain001.xml"),
        "grants.message": Message.objects.create(
            recipient=cast.applicant,
            recipient_email=cast.applicant.email,
            application=decided,
            event="application.decided",
            subject="Beslut",
            body="Beslut.",
        ),
        "grants.grant": grant,
        "grants.payout": grant.payouts.first(),
        "grants.payoutbatch": PayoutBatch.objects.create(created_by=users["finance"]),
        "grants.bankanswer": _bank_answer(),
        "grants.report": grant.reports.first(),
        "grants.repaymentclaim": claim,
    }
    missing = [key for key, obj in objects.items() if obj is None]
    assert not missing, missing
    return World(users=users, objects=objects, organisation=organisation, call=draft.call)


def _bank_answer():
    from grants.services.reconciliation import reconciliation_preview
    from tests.grants.reconciliation import answer_csv, exported_batch, paid

    exported = exported_batch(1)
    return reconciliation_preview(
        actor=exported.people.assembler,
        batch=exported.batch,
        content=answer_csv([paid(exported.payouts[0])]),
        filename="svar.csv",
        now=exported.people.now,
    ).answer


# --- what a valid add is, and what may be deleted --------------------------------------------------------------


def _call_data(world: World) -> dict[str, Any]:
    opens = timezone.localtime(timezone.now())
    closes = opens + timedelta(days=30)
    return {
        "title_sv": "Ny utlysning",
        "title_en": "New call",
        "description_sv": "Text.",
        "description_en": "Text.",
        "opens_at_0": opens.strftime("%Y-%m-%d"),
        "opens_at_1": "08:00:00",
        "closes_at_0": closes.strftime("%Y-%m-%d"),
        "closes_at_1": "14:00:00",
        "total_budget": "1000000",
        "max_grant_amount": "600000",
        "eligible_org_types": ["MUNICIPALITY"],
    }


ADD_DATA: dict[str, Callable[[World], dict[str, Any]]] = {
    "auth.group": lambda w: {"name": "ny grupp"},
    "grants.user": lambda w: {
        "email": "helt.ny@example.se",
        "full_name": "Helt Ny",
        "language": "sv",
        "password1": "ett-bra-lösenord-7",
        "password2": "ett-bra-lösenord-7",
    },
    "grants.organisation": lambda w: {"name": "Uppsala kommun", "orgnr": "212000-1207", "org_type": "MUNICIPALITY"},
    "grants.membership": lambda w: {"user": UserFactory().pk, "organisation": w.organisation.pk, "role": "MEMBER"},
    "grants.call": _call_data,
}

DISPOSABLE: dict[str, Callable[[World], Any]] = {
    "auth.group": lambda w: Group.objects.create(name="att ta bort"),
    "grants.user": lambda w: UserFactory(email="bort@example.se"),
    # An orgnr no organisation has yet: the factory gets or creates by orgnr, and the world's organisation takes
    # whichever orgnr the factory's sequence has reached by then.
    "grants.organisation": lambda w: OrganisationFactory(
        name="Borttagen", orgnr=next(n for n in VALID_ORGNRS if not Organisation.objects.filter(orgnr=n).exists())
    ),
    "grants.membership": lambda w: MembershipFactory(organisation=w.organisation),
    "grants.invitation": lambda w: Invitation.objects.create(
        organisation=w.organisation, email="bort@example.se", invited_by=w.objects["grants.user"]
    ),
    "grants.call": lambda w: CallFactory(with_kinds=False),
}


# --- sending a form back as it was shown ------------------------------------------------------------------------


def _widget_values(widget: forms.Widget, name: str, value: Any) -> dict[str, Any]:
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        found: dict[str, Any] = {}
        for suffix, sub, part in zip(widget.widgets_names, widget.widgets, parts, strict=True):
            found |= _widget_values(sub, name + suffix, part)
        return found
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if widget.check_test(value) else {}
    formatted = widget.format_value(value)
    return {} if formatted is None else {name: formatted}


def resubmitted(response) -> dict[str, Any]:
    """The change form's data as the page shows it, inlines included: what "Save" sends unchanged."""
    context = response.context
    every_form = [context["adminform"].form]
    data: dict[str, Any] = {}
    for inline in context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {management.add_prefix(name): management[name].value() for name in management.fields}
        every_form += inline.formset.forms
    for form in every_form:
        for bound in form:
            if not bound.field.disabled:
                data |= _widget_values(bound.field.widget, bound.html_name, bound.value())
    return data


def with_management_forms(response, data: dict[str, Any]) -> dict[str, Any]:
    """An add form's data with its inlines' management forms (no inline rows)."""
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data = data | {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return data


# --- the walk ----------------------------------------------------------------------------------------------------


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


class Walk:
    def __init__(self, client, world: World):
        self.client = client
        self.world = world
        self.failures: list[str] = []
        self.tried = 0

    def check(self, what: str, status: int, expected: int) -> None:
        self.tried += 1
        if status != expected:
            self.failures.append(f"{what}: got {status}, expected {expected}")

    def in_savepoint(self, action: Callable[[], Any]) -> Any:
        with transaction.atomic():
            result = action()
            transaction.set_rollback(True)
        return result


def _get(walk: Walk, model, role: str, allowed: str) -> None:
    obj = walk.world.objects[label(model)]
    reads = "v" in allowed or "c" in allowed
    pages = [
        ("changelist", admin_url(model, "changelist"), reads),
        ("add", admin_url(model, "add"), "a" in allowed),
        ("change", admin_url(model, "change", obj.pk), reads),
        ("history", admin_url(model, "history", obj.pk), reads),
        ("delete", admin_url(model, "delete", obj.pk), "d" in allowed),
    ]
    for view, path, ok in pages:
        walk.check(f"GET {label(model)} {view} as {role}", walk.client.get(path).status_code, 200 if ok else 403)


def _post_add(walk: Walk, model, role: str, allowed: str) -> None:
    key = label(model)
    if "a" not in allowed:
        status = walk.in_savepoint(lambda: walk.client.post(admin_url(model, "add"), {}).status_code)
        walk.check(f"POST {key} add as {role}", status, 403)
        return
    assert key in ADD_DATA, f"{key}: {role} may add, but ADD_DATA has no valid data for it"

    def add() -> tuple[int, int]:
        before = model._default_manager.count()
        page = walk.client.get(admin_url(model, "add"))
        data = with_management_forms(page, resubmitted(page) | ADD_DATA[key](walk.world))
        response = walk.client.post(admin_url(model, "add"), data)
        if response.status_code == 200:
            walk.failures.append(f"POST {key} add as {role}: form errors {response.context['errors']}")
        return response.status_code, model._default_manager.count() - before

    status, added = walk.in_savepoint(add)
    walk.check(f"POST {key} add as {role}", status, 302)
    if status == 302 and added != 1:
        walk.failures.append(f"POST {key} add as {role}: {added} rows added, expected 1")


def _post_change(walk: Walk, model, role: str, allowed: str) -> None:
    obj = walk.world.objects[label(model)]
    path = admin_url(model, "change", obj.pk)
    if "c" not in allowed:
        status = walk.in_savepoint(lambda: walk.client.post(path, {}).status_code)
        walk.check(f"POST {label(model)} change as {role}", status, 403)
        return

    def change() -> int:
        response = walk.client.post(path, resubmitted(walk.client.get(path)))
        if response.status_code == 200:
            walk.failures.append(f"POST {label(model)} change as {role}: form errors {response.context['errors']}")
        return response.status_code

    walk.check(f"POST {label(model)} change as {role}", walk.in_savepoint(change), 302)


def _post_delete(walk: Walk, model, role: str, allowed: str) -> None:
    key = label(model)
    if "d" not in allowed:
        obj = walk.world.objects[key]
        status = walk.in_savepoint(
            lambda: walk.client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code
        )
        walk.check(f"POST {key} delete as {role}", status, 403)
        return
    assert key in DISPOSABLE, f"{key}: {role} may delete, but DISPOSABLE has no row to delete"

    def delete() -> tuple[int, bool]:
        doomed = DISPOSABLE[key](walk.world)
        status = walk.client.post(admin_url(model, "delete", doomed.pk), {"post": "yes"}).status_code
        return status, model._default_manager.filter(pk=doomed.pk).exists()

    status, still_there = walk.in_savepoint(delete)
    walk.check(f"POST {key} delete as {role}", status, 302)
    if status == 302 and still_there:
        walk.failures.append(f"POST {key} delete as {role}: the row is still there")


def test_every_admin_url_for_every_staff_role(client, world, capsys):
    walk = Walk(client, world)
    client.raise_request_exception = False  # a 500 is a status to report
    for role in ROLES:
        client.force_login(world.users[role])
        walk.check(f"GET admin index as {role}", client.get(reverse("admin:index")).status_code, 200)
        for model in admin.site._registry:
            allowed = EXPECT.get(label(model))
            if allowed is None:
                continue  # reported by test_every_registered_model_has_an_expectation
            _get(walk, model, role, allowed[role])
            _post_add(walk, model, role, allowed[role])
            _post_change(walk, model, role, allowed[role])
            _post_delete(walk, model, role, allowed[role])
    with capsys.disabled():
        print(f"\nadmin matrix: {walk.tried} URL × role combinations tried ({len(ROLES)} roles)")
    assert not walk.failures, "\n".join(walk.failures)
    assert walk.tried >= len(EXPECT) * len(ROLES) * 8


def test_a_person_outside_the_staff_is_sent_to_the_admin_login(client, world, applicant):
    client.force_login(applicant)
    for model in admin.site._registry:
        response = client.get(admin_url(model, "changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
