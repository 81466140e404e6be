"""Reviews: the officer assigns reviewers; a reviewer declares conflicts of interest (jäv,
förvaltningslagen 16–18 §§) before seeing anything of the application, then scores every criterion."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.models import Application, Review, ReviewScore, User
from grants.models.reviews import Recommendation
from grants.models.states import APPLICATION_PRE_PROPOSAL_STATES
from grants.services.messages import notify
from workflows.base import log_event

# Reviewers are assigned and review while the case is submitted and not yet proposed.
REVIEWABLE_STATES = APPLICATION_PRE_PROPOSAL_STATES


@transaction.atomic
def review_assign(*, actor: User, application: Application, reviewer: User, now: datetime) -> Review:
    """Ask a reviewer to assess a case. Raises NotAllowed (not a case officer), ServiceError (wrong state,
    not a reviewer, the case's own officer, representing the applicant, already assigned)."""
    if not permissions.has_role(actor, permissions.CASE_OFFICER):
        raise NotAllowed(_("Du har inte rollen handläggare."))
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.state not in REVIEWABLE_STATES:
        raise ServiceError(_("Bedömare kan inte tilldelas i ärendets nuvarande status."))
    if not permissions.has_role(reviewer, permissions.REVIEWER):
        raise ServiceError(_("Personen har inte rollen bedömare."), "reviewer")
    if reviewer.pk == application.assigned_officer_id:
        # The officer presents the case for decision: the assessment must come from someone else (jäv).
        raise ServiceError(_("Ärendets handläggare kan inte vara bedömare i samma ärende."), "reviewer")
    if reviewer.memberships.filter(organisation_id=application.organisation_id).exists():
        raise ServiceError(_("Personen företräder den sökande organisationen och kan inte bedöma ansökan."), "reviewer")
    try:
        with transaction.atomic():
            review = Review.objects.create(
                application=application, reviewer=reviewer, assigned_by=actor, assigned_at=now
            )
    except IntegrityError as exc:
        raise ServiceError(_("Personen är redan bedömare i ärendet."), "reviewer") from exc
    log_event(application=application, actor=actor, event="review.assigned", now=now, note=reviewer.get_full_name())
    notify(
        recipients=[reviewer],
        application=application,
        event="review.assigned",
        template="emails/review_assigned",
        context={"review": review},
        now=now,
    )
    return review


@transaction.atomic
def review_unassign(*, actor: User, review: Review, now: datetime) -> Review:
    """Withdraw an assignment that has not been submitted. It stays on file as withdrawn; the reviewer's own
    conflict declaration, if any, stays as they made it. Raises NotAllowed (not a case officer), ServiceError
    (submitted, already withdrawn)."""
    if not permissions.has_role(actor, permissions.CASE_OFFICER):
        raise NotAllowed(_("Du har inte rollen handläggare."))
    review = Review.objects.select_for_update().select_related("application", "reviewer").get(pk=review.pk)
    if review.submitted_at is not None:
        raise ServiceError(_("En inlämnad bedömning kan inte tas tillbaka."))
    if review.withdrawn_at is not None:
        raise ServiceError(_("Bedömaruppdraget är redan återkallat."))
    review.withdrawn_at = now
    review.withdrawn_by = actor
    review.save(update_fields=["withdrawn_at", "withdrawn_by"])
    log_event(
        application=review.application,
        actor=actor,
        event="review.unassigned",
        now=now,
        note=review.reviewer.get_full_name(),
    )
    return review


@transaction.atomic
def review_declare(*, actor: User, review: Review, conflict: bool, reason: str, now: datetime) -> Review:
    """Declare conflicts of interest for one assignment. A conflict recuses the reviewer for good."""
    review = Review.objects.select_for_update().select_related("application").get(pk=review.pk)
    if review.reviewer_id != actor.pk:
        raise NotAllowed(_("Uppdraget är inte ditt."))
    if review.withdrawn_at is not None:
        raise ServiceError(_("Handläggaren har återkallat uppdraget."))
    if review.conflict != Review.Conflict.UNDECLARED:
        raise ServiceError(_("Du har redan lämnat din jävsdeklaration."))
    if conflict and not reason.strip():
        raise ServiceError(_("Beskriv varför du är jävig."), "reason")
    review.conflict = Review.Conflict.CONFLICT if conflict else Review.Conflict.NONE
    review.conflict_reason = reason.strip() if conflict else ""
    review.declared_at = now
    review.save(update_fields=["conflict", "conflict_reason", "declared_at"])
    log_event(
        application=review.application,
        actor=actor,
        now=now,
        event="review.conflict_declared" if conflict else "review.no_conflict_declared",
        note=review.conflict_reason,
    )
    return review


@transaction.atomic
def review_submit(
    *,
    actor: User,
    review: Review,
    scores: dict[int, tuple[int, str]],
    recommendation: str,
    comment: str,
    now: datetime,
) -> Review:
    """Score every criterion of the call 1–7 with a justification and give a recommendation.

    `scores` maps criterion id → (score, justification). Raises ServiceError for a missing or bad score."""
    review = Review.objects.select_for_update().select_related("application__call").get(pk=review.pk)
    if review.reviewer_id != actor.pk:
        raise NotAllowed(_("Uppdraget är inte ditt."))
    if review.withdrawn_at is not None:
        raise ServiceError(_("Handläggaren har återkallat uppdraget."))
    if review.conflict != Review.Conflict.NONE:
        raise ServiceError(_("Lämna jävsdeklarationen först."))
    if review.submitted_at is not None:
        raise ServiceError(_("Bedömningen är redan inlämnad."))
    if review.application.state not in REVIEWABLE_STATES:
        raise ServiceError(_("Ärendet tar inte längre emot bedömningar."))
    if recommendation not in Recommendation.values:
        raise ServiceError(_("Välj en rekommendation."), "recommendation")
    criteria = list(review.application.call.criteria.all())
    rows = []
    for criterion in criteria:
        raw, justification = scores.get(criterion.pk, (None, ""))
        try:
            score = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            score = None
        if score is None or not 1 <= score <= 7:
            raise ServiceError(
                _("Ge ”%(c)s” ett betyg från 1 till 7.") % {"c": criterion.name}, f"score_{criterion.pk}"
            )
        if not justification.strip():
            raise ServiceError(
                _("Motivera betyget för ”%(c)s”.") % {"c": criterion.name}, f"justification_{criterion.pk}"
            )
        rows.append(ReviewScore(review=review, criterion=criterion, score=score, justification=justification.strip()))
    review.scores.all().delete()
    ReviewScore.objects.bulk_create(rows)
    review.recommendation = recommendation
    review.comment = comment.strip()
    review.submitted_at = now
    review.save(update_fields=["recommendation", "comment", "submitted_at"])
    log_event(
        application=review.application,
        actor=actor,
        event="review.submitted",
        now=now,
        note=review.get_recommendation_display(),
    )
    return review
