"""The case page: the officer's journey through URLs, disabled actions with their reasons, who may see a
case, the diff after a completion, and a query count that does not grow with the case log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.errors import ServiceError
from grants.models import ApplicationState, ApplicationVersion, Message, Proposal, Review, User
from grants.selectors import cases as sel
from grants.selectors.cases import content_diff, word_diff
from grants.services import reviews as review_services
from grants.services.applications import application_submit
from tests.factories import ReviewFactory, UserFactory
from tests.grants.test_html_valid import _check
from tests.workflows.lifecycle import STOCKHOLM, bring_to
from workflows.base import log_event

S = ApplicationState


@pytest.fixture
def submitted(draft, applicant, now):
    return application_submit(actor=applicant, application=draft, now=now)


def _url(name, app, **kw):
    return reverse(name, kwargs={"pk": app.pk, **kw})


def _reload(app):
    return type(app).objects.get(pk=app.pk)


def _answer_by():
    return (timezone.localtime(timezone.now(), STOCKHOLM).date() + timedelta(days=14)).isoformat()


def test_full_officer_journey(client, submitted, applicant, officer, now):
    app = submitted
    client.force_login(officer)
    page = client.get(_url("staff_case", app))
    _check(page)
    assert "Gör den formella kontrollen först." in page.content.decode()

    # Tilldela mig, then the eligibility check, then review.
    client.post(_url("staff_case_assign_self", app))
    assert _reload(app).assigned_officer == officer
    page = client.get(_url("staff_case", app))
    assert "Förslag utifrån uppgifterna: uppfyllt" in page.content.decode()
    ticks = {
        f"elig-{n}": "on"
        for n in (
            "eligible_org_type",
            "arrived_in_time",
            "amount_within_ceiling",
            "attachments_complete",
            "within_purpose",
        )
    }
    assert client.post(_url("staff_case_eligibility", app), ticks).status_code == 302
    assert app.eligibility_checks.get().passed
    client.post(_url("staff_case_start_review", app))
    assert _reload(app).state == S.IN_REVIEW

    # Completion request: the project section only.
    response = client.post(
        _url("staff_case_request_completion", app),
        {"compl-message": "Beskriv projektet närmare.", "compl-sections": ["project"], "compl-answer_by": _answer_by()},
    )
    assert response.status_code == 302
    app = _reload(app)
    assert app.state == S.AWAITING_COMPLETION and app.completion_sections == ["project"]
    assert Message.objects.filter(recipient=applicant, event="application.completion_requested").exists()

    # The applicant: the completion page, an opened section, a closed one, the answer.
    client.force_login(applicant)
    page = client.get(_url("application_completion", app))
    _check(page)
    assert _url("application_section", app, section="project") in page.content.decode()
    new_description = "Projektet låter 25 medarbetare arbeta från Samverket Östersund tre dagar i veckan."
    client.post(
        _url("application_section", app, section="project"),
        {"title": app.title, "summary": app.summary, "description": new_description},
    )
    assert _reload(app).description == new_description
    client.post(_url("application_section", app, section="site"), {"coworking_sites": "Någon annanstans"})
    assert _reload(app).coworking_sites == "Samverket Östersund"
    response = client.post(_url("application_completion", app), {"note": "Beskrivningen är utökad."})
    assert response.status_code == 302
    app = _reload(app)
    assert app.state == S.IN_REVIEW
    assert ApplicationVersion.objects.filter(application=app).count() == 2
    notice = Message.objects.get(event="application.completion_answered")
    assert notice.recipient == officer and app.reference_number in notice.subject

    # The officer sees the difference.
    client.force_login(officer)
    page = client.get(_url("staff_case", app))
    _check(page)
    html = page.content.decode()
    assert "Ändringar från version 1 till version 2" in html
    assert "<del>20</del>" in html and "<ins>25</ins>" in html and "tre dagar i veckan.</ins>" in html

    # Two reviewers, assigned on the case page; they declare and score through the services.
    reviewers = [UserFactory(email=f"bedomare{i}@example.se", roles=["reviewer"]) for i in range(2)]
    for reviewer in reviewers:
        assert client.post(_url("staff_case_reviewer_assign", app), {"rev-reviewer": reviewer.pk}).status_code == 302
    assert Review.objects.filter(application=app).count() == 2
    page = client.get(_url("staff_case", app))
    assert "Alla tilldelade bedömningar måste vara inlämnade" in page.content.decode()
    for reviewer in reviewers:
        review = Review.objects.get(application=app, reviewer=reviewer)
        review = review_services.review_declare(actor=reviewer, review=review, conflict=False, reason="", now=now)
        scores = {c.pk: (6, "Väl beskrivet.") for c in app.call.criteria.all()}
        review_services.review_submit(
            actor=reviewer, review=review, scores=scores, recommendation="APPROVE", comment="Bra.", now=now
        )

    # The proposal.
    _check(client.get(_url("staff_case_propose", app)))
    response = client.post(
        _url("staff_case_propose", app),
        {"outcome": "APPROVE", "amount": "350000", "reasons": "Projektet uppfyller kriterierna.", "conditions": ""},
    )
    assert response.status_code == 302
    assert _reload(app).state == S.PROPOSED
    proposal = Proposal.objects.get(application=app)
    assert proposal.amount == Decimal("350000") and proposal.proposed_by == officer
    _check(client.get(_url("staff_case", app)))


def test_failed_check_offers_rejection_with_formal_reason(client, submitted, officer):
    client.force_login(officer)
    client.post(_url("staff_case_assign_self", submitted))
    client.post(_url("staff_case_eligibility", submitted), {"elig-eligible_org_type": "on", "elig-note": "Fel syfte."})
    page = client.get(_url("staff_case", submitted))
    _check(page)
    html = page.content.decode()
    assert "Föreslå avslag" in html and "Den formella kontrollen är inte godkänd." in html
    form = client.get(_url("staff_case_propose", submitted) + "?reject=formal")
    _check(form)
    assert "Projektet faller utanför utlysningens syfte." in form.content.decode()
    assert form.context["form"].initial["outcome"] == "REJECT"
    response = client.post(
        _url("staff_case_propose", submitted), {"outcome": "REJECT", "reasons": form.context["form"].initial["reasons"]}
    )
    assert response.status_code == 302
    assert _reload(submitted).state == S.PROPOSED
    assert Proposal.objects.get(application=submitted).outcome == "REJECT"


def test_start_review_refused_before_check_and_button_says_why(client, submitted, officer):
    client.force_login(officer)
    html = client.get(_url("staff_case", submitted)).content.decode()
    button = html.split("Ta upp till bedömning")[0].rsplit("<button", 1)[1]
    assert "disabled" in button and 'aria-describedby="why-start-review"' in button
    assert 'id="why-start-review">Gör den formella kontrollen först.' in html
    response = client.post(_url("staff_case_start_review", submitted), follow=True)
    assert _reload(submitted).state == S.SUBMITTED
    assert "Gör den formella kontrollen först." in response.content.decode()


def test_propose_needs_the_assigned_officer(client, cast, draft, officer2, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)  # assigned to cast.officer
    client.force_login(officer2)
    html = client.get(_url("staff_case", app)).content.decode()
    assert "Bara ärendets handläggare kan föredra det." in html
    response = client.post(_url("staff_case_propose", app), {"outcome": "REJECT", "reasons": "Nej."})
    assert response.status_code == 302
    assert _reload(app).state == S.IN_REVIEW


def test_form_errors_are_summarised_and_input_kept(client, submitted, officer):
    client.force_login(officer)
    response = client.post(
        _url("staff_case_request_completion", submitted),
        {"compl-message": "Skicka budgeten.", "compl-answer_by": "2001-01-01"},
    )
    _check(response)
    html = response.content.decode()
    assert "error-summary" in html and "Skicka budgeten." in html
    assert _reload(submitted).state == S.SUBMITTED
    # A past date passes the form and is refused by the service: shown on its field.
    response = client.post(
        _url("staff_case_request_completion", submitted),
        {"compl-message": "Skicka budgeten.", "compl-sections": ["budget"], "compl-answer_by": "2001-01-01"},
    )
    _check(response)
    assert "Ange ett svarsdatum efter dagens datum." in response.content.decode()
    response = client.post(_url("staff_case_propose", submitted), {"outcome": "APPROVE", "reasons": ""})
    # not the assigned officer yet: refused before the form
    assert response.status_code == 302


def test_proposal_errors_keep_input(client, cast, draft, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    client.force_login(cast.officer)
    response = client.post(
        _url("staff_case_propose", app), {"outcome": "APPROVE", "amount": "700000", "reasons": "Bra projekt."}
    )
    _check(response)
    html = response.content.decode()
    assert "Beloppet får inte vara högre än det sökta beloppet." in html and "Bra projekt." in html
    assert _reload(app).state == S.IN_REVIEW


def test_unassign_reviewer(client, cast, draft, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    reviewer = UserFactory(email="bedomare@example.se", roles=["reviewer"])
    client.force_login(cast.officer)
    client.post(_url("staff_case_reviewer_assign", app), {"rev-reviewer": reviewer.pk})
    review = Review.objects.get(application=app)
    client.post(_url("staff_case_reviewer_unassign", app, review_pk=review.pk))
    review.refresh_from_db()
    # Withdrawn, not a conflict of interest: the declaration stays the reviewer's, as it was.
    assert review.withdrawn_at is not None and review.withdrawn_by == cast.officer
    assert review.conflict == Review.Conflict.UNDECLARED and review.conflict_reason == "" and review.declared_at is None
    assert app.events.filter(event="review.unassigned", actor=cast.officer).count() == 1
    page = client.get(_url("staff_case", app))
    _check(page)
    html = page.content.decode()
    assert "Återkallad " in html and "Jäv – avstår" not in html
    assert "Bedömaruppdraget är redan återkallat." in html  # the button says why it is disabled
    # A second withdrawal is refused with a message and changes nothing.
    client.post(_url("staff_case_reviewer_unassign", app, review_pk=review.pk))
    with pytest.raises(ServiceError, match="Bedömaruppdraget är redan återkallat."):
        review_services.review_unassign(actor=cast.officer, review=review, now=now)
    assert Review.objects.get(pk=review.pk).withdrawn_at == review.withdrawn_at
    assert app.events.filter(event="review.unassigned").count() == 1


@pytest.mark.parametrize("who", ["member", "outsider", "reviewer", "finance", "applicant_staffless"])
def test_others_get_404(client, submitted, applicant, outsider, who):
    user = {
        "member": applicant,
        "outsider": outsider,
        "reviewer": UserFactory(email="r@example.se", roles=["reviewer"]),
        "finance": UserFactory(email="f@example.se", roles=["finance"]),
        "applicant_staffless": UserFactory(email="x@example.se"),
    }[who]
    client.force_login(user)
    assert client.get(_url("staff_case", submitted)).status_code == 404
    assert client.get(_url("staff_case_propose", submitted)).status_code == 404
    assert client.post(_url("staff_case_assign_self", submitted)).status_code == 404


def test_anonymous_is_sent_to_login(client, submitted):
    response = client.get(_url("staff_case", submitted))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_draft_is_not_a_case(client, draft, officer):
    client.force_login(officer)
    assert client.get(_url("staff_case", draft)).status_code == 404


def test_decision_maker_reads_but_cannot_act(client, submitted, decider):
    client.force_login(decider)
    page = client.get(_url("staff_case", submitted))
    _check(page)
    assert "Du har inte rollen handläggare." in page.content.decode()
    client.post(_url("staff_case_assign_self", submitted))
    client.post(_url("staff_case_eligibility", submitted), {"elig-within_purpose": "on"})
    assert _reload(submitted).assigned_officer is None
    assert not submitted.eligibility_checks.exists()


def _queries_for(client, app):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(_url("staff_case", app)).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_case_log(client, cast, draft, now):
    from tests.conftest import attach_required
    from tests.factories import ApplicationFactory, MembershipFactory

    small = bring_to(draft, S.IN_REVIEW, cast, now)
    other_member = MembershipFactory(organisation=small.organisation)
    big = ApplicationFactory(call=small.call, organisation=small.organisation, created_by=other_member.user)
    attach_required(big, other_member.user)
    big = bring_to(big, S.IN_REVIEW, cast, now)
    for app, n in ((small, 5), (big, 50)):
        for i in range(n):
            log_event(application=app, actor=cast.officer, event="note.added", now=now, note=f"Anteckning {i}")
    client.force_login(cast.officer)
    _queries_for(client, small)  # warm caches (sessions, content types)
    assert _queries_for(client, small) == _queries_for(client, big)


def test_word_diff_and_content_diff():
    segments = word_diff("a b c", "a x c")
    assert segments == [
        {"kind": "equal", "text": "a"},
        {"kind": "delete", "text": "b"},
        {"kind": "insert", "text": "x"},
        {"kind": "equal", "text": "c"},
    ]
    old = {
        "title": "T",
        "budget_lines": [{"category": "P", "description": "d", "amount": "1"}],
        "attachments": [{"name": "a.pdf", "sha256": "aa"}],
    }
    new = {
        "title": "T",
        "budget_lines": [{"category": "P", "description": "d", "amount": "2"}],
        "attachments": [{"name": "a.pdf", "sha256": "bb"}],
    }
    rows = content_diff(old, new)
    assert [str(r.label) for r in rows] == ["Budgetrader", "Bilagor"]
    assert rows[0].removed == ["P · d · 1\xa0kr"] and rows[0].added == ["P · d · 2\xa0kr"]
    assert content_diff(old, old) == []


# --- approval needs a passed eligibility check (DESIGN.md §4.1) ---------------------------------------------


def test_failed_check_disables_approval_and_says_why(client, submitted, officer):
    client.force_login(officer)
    client.post(_url("staff_case_assign_self", submitted))
    client.post(_url("staff_case_eligibility", submitted), {"elig-eligible_org_type": "on"})
    page = client.get(_url("staff_case", submitted))
    _check(page)
    html = page.content.decode()
    reason = "Den formella kontrollen är inte godkänd, så ärendet kan bara föreslås för avslag."
    assert 'aria-describedby="why-no-approval"' in html and f'id="why-no-approval">{reason}' in html

    form = client.get(_url("staff_case_propose", submitted))
    _check(form)
    html = form.content.decode()
    approve_radio = html.split('value="APPROVE"')[1].split(">")[0]
    assert "disabled" in approve_radio and reason in html
    assert form.context["form"].initial["outcome"] == "REJECT"

    # The server refuses all the same, and keeps what was written.
    response = client.post(
        _url("staff_case_propose", submitted), {"outcome": "APPROVE", "amount": "100000", "reasons": "Bra projekt."}
    )
    _check(response)
    html = response.content.decode()
    assert reason in html and "Bra projekt." in html
    assert _reload(submitted).state == S.SUBMITTED
    assert not Proposal.objects.filter(application=submitted).exists()


def test_passed_check_leaves_approval_open(client, cast, draft, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    client.force_login(cast.officer)
    assert "why-no-approval" not in client.get(_url("staff_case", app)).content.decode()
    form = client.get(_url("staff_case_propose", app))
    assert "why-no-approval" not in form.content.decode()
    assert form.context["form"].initial["outcome"] == "APPROVE"


# --- a case officer who is also the case's reviewer (DESIGN.md §5 rule 6, förvaltningslagen 16–18 §§) --------


@pytest.fixture
def officer_reviewer(officer2):
    """A case officer (not this case's) who is also a reviewer."""
    officer2.groups.add(Group.objects.get(name="reviewer"))
    return User.objects.get(pk=officer2.pk)


@pytest.mark.parametrize(
    ("declaration", "status"),
    [(None, 404), (Review.Conflict.NONE, 200), (Review.Conflict.CONFLICT, 404)],
    ids=["undeclared", "no-conflict", "conflict"],
)
def test_officer_assigned_as_reviewer_sees_the_case_only_after_declaring_no_conflict(
    declaration, status, client, cast, draft, now, officer_reviewer
):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    review = review_services.review_assign(actor=cast.officer, application=app, reviewer=officer_reviewer, now=now)
    if declaration is not None:
        conflict = declaration == Review.Conflict.CONFLICT
        review_services.review_declare(
            actor=officer_reviewer,
            review=review,
            conflict=conflict,
            reason="Jag har arbetat där." if conflict else "",
            now=now,
        )
    client.force_login(officer_reviewer)
    assert client.get(_url("staff_case", app)).status_code == status
    assert client.get(_url("staff_case_propose", app)).status_code == status
    if status == 404:
        # The actions answer as the page does, and change nothing.
        assert client.post(_url("staff_case_assign_self", app)).status_code == 404
        assert client.post(_url("staff_case_eligibility", app), {"elig-within_purpose": "on"}).status_code == 404
        assert _reload(app).assigned_officer == cast.officer
        assert app.eligibility_checks.count() == 1


def test_an_officer_whose_undeclared_assignment_was_withdrawn_sees_the_case_again(
    client, cast, draft, now, officer_reviewer
):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    review = review_services.review_assign(actor=cast.officer, application=app, reviewer=officer_reviewer, now=now)
    client.force_login(officer_reviewer)
    assert client.get(_url("staff_case", app)).status_code == 404
    review_services.review_unassign(actor=cast.officer, review=review, now=now)
    # Never declared, never shown anything as a reviewer: no conflict of interest to keep them out.
    assert client.get(_url("staff_case", app)).status_code == 200
    assert client.get(_url("staff_case_propose", app)).status_code == 200


def test_withdrawing_a_declared_conflict_keeps_the_reason_and_the_bar(client, cast, draft, now, officer_reviewer):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    review = review_services.review_assign(actor=cast.officer, application=app, reviewer=officer_reviewer, now=now)
    declared = review_services.review_declare(
        actor=officer_reviewer, review=review, conflict=True, reason="Jag har arbetat där.", now=now
    )
    review_services.review_unassign(actor=cast.officer, review=review, now=now + timedelta(hours=1))
    review.refresh_from_db()
    assert review.withdrawn_at == now + timedelta(hours=1)
    assert review.conflict == Review.Conflict.CONFLICT and review.conflict_reason == "Jag har arbetat där."
    assert review.declared_at == declared.declared_at
    client.force_login(officer_reviewer)
    assert client.get(_url("staff_case", app)).status_code == 404  # jäv keeps them out for good
    client.force_login(cast.officer)
    html = client.get(_url("staff_case", app)).content.decode()
    assert "Jäv – avstår: Jag har arbetat där." in html and "Återkallad " in html


def test_a_withdrawn_assignment_does_not_hold_up_the_proposal(client, cast, draft, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    reviewer = UserFactory(email="bedomare@example.se", roles=["reviewer"])
    review = review_services.review_assign(actor=cast.officer, application=app, reviewer=reviewer, now=now)
    client.force_login(cast.officer)
    assert "Alla tilldelade bedömningar måste vara inlämnade" in client.get(_url("staff_case", app)).content.decode()
    review_services.review_unassign(actor=cast.officer, review=review, now=now)
    # And one as the migration leaves an old withdrawal that was never declared.
    ReviewFactory(application=app, withdrawn_at=now)
    page = client.get(_url("staff_case", app)).content.decode()
    assert "Alla tilldelade bedömningar måste vara inlämnade" not in page
    response = client.post(_url("staff_case_propose", app), {"outcome": "REJECT", "reasons": "Svag förankring."})
    assert response.status_code == 302
    assert _reload(app).state == S.PROPOSED


def test_a_reviewer_of_the_case_cannot_become_its_officer(client, cast, draft, now, officer_reviewer):
    app = bring_to(draft, S.IN_REVIEW, cast, now)
    review = review_services.review_assign(actor=cast.officer, application=app, reviewer=officer_reviewer, now=now)
    review_services.review_declare(actor=officer_reviewer, review=review, conflict=False, reason="", now=now)
    client.force_login(officer_reviewer)
    html = client.get(_url("staff_case", app)).content.decode()
    assert "Du är bedömare i ärendet och kan inte också vara dess handläggare." in html
    client.post(_url("staff_case_assign_self", app))
    assert _reload(app).assigned_officer == cast.officer


def test_the_case_officer_cannot_be_its_reviewer(client, cast, draft, now):
    app = bring_to(draft, S.IN_REVIEW, cast, now)  # assigned to cast.officer
    cast.officer.groups.add(Group.objects.get(name="reviewer"))
    own_officer = User.objects.get(pk=cast.officer.pk)
    other = UserFactory(email="bedomare@example.se", roles=["reviewer"])
    assert list(sel.reviewer_candidates(app)) == [other]

    client.force_login(own_officer)
    response = client.post(_url("staff_case_reviewer_assign", app), {"rev-reviewer": own_officer.pk})
    assert response.status_code == 200  # the form again, with the error
    assert not Review.objects.filter(application=app).exists()
    with pytest.raises(ServiceError) as refused:
        review_services.review_assign(actor=own_officer, application=app, reviewer=own_officer, now=now)
    assert refused.value.field == "reviewer"
    assert "handläggare kan inte vara bedömare" in str(refused.value.message)
    assert not Review.objects.filter(application=app).exists()


@pytest.mark.parametrize("state", [S.PROPOSED, S.APPROVED])
def test_the_case_page_offers_taking_over_a_case_exactly_when_the_queue_and_the_services_allow_it(
    client, cast, draft, officer2, now, state
):
    from grants.permissions import OPEN_STATES

    app = bring_to(draft, state, cast, now)
    client.force_login(officer2)
    client.post(_url("staff_case_assign_self", app))
    taken = _reload(app).assigned_officer == officer2
    assert taken is (state in OPEN_STATES)
