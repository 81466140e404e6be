"""Reads for decision-makers: the queue of proposals and one proposal with what it rests on. The application's
content is read as sent (the latest version, grants.selectors.versions), never from the live row."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from grants import permissions
from grants.models import (
    Application,
    ApplicationState,
    Call,
    Decision,
    Grant,
    Proposal,
    Review,
    User,
)
from grants.selectors.budget import call_budgets
from grants.selectors.reviews import review_summary
from grants.selectors.versions import SubmittedApplication, submitted_content, submitted_text


def call_budget_left(calls: Iterable[Call]) -> dict[int, Decimal]:
    """Budget left per call (grants.selectors.budget, the one definition): two queries for all the calls."""
    unique = {call.pk: call for call in calls}
    return {pk: budget.left for pk, budget in call_budgets(unique.values()).items()}


def _current(field_name: str) -> Subquery:
    latest = Proposal.objects.filter(application=OuterRef("pk")).order_by("-proposed_at", "-pk")
    return Subquery(latest.values(field_name)[:1])


def proposed_cases() -> QuerySet[Application]:
    """PROPOSED cases with their title as sent, their current proposal, its proposer and the mean review score,
    in one query."""
    return (
        Application.objects.filter(state=ApplicationState.PROPOSED)
        .select_related("organisation", "call")
        .annotate(
            submitted_title=submitted_text("title"),
            proposal_outcome=_current("outcome"),
            proposal_amount=_current("amount"),
            proposal_at=_current("proposed_at"),
            proposer_id=_current("proposed_by_id"),
            proposer_name=_current("proposed_by__full_name"),
            mean_score=Avg("reviews__scores__score", filter=Q(reviews__submitted_at__isnull=False)),
            scored_reviews=Count(
                "reviews", filter=Q(reviews__submitted_at__isnull=False, reviews__scores__isnull=False), distinct=True
            ),
        )
        .order_by("proposal_at", "pk")
    )


@dataclass
class DecisionQueue:
    to_decide: list[Application] = field(default_factory=list)
    own: list[Application] = field(default_factory=list)


def decision_queue(user: User) -> DecisionQueue:
    """Proposals the user may decide, and the user's own proposals that someone else must decide.
    Each row carries `budget_left` of its call. Cases the user was asked to review and has not declared
    themselves free of conflict for are left out, in SQL. Two queries, whatever the number of rows."""
    queue = DecisionQueue()
    rows = list(proposed_cases().filter(~permissions.review_conflict_bars(user)))
    left = call_budget_left(row.call for row in rows)  # the calls came with the rows
    for row in rows:
        row.budget_left = left.get(row.call_id)  # type: ignore[attr-defined]
        (queue.own if row.proposer_id == user.pk else queue.to_decide).append(row)  # type: ignore[attr-defined]
    return queue


@dataclass
class DecisionCase:
    application: Application
    proposal: Proposal | None
    budget_left: Decimal
    reviews: Sequence[Review]
    decision: Decision | None
    submitted: SubmittedApplication  # what the decision is on: the latest version, not the live row
    review_summary: Any = None


def decision_case_get(user: User, pk: int) -> DecisionCase:
    """One case as the decision-maker sees it. Drafts are not cases, and a case the person was asked to
    review is not theirs to see before they declare no conflict of interest (404 for both)."""
    application = (
        Application.objects.exclude(state=ApplicationState.DRAFT)
        .select_related("organisation", "call", "assigned_officer")
        .filter(pk=pk)
        .first()
    )
    if application is None or not permissions.free_of_review_conflict(user, application):
        raise Http404
    proposal = application.proposals.select_related("proposed_by").order_by("-proposed_at", "-pk").first()
    reviews = list(
        application.reviews.filter(submitted_at__isnull=False)
        .select_related("reviewer")
        .annotate(mean_score=Avg("scores__score"))
        .order_by("submitted_at", "pk")
    )
    decision = application.decisions.select_related("decided_by").order_by("-decided_at", "-pk").first()
    summary = review_summary(application)
    return DecisionCase(
        application=application,
        proposal=proposal,
        budget_left=call_budget_left([application.call])[application.call_id],
        reviews=reviews,
        decision=decision,
        submitted=submitted_content(application),
        review_summary=summary,
    )


def latest_decision(application: Application) -> tuple[Decision | None, Grant | None]:
    """The latest decision of a case (a correction is newer than what it corrects) and, for an approval, its
    grant: who decided and who presented come with it."""
    decision = application.decisions.select_related("decided_by", "proposed_by").order_by("-decided_at", "-pk").first()
    grant = Grant.objects.filter(decision=decision).first() if decision is not None else None
    return decision, grant


def pending_proposal(application: Application) -> Proposal | None:
    """The proposal a proposed case waits on, for the case page; None for a case in any other state."""
    if application.state != ApplicationState.PROPOSED:
        return None
    return application.proposals.select_related("proposed_by").order_by("-proposed_at", "-pk").first()


def decision_ids_visible_to(user: User, decision_ids: Sequence[int]) -> list[int]:
    """Those of these decisions whose case `user` is not barred from (jäv: permissions.review_conflict_bars),
    in the order given: the letter progress pages show each case's diarienummer and organisation. One query."""
    if not decision_ids:
        return []
    visible = set(
        Decision.objects.filter(pk__in=list(decision_ids))
        .filter(~permissions.review_conflict_bars(user, "application_id"))
        .values_list("pk", flat=True)
    )
    return [pk for pk in decision_ids if pk in visible]
