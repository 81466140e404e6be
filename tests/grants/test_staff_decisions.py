"""The decision-maker's queue and decision page (DESIGN.md §4.1 approve/reject/return, §5 rules 1–2, §8)."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import (
    Application,
    ApplicationState,
    Decision,
    Grant,
    GrantState,
    Outcome,
    Proposal,
    Review,
    ReviewScore,
    User,
)
from grants.services.cases import decision_approve, decision_reject
from tests.conftest import attach_required
from tests.factories import ApplicationFactory, CallFactory, OrganisationFactory, UserFactory
from tests.grants.test_html_valid import _check
from tests.workflows.lifecycle import REFUSALS, bring_to, snapshot

S = ApplicationState
NBSP = "\u00a0"
CONFIRMED = {"confirmed": "on"}  # the ticked "Jag har kontrollerat beslutet" box


def _another(draft, amount=Decimal("400000.00")):
    app = ApplicationFactory(
        call=draft.call, organisation=draft.organisation, created_by=draft.created_by, requested_amount=amount
    )
    attach_required(app)
    return app


def _score(app, scores, recommendation="APPROVE"):
    reviewer = UserFactory(roles=["reviewer"])
    review = Review.objects.create(
        application=app,
        reviewer=reviewer,
        assigned_by=UserFactory(roles=["case_officer"]),
        conflict=Review.Conflict.NONE,
        recommendation=recommendation,
        comment="Genomtänkt projekt.",
    )
    for criterion, score in zip(app.call.criteria.all(), scores, strict=True):
        ReviewScore.objects.create(review=review, criterion=criterion, score=score, justification="Motiverat.")
    # Scored, then submitted, as review_submit does: a submitted review's scores are frozen (grants 0010).
    review.submitted_at = app.submitted_at
    review.save(update_fields=["submitted_at"])
    return review


@pytest.fixture
def both_roles(officer):
    """The case officer who also holds the decision-maker role: four-eyes is per case, not per role."""
    officer.groups.add(Group.objects.get(name="decision_maker"))
    return User.objects.get(pk=officer.pk)


# --- the queue ----------------------------------------------------------------------------------------------


def test_queue_lists_others_proposals_with_scores_and_budget_left(client, draft, cast, now, decider):
    draft.call.total_budget = Decimal("1000000.00")
    draft.call.save(update_fields=["total_budget"])
    bring_to(_another(draft, Decimal("250000.00")), S.APPROVED, cast, now)  # 750 000 left
    proposed = bring_to(draft, S.PROPOSED, cast, now)
    _score(proposed, [5, 6])
    _score(proposed, [3, 4])
    rejected = bring_to(_another(draft), S.PROPOSED, cast, now, outcome=Outcome.REJECT)

    client.force_login(decider)
    response = client.get("/staff/decisions/")
    _check(response)
    html = response.content.decode()
    assert f'href="/staff/decisions/{proposed.pk}/"' in html
    assert f'href="/staff/decisions/{rejected.pk}/"' in html
    assert proposed.reference_number in html and proposed.organisation.name in html
    assert f"400{NBSP}000{NBSP}kr" in html  # the proposed amount
    assert f"750{NBSP}000{NBSP}kr" in html  # the call's budget left
    assert "4,5" in html or "4.5" in html  # mean of 5, 6, 3, 4
    assert "Hanna Handläggare" in html  # the proposer
    assert "Dina föredragningar" not in html


def test_own_proposals_are_listed_apart_without_links(client, draft, cast, now, both_roles):
    mine = bring_to(draft, S.PROPOSED, cast, now)
    client.force_login(both_roles)
    response = client.get("/staff/decisions/")
    _check(response)
    html = response.content.decode()
    assert "Dina föredragningar – beslutas av någon annan" in html
    assert mine.reference_number in html
    assert f"/staff/decisions/{mine.pk}/" not in html
    assert "Inga föredragningar väntar på ditt beslut." in html


def _proposed_rows(count, calls, officer):
    start = Application.objects.count()
    for i in range(start, start + count):
        call = calls[i % len(calls)]
        app = ApplicationFactory(
            call=call,
            organisation=OrganisationFactory(),
            state=S.PROPOSED,
            reference_number=f"2031-{i:05d}",
            submitted_at=call.opens_at,
        )
        Proposal.objects.create(
            application=app, proposed_by=officer, outcome=Outcome.APPROVE, amount=Decimal("100000"), reasons="Bra."
        )
        _score(app, [4, 5])


def test_queue_takes_a_constant_number_of_queries(client, decider, officer):
    calls = [CallFactory(), CallFactory(), CallFactory()]
    client.force_login(decider)
    _proposed_rows(5, calls, officer)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/staff/decisions/").status_code == 200
    _proposed_rows(40, calls, officer)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/staff/decisions/")
    assert len(re.findall(r'href="/staff/decisions/\d+/"', response.content.decode())) == 45
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_only_decision_makers_get_in(client, draft, cast, now, officer):
    app = bring_to(draft, S.PROPOSED, cast, now)
    assert client.get("/staff/decisions/").status_code == 302  # to the login page
    client.force_login(officer)
    assert client.get("/staff/decisions/").status_code == 404
    assert client.get(f"/staff/decisions/{app.pk}/").status_code == 404
    assert client.post(f"/staff/decisions/{app.pk}/approve/", CONFIRMED).status_code == 404
    assert Application.objects.get(pk=app.pk).state == S.PROPOSED


# --- deciding through the URLs ---------------------------------------------------------------------------------


def test_approve_creates_decision_and_grant_and_the_applicant_sees_it(client, draft, cast, now, decider):
    app = bring_to(draft, S.PROPOSED, cast, now)
    client.force_login(decider)
    page = client.get(f"/staff/decisions/{app.pk}/")
    _check(page)
    html = page.content.decode()
    assert f"/staff/decisions/{app.pk}/approve/" in html
    assert f"/staff/decisions/{app.pk}/reject/" not in html  # the decision follows the proposal
    assert "Projektet uppfyller utlysningens kriterier." in html

    response = client.post(f"/staff/decisions/{app.pk}/approve/", CONFIRMED)
    decision = Decision.objects.get(application=app)
    assert response.status_code == 302 and response["Location"] == f"/staff/decisions/progress/?ids={decision.pk}"
    assert "är beviljat" in client.get(response["Location"]).content.decode()
    app.refresh_from_db()
    assert app.state == S.APPROVED
    decision = Decision.objects.get(application=app)
    assert (decision.outcome, decision.amount, decision.decided_by) == (Outcome.APPROVE, Decimal("400000.00"), decider)
    grant = Grant.objects.get(application=app)
    assert grant.state == GrantState.AWAITING_ACCEPTANCE and grant.decision == decision

    shown = render_to_string("grants/_decision.html", {"application": app})
    assert f"Ansökan är beviljad med 400{NBSP}000{NBSP}kr." in shown
    assert "Projektet uppfyller utlysningens kriterier." in shown
    assert "Acceptera villkoren senast" in shown


def test_reject_through_the_url(client, draft, cast, now, decider):
    app = bring_to(draft, S.PROPOSED, cast, now, outcome=Outcome.REJECT)
    client.force_login(decider)
    html = client.get(f"/staff/decisions/{app.pk}/").content.decode()
    assert f"/staff/decisions/{app.pk}/reject/" in html
    assert f"/staff/decisions/{app.pk}/approve/" not in html
    assert client.post(f"/staff/decisions/{app.pk}/reject/", CONFIRMED).status_code == 302
    app.refresh_from_db()
    assert app.state == S.REJECTED
    assert Decision.objects.get(application=app).outcome == Outcome.REJECT
    assert not Grant.objects.filter(application=app).exists()
    shown = render_to_string("grants/_decision.html", {"application": app})
    assert "Ansökan är avslagen." in shown and "Acceptera" not in shown


@pytest.mark.parametrize(("outcome", "action"), [(Outcome.APPROVE, "approve"), (Outcome.REJECT, "reject")])
@pytest.mark.parametrize("sent", [{}, {"confirmed": ""}])
def test_a_decision_needs_the_confirmation_ticked(client, draft, cast, now, decider, outcome, action, sent):
    """Issue 9: "Jag har kontrollerat beslutet…" is required by the server; without it nothing is decided and
    the page says why, linked to the checkbox."""
    app = bring_to(draft, S.PROPOSED, cast, now, outcome=outcome)
    before = snapshot(app)
    client.force_login(decider)
    page = client.get(f"/staff/decisions/{app.pk}/")
    html = page.content.decode()
    assert re.search(r'<input type="checkbox" name="confirmed" value="on" id="id_confirmed" required>', html)
    assert '<label for="id_confirmed">Jag har kontrollerat beslutet' in html
    response = client.post(f"/staff/decisions/{app.pk}/{action}/", sent)
    assert response.status_code == 200
    _check(response)
    html = response.content.decode()
    assert 'href="#id_confirmed"' in html  # the error summary links to the box
    assert "Kryssa i att du har kontrollerat beslutet" in html
    assert 'aria-invalid="true" aria-describedby="id_confirmed_error"' in html
    assert snapshot(app) == before
    assert not Decision.objects.filter(application=app).exists()


def test_the_proposers_confirmation_box_is_disabled(client, draft, cast, now, both_roles):
    app = bring_to(draft, S.PROPOSED, cast, now)
    client.force_login(both_roles)
    html = client.get(f"/staff/decisions/{app.pk}/").content.decode()
    assert re.search(r'id="id_confirmed" required disabled>', html)


def test_approving_a_rejection_proposal_is_refused_and_changes_nothing(client, draft, cast, now, decider):
    app = bring_to(draft, S.PROPOSED, cast, now, outcome=Outcome.REJECT)
    before = snapshot(app)
    client.force_login(decider)
    response = client.post(f"/staff/decisions/{app.pk}/approve/", CONFIRMED)
    _check(response)
    assert "Föredragningen gäller avslag" in response.content.decode()
    assert snapshot(app) == before


def test_return_needs_a_note_and_sends_the_case_back(client, draft, cast, now, decider):
    app = bring_to(draft, S.PROPOSED, cast, now)
    before = snapshot(app)
    client.force_login(decider)
    response = client.post(f"/staff/decisions/{app.pk}/return/", {"note": "  "})
    _check(response)
    assert 'href="#id_note"' in response.content.decode()
    assert snapshot(app) == before

    response = client.post(f"/staff/decisions/{app.pk}/return/", {"note": "Motivera beloppet."})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == S.IN_REVIEW
    assert app.events.filter(event="application.returned", note="Motivera beloppet.").exists()
    assert not Decision.objects.filter(application=app).exists()


def test_budget_refusal_is_a_clear_message_and_changes_nothing(client, draft, cast, now, decider):
    draft.call.total_budget = Decimal("700000.00")
    draft.call.save(update_fields=["total_budget"])
    bring_to(_another(draft), S.APPROVED, cast, now)
    app = bring_to(draft, S.PROPOSED, cast, now)
    before = snapshot(app)
    client.force_login(decider)
    assert "räcker inte" in client.get(f"/staff/decisions/{app.pk}/").content.decode()
    response = client.post(f"/staff/decisions/{app.pk}/approve/", CONFIRMED)
    _check(response)
    html = response.content.decode()
    assert f"Utlysningens budget räcker inte: 300{NBSP}000{NBSP}kr kvar, 400{NBSP}000{NBSP}kr föreslaget." in html
    assert snapshot(app) == before


def test_deciding_an_already_decided_case_is_refused(client, draft, cast, now, decider):
    app = bring_to(draft, S.APPROVED, cast, now)
    before = snapshot(app)
    client.force_login(decider)
    page = client.get(f"/staff/decisions/{app.pk}/")
    _check(page)
    assert "/approve/" not in page.content.decode()
    response = client.post(f"/staff/decisions/{app.pk}/approve/", CONFIRMED)
    assert response.status_code == 200 and "går inte att utföra" in response.content.decode()
    assert snapshot(app) == before


def test_get_on_an_action_is_not_allowed(client, draft, cast, now, decider):
    app = bring_to(draft, S.PROPOSED, cast, now)
    client.force_login(decider)
    for action in ("approve", "reject", "return"):
        assert client.get(f"/staff/decisions/{app.pk}/{action}/").status_code == 405
    assert client.get("/staff/decisions/999999/").status_code == 404


# --- four-eyes (DESIGN.md §5 rule 1) ---------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", [Outcome.APPROVE, Outcome.REJECT])
def test_the_proposer_cannot_decide_by_any_url(client, draft, cast, now, both_roles, outcome):
    app = bring_to(draft, S.PROPOSED, cast, now, outcome=outcome)
    before = snapshot(app)
    client.force_login(both_roles)

    page = client.get(f"/staff/decisions/{app.pk}/")
    _check(page)
    html = page.content.decode()
    assert "fyraögonsprincipen" in html
    assert html.count('disabled aria-describedby="decide-reason"') == 2  # decide and return

    for action in ("approve", "reject", "return"):
        response = client.post(f"/staff/decisions/{app.pk}/{action}/", {"note": "Jag tar tillbaka den."})
        assert response.status_code == 403, action
        assert "fyraögonsprincipen" in response.content.decode()
    assert snapshot(app) == before


@pytest.mark.parametrize("outcome", [Outcome.APPROVE, Outcome.REJECT])
def test_the_proposer_cannot_decide_by_a_service_call(draft, cast, now, both_roles, outcome):
    app = bring_to(draft, S.PROPOSED, cast, now, outcome=outcome)
    before = snapshot(app)
    for service in (decision_approve, decision_reject):
        with pytest.raises(REFUSALS):
            service(actor=both_roles, application=app, now=now)
    assert snapshot(app) == before
    # Another decision-maker can.
    service = decision_approve if outcome == Outcome.APPROVE else decision_reject
    decision = service(actor=cast.decider, application=app, now=now)
    assert decision.decided_by != decision.proposed_by


def test_a_re_proposal_by_someone_else_frees_the_first_proposer(draft, cast, now, both_roles, officer2, client):
    """Four-eyes follows the current proposal: after a return and a new proposal by another officer, the first
    proposer may decide, and the new proposer may not."""
    from grants.services.cases import application_assign, application_propose, proposal_return

    app = bring_to(draft, S.PROPOSED, cast, now)
    proposal_return(actor=cast.decider, application=app, note="Ta över ärendet.", now=now)
    application_assign(actor=cast.officer, application=app, officer=officer2, now=now)
    officer2.groups.add(Group.objects.get(name="decision_maker"))
    application_propose(
        actor=officer2, application=app, outcome=Outcome.APPROVE, amount=Decimal("300000"), reasons="Ok.", now=now
    )
    officer2 = User.objects.get(pk=officer2.pk)
    client.force_login(officer2)
    assert client.post(f"/staff/decisions/{app.pk}/approve/", CONFIRMED).status_code == 403
    client.force_login(both_roles)
    assert client.post(f"/staff/decisions/{app.pk}/approve/", CONFIRMED).status_code == 302
    assert Decision.objects.get(application=app).amount == Decimal("300000")


# --- jäv: a decision-maker asked to review the case (DESIGN.md §5 rule 6, förvaltningslagen 16 §) --------------


@pytest.mark.parametrize(
    "conflict, withdrawn",
    [
        (Review.Conflict.UNDECLARED, False),
        (Review.Conflict.CONFLICT, False),
        (Review.Conflict.NONE, False),
        (Review.Conflict.UNDECLARED, True),  # taken back before any declaration: no bar
        (Review.Conflict.CONFLICT, True),  # a declared conflict stays
    ],
)
def test_a_decision_maker_asked_to_review_the_case_decides_it_only_after_declaring_no_conflict(
    client, draft, cast, now, conflict, withdrawn
):
    from grants.models import Attachment

    app = bring_to(draft, S.PROPOSED, cast, now)
    reason = "Jag har arbetat där." if conflict == Review.Conflict.CONFLICT else ""
    Review.objects.create(
        application=app,
        reviewer=cast.decider,
        assigned_by=cast.officer,
        conflict=conflict,
        conflict_reason=reason,
        withdrawn_at=now if withdrawn else None,
        withdrawn_by=cast.officer if withdrawn else None,
    )
    free = conflict == Review.Conflict.NONE or (withdrawn and conflict == Review.Conflict.UNDECLARED)
    client.force_login(cast.decider)
    queue = client.get("/staff/decisions/").content.decode()
    assert (f'href="/staff/decisions/{app.pk}/"' in queue) is free
    assert client.get(f"/staff/decisions/{app.pk}/").status_code == (200 if free else 404)
    attachment = Attachment.objects.filter(application=app).first()
    assert attachment is not None
    download = client.get(reverse("attachment_download", args=[app.pk, attachment.pk]))
    assert download.status_code == (200 if free else 404)
    before = snapshot(app)
    for action in ("approve", "reject", "return"):
        response = client.post(f"/staff/decisions/{app.pk}/{action}/", {"note": "Tillbaka."})
        assert response.status_code == 404 if not free else response.status_code in (200, 302), action
        if free:
            break
    if not free:
        assert snapshot(app) == before
        with pytest.raises(REFUSALS):
            decision_approve(actor=User.objects.get(pk=cast.decider.pk), application=app, now=now)
        assert snapshot(app) == before
