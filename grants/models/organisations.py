import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grants.formatting import format_orgnr

from .base import AppendOnlyModel
from .calls import OrganisationType
from .states import RequestState


class Organisation(models.Model):
    """A public organisation that applies: state agency, municipality, region or other public body."""

    name = models.CharField(_("namn"), max_length=200)
    orgnr = models.CharField(_("organisationsnummer"), max_length=10, unique=True, help_text=_("10 siffror."))
    org_type = models.CharField(_("typ"), max_length=20, choices=OrganisationType.choices)
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    # Payment accounts have a history of their own and need a second person's verification: PaymentAccount.
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(org_type__in=[c.value for c in OrganisationType]), name="organisation_type_valid"
            ),
            models.CheckConstraint(condition=models.Q(orgnr__regex=r"^[0-9]{10}$"), name="organisation_orgnr_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.orgnr_display})"

    @property
    def orgnr_display(self) -> str:
        return format_orgnr(self.orgnr)


class MembershipRole(models.TextChoices):
    MEMBER = "MEMBER", _("Medlem")
    SIGNATORY = "SIGNATORY", _("Firmatecknare")


class Membership(models.Model):
    """A person acting for an organisation. Signatory is granted by staff only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("användare")
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("roll"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=[c.value for c in MembershipRole]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation.name} ({self.get_role_display()})"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation from a member for someone to join the organisation, accepted by following a link."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-postadress"))
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False, verbose_name=_("kod"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("inbjuden av")
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepterad"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepterad av"),
    )

    class Meta:
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation.name}"


# The events of the organisation log (grants/services/memberships.py writes them), in words.
ORGANISATION_EVENT_LABELS = {
    "membership.added": _("Medlem tillagd"),
    "membership.role_changed": _("Roll ändrad"),
    "membership.removed": _("Medlem borttagen"),
    "invitation.created": _("Inbjudan skickad"),
    "join.requested": _("Förfrågan om medlemskap"),
    "join.granted": _("Förfrågan om medlemskap beviljad"),
    "join.refused": _("Förfrågan om medlemskap avslagen"),
    "signatory.requested": _("Begäran om firmatecknare"),
    "signatory.granted": _("Begäran om firmatecknare beviljad"),
    "signatory.refused": _("Begäran om firmatecknare avslagen"),
    "payment_account.registered": _("Utbetalningskonto registrerat"),
    "payment_account.verified": _("Utbetalningskonto verifierat"),
    "payment_account.rejected": _("Utbetalningskonto avvisat"),
}


class OrganisationEvent(AppendOnlyModel):
    """The organisation's own log, append-only like the case log (DESIGN.md §5 rules 5 and 8): every membership
    added, changed or removed, and every join or signatory request asked for and decided. `user` is the person
    the event concerns (the member), `actor` who did it (None: the system)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="events", verbose_name=_("organisation")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utförd av"),
    )
    event = models.CharField(_("händelse"), max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gäller"),
    )
    from_role = models.CharField(_("från roll"), max_length=10, blank=True)
    to_role = models.CharField(_("till roll"), max_length=10, blank=True)
    note = models.TextField(_("anteckning"), blank=True)
    created_at = models.DateTimeField(_("tid"), default=timezone.now)

    class Meta:
        verbose_name = _("organisationshändelse")
        verbose_name_plural = _("organisationslogg")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="orgevent_org_time")]

    def __str__(self) -> str:
        return str(ORGANISATION_EVENT_LABELS.get(self.event, self.event))


def _request_constraints(prefix: str, person: str) -> list[models.BaseConstraint]:
    # One open request per person and organisation; a decided request says who decided and when.
    return [
        models.CheckConstraint(condition=models.Q(state__in=RequestState.values), name=f"{prefix}_state_valid"),
        models.UniqueConstraint(
            fields=["organisation", person],
            condition=models.Q(state=RequestState.PENDING),
            name=f"{prefix}_one_pending",
        ),
        models.CheckConstraint(
            condition=(models.Q(state=RequestState.PENDING) & models.Q(decided_at__isnull=True))
            | (~models.Q(state=RequestState.PENDING) & models.Q(decided_at__isnull=False)),
            name=f"{prefix}_decided_at_iff_decided",
        ),
    ]


class JoinRequest(models.Model):
    """A person asks to join an organisation that is already registered; a member (or staff) grants it,
    which makes them a member, or refuses it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="join_requests", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="join_requests", verbose_name=_("person")
    )
    message = models.TextField(_("meddelande"), blank=True)
    created_at = models.DateTimeField(_("skickad"), default=timezone.now)
    state = models.CharField(_("status"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avgjord av"),
    )
    decided_at = models.DateTimeField(_("avgjord"), null=True, blank=True)

    class Meta:
        verbose_name = _("förfrågan om medlemskap")
        verbose_name_plural = _("förfrågningar om medlemskap")
        ordering = ["-created_at", "-pk"]
        constraints = _request_constraints("joinrequest", "user")

    def __str__(self) -> str:
        return f"{self.user} → {self.organisation.name}"


class SignatoryRequest(models.Model):
    """A member asks for the signatory role for a member of the organisation (themself or another), with a
    reason; programme staff grant or refuse it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="signatory_requests", verbose_name=_("organisation")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("blivande firmatecknare")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("begärd av")
    )
    reason = models.TextField(_("skäl"))
    created_at = models.DateTimeField(_("skickad"), default=timezone.now)
    state = models.CharField(_("status"), max_length=10, choices=RequestState.choices, default=RequestState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("avgjord av"),
    )
    decided_at = models.DateTimeField(_("avgjord"), null=True, blank=True)

    class Meta:
        verbose_name = _("begäran om firmatecknare")
        verbose_name_plural = _("begäranden om firmatecknare")
        ordering = ["-created_at", "-pk"]
        constraints = [
            *_request_constraints("signatoryrequest", "member"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="signatoryrequest_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.organisation.name}"
