"""Forms of the case officer's case page: eligibility check, completion request, reviewer assignment and
the proposal (föredragning). Each posts to one view that makes one service call."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from grants.forms import MoneyField, MultilineTextField
from grants.models import Outcome, User
from grants.sections import SECTIONS


class EligibilityForm(forms.Form):
    prefix = "elig"

    eligible_org_type = forms.BooleanField(label=_("Organisationstypen får söka i utlysningen"), required=False)
    arrived_in_time = forms.BooleanField(label=_("Ansökan kom in i tid"), required=False)
    amount_within_ceiling = forms.BooleanField(label=_("Sökt belopp ryms inom utlysningens tak"), required=False)
    attachments_complete = forms.BooleanField(label=_("Obligatoriska bilagor finns"), required=False)
    within_purpose = forms.BooleanField(label=_("Projektet ligger inom utlysningens syfte"), required=False)
    note = MultilineTextField(
        label=_("Kommentar"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, suggestions: dict[str, bool] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The data's suggestion is a hint next to each point, never a tick the officer did not make.
        for name, value in (suggestions or {}).items():
            self.fields[name].help_text = (
                _("Förslag utifrån uppgifterna: uppfyllt") if value else _("Förslag utifrån uppgifterna: inte uppfyllt")
            )


class CompletionRequestForm(forms.Form):
    prefix = "compl"

    message = MultilineTextField(
        label=_("Vad behöver kompletteras?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sökanden ser texten i portalen och i e-post."),
    )
    sections = forms.MultipleChoiceField(
        label=_("Avsnitt som sökanden får ändra"),
        choices=[(s.key, s.label) for s in SECTIONS],
        widget=forms.CheckboxSelectMultiple,
    )
    answer_by = forms.DateField(
        label=_("Svara senast"), widget=forms.DateInput(attrs={"type": "date"}), help_text=_("ÅÅÅÅ-MM-DD")
    )


class ReviewerAssignForm(forms.Form):
    prefix = "rev"

    reviewer = forms.ModelChoiceField(label=_("Bedömare"), queryset=User.objects.none(), empty_label=_("Välj bedömare"))

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates
        field.label_from_instance = lambda user: f"{user.get_full_name()} ({user.email})"  # type: ignore[method-assign,assignment]


class ProposalForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Förslag till beslut"), choices=Outcome.choices, widget=forms.RadioSelect)
    amount = MoneyField(
        label=_("Belopp (kr)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Krävs vid bifall; högst det sökta beloppet och utlysningens tak."),
    )
    reasons = MultilineTextField(label=_("Motivering"), max_length=20000, widget=forms.Textarea(attrs={"rows": 6}))
    conditions = MultilineTextField(
        label=_("Särskilda villkor"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Outcome.APPROVE and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Ange ett belopp."))
        return data
