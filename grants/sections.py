"""The sections of an application form, in order. Completion requests open a subset of these."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from grants.text import Text


@dataclass(frozen=True)
class Section:
    key: str
    label: Text
    fields: tuple[str, ...]


SECTIONS: tuple[Section, ...] = (
    Section("project", _("Projektet"), ("title", "summary", "description")),
    Section("site", _("Coworkingplats"), ("coworking_sites",)),
    Section("participants", _("Deltagare"), ("participants_count", "participants_description")),
    Section("period", _("Projektperiod"), ("start_date", "end_date")),
    Section("budget", _("Budget"), ("co_financing",)),
    Section(
        "contacts",
        _("Kontaktpersoner"),
        ("contact_name", "contact_email", "contact_phone", "finance_contact_name", "finance_contact_email"),
    ),
    Section("attachments", _("Bilagor"), ()),
)
# The application's own fields as frozen in a version, in form order (grants.selectors.application_snapshot).
SNAPSHOT_FIELDS: tuple[str, ...] = tuple(
    name for s in SECTIONS for name in (("requested_amount", "co_financing") if s.key == "budget" else s.fields)
)
SECTION_KEYS = tuple(s.key for s in SECTIONS)
BY_KEY = {s.key: s for s in SECTIONS}

REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "project": ("title", "summary", "description"),
    "site": ("coworking_sites",),
    "participants": ("participants_count",),
    "period": ("start_date", "end_date"),
    "contacts": ("contact_name", "contact_email"),
}
