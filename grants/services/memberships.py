"""Memberships and the organisation log. Every membership written anywhere (the portal, the admin, a request
granted) goes through here, so each addition, role change and removal leaves an OrganisationEvent: who did it,
when, which organisation and person, and the role before and after.

Event codes of the organisation log (labels in grants.models.organisations.ORGANISATION_EVENT_LABELS):
    membership.added, membership.role_changed, membership.removed, invitation.created,
    join.requested, join.granted, join.refused, signatory.requested, signatory.granted, signatory.refused
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.models import Membership, MembershipRole, Organisation, OrganisationEvent, User
from grants.models.organisations import ORGANISATION_EVENT_LABELS

# Notes the services write, shown in words; any other note (a reason, an e-mail address) is shown as written.
ORGANISATION_NOTE_LABELS = {
    "organisation.created": _("registrerade organisationen"),
    "invitation": _("genom inbjudan"),
    "join_request": _("genom förfrågan om medlemskap"),
    "signatory_request": _("genom begäran om firmatecknare"),
}


def organisation_event_label(event: str) -> str:
    return str(ORGANISATION_EVENT_LABELS.get(event, event))


def organisation_event_note(note: str) -> str:
    return str(ORGANISATION_NOTE_LABELS.get(note, note))


def organisation_event_log(
    *,
    organisation: Organisation,
    actor: User | None,
    event: str,
    now: datetime,
    user: User | None = None,
    from_role: str = "",
    to_role: str = "",
    note: str = "",
) -> OrganisationEvent:
    """Append one line to the organisation log (in the caller's transaction)."""
    if event not in ORGANISATION_EVENT_LABELS:
        raise ValueError(f"unknown organisation event {event!r}")
    return OrganisationEvent.objects.create(
        organisation=organisation,
        actor=actor if actor is not None and actor.is_authenticated else None,
        event=event,
        user=user,
        from_role=from_role,
        to_role=to_role,
        note=note,
        created_at=now,
    )


def membership_create_logged(
    *, actor: User | None, organisation: Organisation, user: User, role: str, now: datetime, note: str = ""
) -> Membership:
    """Make `user` a member and log it. For the services that have already decided the actor may (registering
    an organisation, accepting an invitation, a join request granted). Raises ServiceError if already a member."""
    if role not in MembershipRole.values:
        raise ServiceError(_("Okänd roll."), "role")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation=organisation, role=role, created_at=now)
    except IntegrityError as exc:  # membership_unique: a member already, perhaps since a moment ago
        raise ServiceError(_("Personen är redan medlem i organisationen."), "user") from exc
    organisation_event_log(
        organisation=organisation, actor=actor, event="membership.added", user=user, to_role=role, note=note, now=now
    )
    return membership


def _require_manager(actor: User) -> None:
    verdict = permissions.can_manage_memberships(actor)
    if not verdict:
        raise NotAllowed(verdict.reason)


@transaction.atomic
def membership_add(*, actor: User, organisation: Organisation, user: User, role: str, now: datetime) -> Membership:
    """Add a member by hand (the admin). Raises NotAllowed unless the actor manages memberships (programme
    admin), ServiceError if the person is already a member."""
    _require_manager(actor)
    return membership_create_logged(actor=actor, organisation=organisation, user=user, role=role, now=now)


def membership_set_role(
    *, actor: User | None, membership: Membership, role: str, now: datetime, note: str = ""
) -> bool:
    """Give the (locked) membership `role` and log the change; False if it already had it. The caller decides
    whether the actor may."""
    if role not in MembershipRole.values:
        raise ServiceError(_("Okänd roll."), "role")
    old = membership.role
    if old == role:
        return False
    membership.role = role
    membership.save(update_fields=["role"])
    organisation_event_log(
        organisation=membership.organisation,
        actor=actor,
        event="membership.role_changed",
        user=membership.user,
        from_role=old,
        to_role=role,
        note=note,
        now=now,
    )
    return True


def _locked(membership_pk: int) -> Membership:
    membership = (
        Membership.objects.select_for_update().select_related("organisation", "user").filter(pk=membership_pk).first()
    )
    if membership is None:
        raise ServiceError(_("Medlemskapet finns inte längre."))
    return membership


@transaction.atomic
def membership_role_change(*, actor: User, membership: Membership, role: str, now: datetime) -> Membership:
    """Change a member's role (member ↔ signatory) by hand. Raises NotAllowed unless the actor manages
    memberships, ServiceError if the membership is gone or the role unknown."""
    _require_manager(actor)
    locked = _locked(membership.pk)
    membership_set_role(actor=actor, membership=locked, role=role, now=now)
    return locked


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership, now: datetime) -> None:
    """Remove a member by hand, logged with the role they had. Raises NotAllowed unless the actor manages
    memberships, ServiceError if the membership is already gone."""
    _require_manager(actor)
    locked = _locked(membership.pk)
    organisation_event_log(
        organisation=locked.organisation,
        actor=actor,
        event="membership.removed",
        user=locked.user,
        from_role=locked.role,
        now=now,
    )
    locked.delete()
