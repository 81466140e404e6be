"""What the admin modules share: case records that only services write are shown read-only."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from grants.formatting import format_money


class ReadOnlyMixin:
    """Shown in the admin, never added, changed or deleted there: only services write these records."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    max_num = 0


# --- accessibility (WCAG 2.1 AA, axe-core: tests/browser/test_admin_accessibility.py) ------------------------


class LabelledInlineFormSet(BaseInlineFormSet):
    """The inputs of a tabular inline's row have no <label> (the column's heading is a <th>, which names no
    input): each gets its field's label and row number as aria-label, the delete box too."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            label = str(field.label or name)
            text = label if index is None else _("%(label)s, rad %(row)s") % {"label": label, "row": index + 1}
            field.widget.attrs.setdefault("aria-label", text)


class LabelledAutocompleteSelect(AutocompleteSelect):
    """select2's combobox takes its name from the selection shown, which is empty until one is made: the
    placeholder says what to choose (Django sets it to "")."""

    def __init__(self, *args: Any, placeholder: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.placeholder = placeholder

    def build_attrs(self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs["data-placeholder"] = self.placeholder
        return attrs


class AccessibleFormFieldsMixin:
    """For a ModelAdmin or an inline: autocomplete fields with a placeholder (LabelledAutocompleteSelect), and
    the date and time inputs of a split date-time field each named (Django's label points at neither)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:  # type: ignore[attr-defined]
            kwargs["widget"] = LabelledAutocompleteSelect(
                db_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
                placeholder=_("Välj %(what)s") % {"what": db_field.verbose_name},
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        widget = getattr(formfield, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget = widget.widget
        if isinstance(widget, forms.SplitDateTimeWidget):
            label = str(formfield.label)
            widget.widgets[0].attrs.setdefault("aria-label", _("%(label)s, datum") % {"label": label})
            widget.widgets[1].attrs.setdefault("aria-label", _("%(label)s, klockslag") % {"label": label})
        return formfield


def money_column(model: type[models.Model], name: str) -> Callable[[Any, Any], str]:
    """A list column showing the money field `name` as '240 000 kr', sorted by the field."""
    field = model._meta.get_field(name)

    @admin.display(description=getattr(field, "verbose_name", name), ordering=name)
    def column(self: Any, obj: Any) -> str:
        return format_money(getattr(obj, name))

    return column
