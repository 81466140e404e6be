"""Reads for the case page: who may see a case, what they may do on it now (and why not), the eligibility
suggestions, and what changed between the last two submitted versions."""

import difflib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from grants import permissions
from grants.formatting import format_date, format_money
from grants.models import (
    Application,
    ApplicationState,
    ApplicationVersion,
    BudgetCategory,
    EligibilityCheck,
    Review,
    User,
)
from grants.models.states import APPLICATION_COMPLETION_REQUESTABLE_STATES, APPLICATION_PRE_PROPOSAL_STATES
from grants.permissions import Verdict
from grants.sections import SNAPSHOT_FIELDS
from grants.selectors import application_content_prefetches
from grants.text import Text

if TYPE_CHECKING:  # grants.selectors.versions imports this module
    from grants.selectors.versions import SubmittedApplication

S = ApplicationState
CASE_VIEW_ROLES = (permissions.CASE_OFFICER, permissions.DECISION_MAKER)

# Texts that are compared word by word; the rest are shown whole, old → new.
LONG_TEXT_FIELDS = frozenset({"summary", "description", "coworking_sites", "participants_description"})
DIFF_FIELDS = SNAPSHOT_FIELDS


def can_view_case(user: User, application: Application) -> Verdict:
    """Case officers and decision-makers see every submitted case, except one they were asked to review and
    have not declared themselves free of conflict for; drafts are nobody's case."""
    if not any(permissions.has_role(user, role) for role in CASE_VIEW_ROLES):
        return Verdict(False, _("Du har inte behörighet att se ärendet."))
    if application.state == S.DRAFT:
        return Verdict(False, _("Ansökan är inte inskickad."))
    return permissions.free_of_review_conflict(user, application)


def case_get_for_staff(user: User, pk: int) -> Application:
    """The case with what its page shows, or 404 for drafts and for people who may not see it."""
    application = (
        Application.objects.filter(pk=pk)
        .exclude(state=S.DRAFT)
        .select_related("call", "organisation", "assigned_officer")
        .prefetch_related(*application_content_prefetches())
        .first()
    )
    if application is None or not can_view_case(user, application):
        raise Http404
    return application


def case_latest_check(application: Application) -> EligibilityCheck | None:
    return application.eligibility_checks.select_related("checked_by").order_by("-checked_at", "-pk").first()


def case_reviews(application: Application) -> list[Review]:
    return list(
        application.reviews.select_related("reviewer")
        .prefetch_related("scores__criterion")
        .order_by("assigned_at", "pk")
    )


def reviewer_candidates(application: Application) -> QuerySet[User]:
    """Active reviewers not already on the case, not its case officer (who presents it for decision and cannot
    also assess it) and not representing the applying organisation."""
    candidates = (
        User.objects.filter(groups__name=permissions.REVIEWER, is_active=True)
        .exclude(reviews__application=application)
        .exclude(memberships__organisation_id=application.organisation_id)
    )
    if application.assigned_officer_id is not None:
        candidates = candidates.exclude(pk=application.assigned_officer_id)
    return candidates.distinct().order_by("full_name", "email")


# --- what this person may do now ----------------------------------------------------------------------


def _officer(user: User) -> Verdict:
    if not permissions.has_role(user, permissions.CASE_OFFICER):
        return Verdict(False, _("Du har inte rollen handläggare."))
    return permissions.YES


def _open(application: Application) -> Verdict:
    if application.state not in APPLICATION_PRE_PROPOSAL_STATES:
        return Verdict(False, _("Ärendet är inte längre öppet för handläggning."))
    return permissions.YES


def _first_no(*verdicts: Verdict) -> Verdict:
    for verdict in verdicts:
        if not verdict:
            return verdict
    return permissions.YES


def can_assign_self(user: User, application: Application) -> Verdict:
    if application.assigned_officer_id == user.pk:
        mine = Verdict(False, _("Du är redan handläggare för ärendet."))
    elif Review.objects.current().filter(application_id=application.pk, reviewer_id=user.pk).exists():
        # As permissions.can_assign_officer says, in the first person: the officer presents the case for
        # decision; the reviewers' assessments must stay independent of that. A withdrawn assignment is no bar.
        mine = Verdict(False, _("Du är bedömare i ärendet och kan inte också vara dess handläggare."))
    else:
        mine = permissions.YES
    # The same rule as the queue and both assign services: any open case, a proposed one too.
    return _first_no(_officer(user), permissions.can_assign_officer([application]), mine)


def can_check_eligibility(user: User, application: Application) -> Verdict:
    return _first_no(_officer(user), _open(application))


def can_start_review(user: User, application: Application, latest_check: EligibilityCheck | None) -> Verdict:
    if application.state != S.SUBMITTED:
        state = Verdict(False, _("Bara ett nytt ärende kan tas upp till bedömning."))
    elif latest_check is None:
        state = Verdict(False, _("Gör den formella kontrollen först."))
    elif not latest_check.passed:
        state = Verdict(False, _("Den formella kontrollen är inte godkänd."))
    else:
        state = permissions.YES
    return _first_no(_officer(user), state)


def can_request_completion(user: User, application: Application) -> Verdict:
    state = (
        permissions.YES
        if application.state in APPLICATION_COMPLETION_REQUESTABLE_STATES
        else Verdict(False, _("Komplettering kan bara begäras för ett nytt ärende eller ett ärende under bedömning."))
    )
    return _first_no(_officer(user), state)


def can_assign_reviewer(user: User, application: Application) -> Verdict:
    return _first_no(_officer(user), _open(application))


def can_unassign_reviewer(user: User, review: Review) -> Verdict:
    if review.submitted_at is not None:
        state = Verdict(False, _("En inlämnad bedömning kan inte tas tillbaka."))
    elif review.withdrawn_at is not None:
        state = Verdict(False, _("Bedömaruppdraget är redan återkallat."))
    elif review.conflict == Review.Conflict.CONFLICT:
        state = Verdict(False, _("Bedömaren har redan avstått."))
    else:
        state = permissions.YES
    return _first_no(_officer(user), state)


def can_propose_case(user: User, application: Application, reviews: list[Review]) -> Verdict:
    pending = any(r.is_pending for r in reviews)
    done = (
        Verdict(False, _("Alla tilldelade bedömningar måste vara inlämnade eller ha avstått på grund av jäv."))
        if pending
        else permissions.YES
    )
    return _first_no(permissions.can_propose(user, application), _open(application), done)


def can_propose_approval(
    user: User, application: Application, reviews: list[Review], latest_check: EligibilityCheck | None
) -> Verdict:
    """Proposing approval: proposing at all, and a passed latest eligibility check (the flow asks the same)."""
    return _first_no(can_propose_case(user, application, reviews), permissions.can_propose_approval(latest_check))


@dataclass(frozen=True)
class CaseActions:
    """Every action of the case page with its verdict for one person; the POST views ask the same."""

    assign_self: Verdict
    eligibility: Verdict
    start_review: Verdict
    request_completion: Verdict
    assign_reviewer: Verdict
    propose: Verdict
    propose_approval: Verdict
    unassign: dict[int, Verdict] = field(default_factory=dict)

    @property
    def any_allowed(self) -> bool:
        return any(
            [
                self.assign_self,
                self.eligibility,
                self.start_review,
                self.request_completion,
                self.assign_reviewer,
                self.propose,
            ]
        )


def case_actions(
    user: User, application: Application, *, latest_check: EligibilityCheck | None, reviews: list[Review]
) -> CaseActions:
    return CaseActions(
        assign_self=can_assign_self(user, application),
        eligibility=can_check_eligibility(user, application),
        start_review=can_start_review(user, application, latest_check),
        request_completion=can_request_completion(user, application),
        assign_reviewer=can_assign_reviewer(user, application),
        propose=can_propose_case(user, application, reviews),
        propose_approval=can_propose_approval(user, application, reviews, latest_check),
        unassign={r.pk: can_unassign_reviewer(user, r) for r in reviews},
    )


# --- eligibility suggestions --------------------------------------------------------------------------


def eligibility_suggestions(application: Application, submitted: "SubmittedApplication") -> dict[str, bool]:
    """What the data says about each point of the checklist; the officer still decides and ticks. The amount
    and the attachments are read from what was sent (`submitted`: grants.selectors.versions), not from the row
    the applicant may be completing."""
    call = application.call
    present = {a.kind_code for a in submitted.attachments if a.kind_code}
    required = {k.code for k in call.attachment_kinds.all() if k.required}
    amount = submitted.requested_amount
    return {
        "eligible_org_type": application.organisation.org_type in (call.eligible_org_types or []),
        "arrived_in_time": application.submitted_at is not None and application.submitted_at < call.closes_at,
        "amount_within_ceiling": amount is not None and amount <= call.max_grant_amount,
        "attachments_complete": required <= present,
    }


def eligibility_failures(check: EligibilityCheck) -> list[Text]:
    """The formal reasons a check failed, in the words of a rejection."""
    reasons: list[Text] = []
    if not check.eligible_org_type:
        reasons.append(_("Organisationen hör inte till de organisationstyper som kan söka i utlysningen."))
    if not check.arrived_in_time:
        reasons.append(_("Ansökan kom in efter sista ansökningsdag."))
    if not check.amount_within_ceiling:
        reasons.append(_("Det sökta beloppet är högre än utlysningens högsta belopp."))
    if not check.attachments_complete:
        reasons.append(_("Obligatoriska bilagor saknas."))
    if not check.within_purpose:
        reasons.append(_("Projektet faller utanför utlysningens syfte."))
    return reasons


def rejection_reason(check: EligibilityCheck) -> str:
    lines = [str(_("Ansökan uppfyller inte utlysningens formella krav:"))]
    lines += [f"– {reason}" for reason in eligibility_failures(check)]
    if check.note:
        lines.append(check.note)
    return "\n".join(lines)


# --- what changed between versions --------------------------------------------------------------------


@dataclass
class DiffRow:
    label: Text
    old: str = ""
    new: str = ""
    segments: list[dict[str, str]] = field(default_factory=list)  # word diff of a long text
    removed: list[str] = field(default_factory=list)  # lines of a list (budget, attachments)
    added: list[str] = field(default_factory=list)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


MONEY_FIELDS = frozenset({"requested_amount", "co_financing"})
DATE_FIELDS = frozenset({"start_date", "end_date"})


def _shown_value(name: str, raw: str) -> str:
    """A frozen value as people read it: '150 000 kr' for '150000.00', '1 mars 2027' for '2027-03-01'. A value
    that does not read as its kind (content written outside the services) is shown as stored."""
    if not raw:
        return ""
    try:
        if name in MONEY_FIELDS:
            return format_money(Decimal(raw))
        if name in DATE_FIELDS:
            return format_date(date.fromisoformat(raw))
    except (InvalidOperation, ValueError):
        pass
    return raw


def word_diff(old: str, new: str) -> list[dict[str, str]]:
    """Segments of `equal`, `delete` and `insert` words, so a template can mark them with <del>/<ins>."""
    a, b = old.split(), new.split()
    segments: list[dict[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append({"kind": "equal", "text": " ".join(a[i1:i2])})
            continue
        if op in ("delete", "replace"):
            segments.append({"kind": "delete", "text": " ".join(a[i1:i2])})
        if op in ("insert", "replace"):
            segments.append({"kind": "insert", "text": " ".join(b[j1:j2])})
    return segments


def _budget_line(line: dict[str, Any]) -> str:
    """'Lokaler · Platser på Samverket · 400 000 kr': the category's label, not its code."""
    code = _text(line.get("category"))
    category = dict(BudgetCategory.choices).get(code, code)
    amount = _shown_value("requested_amount", _text(line.get("amount")))
    return f"{category} · {line.get('description', '')} · {amount}"


def _attachment(item: dict[str, Any]) -> str:
    return f"{item.get('name', '')} ({str(item.get('sha256', ''))[:12]})"


def content_diff(old: dict[str, Any], new: dict[str, Any]) -> list[DiffRow]:
    """Field by field, then budget lines and attachments (by SHA-256): only what differs."""
    rows: list[DiffRow] = []
    for name in DIFF_FIELDS:
        before, after = _text(old.get(name)), _text(new.get(name))
        if before == after:
            continue
        label = Application._meta.get_field(name).verbose_name  # type: ignore[union-attr]
        row = DiffRow(label=label, old=_shown_value(name, before), new=_shown_value(name, after))
        if name in LONG_TEXT_FIELDS:
            row.segments = word_diff(before, after)
        rows.append(row)
    old_lines = [_budget_line(line) for line in old.get("budget_lines", [])]
    new_lines = [_budget_line(line) for line in new.get("budget_lines", [])]
    if old_lines != new_lines:
        rows.append(
            DiffRow(
                label=_("Budgetrader"),
                removed=[line for line in old_lines if line not in new_lines],
                added=[line for line in new_lines if line not in old_lines],
            )
        )
    old_files = {a.get("sha256"): a for a in old.get("attachments", [])}
    new_files = {a.get("sha256"): a for a in new.get("attachments", [])}
    if set(old_files) != set(new_files):
        rows.append(
            DiffRow(
                label=_("Bilagor"),
                removed=[_attachment(a) for sha, a in old_files.items() if sha not in new_files],
                added=[_attachment(a) for sha, a in new_files.items() if sha not in old_files],
            )
        )
    return rows


@dataclass
class VersionDiff:
    old: ApplicationVersion
    new: ApplicationVersion
    rows: list[DiffRow]
    note: str = ""  # what the applicant wrote when they sent the new version (their completion answer)
