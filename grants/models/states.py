"""Every lifecycle's states in one place (DESIGN.md §4), with their named groups.

State codes are UPPERCASE and stored as they are; labels are translated. The same code means different
things in different lifecycles (SUBMITTED, APPROVED, DUE, PAID …), so a label is always read for a
lifecycle: `lifecycle_state_label(Lifecycle.PAYOUT, "PAID")`.

Groups are explicit frozensets, never derived from the names of the states: code asks "is this case open?"
with `state in APPLICATION_OPEN_STATES`, and a new state is added to the groups it belongs to by hand.
The model modules re-export their own enums (grants.models.applications.ApplicationState …), so older imports
keep working.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from grants.text import Text


class Lifecycle(models.TextChoices):
    """Which lifecycle a case-log event belongs to (workflows.models.CaseEvent.lifecycle)."""

    # A context of their own: "Bidrag" is "Grants" in the menu but "Grant" here.
    APPLICATION = "application", pgettext_lazy("livscykel", "Ansökan")
    GRANT = "grant", pgettext_lazy("livscykel", "Bidrag")
    PAYOUT = "payout", pgettext_lazy("livscykel", "Utbetalning")
    BATCH = "batch", pgettext_lazy("livscykel", "Utbetalningsunderlag")
    REPORT = "report", pgettext_lazy("livscykel", "Rapport")
    REPAYMENT = "repayment", pgettext_lazy("livscykel", "Återkrav")


# --- Application / case (DESIGN.md §4.1) --------------------------------------------------------------------


class ApplicationState(models.TextChoices):
    """States of DESIGN.md §4.1. Codes are stored; labels are for staff (applicants see APPLICANT_LABELS)."""

    DRAFT = "DRAFT", _("Utkast")
    SUBMITTED = "SUBMITTED", _("Inkommen")
    IN_REVIEW = "IN_REVIEW", _("Under handläggning")
    AWAITING_COMPLETION = "AWAITING_COMPLETION", _("Väntar på komplettering")
    PROPOSED = "PROPOSED", _("Föredragen för beslut")
    APPROVED = "APPROVED", _("Beviljad")
    REJECTED = "REJECTED", _("Avslagen")
    WITHDRAWN = "WITHDRAWN", _("Återkallad")


_A = ApplicationState

# What an applicant sees: the internal steps between submission and decision are one "being processed".
APPLICANT_LABELS: dict[str, Text] = {
    _A.DRAFT: _("Utkast – inte inskickad"),
    _A.SUBMITTED: _("Inskickad – under handläggning"),
    _A.IN_REVIEW: _("Inskickad – under handläggning"),
    _A.AWAITING_COMPLETION: _("Komplettering begärd – åtgärd krävs"),
    _A.PROPOSED: _("Inskickad – under handläggning"),
    _A.APPROVED: _("Beviljad"),
    _A.REJECTED: _("Avslagen"),
    _A.WITHDRAWN: _("Återkallad"),
}

# The applicant may still edit it: a draft, not yet a case.
APPLICATION_EDITABLE_STATES = frozenset({_A.DRAFT})
# Submitted and not yet proposed: it may be withdrawn, proposed and reviewed.
APPLICATION_PRE_PROPOSAL_STATES = frozenset({_A.SUBMITTED, _A.IN_REVIEW, _A.AWAITING_COMPLETION})
# The officer may ask the applicant to complete it.
APPLICATION_COMPLETION_REQUESTABLE_STATES = frozenset({_A.SUBMITTED, _A.IN_REVIEW})
# Cases somebody still works on: submitted, neither decided nor withdrawn. Only these take a case officer, and
# "my cases" lists only these.
APPLICATION_OPEN_STATES = APPLICATION_PRE_PROPOSAL_STATES | {_A.PROPOSED}
# A decision has been made.
APPLICATION_DECIDED_STATES = frozenset({_A.APPROVED, _A.REJECTED})
# Nothing more happens to the application itself.
APPLICATION_FINAL_STATES = frozenset({_A.APPROVED, _A.REJECTED, _A.WITHDRAWN})


# --- Grant (DESIGN.md §4.2) ----------------------------------------------------------------------------------


class GrantState(models.TextChoices):
    AWAITING_ACCEPTANCE = "AWAITING_ACCEPTANCE", _("Väntar på accept")
    ACTIVE = "ACTIVE", _("Pågående")
    CLOSED = "CLOSED", _("Avslutat")
    CANCELLED = "CANCELLED", _("Makulerat")


_G = GrantState

# The grant's amount is bound in the call's budget (DESIGN.md §5 rule 2): everything but a cancelled grant.
GRANT_COMMITTED_STATES = frozenset({_G.AWAITING_ACCEPTANCE, _G.ACTIVE, _G.CLOSED})
# The signatory has accepted the terms (who, when and the terms' SHA-256 are recorded).
GRANT_ACCEPTED_STATES = frozenset({_G.ACTIVE, _G.CLOSED})
# Nothing more happens to the grant.
GRANT_FINAL_STATES = frozenset({_G.CLOSED, _G.CANCELLED})


# --- Payout (DESIGN.md §4.3) ---------------------------------------------------------------------------------


class PayoutState(models.TextChoices):
    PLANNED = "PLANNED", _("Planerad")
    DUE = "DUE", _("Att betala")
    IN_BATCH = "IN_BATCH", _("I underlag")
    SENT = "SENT", _("Skickad")
    PAID = "PAID", _("Utbetald")
    FAILED = "FAILED", _("Misslyckad")
    CANCELLED = "CANCELLED", _("Makulerad")


_P = PayoutState

# In a batch: the payout row points at it.
PAYOUT_BATCHED_STATES = frozenset({_P.IN_BATCH, _P.SENT})
# May still be cancelled: no money has left for it.
PAYOUT_CANCELLABLE_STATES = frozenset({_P.PLANNED, _P.DUE})
# Nothing more happens to the payout.
PAYOUT_FINAL_STATES = frozenset({_P.PAID, _P.CANCELLED})


# --- Payout batch (DESIGN.md §4.4) ---------------------------------------------------------------------------


class PayoutBatchState(models.TextChoices):
    OPEN = "OPEN", _("Öppet")
    APPROVED = "APPROVED", _("Attesterat")
    EXPORTED = "EXPORTED", _("Exporterat")
    RECONCILED = "RECONCILED", _("Avstämt")


_B = PayoutBatchState

# Still being assembled: payouts may be added and removed.
BATCH_OPEN_STATES = frozenset({_B.OPEN})
# Attested by a second finance officer: its lines are frozen rows of their own (PayoutBatchLine).
BATCH_APPROVED_STATES = frozenset({_B.APPROVED, _B.EXPORTED, _B.RECONCILED})
# The files are made: the batch and its lines never change again (but for being reconciled).
BATCH_FROZEN_STATES = frozenset({_B.EXPORTED, _B.RECONCILED})


# --- Report (DESIGN.md §4.5) ---------------------------------------------------------------------------------


class ReportState(models.TextChoices):
    DUE = "DUE", _("Ska lämnas")
    SUBMITTED = "SUBMITTED", _("Inlämnad")
    REVISION_REQUESTED = "REVISION_REQUESTED", _("Komplettering begärd")
    APPROVED = "APPROVED", _("Godkänd")


_R = ReportState

# The applicant is expected to write it (overdue is derived from these and the due date, not stored).
REPORT_AWAITING_APPLICANT_STATES = frozenset({_R.DUE, _R.REVISION_REQUESTED})
# The case officer is expected to review it.
REPORT_AWAITING_OFFICER_STATES = frozenset({_R.SUBMITTED})


# --- Repayment claim (DESIGN.md §4.6) ------------------------------------------------------------------------


class RepaymentClaimState(models.TextChoices):
    ISSUED = "ISSUED", _("Utfärdat")
    PAID = "PAID", _("Betalt")
    WRITTEN_OFF = "WRITTEN_OFF", _("Avskrivet")


REPAYMENT_OPEN_STATES = frozenset({RepaymentClaimState.ISSUED})
REPAYMENT_CLOSED_STATES = frozenset({RepaymentClaimState.PAID, RepaymentClaimState.WRITTEN_OFF})


# --- Requests to join an organisation or to become its signatory ---------------------------------------------


class RequestState(models.TextChoices):
    PENDING = "PENDING", _("Väntar")
    GRANTED = "GRANTED", _("Beviljad")
    REFUSED = "REFUSED", _("Avslagen")


REQUEST_DECIDED_STATES = frozenset({RequestState.GRANTED, RequestState.REFUSED})


# --- Messages (e-mail and portal) ----------------------------------------------------------------------------


class MessageStatus(models.TextChoices):
    QUEUED = "QUEUED", _("Köad")
    SENT = "SENT", _("Skickad")
    FAILED = "FAILED", _("Misslyckad")


# --- Labels per lifecycle ------------------------------------------------------------------------------------

LIFECYCLE_STATES: dict[str, type[models.TextChoices]] = {
    Lifecycle.APPLICATION: ApplicationState,
    Lifecycle.GRANT: GrantState,
    Lifecycle.PAYOUT: PayoutState,
    Lifecycle.BATCH: PayoutBatchState,
    Lifecycle.REPORT: ReportState,
    Lifecycle.REPAYMENT: RepaymentClaimState,
}


def lifecycle_state_label(lifecycle: str, state: str) -> str:
    """The staff label of `state` in `lifecycle` ("PAID" is "Utbetald" for a payout, "Betalt" for a repayment
    claim); empty for no state, the code itself for a code the lifecycle does not know (written by an older
    version of the app, or an unknown lifecycle)."""
    if not state:
        return ""
    states = LIFECYCLE_STATES.get(str(lifecycle))
    if states is None:
        return str(state)
    try:
        return str(states(str(state)).label)
    except ValueError:
        return str(state)
