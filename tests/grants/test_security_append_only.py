"""Issue 9 item 7: submitted reviews and their scores, and the attachments of submitted applications, cannot be
changed with SQL on PostgreSQL (grants migration 0010), while the legitimate changes still work: an unsubmitted
assignment is withdrawn, a draft's attachment is deleted, a submitted one is marked removed."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from grants.models import ApplicationState, Attachment, Review, ReviewScore
from grants.services.reviews import review_assign, review_declare, review_submit, review_unassign
from tests.conftest import attach_required
from tests.factories import UserFactory
from tests.workflows.lifecycle import bring_to

pytestmark = pytest.mark.postgres


def sql(statement, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def refused(statement, params):
    with pytest.raises(DatabaseError, match="refused"):
        sql(statement, params)


@pytest.fixture
def case(draft, cast, now):
    return bring_to(draft, ApplicationState.SUBMITTED, cast, now)


@pytest.fixture
def submitted_review(case, officer, now):
    reviewer = UserFactory(roles=["reviewer"])
    review = review_assign(actor=officer, application=case, reviewer=reviewer, now=now)
    review_declare(actor=reviewer, review=review, conflict=False, reason="", now=now)
    scores = {c.pk: (5, "Väl underbyggt.") for c in case.call.criteria.all()}
    assert scores
    return review_submit(actor=reviewer, review=review, scores=scores, recommendation="APPROVE", comment="Bra", now=now)


@pytest.mark.parametrize(
    "change",
    [
        "recommendation = 'REJECT'",
        "comment = 'ändrad'",
        "submitted_at = NULL",
        "reviewer_id = assigned_by_id",
        "conflict = 'CONFLICT', conflict_reason = 'x', submitted_at = NULL",
    ],
)
def test_a_submitted_review_cannot_be_changed(submitted_review, change):
    before = Review.objects.filter(pk=submitted_review.pk).values().get()
    refused(f"UPDATE grants_review SET {change} WHERE id = %s", [submitted_review.pk])  # noqa: S608
    assert Review.objects.filter(pk=submitted_review.pk).values().get() == before


def test_a_submitted_review_cannot_be_deleted(submitted_review):
    refused("DELETE FROM grants_reviewscore WHERE review_id = %s", [submitted_review.pk])
    refused("DELETE FROM grants_review WHERE id = %s", [submitted_review.pk])
    assert Review.objects.filter(pk=submitted_review.pk).exists()


def test_scores_of_a_submitted_review_cannot_be_changed_added_or_removed(submitted_review):
    score = ReviewScore.objects.filter(review=submitted_review).first()
    refused("UPDATE grants_reviewscore SET score = 1 WHERE id = %s", [score.pk])
    refused("UPDATE grants_reviewscore SET justification = 'ändrad' WHERE id = %s", [score.pk])
    refused("DELETE FROM grants_reviewscore WHERE id = %s", [score.pk])
    refused(
        "INSERT INTO grants_reviewscore (review_id, criterion_id, score, justification) "
        "SELECT review_id, criterion_id, 7, 'x' FROM grants_reviewscore WHERE id = %s",
        [score.pk],
    )
    assert ReviewScore.objects.get(pk=score.pk).score == 5


def test_an_unsubmitted_assignment_still_changes_and_is_withdrawn(case, officer, now):
    reviewer = UserFactory(roles=["reviewer"])
    review = review_assign(actor=officer, application=case, reviewer=reviewer, now=now)
    sql("UPDATE grants_review SET comment = 'utkast' WHERE id = %s", [review.pk])
    review_unassign(actor=officer, review=review, now=now)
    assert Review.objects.get(pk=review.pk).withdrawn_at is not None


def test_attachments_of_a_submitted_application_cannot_be_changed_or_deleted(case):
    attachment = Attachment.objects.filter(application=case).first()
    assert attachment is not None
    before = Attachment.objects.filter(pk=attachment.pk).values().get()
    refused("UPDATE grants_attachment SET sha256 = 'x' WHERE id = %s", [attachment.pk])
    refused("UPDATE grants_attachment SET file = 'other.pdf', size = 1 WHERE id = %s", [attachment.pk])
    refused("DELETE FROM grants_attachment WHERE id = %s", [attachment.pk])
    assert Attachment.objects.filter(pk=attachment.pk).values().get() == before
    # Marking it removed (and back) is what completion does: allowed.
    sql("UPDATE grants_attachment SET removed_at = %s WHERE id = %s", [timezone.now(), attachment.pk])
    sql("UPDATE grants_attachment SET removed_at = NULL WHERE id = %s", [attachment.pk])


def test_a_drafts_attachments_stay_editable_and_deletable(draft):
    attach_required(draft)
    attachment = Attachment.objects.filter(application=draft).first()
    sql("UPDATE grants_attachment SET original_name = 'ny.pdf' WHERE id = %s", [attachment.pk])
    sql("DELETE FROM grants_attachment WHERE id = %s", [attachment.pk])
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
