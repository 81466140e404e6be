from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .applications import Application
from .calls import Criterion


class Recommendation(models.TextChoices):
    APPROVE = "APPROVE", _("Bevilja")
    APPROVE_REDUCED = "APPROVE_REDUCED", _("Bevilja med lägre belopp")
    REJECT = "REJECT", _("Avslå")


class ReviewQuerySet(models.QuerySet["Review"]):
    def current(self) -> "ReviewQuerySet":
        """The assignments the case officer has not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def pending(self) -> "ReviewQuerySet":
        """The assessments still owed: not submitted, not recused for a declared conflict, not withdrawn."""
        return self.current().filter(submitted_at__isnull=True).exclude(conflict=Review.Conflict.CONFLICT)

    def barring(self) -> "ReviewQuerySet":
        """The assignments that keep their reviewer out of the case's staff pages: a declared conflict, even
        withdrawn later (the jäv stays), and one not yet declared while it stands. An assignment withdrawn
        before any declaration never let the person see anything as a reviewer, so it bars nothing."""
        return self.filter(
            models.Q(conflict=Review.Conflict.CONFLICT)
            | models.Q(conflict=Review.Conflict.UNDECLARED, withdrawn_at__isnull=True)
        )


class Review(models.Model):
    """A reviewer's assignment on one application: conflict declaration first, then scores. The case officer
    may withdraw an assignment not yet submitted (`withdrawn_at`): that is not a conflict of interest, and the
    reviewer's own declaration, if any, stays as they made it."""

    class Conflict(models.TextChoices):
        UNDECLARED = "UNDECLARED", _("Ej deklarerat")
        NONE = "NONE", _("Inget jäv")
        CONFLICT = "CONFLICT", _("Jäv – avstår")

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("ansökan")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("bedömare")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("tilldelad av")
    )
    assigned_at = models.DateTimeField(default=timezone.now, verbose_name=_("tilldelad"))
    conflict = models.CharField(
        max_length=12, choices=Conflict.choices, default=Conflict.UNDECLARED, verbose_name=_("jävsdeklaration")
    )
    conflict_reason = models.TextField(_("skäl för jäv"), blank=True)
    declared_at = models.DateTimeField(null=True, blank=True, verbose_name=_("deklarerad"))
    recommendation = models.CharField(_("rekommendation"), max_length=20, choices=Recommendation.choices, blank=True)
    comment = models.TextField(_("sammanfattande bedömning"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("inlämnad"))
    withdrawn_at = models.DateTimeField(null=True, blank=True, verbose_name=_("återkallad"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("återkallad av"),
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("bedömning")
        verbose_name_plural = _("bedömningar")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="review_one_per_reviewer"),
            models.CheckConstraint(
                condition=models.Q(conflict__in=["UNDECLARED", "NONE", "CONFLICT"]), name="review_conflict_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(conflict="CONFLICT") | ~models.Q(conflict_reason=""),
                name="review_conflict_needs_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True) | models.Q(conflict="NONE"),
                name="review_submitted_only_without_conflict",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(submitted_at__isnull=True),
                name="review_submitted_not_withdrawn",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_by__isnull=True) | models.Q(withdrawn_at__isnull=False),
                name="review_withdrawn_by_needs_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application}"

    @property
    def is_pending(self) -> bool:
        """The assessment is still owed (the row-level twin of ReviewQuerySet.pending)."""
        return self.submitted_at is None and self.conflict != Review.Conflict.CONFLICT and self.withdrawn_at is None


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("bedömning"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("kriterium"))
    score = models.PositiveSmallIntegerField(_("poäng"), validators=[MinValueValidator(1), MaxValueValidator(7)])
    justification = models.TextField(_("motivering"))

    class Meta:
        verbose_name = _("poäng")
        verbose_name_plural = _("poäng")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=7), name="score_in_scale"),
            models.CheckConstraint(condition=~models.Q(justification=""), name="score_justification_required"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"
