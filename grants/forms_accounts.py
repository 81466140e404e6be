"""Account forms that need more than a field: throttled login (the portal's and the admin's), password reset."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from grants.models import AuthAttemptKind
from grants.services import throttle


def throttled_message(kind: str, until: Any) -> forms.ValidationError:
    when = formats.time_format(timezone.localtime(until), "H:i")
    if kind == AuthAttemptKind.LOGIN:
        text = _("För många misslyckade inloggningsförsök. Av säkerhetsskäl kan du försöka igen kl. %(time)s.")
    else:
        text = _("För många försök på kort tid. Av säkerhetsskäl kan du försöka igen kl. %(time)s.")
    return forms.ValidationError(text, code="throttled", params={"time": when})


class ThrottledLoginMixin:
    """Count every login as a failure until it succeeds; refuse without checking the password while the account
    or the client address is throttled (grants.services.throttle). For AuthenticationForm and its subclasses."""

    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()  # type: ignore[misc,no-any-return]
        try:
            attempt = throttle.attempt_begin(kind=AuthAttemptKind.LOGIN, typed=str(username), request=self.request)
        except throttle.Throttled as exc:
            raise throttled_message(AuthAttemptKind.LOGIN, exc.until) from None
        cleaned = super().clean()  # type: ignore[misc]
        throttle.login_succeeded(attempt)
        return cleaned  # type: ignore[no-any-return]


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's login, throttled like the portal's (admin.site.login_form)."""


class PasswordResetForm(DjangoPasswordResetForm):
    email = forms.EmailField(
        label=_("E-postadress"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        try:
            request = getattr(self, "request", None)  # set by the view (grants.views.accounts.PasswordResetView)
            throttle.attempt_begin(kind=AuthAttemptKind.PASSWORD_RESET, typed=email, request=request)
        except throttle.Throttled as exc:
            raise throttled_message(AuthAttemptKind.PASSWORD_RESET, exc.until) from None
        return email


class SetPasswordForm(DjangoSetPasswordForm):
    new_password1 = forms.CharField(
        label=_("Nytt lösenord"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 10 tecken. Inte bara siffror, och inte ett vanligt lösenord."),
    )
    new_password2 = forms.CharField(
        label=_("Upprepa det nya lösenordet"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    error_messages = {"password_mismatch": _("Lösenorden är inte likadana.")}
