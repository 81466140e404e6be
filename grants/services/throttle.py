"""Throttling of logins, password resets and registrations, by the address typed (the account) and by the
client's network address, with counts in the database so that every web process sees them.

A login counts as a failure from the moment it starts: its row is written (and committed) before the password
is checked and deleted only if the login succeeds. Parallel guesses therefore see each other, and at most the
limit of them get a password checked in a window. While an account or a client address is throttled nothing is
checked at all, so the right password is refused too until the time the message names.

The account key is the address as typed, whether or not an account has it: the answer never tells them apart.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from grants.models import AuthAttempt, AuthAttemptKind


@dataclass(frozen=True)
class Limit:
    count: int
    window: timedelta


# (per account, per client address); a sliding window: the oldest counted attempt ages out after `window`.
LIMITS: dict[str, tuple[Limit, Limit]] = {
    AuthAttemptKind.LOGIN: (Limit(5, timedelta(minutes=15)), Limit(20, timedelta(minutes=15))),
    AuthAttemptKind.PASSWORD_RESET: (Limit(3, timedelta(hours=1)), Limit(10, timedelta(hours=1))),
    AuthAttemptKind.REGISTER: (Limit(3, timedelta(hours=1)), Limit(10, timedelta(hours=1))),
}
KEEP = max(limit.window for pair in LIMITS.values() for limit in pair)


class Throttled(Exception):
    """Too many attempts: refused until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


def client_address(request: HttpRequest | None) -> str:
    """The client's address: REMOTE_ADDR, or with TRUST_X_FORWARDED_FOR the address the proxy in front of us
    appended last to X-Forwarded-For (earlier entries are whatever the client sent, and proves nothing)."""
    if request is None:
        return ""
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def account_key(typed: str) -> str:
    return typed.strip().lower()[:254]


def _until(rows: list[datetime], limit: Limit) -> datetime | None:
    """When the attempts in `rows` (newest first, within the window) drop below the limit again, if they are at it."""
    if len(rows) < limit.count:
        return None
    # Whole minutes, so that "försök igen kl. 14:05" is never a minute too early.
    until = rows[limit.count - 1] + limit.window
    return datetime.fromtimestamp(math.ceil(until.timestamp() / 60) * 60, tz=until.tzinfo)


def _recent(kind: str, field: str, value: str, limit: Limit, now: datetime) -> list[datetime]:
    rows = AuthAttempt.objects.filter(kind=kind, attempted_at__gt=now - limit.window, **{field: value})
    return list(rows.order_by("-attempted_at").values_list("attempted_at", flat=True)[: limit.count])


def _count(kind: str, field: str, value: str, limit: Limit, now: datetime, up_to: int) -> int:
    return AuthAttempt.objects.filter(
        kind=kind, attempted_at__gt=now - limit.window, pk__lte=up_to, **{field: value}
    ).count()


def throttled_until(*, kind: str, account: str, client: str, now: datetime) -> datetime | None:
    """The time until which attempts of this kind are refused for this account or client address, or None."""
    per_account, per_client = LIMITS[kind]
    found = [_until(_recent(kind, "account", account, per_account, now), per_account)]
    if client:
        found.append(_until(_recent(kind, "client_address", client, per_client, now), per_client))
    times = [t for t in found if t is not None]
    return max(times) if times else None


def attempt_begin(*, kind: str, typed: str, request: HttpRequest | None, now: datetime | None = None) -> AuthAttempt:
    """Count one attempt before doing it. Raises Throttled (and counts nothing) when the account or the client
    address is already at its limit, or when parallel attempts reached it first."""
    now = now or timezone.now()
    account, client = account_key(typed), client_address(request)
    until = throttled_until(kind=kind, account=account, client=client, now=now)
    if until is not None:
        raise Throttled(until)
    AuthAttempt.objects.filter(attempted_at__lt=now - KEEP).delete()
    attempt = AuthAttempt.objects.create(kind=kind, account=account, client_address=client, attempted_at=now)
    # Counted with the attempts written before this one, this one included: one past the limit means that
    # parallel attempts got there first.
    per_account, per_client = LIMITS[kind]
    over = _count(kind, "account", account, per_account, now, attempt.pk) > per_account.count
    if client:
        over = over or _count(kind, "client_address", client, per_client, now, attempt.pk) > per_client.count
    if over:
        attempt.delete()
        raise Throttled(throttled_until(kind=kind, account=account, client=client, now=now) or now + per_account.window)
    return attempt


def login_succeeded(attempt: AuthAttempt) -> None:
    """The password was right: this attempt and the account's earlier failures no longer count."""
    AuthAttempt.objects.filter(kind=AuthAttemptKind.LOGIN, account=attempt.account).delete()
