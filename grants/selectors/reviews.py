"""Reads for reviews. A reviewer sees only their own assignments, and an application's content only after
declaring no conflict of interest (DESIGN.md §5 rule 6); every lookup here answers 404 otherwise. An
assignment the case officer withdrew is no longer the reviewer's: it is left out of their list and answers 404."""

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from grants import permissions
from grants.models import Application, Attachment, Criterion, Review, ReviewScore, User
from grants.models.reviews import Recommendation
from grants.selectors.versions import latest_version_attachment_ids

ONE_DECIMAL = Decimal("0.1")


def _one_decimal(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def review_list_for_reviewer(user: User) -> QuerySet[Review]:
    """The person's own assignments, not withdrawn, with what the list shows, in one query; none without the
    reviewer role."""
    if not permissions.has_role(user, permissions.REVIEWER):
        return Review.objects.none()
    return (
        Review.objects.current()
        .filter(reviewer=user)
        .select_related("application__organisation", "application__call")
        .order_by("assigned_at", "pk")
    )


def review_get_for_reviewer(user: User, pk: int, *, require_no_conflict: bool) -> Review:
    """The person's own assignment, not withdrawn; with `require_no_conflict`, only once they declared no
    conflict. Otherwise 404 (never 403). The application's content is read from its latest version
    (grants.selectors.versions.application_as_submitted), not from the row the applicant may be completing."""
    if not permissions.has_role(user, permissions.REVIEWER):
        raise Http404
    reviews = (
        Review.objects.current()
        .filter(pk=pk, reviewer=user)
        .select_related("application__organisation", "application__call", "application__created_by")
    )
    if require_no_conflict:
        reviews = reviews.filter(conflict=Review.Conflict.NONE)
    review = reviews.first()
    if review is None:
        raise Http404
    return review


def review_attachment_get(user: User, review_pk: int, pk: int) -> Attachment:
    """An attachment of the application behind the person's own assignment, not withdrawn and declared free of
    conflict, as sent: listed in the latest submitted version (one replaced since, in an unanswered completion,
    still is; a new upload is not yet). Without any version on file: the attachments not removed."""
    if not permissions.has_role(user, permissions.REVIEWER):
        raise Http404
    attachment = Attachment.objects.filter(
        pk=pk,
        application__reviews__pk=review_pk,
        application__reviews__reviewer=user,
        application__reviews__conflict=Review.Conflict.NONE,
        application__reviews__withdrawn_at__isnull=True,
    ).first()
    if attachment is None:
        raise Http404
    sent = latest_version_attachment_ids(attachment.application_id)
    shown = attachment.pk in sent if sent is not None else attachment.removed_at is None
    if not shown:
        raise Http404
    return attachment


def review_scores_for(review: Review) -> list[ReviewScore]:
    return list(review.scores.select_related("criterion").order_by("criterion__position", "criterion__pk"))


def review_summary(application: Application) -> dict[str, Any]:
    """Every review of a case for the officer and the decision-maker, in three queries: the submitted ones
    with their scores, the pending, recused and withdrawn ones, and per criterion n, mean, min–max and the
    standard deviation (population σ: the spread of these reviewers' scores, 0 for one review), both to one
    decimal. A declared conflict is listed as recused even when the assignment was withdrawn later; a withdrawn
    assignment is neither pending nor counted as assigned.

    Returns {"criteria": [...], "reviews": [...], "pending": [...], "recused": [...], "withdrawn": [...],
    "recommendations": [...], "assigned_count": int, "submitted_count": int}.
    """
    criteria = list(Criterion.objects.filter(call_id=application.call_id).order_by("position", "pk"))
    reviews = list(
        Review.objects.filter(application_id=application.pk)
        .select_related("reviewer")
        .prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.all()))
        .order_by("submitted_at", "assigned_at", "pk")
    )
    submitted = [r for r in reviews if r.submitted_at is not None]
    by_criterion: dict[int, list[int]] = {c.pk: [] for c in criteria}
    review_rows = []
    for review in submitted:
        scores = {s.criterion_id: s for s in review.scores.all()}
        for criterion_id, score in scores.items():
            by_criterion.setdefault(criterion_id, []).append(score.score)
        review_rows.append(
            {
                "review": review,
                "reviewer_name": review.reviewer.get_full_name(),
                "recommendation": review.recommendation,
                "recommendation_label": review.get_recommendation_display(),
                "comment": review.comment,
                "submitted_at": review.submitted_at,
                "scores": [
                    {
                        "criterion": c,
                        "criterion_name": c.name,
                        "score": scores[c.pk].score if c.pk in scores else None,
                        "justification": scores[c.pk].justification if c.pk in scores else "",
                    }
                    for c in criteria
                ],
            }
        )
    criterion_rows = []
    for c in criteria:
        values = by_criterion.get(c.pk, [])
        n = len(values)
        mean = sum(values) / n if n else None
        criterion_rows.append(
            {
                "criterion": c,
                "name": c.name,
                "weight": c.weight,
                "n": n,
                "mean": _one_decimal(mean) if mean is not None else None,
                "min": min(values) if n else None,
                "max": max(values) if n else None,
                "stdev": (
                    _one_decimal(math.sqrt(sum((v - mean) ** 2 for v in values) / n)) if mean is not None else None
                ),
            }
        )
    counts: dict[str, int] = {}
    for review in submitted:
        counts[review.recommendation] = counts.get(review.recommendation, 0) + 1
    return {
        "criteria": criterion_rows,
        "reviews": review_rows,
        "pending": [
            {"review": r, "reviewer_name": r.reviewer.get_full_name(), "declared": r.conflict == Review.Conflict.NONE}
            for r in reviews
            if r.is_pending
        ],
        "recused": [
            {"review": r, "reviewer_name": r.reviewer.get_full_name(), "reason": r.conflict_reason}
            for r in reviews
            if r.conflict == Review.Conflict.CONFLICT
        ],
        "withdrawn": [
            {"review": r, "reviewer_name": r.reviewer.get_full_name(), "withdrawn_at": r.withdrawn_at}
            for r in reviews
            if r.withdrawn_at is not None and r.conflict != Review.Conflict.CONFLICT
        ],
        "recommendations": [
            {"code": value, "label": label, "count": counts[value]}
            for value, label in Recommendation.choices
            if value in counts
        ],
        "assigned_count": sum(1 for r in reviews if r.withdrawn_at is None),
        "submitted_count": len(submitted),
    }
