"""Forms: one question per field, labels above inputs, nothing lost on an error. Forms validate input;
the services decide."""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.db import models
from django.utils.translation import gettext_lazy as _

from grants.formatting import format_amount
from grants.forms_accounts import ThrottledLoginMixin
from grants.models import Application, BudgetCategory, Organisation, OrganisationType, RequiredAttachment, User
from grants.sections import BY_KEY
from grants.uploads import pdf_problem

MONEY_MAX = Decimal("999999999.99")


# What may follow the number: "450 000 kr", "450 000 kr.", "450 000 SEK", and the price-tag "450 000:-" or ",-".
MONEY_SUFFIX = re.compile(r"(?:kr\.?|kronor|sek|:-|,-)$", re.IGNORECASE)
# The number itself: ASCII digits only, either unbroken or grouped in threes by one space, no-break space
# (U+00A0) or narrow no-break space (U+202F), then at most two decimals after a comma or a point. A minus
# (hyphen or U+2212) is read so that the field's own "at least" message can answer it.
MONEY_NUMBER = re.compile(
    r"(?P<sign>[-\u2212]?)(?P<whole>[0-9]+|[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+)(?:[,.](?P<cents>[0-9]{1,2}))?"
)


class MoneyInput(forms.TextInput):
    """A text input that shows a stored amount the Swedish way, '240 000' or '1 234,50', not '240000.00'.

    What a person typed comes back as they typed it (a string), so nothing is lost on an error."""

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_amount(value)
        return super().format_value(value)


class MoneyField(forms.DecimalField):
    """Kronor as people write them: '600 000', '600 000 kr', '600 000:-', '1 234,50'.

    Swedish number formatting (and Word, and copying from a spreadsheet) separates thousands with a no-break
    space, U+00A0, or a narrow no-break space, U+202F, as well as the space on the keyboard. Only ASCII digits
    are read: Python's own parsing would also take Arabic-Indic digits, '+5' and '1_000', which no one means as
    an amount of kronor.
    """

    widget = MoneyInput
    default_error_messages = {
        "invalid": _("Skriv beloppet med siffror, till exempel 240 000 eller 1 234,50."),
    }

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            text = MONEY_SUFFIX.sub("", value.strip()).rstrip(" \u00a0\u202f")
            if text in self.empty_values:
                return None
            match = MONEY_NUMBER.fullmatch(text)
            if match is None:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            whole = re.sub(r"[ \u00a0\u202f]", "", match["whole"])
            sign = "-" if match["sign"] else ""
            value = f"{sign}{whole}.{match['cents'] or '0'}"
        return super().to_python(value)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)
        attrs.pop("max", None)
        attrs["inputmode"] = "decimal"
        return attrs


class MultilineTextField(forms.CharField):
    """Text from a <textarea>. Browsers send every line break as CR LF but count it as one character against
    `maxlength`; line breaks become LF before any check, so text that fits in the browser fits here, and is
    stored the same way whichever system typed it."""

    widget = forms.Textarea

    def to_python(self, value: Any) -> str | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


class RegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Namn"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("E-postadress"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 10 tecken. Inte bara siffror, och inte ett vanligt lösenord."),
    )
    password2 = forms.CharField(
        label=_("Upprepa lösenordet"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(label=_("Språk för e-post"), choices=[("sv", "Svenska"), ("en", "English")])

    def clean_email(self) -> str:
        # An address that has an account is not refused here: that would tell anyone who has an account
        # (grants.services.accounts.account_register answers the same and e-mails the owner instead).
        return str(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Lösenorden är inte likadana."))
        elif p1:
            user = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("E-postadress"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("Fel e-postadress eller lösenord."),
        "inactive": _("Kontot är inte aktivt."),
    }

    def clean_username(self) -> str:
        # Addresses are stored in lower case (see RegisterForm.clean_email); phones capitalise the first letter.
        return str(self.cleaned_data["username"]).lower()


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Organisationens namn"), max_length=200)
    orgnr = forms.CharField(
        label=_("Organisationsnummer"), max_length=20, help_text=_("10 siffror, till exempel 212000-0142.")
    )
    org_type = forms.ChoiceField(label=_("Typ av organisation"), choices=OrganisationType.choices)
    street_address = forms.CharField(label=_("Gatuadress"), max_length=200, required=False)
    postal_code = forms.RegexField(
        label=_("Postnummer"),
        regex=r"^\d{3} ?\d{2}$",
        max_length=6,
        required=False,
        error_messages={"invalid": _("Skriv postnumret med fem siffror, till exempel 831 30.")},
    )
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-postadress till personen du vill bjuda in"), max_length=254)


class StartApplicationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Sök för organisationen"), queryset=Organisation.objects.none())

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


def section_form_class(section: str) -> type[forms.ModelForm]:
    """A ModelForm with the fields of one section (budget lines and attachments have their own forms)."""
    fields = list(BY_KEY[section].fields)
    labels = {
        "title": _("Projektets titel"),
        "summary": _("Kort sammanfattning"),
        "description": _("Beskriv projektet: syfte, hur ni ska arbeta och vad ni vill lära er"),
        "coworking_sites": _("Vilken eller vilka coworkingplatser ska ni använda?"),
        "participants_count": _("Hur många medarbetare deltar?"),
        "participants_description": _("Vilka medarbetare och verksamheter deltar?"),
        "start_date": _("Projektets första dag"),
        "end_date": _("Projektets sista dag"),
        "co_financing": _("Egen medfinansiering (kr)"),
    }
    help_texts = {
        "summary": _("Högst 2 000 tecken. Sammanfattningen kan bli offentlig."),
        "coworking_sites": _("Namn och ort, till exempel Samverket Östersund."),
        "start_date": _("Skriv datumet som ÅÅÅÅ-MM-DD."),
        "end_date": _("Skriv datumet som ÅÅÅÅ-MM-DD. Projekt pågår oftast 12–16 månader."),
    }
    multiline = {
        name: MultilineTextField for name in fields if isinstance(Application._meta.get_field(name), models.TextField)
    }
    meta = type(
        "Meta",
        (),
        {
            "model": Application,
            "fields": fields,
            "field_classes": multiline,
            "labels": {k: v for k, v in labels.items() if k in fields},
            "help_texts": {k: v for k, v in help_texts.items() if k in fields},
            "widgets": {"start_date": DateInput(), "end_date": DateInput()},
        },
    )

    def clean(self: forms.ModelForm) -> dict[str, Any]:
        data = forms.ModelForm.clean(self) or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            self.add_error("end_date", _("Sista dagen ska vara efter första dagen."))
        count = data.get("participants_count")
        if count is not None and count > 100000:
            self.add_error("participants_count", _("Ange ett rimligt antal."))
        return data

    def _post_clean(self: forms.ModelForm) -> None:
        # Model-level validation runs in the service; the database constraints are the last word.
        pass

    return type(
        f"{section.title()}SectionForm", (forms.ModelForm,), {"Meta": meta, "clean": clean, "_post_clean": _post_clean}
    )


class BudgetLineForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), choices=[("", _("Välj kategori")), *BudgetCategory.choices])
    description = forms.CharField(label=_("Beskrivning"), max_length=200)
    amount = MoneyField(
        label=_("Belopp (kr)"),
        min_value=Decimal("1"),
        max_value=MONEY_MAX,
        decimal_places=2,
        max_digits=12,
    )


class BaseBudgetFormSet(forms.BaseFormSet):
    def initial_form_count(self) -> int:
        # A sent row is judged by what it holds, not by whether it was on the page before: every row counts as
        # an extra form, so one left completely blank (as "Lägg till en budgetrad" adds it) is skipped instead
        # of refused with three "required" errors. A row with anything in it is checked in full.
        return 0 if self.is_bound else super().initial_form_count()

    def clean(self) -> None:
        if any(self.errors):
            return
        deleted = set(self.deleted_forms)
        kept = [f for f in self.forms if f.has_changed() and f not in deleted]
        if not kept:
            raise forms.ValidationError(_("Lägg till minst en budgetrad."))
        # The sum becomes the requested amount, which has to fit its column (PostgreSQL refuses, not rounds).
        if sum((f.cleaned_data.get("amount") or Decimal("0") for f in kept), Decimal("0")) > MONEY_MAX:
            raise forms.ValidationError(_("Budgetraderna blir sammanlagt för mycket. Kontrollera beloppen."))


BudgetLineFormSet = forms.formset_factory(
    BudgetLineForm, formset=BaseBudgetFormSet, extra=0, can_delete=True, max_num=50, absolute_max=60, validate_max=True
)


class CoFinancingForm(forms.Form):
    co_financing = MoneyField(
        label=_("Egen medfinansiering (kr)"),
        min_value=Decimal("0"),
        max_value=MONEY_MAX,
        decimal_places=2,
        max_digits=12,
        required=False,
        initial=Decimal("0"),
        help_text=_("Kostnader som er organisation själv står för. Skriv 0 om ni inte har någon."),
    )


class AttachmentForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("Vilken bilaga?"),
        queryset=RequiredAttachment.objects.none(),
        required=False,
        empty_label=_("Övrig bilaga"),
    )
    file = forms.FileField(
        label=_("Fil (PDF, högst 20 MB)"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})
    )

    def __init__(self, *args: Any, call: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = call.attachment_kinds.all()  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        problem = pdf_problem(file, file.size)
        if problem:
            raise forms.ValidationError(problem)
        return file


class WithdrawForm(forms.Form):
    reason = MultilineTextField(
        label=_("Skäl (frivilligt)"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000
    )


class JoinRequestForm(forms.Form):
    orgnr = forms.CharField(
        label=_("Organisationens organisationsnummer"),
        max_length=20,
        help_text=_("10 siffror, till exempel 212000-0142."),
    )
    message = MultilineTextField(
        label=_("Meddelande till organisationens medlemmar"),
        required=False,
        max_length=2000,
        help_text=_("Till exempel vem du är och vad du ska arbeta med. Högst 2 000 tecken."),
    )


class SignatoryRequestForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Vem ska bli firmatecknare?"),
        queryset=User.objects.none(),
        empty_label=_("Välj en medlem"),
        error_messages={"required": _("Välj vem som ska bli firmatecknare.")},
    )
    reason = MultilineTextField(
        label=_("Varför ska personen bli firmatecknare?"),
        max_length=2000,
        help_text=_(
            "Till exempel vilket beslut, vilken delegationsordning eller vilken befattning som ger personen rätt "
            "att teckna organisationen. Högst 2 000 tecken."
        ),
        error_messages={"required": _("Skriv varför personen ska bli firmatecknare.")},
    )

    def __init__(self, *args: Any, members: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        field.queryset = members  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: f"{user.get_full_name()} ({user.email})"  # type: ignore[attr-defined]
