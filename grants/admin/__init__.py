"""The Django admin (DESIGN.md §8 "Admin"): programme staff configure calls, organisations, users and roles
here. Case records are shown, never edited: states change only through the lifecycles in workflows/ and the
services in grants/services/, and append-only records (DESIGN.md §5 rule 5) cannot be changed at all."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Autodiscovery imports only this package: importing the modules registers their ModelAdmins.
from grants.admin import accounts, calls, cases, grants, organisations, requests  # noqa: F401
from grants.admin.base import ReadOnlyAdmin, ReadOnlyMixin, ReadOnlyTabularInline
from grants.admin.calls import CallAdminForm
from grants.admin.organisations import OrganisationAdminForm
from grants.forms_accounts import AdminLoginForm

admin.site.site_header = _("Samverket Grants – administration")
admin.site.site_title = _("Samverket Grants")
admin.site.index_title = _("Utlysningar, organisationer, användare och ärenden")
# Throttled like the portal's login: the admin is the more valuable door.
admin.site.login_form = AdminLoginForm

__all__ = ["CallAdminForm", "OrganisationAdminForm", "ReadOnlyAdmin", "ReadOnlyMixin", "ReadOnlyTabularInline"]
