"""A grant's acceptance, decline and lapse (DESIGN.md §4.2, workflows/grant.py). Each locks the grant's row
first, so an acceptance and the daily job's lapse racing each other never both happen, and the amount is
released to the call's budget at most once."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from grants.errors import ServiceError
from grants.models import Grant, GrantState, User
from workflows.grant import GrantFlow, grant_terms_text, terms_sha256


def _locked(grant: Grant | int) -> Grant:
    pk = grant if isinstance(grant, int) else grant.pk
    return Grant.objects.select_for_update(of=("self",)).select_related("application").get(pk=pk)


@transaction.atomic
def grant_accept(*, actor: User, grant: Grant, now: datetime, language: str, shown_sha256: str = "") -> Grant:
    """The signatory accepts the terms in `language` as shown. `shown_sha256` is the digest of the text the page
    showed: if the terms the grant holds are no longer that text, nothing is accepted."""
    grant = _locked(grant)
    text = grant_terms_text(grant, language)
    if shown_sha256 and shown_sha256 != terms_sha256(text):
        raise ServiceError(_("Villkoren har ändrats sedan sidan visades. Läs dem igen innan du godtar."))
    GrantFlow(grant, actor=actor, now=now).accept(terms_text=text)
    return grant


@transaction.atomic
def grant_decline(*, actor: User, grant: Grant, now: datetime, reason: str) -> Grant:
    """The signatory declines the grant with a reason; the amount goes back to the call's budget."""
    grant = _locked(grant)
    GrantFlow(grant, actor=actor, now=now).decline(reason=reason)
    return grant


@transaction.atomic
def grant_lapse(*, grant: Grant | int, now: datetime, actor: User | None = None) -> Grant:
    """One grant nobody accepted in time lapses (waiting for its row lock)."""
    grant = _locked(grant)
    GrantFlow(grant, actor=actor, now=now).lapse()
    return grant


def grants_lapse(*, now: datetime, actor: User | None = None) -> int:
    """Lapse every grant past its acceptance deadline, one transaction each; returns how many lapsed. A grant
    whose row another transaction holds (a signatory accepting right now, or a second run of the daily job) is
    skipped: it is decided there, and anything left lapses on the next run. Safe to run twice or in parallel."""
    due = Grant.objects.filter(state=GrantState.AWAITING_ACCEPTANCE, acceptance_deadline_at__lte=now)
    lapsed = 0
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            locked = due.select_for_update(of=("self",), skip_locked=True).select_related("application")
            grant = locked.filter(pk=pk).first()
            if grant is None:
                continue  # taken by someone else, or no longer awaiting acceptance
            GrantFlow(grant, actor=actor, now=now).lapse()
            lapsed += 1
    return lapsed
