"""E-mail about the account itself: activating a new account, "you already have an account", password reset.

These e-mails carry links that act for the account, so they are not written to the Message table (staff can read
that): the task gets only the user's id and makes the link when it sends, with a token that stops working once
used (the activation token includes `is_active`, the reset token the password hash)."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from django_tasks import task

from grants.models import User
from grants.services.messages import render_plain_text

ACTIVATE = "emails/account_activate"
EXISTS = "emails/account_exists"
RESET = "emails/password_reset"
TEMPLATES = frozenset({ACTIVATE, EXISTS, RESET})


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "grants.account_mail.ActivationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:  # type: ignore[override]
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


activation_token = ActivationTokenGenerator()


def _link(name: str, user: User, token: str, next_url: str) -> str:
    path = reverse(name, kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token})
    return settings.SITE_URL + path + (f"?{urlencode({'next': next_url})}" if next_url else "")


@task()
def account_email_send(template: str, user_id: int, next_url: str = "") -> str:
    """Write and send one account e-mail in the person's language; the link is made now, never stored."""
    if template not in TEMPLATES:
        return "unknown template"
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return "no such user"
    context = {
        "user": user,
        "site_url": settings.SITE_URL,
        "login_url": settings.SITE_URL + reverse("login"),
        "reset_url": settings.SITE_URL + reverse("password_reset"),
    }
    if template == ACTIVATE:
        context["link"] = _link("account_activate", user, activation_token.make_token(user), next_url)
    elif template == RESET:
        context["link"] = _link("password_reset_confirm", user, default_token_generator.make_token(user), "")
    with translation.override(user.language or "sv"):
        subject = render_plain_text(f"{template}_subject.txt", context).strip().replace("\n", " ")
        body = render_plain_text(f"{template}.txt", context)
    EmailMessage(subject, body, None, [user.email]).send()
    return "sent"
