"""Queue actions: assign many cases at once (DESIGN.md §8, bulk assign)."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.models import Application, User
from workflows.models import CaseEvent

ASSIGNED_EVENT = "application.assigned"


@transaction.atomic
def applications_assign_many(
    *, actor: User, applications: Iterable[Application | int], officer: User, now: datetime
) -> list[Application]:
    """Make `officer` the officer of every given case, all or none, one case event per changed case.

    Cases already held by `officer` are left as they are (no event). Raises NotAllowed unless the actor is
    a case officer; ServiceError if the officer is not a case officer, no case was chosen, a case does not
    exist, is a draft or is closed (permissions.can_assign_officer; the message names the closed cases)."""
    if not permissions.has_role(actor, permissions.CASE_OFFICER):
        raise NotAllowed(_("Du har inte rollen handläggare."))
    if not permissions.has_role(officer, permissions.CASE_OFFICER):
        raise ServiceError(_("Personen har inte rollen handläggare."), "officer")
    pks = sorted({a if isinstance(a, int) else a.pk for a in applications})
    if not pks:
        raise ServiceError(_("Välj minst ett ärende."), "applications")
    # Locked in primary-key order, so two bulk assignments over overlapping cases cannot deadlock.
    locked = list(
        Application.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .order_by("pk")
        .only("pk", "state", "assigned_officer_id", "reference_number")
    )
    if len(locked) != len(pks):
        raise ServiceError(_("Ett av ärendena finns inte."), "applications")
    verdict = permissions.can_assign_officer(locked, officer)
    if not verdict:
        raise ServiceError(verdict.reason, "applications")
    changed = [a for a in locked if a.assigned_officer_id != officer.pk]
    if not changed:
        return []
    Application.objects.filter(pk__in=[a.pk for a in changed]).update(assigned_officer=officer, updated_at=now)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(application=a, actor=actor, event=ASSIGNED_EVENT, note=officer.get_full_name(), created_at=now)
            for a in changed
        ]
    )
    for a in changed:
        a.assigned_officer = officer
    return changed
