from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from stdnum.se import orgnr as se_orgnr

from grants.errors import NotAllowed, ServiceError
from grants.models import Invitation, Membership, MembershipRole, Organisation, User
from grants.services.memberships import membership_create_logged, organisation_event_log

ALREADY_REGISTERED = _(
    "Organisationen är redan registrerad. Du kan be att få gå med i den: skicka en förfrågan till dess medlemmar."
)


class OrganisationAlreadyRegistered(ServiceError):
    """The orgnr is registered: the person can ask to join instead (join_request_create)."""


def orgnr_normalise(value: str) -> str:
    """Return the 10 digits of a valid Swedish organisation number, or raise ServiceError."""
    try:
        return se_orgnr.validate(value)
    except Exception as exc:  # stdnum raises several ValidationError kinds
        raise ServiceError(
            _("Organisationsnumret är inte giltigt. Skriv 10 siffror, till exempel 212000-0142."), "orgnr"
        ) from exc


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    orgnr: str,
    org_type: str,
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    now: datetime,
) -> Organisation:
    """Register an organisation and make the actor its first member.

    Raises ServiceError when the orgnr is invalid, OrganisationAlreadyRegistered when it is registered.
    """
    digits = orgnr_normalise(orgnr)
    if Organisation.objects.filter(orgnr=digits).exists():
        raise OrganisationAlreadyRegistered(ALREADY_REGISTERED, "orgnr")
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name.strip(),
                orgnr=digits,
                org_type=org_type,
                street_address=street_address.strip(),
                postal_code=postal_code.strip(),
                city=city.strip(),
                created_at=now,
            )
    except IntegrityError as exc:  # registered by someone else a moment ago
        raise OrganisationAlreadyRegistered(ALREADY_REGISTERED, "orgnr") from exc
    membership_create_logged(
        actor=actor,
        organisation=organisation,
        user=actor,
        role=MembershipRole.MEMBER,
        note="organisation.created",
        now=now,
    )
    return organisation


@transaction.atomic
def invitation_create(*, actor: User, organisation: Organisation, email: str, now: datetime) -> Invitation:
    """Invite a person by e-mail to join the organisation. Raises NotAllowed unless the actor is a member."""
    if not Membership.objects.filter(user=actor, organisation=organisation).exists():
        raise NotAllowed(_("Du är inte medlem i organisationen."))
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ServiceError(_("Personen är redan medlem i organisationen."), "email")
    invitation = Invitation.objects.create(organisation=organisation, email=email, invited_by=actor, created_at=now)
    organisation_event_log(organisation=organisation, actor=actor, event="invitation.created", note=email, now=now)
    from grants.services.messages import message_send

    message_send(
        recipient=None,
        recipient_email=email,
        application=None,
        event="organisation.invited",
        template="emails/invitation",
        context={"invitation": invitation, "inviter": actor.get_full_name(), "site_url": settings.SITE_URL},
        language=actor.language,
        now=now,
    )
    return invitation


@transaction.atomic
def invitation_accept(*, actor: User, token: str, now: datetime) -> Membership:
    """Join the organisation of an invitation. Raises ServiceError if the invitation is used or unknown."""
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise ServiceError(_("Inbjudan är ogiltig eller redan använd."))
    if invitation.email.lower() != actor.email.lower():
        raise ServiceError(_("Inbjudan gäller en annan e-postadress. Logga in med den adress inbjudan skickades till."))
    membership = Membership.objects.filter(user=actor, organisation=invitation.organisation).first()
    if membership is None:
        membership = membership_create_logged(
            actor=actor,
            organisation=invitation.organisation,
            user=actor,
            role=MembershipRole.MEMBER,
            note="invitation",
            now=now,
        )
    invitation.accepted_at = now
    invitation.accepted_by = actor
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership
