"""The reviewer's pages (bedömare): own assignments, the conflict-of-interest declaration (jäv,
förvaltningslagen 16–18 §§) and the scoring. Nothing of an application's content is shown before the
reviewer has declared no conflict; every lookup is scoped to the person's own assignments and answers 404
otherwise (DESIGN.md §5 rule 6). Case officers and decision-makers see reviews on the case page instead,
through templates/staff/_review_summary.html."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.forms import MultilineTextField
from grants.models import Criterion, Review
from grants.models.reviews import Recommendation
from grants.selectors import reviews as selectors
from grants.selectors.versions import application_as_submitted, submitted_content, submitted_text
from grants.services import reviews as services
from grants.views.base import AuthedRequest, pdf_attachment_response

SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 8)]


class Radios(forms.RadioSelect):
    """Radios whose field id is the first option's, so the error summary's link lands on an input."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, "0" if index is None else index)


class DeclareForm(forms.Form):
    conflict = forms.ChoiceField(
        label=gettext_lazy("Jävsdeklaration"),
        choices=[("no", gettext_lazy("Jag är inte jävig")), ("yes", gettext_lazy("Jag är jävig"))],
        widget=Radios,
        error_messages={"required": gettext_lazy("Ange om du är jävig eller inte.")},
    )
    reason = MultilineTextField(
        label=gettext_lazy("Varför är du jävig?"),
        help_text=gettext_lazy("Fyll i om du är jävig, till exempel ”Projektledaren är min syster”."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ScoreForm(forms.Form):
    """One 1–7 score and one justification per criterion of the call, a recommendation and a comment."""

    recommendation = forms.ChoiceField(
        label=gettext_lazy("Rekommendation"),
        choices=[("", gettext_lazy("Välj …")), *Recommendation.choices],
        error_messages={
            "required": gettext_lazy("Välj en rekommendation."),
            "invalid_choice": gettext_lazy("Välj en rekommendation."),
        },
    )
    comment = MultilineTextField(
        label=gettext_lazy("Sammanfattande bedömning"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        # Score and justification fields come before the recommendation and the comment.
        rest = {name: self.fields.pop(name) for name in ("recommendation", "comment")}
        for criterion in criteria:
            bad = _("Ge ”%(c)s” ett betyg från 1 till 7.") % {"c": criterion.name}
            self.fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=_("Betyg för ”%(c)s”") % {"c": criterion.name},
                choices=SCORE_CHOICES,
                widget=Radios,
                error_messages={"required": bad, "invalid_choice": bad},
            )
            self.fields[f"justification_{criterion.pk}"] = MultilineTextField(
                label=_("Motivering för ”%(c)s”") % {"c": criterion.name},
                max_length=10000,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": _("Motivera betyget för ”%(c)s”.") % {"c": criterion.name}},
            )
        self.fields.update(rest)

    def rows(self) -> list[dict[str, Any]]:
        return [
            {"criterion": c, "score": self[f"score_{c.pk}"], "justification": self[f"justification_{c.pk}"]}
            for c in self.criteria
        ]

    def scores(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {c.pk: (int(data[f"score_{c.pk}"]), data[f"justification_{c.pk}"]) for c in self.criteria}


def _add_service_error(form: forms.Form, exc: ServiceError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


@login_required
def review_list(request: AuthedRequest) -> HttpResponse:
    """The person's own assignments: to declare, to score, done or recused (DESIGN.md §8)."""
    if not permissions.has_role(request.user, permissions.REVIEWER):
        raise Http404
    to_declare, to_score, done = [], [], []
    # The title as sent, not as the applicant may be completing it (in the same query).
    reviews = selectors.review_list_for_reviewer(request.user).annotate(
        submitted_title=submitted_text("title", via="application")
    )
    for review in reviews:
        if review.conflict == Review.Conflict.UNDECLARED:
            to_declare.append(review)
        elif review.conflict == Review.Conflict.NONE and review.submitted_at is None:
            to_score.append(review)
        else:
            done.append(review)
    return render(request, "staff/reviews/list.html", {"to_declare": to_declare, "to_score": to_score, "done": done})


@login_required
def review_declare(request: AuthedRequest, review_pk: int) -> HttpResponse:
    """Declare conflicts of interest, seeing only what is needed to judge them."""
    review = selectors.review_get_for_reviewer(request.user, review_pk, require_no_conflict=False)
    if review.conflict == Review.Conflict.NONE:
        return redirect("staff_review_detail", review_pk=review.pk)
    if review.conflict == Review.Conflict.CONFLICT:
        messages.info(request, _("Du deltar inte i bedömningen av det här ärendet (jäv eller återkallat uppdrag)."))
        return redirect("staff_review_list")
    form = DeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        conflict = form.cleaned_data["conflict"] == "yes"
        try:
            services.review_declare(
                actor=request.user,
                review=review,
                conflict=conflict,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except NotAllowed as exc:
            raise Http404 from exc
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            if conflict:
                messages.success(request, _("Din jävsanmälan är registrerad. Du deltar inte i bedömningen."))
                return redirect("staff_review_list")
            messages.success(request, _("Tack. Nu kan du läsa och bedöma ansökan."))
            return redirect("staff_review_detail", review_pk=review.pk)
    context = {
        "review": review,
        "application": review.application,
        "submitted": submitted_content(review.application),  # the title and contacts as sent
        "form": form,
    }
    return render(request, "staff/reviews/declare.html", context)


@login_required
def review_detail(request: AuthedRequest, review_pk: int) -> HttpResponse:
    """The application and the score form; read-only once submitted."""
    review = selectors.review_get_for_reviewer(request.user, review_pk, require_no_conflict=True)
    application = review.application
    if review.submitted_at is not None:
        context = {
            "review": review,
            "application": application,
            "submitted": application_as_submitted(application),
            "scores": selectors.review_scores_for(review),
        }
        return render(request, "staff/reviews/detail.html", context)
    criteria = list(Criterion.objects.filter(call_id=application.call_id).order_by("position", "pk"))
    form = ScoreForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_submit(
                actor=request.user,
                review=review,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                comment=form.cleaned_data["comment"],
                now=timezone.now(),
            )
        except NotAllowed as exc:
            raise Http404 from exc
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, _("Din bedömning är inlämnad."))
            return redirect("staff_review_detail", review_pk=review.pk)
    context = {"review": review, "application": application, "submitted": application_as_submitted(application)}
    return render(request, "staff/reviews/detail.html", {**context, "form": form})


@login_required
def review_attachment(request: AuthedRequest, review_pk: int, attachment_pk: int) -> FileResponse:
    """An attachment of the application, for its reviewer once they declared no conflict."""
    attachment = selectors.review_attachment_get(request.user, review_pk, attachment_pk)
    return pdf_attachment_response(attachment.file, attachment.original_name)


urlpatterns = [
    path("reviews/", review_list, name="staff_review_list"),
    path("reviews/<int:review_pk>/", review_detail, name="staff_review_detail"),
    path("reviews/<int:review_pk>/declare/", review_declare, name="staff_review_declare"),
    path(
        "reviews/<int:review_pk>/attachments/<int:attachment_pk>/",
        review_attachment,
        name="staff_review_attachment",
    ),
]
