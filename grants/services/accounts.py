"""Registration without telling anyone whether an address has an account: every valid registration gets the same
answer ("check your e-mail"); the e-mail says what happened. The account is usable once its address is confirmed."""

from datetime import datetime

from django.contrib.auth.hashers import make_password
from django.db import transaction

from grants import account_mail
from grants.models import User
from grants.tasks import enqueue_in_transaction


@transaction.atomic
def account_register(*, full_name: str, email: str, password: str, language: str, next_url: str, now: datetime) -> None:
    """Register an address: a new one gets an inactive account and an activation link; one not yet confirmed is
    registered anew (the latest registration counts, earlier links stop working); one with an active account
    gets an e-mail saying so, with links to log in and reset the password, and nothing changes."""
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(
            email, password, full_name=full_name.strip(), language=language, is_active=False, date_joined=now
        )
        template = account_mail.ACTIVATE
    elif not user.is_active and user.last_login is None:
        user.full_name, user.language, user.date_joined = full_name.strip(), language, now
        user.set_password(password)
        user.save(update_fields=["full_name", "language", "date_joined", "password"])
        template = account_mail.ACTIVATE
    else:
        make_password(password)  # the same work as for a new account, so the time taken tells nothing either
        template = account_mail.EXISTS
    enqueue_in_transaction(account_mail.account_email_send, template, user.pk, next_url)


def account_activate(*, user: User) -> None:
    """Confirm the address: the account becomes usable."""
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])


@transaction.atomic
def password_reset_request(*, email: str) -> None:
    """Queue a reset link for the active account with this address, if there is one (the caller answers the
    same either way)."""
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        if user.has_usable_password():
            enqueue_in_transaction(account_mail.account_email_send, account_mail.RESET, user.pk, "")
