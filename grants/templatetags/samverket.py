from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import forms, template

from grants.formatting import format_date, format_instant, format_money

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    return format_money(value)


@register.filter
def instant(value: datetime | None) -> str:
    return format_instant(value)


@register.filter
def swedish_date(value: date | None) -> str:
    return format_date(value)


@register.filter
def is_choice_group(bound_field: Any) -> bool:
    """Radios or a group of checkboxes: one input per option, rendered by components/choices.html."""
    return isinstance(bound_field.field.widget, forms.RadioSelect)  # CheckboxSelectMultiple is one too


@register.filter
def is_multiple(bound_field: Any) -> bool:
    return bool(getattr(bound_field.field.widget, "allow_multiple_selected", False))


@register.filter
def is_checkbox(bound_field: Any) -> bool:
    return getattr(bound_field.field.widget, "input_type", "") == "checkbox"


@register.filter
def described_by_ids(bound_field: Any) -> str:
    """The ids of the field's hint and error messages, for aria-describedby."""
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_hint")
    for i, _error in enumerate(bound_field.errors, start=1):
        ids.append(f"{bound_field.auto_id}_error" + ("" if i == 1 else str(i)))
    return " ".join(ids)


@register.filter
def with_described_by(bound_field: Any) -> str:
    """Render the input with aria-describedby pointing at its hint and errors, and aria-invalid on error."""
    ids = described_by_ids(bound_field)
    attrs: dict[str, str] = {}
    if ids:
        attrs["aria-describedby"] = ids
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.inclusion_tag("components/error_summary.html")
def error_summary(*forms: Any) -> dict[str, Any]:
    flat = []
    for form in forms:
        if form is None:
            continue
        if hasattr(form, "forms"):  # a formset: its own errors and each row's
            flat.extend(form.forms)
            if form.non_form_errors():
                flat.append(_NonFormErrors(form.non_form_errors()))
        else:
            flat.append(form)
    has_errors = any(f.errors for f in flat)
    return {"forms": flat, "has_errors": has_errors}


class _NonFormErrors:
    """Lets a formset's own errors sit in the summary like a form's non-field errors."""

    def __init__(self, errors: Any):
        self.errors = errors

    def non_field_errors(self) -> Any:
        return self.errors

    def __iter__(self) -> Any:
        return iter(())
