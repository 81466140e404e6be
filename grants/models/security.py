from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuthAttemptKind(models.TextChoices):
    LOGIN = "LOGIN", _("Inloggning")
    PASSWORD_RESET = "PASSWORD_RESET", _("Återställning av lösenord")
    REGISTER = "REGISTER", _("Registrering")


class AuthAttempt(models.Model):
    """One counted attempt (a failed login, a reset or registration request) for throttling (grants.services.
    throttle). Kept in the database so every web process sees the same counts; rows older than the longest
    window are deleted as new ones arrive. A login that succeeds deletes its own row."""

    kind = models.CharField(_("typ"), max_length=20, choices=AuthAttemptKind.choices)
    account = models.CharField(_("konto"), max_length=254)  # the address as typed, lower-cased
    client_address = models.CharField(_("klientadress"), max_length=64)
    attempted_at = models.DateTimeField(_("tidpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("inloggningsförsök")
        verbose_name_plural = _("inloggningsförsök")
        indexes = [
            models.Index(fields=["kind", "account", "attempted_at"], name="authattempt_account"),
            models.Index(fields=["kind", "client_address", "attempted_at"], name="authattempt_client"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["LOGIN", "PASSWORD_RESET", "REGISTER"]), name="authattempt_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.account} {self.client_address}"
