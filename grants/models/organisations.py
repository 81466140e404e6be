import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calls import OrganisationType


class PaymentAccountType(models.TextChoices):
    BANKGIRO = "BANKGIRO", _("Bankgiro")
    PLUSGIRO = "PLUSGIRO", _("Plusgiro")
    IBAN = "IBAN", _("IBAN och BIC")


class Organisation(models.Model):
    """A public organisation that applies: state agency, municipality, region or other public body."""

    name = models.CharField(_("namn"), max_length=200)
    orgnr = models.CharField(_("organisationsnummer"), max_length=10, unique=True, help_text=_("10 siffror."))
    org_type = models.CharField(_("typ"), max_length=20, choices=OrganisationType.choices)
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("ort"), max_length=100, blank=True)
    payment_account_type = models.CharField(
        _("kontotyp"), max_length=10, choices=PaymentAccountType.choices, blank=True
    )
    payment_account = models.CharField(_("kontonummer"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
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
        return f"{self.orgnr[:6]}-{self.orgnr[6:]}"


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
