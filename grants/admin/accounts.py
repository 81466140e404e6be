"""Users and their staff roles (the groups of grants.permissions), and who may grant what here.

Nobody escalates through this page:
- Superuser status and single permissions: superusers only.
- The programme admin role (which manages users and memberships): granted and removed by superusers only.
  Programme admins give and take the other roles (case officer, reviewer, decision-maker, finance) and
  `is_staff`, which only opens the admin (what one sees there comes from the roles).
- A non-superuser never changes their own roles, `is_staff` or `is_active`, never edits the account of a
  superuser or of another programme admin, and never sets another person's password (that would let them log
  in as that person, with that person's roles): people change their own.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.admin.base import AccessibleFormFieldsMixin, LabelledInlineFormSet
from grants.admin.memberships import MembershipFormsetMixin, MembershipInlineForm
from grants.models import Membership, User

# The roles a programme admin may give or take; the programme admin role itself only a superuser.
ASSIGNABLE_BY_PROGRAMME_ADMINS = (
    permissions.CASE_OFFICER,
    permissions.REVIEWER,
    permissions.DECISION_MAKER,
    permissions.FINANCE,
)
OWN_RIGHTS = ["groups", "is_staff", "is_active"]

ROLE_LABELS = {
    permissions.CASE_OFFICER: _("Handläggare"),
    permissions.REVIEWER: _("Bedömare"),
    permissions.DECISION_MAKER: _("Beslutsfattare"),
    permissions.FINANCE: _("Ekonomihandläggare"),
    permissions.PROGRAMME_ADMIN: _("Programansvarig"),
}


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "language")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Det finns redan en användare med den e-postadressen."))
        return email


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict[str, Any] = {}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Det finns redan en användare med den e-postadressen."))
        return email


class UserMembershipInline(AccessibleFormFieldsMixin, admin.TabularInline):
    model = Membership
    form = MembershipInlineForm
    formset = LabelledInlineFormSet
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name_plural = _("organisationer personen företräder")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("organisation")


def _role_label(group: Group) -> str:
    return str(ROLE_LABELS.get(group.name, group.name))


def _is_privileged(user: User) -> bool:
    return user.is_superuser or permissions.has_role(user, permissions.PROGRAMME_ADMIN)


def may_edit_account(actor: User, target: User | None) -> bool:
    """Whether `actor` may change `target` here at all: a superuser anyone; others their own account (but not
    its rights, see get_readonly_fields) and anyone who is neither a superuser nor a programme admin."""
    if actor.is_superuser or target is None or target.pk == actor.pk:
        return True
    return not _is_privileged(target)


@admin.register(User)
class UserAdmin(MembershipFormsetMixin, DjangoUserAdmin):
    """Staff roles are the groups of grants.permissions (case_officer, reviewer, …). Who may grant what: see the
    module's docstring."""

    form = UserChangeForm
    add_form = UserCreationForm
    inlines = [UserMembershipInline]
    list_display = ["email", "full_name", "roles", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    # Not Django's two-box filter widget: its script writes ARIA that axe refuses (aria-prohibited-attr). The
    # roles are a handful of checkboxes; single permissions (superusers only) a plain multiple select.
    filter_horizontal = ()
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "language"]}),
        (_("Behörighet"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Tider"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "language", "password1", "password2"]}),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        # Programme admins manage roles (groups); only a superuser can make superusers or grant single permissions.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
            if obj is not None and obj.pk == request.user.pk:
                readonly += OWN_RIGHTS  # nobody raises (or drops) their own rights
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser or obj.pk == request.user.pk:
            return fieldsets
        # Not another person's password (its link leads to a page only superusers may use).
        return [(name, {**opts, "fields": [f for f in opts["fields"] if f != "password"]}) for name, opts in fieldsets]

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None and not request.user.is_superuser and obj.pk != request.user.pk:
            form.base_fields.pop("password", None)  # a class made for this request: declared fields stay otherwise
        return form

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["widget"] = forms.CheckboxSelectMultiple
            if not request.user.is_superuser:
                kwargs["queryset"] = Group.objects.filter(name__in=ASSIGNABLE_BY_PROGRAMME_ADMINS).order_by("name")
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and formfield is not None:
            formfield.label_from_instance = _role_label  # type: ignore[method-assign,assignment]
        return formfield

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Groups a programme admin may not choose from (none exist on a target they may edit, but any added
        # later by a superuser) are kept, not dropped by the narrower choice.
        kept: list[Group] = []
        if change and not request.user.is_superuser and "groups" in form.cleaned_data:
            kept = list(form.instance.groups.exclude(name__in=ASSIGNABLE_BY_PROGRAMME_ADMINS))
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.groups.add(*kept)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and not may_edit_account(request.user, obj):  # type: ignore[arg-type]
            return False  # nor their password: that would be a way to become them
        return super().has_change_permission(request, obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        if not request.user.is_superuser and str(request.user.pk) != unquote(id):
            raise PermissionDenied  # setting someone's password is logging in as them
        return super().user_change_password(request, id, form_url)

    def get_inline_instances(self, request: HttpRequest, obj: User | None = None) -> list[Any]:
        return super().get_inline_instances(request, obj) if obj is not None else []  # add form: e-mail and password

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roller"))
    def roles(self, obj: User) -> str:
        return ", ".join(str(ROLE_LABELS.get(g.name, g.name)) for g in obj.groups.all())


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Django's, without the two-box filter widget (see UserAdmin.filter_horizontal). Superusers only."""

    filter_horizontal = ()
