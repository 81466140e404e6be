"""A withdrawn reviewer assignment gets its own fields (`withdrawn_at`, `withdrawn_by`) instead of posing as a
declared conflict of interest. Until now review_unassign stored a withdrawal as conflict CONFLICT with a canned
reason, in whatever language was active, and overwrote the reviewer's own declaration. Those rows are turned
back here: the time and officer of the withdrawal, and the reviewer's own declaration, are read from the case
log (append-only, only read here); without a log entry the old row's `declared_at` is the best time there is."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Frozen here on purpose: the canned reason as the old code stored it in Swedish and in English.
WITHDRAWN_REASONS = ("Tilldelningen återkallad av handläggaren.", "Assignment withdrawn by the case officer.")
WITHDRAWN_REASON_SV = WITHDRAWN_REASONS[0]
DECLARED_CONFLICT = "review.conflict_declared"
DECLARED_NONE = "review.no_conflict_declared"


def convert_withdrawn(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Old-style withdrawn rows → `withdrawn_at`/`withdrawn_by`, with the reviewer's own declaration restored."""
    db = schema_editor.connection.alias
    Review = apps.get_model("grants", "Review")
    CaseEvent = apps.get_model("workflows", "CaseEvent")
    old_style = (
        Review.objects.using(db)
        .filter(conflict="CONFLICT", conflict_reason__in=WITHDRAWN_REASONS, withdrawn_at__isnull=True)
        .select_related("reviewer")
        .order_by("pk")
    )
    for review in old_style:
        events = CaseEvent.objects.using(db).filter(application_id=review.application_id).order_by("created_at", "pk")
        name = review.reviewer.full_name or review.reviewer.email
        withdrawal = events.filter(event="review.unassigned", note=name).first()
        declaration = events.filter(actor_id=review.reviewer_id, event__in=[DECLARED_CONFLICT, DECLARED_NONE]).first()
        review.withdrawn_at = (
            withdrawal.created_at if withdrawal is not None else review.declared_at or review.assigned_at
        )
        review.withdrawn_by_id = withdrawal.actor_id if withdrawal is not None else None
        if declaration is None:
            review.conflict, review.conflict_reason, review.declared_at = "UNDECLARED", "", None
        elif declaration.event == DECLARED_CONFLICT and declaration.note.strip():
            review.conflict, review.conflict_reason = "CONFLICT", declaration.note
            review.declared_at = declaration.created_at
        else:
            review.conflict, review.conflict_reason = "NONE", ""
            review.declared_at = declaration.created_at
        review.save(update_fields=["withdrawn_at", "withdrawn_by", "conflict", "conflict_reason", "declared_at"])


def restore_old_style(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back to the old form, so that going back loses no withdrawal (a declared conflict keeps its reason)."""
    db = schema_editor.connection.alias
    Review = apps.get_model("grants", "Review")
    for review in Review.objects.using(db).filter(withdrawn_at__isnull=False).exclude(conflict="CONFLICT"):
        review.declared_at = review.declared_at or review.withdrawn_at
        review.conflict, review.conflict_reason = "CONFLICT", WITHDRAWN_REASON_SV
        review.save(update_fields=["conflict", "conflict_reason", "declared_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0005_staff_groups"),
        ("workflows", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="återkallad"),
        ),
        migrations.AddField(
            model_name="review",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="återkallad av",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(("withdrawn_at__isnull", True), ("submitted_at__isnull", True), _connector="OR"),
                name="review_submitted_not_withdrawn",
            ),
        ),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.CheckConstraint(
                condition=models.Q(("withdrawn_by__isnull", True), ("withdrawn_at__isnull", False), _connector="OR"),
                name="review_withdrawn_by_needs_time",
            ),
        ),
        # Last: on PostgreSQL, rows updated before an ALTER TABLE in the same transaction would leave pending
        # trigger events (the deferred foreign key of withdrawn_by) and the ALTER would fail.
        migrations.RunPython(convert_withdrawn, restore_old_style),
    ]
