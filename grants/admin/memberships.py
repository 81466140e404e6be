"""Memberships written in the admin (the Membership admin, and the inlines on the organisation and user pages)
go through the membership services, so each addition, role change and removal is in the organisation log
with who did it. A refusal of the service (the actor may not manage memberships) is a 403."""

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone

from grants.errors import NotAllowed
from grants.models import Membership
from grants.services.memberships import membership_add, membership_remove, membership_role_change


class MembershipInlineForm(forms.ModelForm):
    """A row of an existing membership changes only its role: another person or organisation is a new one."""

    class Meta:
        model = Membership
        fields = ["user", "organisation", "role"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("user", "organisation"):
                if name in self.fields:
                    self.fields[name].disabled = True


def membership_save(request: HttpRequest, obj: Membership, *, change: bool, changed: list[str]) -> None:
    actor = request.user
    try:
        if not change:
            created = membership_add(
                actor=actor,  # type: ignore[arg-type]
                organisation=obj.organisation,
                user=obj.user,
                role=obj.role,
                now=timezone.now(),
            )
            # The admin goes on with `obj` (its log entry, the redirect to the new row).
            obj.pk, obj.created_at = created.pk, created.created_at
            obj._state.adding = False
        elif "role" in changed:
            membership_role_change(actor=actor, membership=obj, role=obj.role, now=timezone.now())  # type: ignore[arg-type]
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc


def membership_delete(request: HttpRequest, obj: Membership) -> None:
    try:
        membership_remove(actor=request.user, membership=obj, now=timezone.now())  # type: ignore[arg-type]
    except NotAllowed as exc:
        raise PermissionDenied(str(exc.message)) from exc


class MembershipFormsetMixin:
    """For a ModelAdmin with a Membership inline: the inline's rows are saved through the services."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)  # type: ignore[misc]
            return
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            membership_delete(request, obj)
        for obj, changed in formset.changed_objects:
            membership_save(request, obj, change=True, changed=changed)
        for obj in formset.new_objects:
            membership_save(request, obj, change=False, changed=[])
