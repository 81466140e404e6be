"""Users and their staff roles (the groups of grants.permissions)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.models import Membership, User

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


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "role", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name_plural = _("organisationer personen företräder")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("organisation")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff roles are the groups of grants.permissions (case_officer, reviewer, …)."""

    form = UserChangeForm
    add_form = UserCreationForm
    inlines = [UserMembershipInline]
    list_display = ["email", "full_name", "roles", "is_staff", "is_active", "last_login"]
    list_filter = ["groups", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
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
        return readonly

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # nor their password: that would be a way to become them
        return super().has_change_permission(request, obj)

    def get_inline_instances(self, request: HttpRequest, obj: User | None = None) -> list[Any]:
        return super().get_inline_instances(request, obj) if obj is not None else []  # add form: e-mail and password

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roller"))
    def roles(self, obj: User) -> str:
        return ", ".join(str(ROLE_LABELS.get(g.name, g.name)) for g in obj.groups.all())
