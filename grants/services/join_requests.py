"""Asking to join a registered organisation, and asking for the signatory role (issue 9, item 12).

A join request is decided by the organisation's members (or a programme admin): granting it makes the person
a member. A signatory request is made by a member for a member and decided by a programme admin: granting it
makes that member a signatory. Every step is in the organisation log, and every outcome is e-mailed (one
Message per person, in their language). A person outside the organisation learns only that their request was
sent and, later, its outcome: never who the members are or who decided."""

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.errors import NotAllowed, ServiceError
from grants.models import (
    JoinRequest,
    Membership,
    MembershipRole,
    Organisation,
    RequestState,
    SignatoryRequest,
    User,
)
from grants.services.memberships import membership_create_logged, membership_set_role, organisation_event_log
from grants.services.messages import notify
from grants.services.organisations import orgnr_normalise

MESSAGE_MAX = 2000


def _members(organisation: Organisation) -> list[User]:
    return [m.user for m in organisation.memberships.select_related("user").order_by("pk")]


@transaction.atomic
def join_request_create(*, actor: User, orgnr: str, message: str, now: datetime) -> JoinRequest:
    """Ask the members of the organisation with this orgnr to let the actor join; they are e-mailed.

    Raises ServiceError (field `orgnr`) when the orgnr is invalid, not registered, the actor is a member
    already or has a request waiting; (field `message`) when the message is too long."""
    digits = orgnr_normalise(orgnr)
    message = message.strip()
    if len(message) > MESSAGE_MAX:
        raise ServiceError(_("Meddelandet får vara högst %(max)d tecken.") % {"max": MESSAGE_MAX}, "message")
    organisation = Organisation.objects.filter(orgnr=digits).first()
    if organisation is None:
        raise ServiceError(
            _("Ingen organisation med det organisationsnumret är registrerad. Registrera den i stället."), "orgnr"
        )
    verdict = permissions.can_request_to_join(actor, organisation)
    if not verdict:
        raise ServiceError(verdict.reason, "orgnr")
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                organisation=organisation, user=actor, message=message, created_at=now
            )
    except IntegrityError as exc:  # joinrequest_one_pending: sent twice at once
        raise ServiceError(_("Du har redan skickat en förfrågan till organisationen. Vänta på svar."), "orgnr") from exc
    organisation_event_log(organisation=organisation, actor=actor, event="join.requested", user=actor, now=now)
    notify(
        recipients=_members(organisation),
        application=None,
        event="organisation.join_requested",
        template="emails/join_requested",
        context={"join_request": join_request, "requester": actor, "site_url": settings.SITE_URL},
        now=now,
    )
    return join_request


def _locked_join_request(join_request: JoinRequest) -> JoinRequest:
    locked = (
        JoinRequest.objects.select_for_update()
        .select_related("organisation", "user")
        .filter(pk=join_request.pk)
        .first()
    )
    if locked is None:
        raise ServiceError(_("Förfrågan finns inte längre."))
    return locked


def _decide_join_request(*, actor: User, join_request: JoinRequest, grant: bool, now: datetime) -> JoinRequest:
    locked = _locked_join_request(join_request)
    verdict = permissions.can_decide_join_request(actor, locked)
    if not verdict:
        if locked.state == RequestState.PENDING:
            raise NotAllowed(verdict.reason)
        raise ServiceError(verdict.reason)
    locked.state = RequestState.GRANTED if grant else RequestState.REFUSED
    locked.decided_by, locked.decided_at = actor, now
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    organisation = locked.organisation
    organisation_event_log(
        organisation=organisation,
        actor=actor,
        event="join.granted" if grant else "join.refused",
        user=locked.user,
        now=now,
    )
    if grant and not Membership.objects.filter(user=locked.user, organisation=organisation).exists():
        membership_create_logged(
            actor=actor,
            organisation=organisation,
            user=locked.user,
            role=MembershipRole.MEMBER,
            note="join_request",
            now=now,
        )
    notify(
        recipients=[locked.user],
        application=None,
        event="organisation.join_granted" if grant else "organisation.join_refused",
        template="emails/join_granted" if grant else "emails/join_refused",
        context={"join_request": locked, "organisation": organisation, "site_url": settings.SITE_URL},
        now=now,
    )
    return locked


@transaction.atomic
def join_request_grant(*, actor: User, join_request: JoinRequest, now: datetime) -> JoinRequest:
    """Let the person join as a member; they are e-mailed. Raises NotAllowed unless the actor is a member of
    the organisation or a programme admin, ServiceError if the request is already decided."""
    return _decide_join_request(actor=actor, join_request=join_request, grant=True, now=now)


@transaction.atomic
def join_request_refuse(*, actor: User, join_request: JoinRequest, now: datetime) -> JoinRequest:
    """Refuse the request; the person is e-mailed (without who refused). Raises as join_request_grant."""
    return _decide_join_request(actor=actor, join_request=join_request, grant=False, now=now)


@transaction.atomic
def signatory_request_create(
    *, actor: User, organisation: Organisation, member: User, reason: str, now: datetime
) -> SignatoryRequest:
    """Ask the programme staff to make `member` a signatory of the organisation, with a reason.

    Raises NotAllowed unless the actor is a member; ServiceError (field `member`) when the person is no member,
    is a signatory already or has a request waiting, (field `reason`) when the reason is missing or too long."""
    if not permissions.is_organisation_member(actor, organisation.pk):
        raise NotAllowed(_("Du är inte medlem i organisationen."))
    reason = reason.strip()
    if not reason:
        raise ServiceError(_("Skriv varför personen ska bli firmatecknare."), "reason")
    if len(reason) > MESSAGE_MAX:
        raise ServiceError(_("Skälet får vara högst %(max)d tecken.") % {"max": MESSAGE_MAX}, "reason")
    verdict = permissions.can_request_signatory(actor, organisation.pk, member)
    if not verdict:
        raise ServiceError(verdict.reason, "member")
    try:
        with transaction.atomic():
            signatory_request = SignatoryRequest.objects.create(
                organisation=organisation, member=member, requested_by=actor, reason=reason, created_at=now
            )
    except IntegrityError as exc:  # signatoryrequest_one_pending
        raise ServiceError(_("Det finns redan en begäran om firmatecknare för personen."), "member") from exc
    organisation_event_log(
        organisation=organisation, actor=actor, event="signatory.requested", user=member, note=reason, now=now
    )
    return signatory_request


def _decide_signatory_request(
    *, actor: User, signatory_request: SignatoryRequest, grant: bool, now: datetime
) -> SignatoryRequest:
    locked = (
        SignatoryRequest.objects.select_for_update()
        .select_related("organisation", "member", "requested_by")
        .filter(pk=signatory_request.pk)
        .first()
    )
    if locked is None:
        raise ServiceError(_("Begäran finns inte längre."))
    verdict = permissions.can_decide_signatory_request(actor, locked)
    if not verdict:
        if not permissions.can_manage_memberships(actor):
            raise NotAllowed(verdict.reason)
        raise ServiceError(verdict.reason)
    membership = None
    if grant:
        membership = (
            Membership.objects.select_for_update()
            .select_related("organisation", "user")
            .filter(user=locked.member, organisation=locked.organisation)
            .first()
        )
        if membership is None:
            raise ServiceError(_("Personen är inte längre medlem i organisationen. Avslå begäran i stället."))
    locked.state = RequestState.GRANTED if grant else RequestState.REFUSED
    locked.decided_by, locked.decided_at = actor, now
    locked.save(update_fields=["state", "decided_by", "decided_at"])
    organisation_event_log(
        organisation=locked.organisation,
        actor=actor,
        event="signatory.granted" if grant else "signatory.refused",
        user=locked.member,
        now=now,
    )
    if membership is not None:
        membership_set_role(
            actor=actor, membership=membership, role=MembershipRole.SIGNATORY, note="signatory_request", now=now
        )
    recipients = [locked.requested_by] + ([locked.member] if locked.member_id != locked.requested_by_id else [])
    notify(
        recipients=recipients,
        application=None,
        event="organisation.signatory_granted" if grant else "organisation.signatory_refused",
        template="emails/signatory_granted" if grant else "emails/signatory_refused",
        context={"signatory_request": locked, "organisation": locked.organisation, "site_url": settings.SITE_URL},
        now=now,
    )
    return locked


@transaction.atomic
def signatory_request_grant(*, actor: User, signatory_request: SignatoryRequest, now: datetime) -> SignatoryRequest:
    """Make the member a signatory; the requester and the member are e-mailed. Raises NotAllowed unless the
    actor is a programme admin, ServiceError if the request is decided or the person no longer a member."""
    return _decide_signatory_request(actor=actor, signatory_request=signatory_request, grant=True, now=now)


@transaction.atomic
def signatory_request_refuse(*, actor: User, signatory_request: SignatoryRequest, now: datetime) -> SignatoryRequest:
    """Refuse the request; the requester and the member are e-mailed. Raises as signatory_request_grant."""
    return _decide_signatory_request(actor=actor, signatory_request=signatory_request, grant=False, now=now)
