"""Who may GET which page, and POST to which staff URL (DESIGN.md §5 rule 6), generated from the URL
configuration.

Every URL pattern is walked from `get_resolver()` and must have a row in `MATRIX`, keyed by URL name, with
the expected status for each role. A URL without a row fails `test_every_url_has_a_rule`, so a new page
cannot slip in without someone deciding who may see it. The admin and the language switch are skipped
explicitly (the admin has its own permission system; /i18n/setlang/ is a POST-only redirect for everyone).

Expected codes: 200 shown, 302 sent to log in (anonymous) or redirected, 403 refused, 404 hidden (an
applicant outside the organisation or a person without the role must not learn that a case exists),
405 GET not allowed on a POST-only action (its POST is checked by the POST dimension below).

POST: every staff URL also has a row in `POST_MATRIX` (a staff URL without one fails
`test_every_staff_url_has_a_post_rule`), and each is POSTed to with an empty body by every role, each POST
in its own savepoint so one role's action cannot change what the next one finds. Anonymous → 302 to log in;
roles without access → 404; roles with access → `OK`: anything but 403, 404, 405 or 500 (a redirect, or the
form again with its errors). A POST view that forgot its permission check answers a role without access
with a redirect or a page instead of 404, and fails.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from documents.models import Document, DocumentKind
from grants.models import Invitation, JoinRequest, PaymentAccount, Review
from grants.services.batches import batch_create
from grants.services.reconciliation import reconciliation_preview
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, UserFactory, make_pdf
from tests.grants.batches import due_payout, finance_people
from tests.grants.reconciliation import answer_csv, exported_batch, paid
from tests.workflows.lifecycle import bring_to
from tests.workflows.payouts import make_grant

ROLES = (
    "anonymous",
    "member",  # an applicant member of the case's organisation
    "other_org",  # an applicant of another organisation
    "case_officer",
    "reviewer",  # a reviewer not assigned to the case
    "decision_maker",
    "finance",
    "programme_admin",
    "superuser",
)
STAFF = ("case_officer", "reviewer", "decision_maker", "finance", "programme_admin", "superuser")
SKIP = "skip"


@dataclass(frozen=True)
class Rule:
    """`target` names the object the URL's parameters point at; `expect` maps every role to a status."""

    target: str
    expect: dict[str, int]


def rule(target: str, default: int, **overrides: int) -> Rule:
    unknown = set(overrides) - set(ROLES)
    assert not unknown, unknown
    return Rule(target, {role: overrides.get(role, default) for role in ROLES})


def staff_only(target: str, *allowed: str, denied: int = 404, allowed_status: int = 200) -> Rule:
    """A staff page: anonymous → login, the listed roles → allowed_status, everyone else → denied."""
    return rule(target, denied, anonymous=302, **{role: allowed_status for role in allowed})


def logged_in(target: str, status: int = 200, **overrides: int) -> Rule:
    return rule(target, status, anonymous=302, **overrides)


# Applicant pages answer 404 to everyone who is not a member: staff work in the staff pages.
def members_only(target: str, member: int = 200) -> Rule:
    return rule(target, 404, anonymous=302, member=member)


MATRIX: dict[str, Rule | str] = {
    # --- skipped explicitly ---
    "admin": SKIP,  # the whole /admin/ namespace: Django's own permission system
    "set_language": SKIP,  # /i18n/setlang/
    # --- public ---
    "home": rule("none", 200),
    "accessibility": rule("none", 200),
    "call_list": rule("none", 200),
    "call_detail": rule("call", 200),
    "register": rule("none", 200),
    "login": rule("none", 302, anonymous=200),  # a logged-in person is sent on
    "logout": rule("none", 405),  # POST only
    # Public on purpose: the same answer for everyone; a broken activation link is a 400 page.
    "account_activate": rule("link", 400),
    "password_reset": rule("none", 200),
    "password_reset_done": rule("none", 200),
    "password_reset_confirm": rule("link", 200),  # Django's page says the link does not work
    "password_reset_complete": rule("none", 200),
    # --- applicant portal ---
    "organisation_list": logged_in("none"),
    "organisation_create": logged_in("none"),
    "organisation_detail": members_only("org"),
    # Asking to join is for anyone logged in; the answer names no one (tests/grants/test_join_requests.py).
    "organisation_join": logged_in("none"),
    "join_request_decide": logged_in("join", 405),  # POST only; the POST checks membership (404 otherwise)
    "signatory_request_create": members_only("org"),
    "organisation_account": members_only("org"),  # register or change the payment account
    "invitation_accept": logged_in("invite"),  # the token is the secret
    "application_list": logged_in("none"),
    "application_detail": members_only("case"),
    "application_section": members_only("draft"),
    "application_preview": members_only("draft"),
    "application_submit": members_only("draft", member=302),  # GET goes back to the preview
    "application_receipt": members_only("case"),
    "application_withdraw": members_only("case"),
    "application_delete": members_only("draft"),
    # The grant's acceptance page: members read it (only a signatory can act); decline takes only a POST.
    "grant_accept": members_only("grant"),
    "grant_decline": logged_in("grant", 405),
    # Staff who work the case may read its files; an unassigned reviewer and finance may not.
    "attachment_download": rule(
        "case", 404, anonymous=302, member=200, case_officer=200, decision_maker=200, programme_admin=200, superuser=200
    ),
    "attachment_remove": logged_in("draft", 405),  # POST only; the POST checks membership
    "application_completion": members_only("case"),
    # --- staff ---
    # Staff areas answer 404 to people without the role (the area does not exist for them). A superuser
    # without staff roles is no case officer or decision-maker either: roles are groups, checked per area.
    "staff_queue": staff_only("none", "case_officer"),
    "staff_queue_assign": staff_only("none", *ROLES[1:], allowed_status=405),
    "staff_case": staff_only("case", "case_officer", "decision_maker"),
    "staff_case_assign_self": staff_only("case", *ROLES[1:], allowed_status=405),
    "staff_case_eligibility": staff_only("case", *ROLES[1:], allowed_status=405),
    "staff_case_start_review": staff_only("case", *ROLES[1:], allowed_status=405),
    "staff_case_request_completion": staff_only("case", *ROLES[1:], allowed_status=405),
    "staff_case_reviewer_assign": staff_only("case", *ROLES[1:], allowed_status=405),
    "staff_case_reviewer_unassign": staff_only("review", *ROLES[1:], allowed_status=405),
    # The propose page opens for whoever may open the case; the POST checks can_propose (assigned officer).
    "staff_case_propose": staff_only("case", "case_officer", "decision_maker"),
    "staff_review_list": staff_only("none", "reviewer"),
    # The review belongs to another reviewer: nobody else sees it, staff roles included (rule 6).
    "staff_review_detail": staff_only("review"),
    "staff_review_declare": staff_only("review"),
    "staff_review_attachment": staff_only("review"),
    "staff_workspace": staff_only("none", *STAFF),
    "staff_decision_queue": staff_only("none", "decision_maker"),
    "staff_decision": staff_only("case", "decision_maker"),
    "staff_decision_approve": staff_only("case", *ROLES[1:], allowed_status=405),
    "staff_decision_reject": staff_only("case", *ROLES[1:], allowed_status=405),
    "staff_decision_return": staff_only("case", *ROLES[1:], allowed_status=405),
    "staff_decision_bulk": staff_only("none", *ROLES[1:], allowed_status=405),
    # Without ?ids= the progress pages show an empty batch; with ids they show only counts and diarienummer.
    "staff_decision_progress": staff_only("none", "decision_maker"),
    "staff_decision_progress_json": staff_only("none", "decision_maker"),
    "staff_decision_letters_retry": staff_only("none", *ROLES[1:], allowed_status=405),
    # Payment accounts: finance only; nobody else learns that the area exists (DESIGN.md §5 rule 6).
    "staff_finance_accounts": staff_only("none", "finance"),
    "staff_finance_account_verify": staff_only("account", *ROLES[1:], allowed_status=405),
    "staff_finance_account_reject": staff_only("account", "finance"),
    # Payouts and batches: finance only, like the accounts.
    "staff_finance": staff_only("none", "finance"),
    "staff_finance_batch_create": staff_only("none", *ROLES[1:], allowed_status=405),
    "staff_finance_batch": staff_only("batch", "finance"),
    "staff_finance_batch_approve": staff_only("batch", *ROLES[1:], allowed_status=405),
    "staff_finance_batch_export": staff_only("batch", *ROLES[1:], allowed_status=405),
    "staff_finance_batch_remove_payout": staff_only("batch", *ROLES[1:], allowed_status=405),
    # The budget per call: finance and programme admins (issue 10 item 7); amounts only, nothing of cases.
    "staff_finance_budget": staff_only("none", "finance", "programme_admin"),
    # Reconciliation: finance only, like the accounts (DESIGN.md §5 rule 6).
    "staff_finance_batch_reconcile": staff_only("batch", "finance"),
    "staff_finance_batch_answer": staff_only("answer", "finance"),
    "staff_finance_batch_answer_apply": staff_only("answer", *ROLES[1:], allowed_status=405),  # POST only
    "staff_finance_payout_retry": staff_only("payout", *ROLES[1:], allowed_status=405),  # POST only
    # --- issued documents (DESIGN.md §6): the case's decision letter ---
    "document_download": members_only("doc"),
    # Finance opens only payment files (tests/documents/test_downloads.py); reviewers never.
    "staff_document_download": staff_only("doc", "case_officer", "decision_maker", "programme_admin"),
}


# --- POST to staff URLs --------------------------------------------------------------------------------------

OK = 0  # past the permission checks: any status but 403, 404, 405 and 500
NOT_OK = (403, 404, 405, 500)


def posts(target: str, *allowed: str) -> Rule:
    """A staff URL taking a POST: anonymous → login, the listed roles → OK, everyone else → 404."""
    return staff_only(target, *allowed, allowed_status=OK)


# The case page's actions: a decision-maker reads the case, so their POST gets past the area check and is
# refused by the action's own predicate, with a message on the case page (a redirect, like any refusal there).
CASE_READERS = ("case_officer", "decision_maker")

POST_MATRIX: dict[str, Rule] = {
    # Pages that do not restrict the method answer a POST as they answer a GET.
    "staff_workspace": posts("none", *STAFF),
    "staff_queue": staff_only("none", *ROLES[1:], allowed_status=405),  # GET only, for everyone
    "staff_queue_assign": posts("none", "case_officer"),
    "staff_case": posts("case", *CASE_READERS),
    "staff_case_assign_self": posts("case", *CASE_READERS),
    "staff_case_eligibility": posts("case", *CASE_READERS),
    "staff_case_start_review": posts("case", *CASE_READERS),
    "staff_case_request_completion": posts("case", *CASE_READERS),
    "staff_case_reviewer_assign": posts("case", *CASE_READERS),
    "staff_case_reviewer_unassign": posts("review", *CASE_READERS),
    "staff_case_propose": posts("case", *CASE_READERS),
    "staff_review_list": posts("none", "reviewer"),
    # Another reviewer's review: nobody else may act on it (tests/grants/test_staff_reviews.py: its own).
    "staff_review_detail": posts("review"),
    "staff_review_declare": posts("review"),
    "staff_review_attachment": posts("review"),
    "staff_decision_queue": posts("none", "decision_maker"),
    "staff_decision": posts("case", "decision_maker"),
    "staff_decision_approve": posts("case", "decision_maker"),
    "staff_decision_reject": posts("case", "decision_maker"),
    "staff_decision_return": posts("case", "decision_maker"),
    "staff_decision_bulk": posts("none", "decision_maker"),
    "staff_decision_progress": posts("none", "decision_maker"),
    "staff_decision_progress_json": posts("none", "decision_maker"),
    "staff_decision_letters_retry": posts("none", "decision_maker"),
    "staff_document_download": posts("doc", "case_officer", "decision_maker", "programme_admin"),
    "staff_finance_accounts": staff_only("none", *ROLES[1:], allowed_status=405),  # GET only
    "staff_finance_account_verify": posts("account", "finance"),
    "staff_finance_account_reject": posts("account", "finance"),
    "staff_finance": staff_only("none", *ROLES[1:], allowed_status=405),  # GET only
    "staff_finance_batch_create": posts("none", "finance"),
    "staff_finance_batch": staff_only("batch", *ROLES[1:], allowed_status=405),  # GET only
    "staff_finance_batch_approve": posts("batch", "finance"),
    "staff_finance_batch_export": posts("batch", "finance"),
    "staff_finance_batch_remove_payout": posts("batch", "finance"),
    "staff_finance_budget": staff_only("none", *ROLES[1:], allowed_status=405),  # GET only
    "staff_finance_batch_reconcile": posts("batch", "finance"),  # the upload: an empty one is a form error
    "staff_finance_batch_answer": staff_only("answer", *ROLES[1:], allowed_status=405),  # GET only
    "staff_finance_batch_answer_apply": posts("answer", "finance"),
    "staff_finance_payout_retry": posts("payout", "finance"),
}


# --- walking the URL configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    key: str  # the URL name, or the namespace of a skipped include
    route: str
    params: tuple[str, ...]


def all_urls() -> list[Url]:
    found: list[Url] = []

    def walk(patterns: list, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    found.append(Url("admin", prefix + str(p.pattern), ()))
                    continue
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                assert p.name, f"{prefix}{p.pattern} has no name, so no rule can be written for it"
                found.append(Url(p.name, prefix + str(p.pattern), tuple(p.pattern.converters)))

    walk(get_resolver().url_patterns, "/")
    return found


def covered_urls() -> list[Url]:
    """The URLs in scope: every staff pattern and every applicant (non-admin, non-i18n) pattern."""
    return [u for u in all_urls() if not isinstance(MATRIX.get(u.key), str)]


def test_every_url_has_a_rule():
    missing = sorted({u.key for u in all_urls()} - set(MATRIX))
    assert not missing, f"URLs without a row in the authorization matrix: {missing}"


def test_no_stale_rules():
    stale = sorted(set(MATRIX) - {u.key for u in all_urls()})
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def staff_urls() -> list[Url]:
    return [u for u in all_urls() if u.route.startswith("/staff/")]


def test_every_staff_url_has_a_post_rule():
    missing = sorted({u.key for u in staff_urls()} - set(POST_MATRIX))
    assert not missing, f"staff URLs without a row in POST_MATRIX: {missing}"


def test_no_stale_post_rules():
    stale = sorted(set(POST_MATRIX) - {u.key for u in staff_urls()})
    assert not stale, f"POST rules for URLs that are gone or not staff URLs: {stale}"


def test_the_skipped_urls_are_only_admin_and_i18n():
    skipped = {u.route for u in all_urls() if MATRIX.get(u.key) == SKIP}
    assert skipped and all(r.startswith(("/admin/", "/i18n/")) for r in skipped), skipped


# --- the world the pages are tried in -----------------------------------------------------------------------


@pytest.fixture
def world(draft, cast, now):
    case_app = ApplicationFactory(
        call=draft.call, organisation=draft.organisation, created_by=draft.created_by, requested_amount=Decimal("1")
    )
    attach_required(case_app)
    case_app = bring_to(case_app, "PROPOSED", cast, now)
    other_reviewer = UserFactory(roles=["reviewer"])
    review = Review.objects.create(application=case_app, reviewer=other_reviewer, assigned_by=cast.officer)
    invitation = Invitation.objects.create(
        organisation=draft.organisation, email="ny@example.se", invited_by=draft.created_by
    )
    content = make_pdf("Beslutsbrev")
    letter = Document(
        kind=DocumentKind.DECISION_LETTER,
        application=case_app,
        filename="beslut.pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        media_type="application/pdf",
    )
    letter.file.save("beslut.pdf", ContentFile(content), save=False)
    letter.save()
    finance = finance_people()
    batch = batch_create(actor=finance.assembler, payout_ids=[due_payout(finance).pk], now=finance.now)
    superuser = UserFactory(email="super@example.se")
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    users = {
        "anonymous": None,
        "member": cast.applicant,
        "other_org": cast.outsider,
        "case_officer": cast.officer,
        "reviewer": UserFactory(roles=["reviewer"]),
        "decision_maker": cast.decider,
        "finance": UserFactory(roles=["finance"]),
        "programme_admin": UserFactory(roles=["programme_admin"]),
        "superuser": superuser,
    }
    assert Group.objects.filter(name__in=STAFF).count() == len(STAFF) - 1  # superuser is not a group
    targets = {
        "none": None,
        "call": draft.call,
        "org": draft.organisation,
        "invite": invitation,
        "draft": draft,
        "case": case_app,
        "review": review,
        "doc": letter,
        "join": JoinRequest.objects.create(organisation=draft.organisation, user=UserFactory()),
        # An e-mailed account link with a token that is not valid: the link and the token are the secret.
        "link": SimpleNamespace(uidb64="MQ", token="c0ffee-0123456789abcdef"),
        "batch": batch,
        "account": PaymentAccount.objects.create(
            organisation=draft.organisation, kind="BANKGIRO", number="50501055", created_by=cast.applicant
        ),
        "grant": _grant_with_attachment(draft),
    }
    # An exported batch with a pending answer from the bank (tests/grants/reconciliation.py).
    exported = exported_batch(1)
    targets["batch"] = exported.batch
    targets["payout"] = exported.payouts[0]
    targets["answer"] = reconciliation_preview(
        actor=exported.people.assembler,
        batch=exported.batch,
        content=answer_csv([paid(exported.payouts[0])]),
        filename="svar.csv",
        now=now,
    ).answer
    return users, targets


def _grant_with_attachment(draft):
    grant = make_grant(organisation=draft.organisation)
    attach_required(grant.application, draft.created_by)  # _kwargs reads an attachment of every target
    return grant


def _kwargs(url: Url, rule_: Rule, targets: dict) -> dict:
    obj = targets[rule_.target]
    application = getattr(obj, "application", obj)
    values = {
        "pk": getattr(obj, "pk", None) if rule_.target not in ("review", "doc") else application.pk,
        "request_pk": targets["join"].pk,
        "token": getattr(obj, "token", None),
        "uidb64": getattr(obj, "uidb64", None),
        "section": "project",
        "review_pk": targets["review"].pk,
        "doc_pk": targets["doc"].pk,
        "payout_pk": targets["batch"].payouts.values_list("pk", flat=True).first(),
        "attachment_pk": application.attachments.first().pk if hasattr(application, "attachments") else None,
        "answer_pk": targets["answer"].pk,
    }
    if rule_.target == "answer":
        values["pk"] = obj.batch_id
    if rule_.target == "join":
        values["pk"] = obj.organisation_id
    kwargs = {name: values[name] for name in url.params}
    assert None not in kwargs.values(), f"{url.key}: target {rule_.target!r} gives no value for {kwargs}"
    return kwargs


def test_get_status_for_every_role(client, world):
    users, targets = world
    failures = []
    for url in covered_urls():
        rule_ = MATRIX.get(url.key)
        if not isinstance(rule_, Rule):
            continue  # reported by test_every_url_has_a_rule
        path = reverse(url.key, kwargs=_kwargs(url, rule_, targets))
        for role in ROLES:
            client.logout()
            if users[role] is not None:
                client.force_login(users[role])
            status = client.get(path).status_code
            if status != rule_.expect[role]:
                failures.append(f"{url.key} {path} as {role}: got {status}, expected {rule_.expect[role]}")
    assert not failures, "\n".join(failures)


def _post_status(client, path: str) -> int:
    # In a savepoint rolled back after the request: an allowed POST (approve, assign …) must not change the
    # world the next role is tried in.
    with transaction.atomic():
        status = client.post(path).status_code
        transaction.set_rollback(True)
    return status


def test_post_status_for_every_role(client, world):
    users, targets = world
    client.raise_request_exception = False  # a 500 is a status to report, not an exception
    failures = []
    for url in staff_urls():
        rule_ = POST_MATRIX.get(url.key)
        if rule_ is None:
            continue  # reported by test_every_staff_url_has_a_post_rule
        path = reverse(url.key, kwargs=_kwargs(url, rule_, targets))
        for role in ROLES:
            client.logout()
            if users[role] is not None:
                client.force_login(users[role])
            status = _post_status(client, path)
            expected = rule_.expect[role]
            if (status in NOT_OK) if expected == OK else (status != expected):
                wanted = f"anything but {NOT_OK}" if expected == OK else expected
                failures.append(f"POST {url.key} {path} as {role}: got {status}, expected {wanted}")
    assert not failures, "\n".join(failures)


def test_an_applicant_of_another_organisation_finds_no_trace_of_the_case(client, world):
    users, targets = world
    client.force_login(users["other_org"])
    html = client.get("/applications/").content.decode()
    assert targets["case"].reference_number not in html and targets["draft"].title not in html


def test_the_matrix_fails_for_a_url_without_a_rule(monkeypatch):
    """The guard itself: a URL name missing from the table is reported."""
    monkeypatch.delitem(MATRIX, "staff_decision")
    with pytest.raises(AssertionError, match="staff_decision"):
        test_every_url_has_a_rule()


def test_the_post_matrix_fails_for_a_staff_url_without_a_rule(monkeypatch):
    """The guard itself: a staff URL missing from POST_MATRIX is reported."""
    monkeypatch.delitem(POST_MATRIX, "staff_decision_letters_retry")
    with pytest.raises(AssertionError, match="staff_decision_letters_retry"):
        test_every_staff_url_has_a_post_rule()
