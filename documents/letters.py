"""Decision letters (beslutsbrev) and application archive copies: what goes into them, and their PDFs.

A decision letter holds every element DESIGN.md §6 lists. Its structure is fixed here and in
templates/documents/decision_letter.html; what a call may vary is its wording blocks (general terms, legal
basis, appeal text). A letter that would lack reasons (förvaltningslagen 32 §) or say nothing about appeal
(33 §) is refused with LetterError instead of being issued.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import pgettext

from grants.formatting import STOCKHOLM, format_date, format_instant, format_money
from grants.models import ApplicationVersion, BudgetCategory, Call, Decision, Grant, Outcome

from .pdf import render_pdf

LANGUAGES = ("sv", "en")
DECISION_LETTER_TEMPLATE = "documents/decision_letter.html"
APPLICATION_SUMMARY_TEMPLATE = "documents/application_summary.html"


class LetterError(Exception):
    """A letter cannot be issued as the law requires; nothing was issued. The message says what is missing."""


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise LetterError(f"Unknown letter language {language!r}.")


def _kronor(amount: Decimal) -> str:
    """'600 000 kronor' (sv) / 'SEK 600 000' (en), for the decision sentence."""
    figure = format_money(amount).removesuffix("\u00a0kr")
    return f"SEK\u00a0{figure}" if translation.get_language() == "en" else f"{figure}\u00a0kronor"


def _local_date(decision: Decision) -> date:
    return timezone.localtime(decision.decided_at, STOCKHOLM).date()


def decision_letter_context(decision: Decision, language: str) -> dict[str, Any]:
    """Everything the decision letter shows, as display-ready text in `language`. Raises LetterError."""
    _check_language(language)
    application = decision.application
    call = application.call
    organisation = application.organisation
    reasons = decision.reasons.strip()
    if not reasons:
        raise LetterError("A decision letter needs the reasons for the decision (förvaltningslagen 32 §).")
    appeal_text = getattr(call, f"appeal_text_{language}").strip()
    if not appeal_text:
        raise LetterError(
            f"The call has no appeal text in {language!r}; the letter must say how to appeal or that the decision "
            "cannot be appealed (förvaltningslagen 33 §)."
        )
    approved = decision.outcome == Outcome.APPROVE
    # A correction of an approving decision describes the same grant (one per application).
    grant: Grant | None = Grant.objects.filter(application=application).first() if approved else None
    if approved and (grant is None or decision.amount is None):
        raise LetterError("An approving decision has no grant to describe.")

    with translation.override(language):
        authority = settings.AUTHORITY_NAME
        if approved:
            assert decision.amount is not None  # noqa: S101 — checked above, for the type checker
            sentence = pgettext("brev", "%(authority)s beviljar %(organisation)s bidrag med högst %(amount)s.")
            decision_sentence = sentence % {
                "authority": authority,
                "organisation": organisation.name,
                "amount": _kronor(decision.amount),
            }
        else:
            decision_sentence = pgettext("brev", "%(authority)s avslår ansökan om bidrag från %(organisation)s.") % {
                "authority": authority,
                "organisation": organisation.name,
            }
        decided_by = decision.decided_by.get_full_name()
        proposed_by = decision.proposed_by.get_full_name()
        corrected = decision.corrects
        context: dict[str, Any] = {
            "created_at": decision.decided_at,
            "approved": approved,
            "reference_number": application.reference_number,
            "letter_date": format_date(_local_date(decision)),
            "organisation_name": organisation.name,
            "orgnr": organisation.orgnr_display,
            "address_lines": [
                line
                for line in (organisation.street_address, f"{organisation.postal_code} {organisation.city}".strip())
                if line
            ],
            "call_title": getattr(call, f"title_{language}"),
            "project_title": application.title,
            "requested_amount": format_money(application.requested_amount),
            "decision_sentence": decision_sentence,
            "granted_amount": format_money(decision.amount) if approved else "",
            "period_start": format_date(application.start_date),
            "period_end": format_date(application.end_date),
            "conditions": decision.conditions.strip(),
            "general_terms": _general_terms(grant, call, language),
            # The deadline is the end of a working day: the day says it, a clock time would only distract.
            "acceptance_deadline": format_date(grant.acceptance_deadline_at.astimezone(STOCKHOLM).date())
            if grant
            else "",
            "payouts": [
                {"amount": format_money(p.amount), "trigger": str(p.get_trigger_display())}
                for p in (grant.payouts.order_by("pk") if grant else [])
            ],
            "reports": [
                {"kind": str(r.get_kind_display()), "due_date": format_date(r.due_date)}
                for r in (grant.reports.order_by("due_date", "pk") if grant else [])
            ],
            "reasons": reasons,
            "legal_basis": getattr(call, f"legal_basis_{language}").strip(),
            "appeal_text": appeal_text,
            "decided_by": decided_by,
            "proposed_by": proposed_by,
            "corrects_date": format_date(_local_date(corrected)) if corrected else "",
        }
    return context


def _general_terms(grant: Grant | None, call: Call, language: str) -> str:
    # An approval's terms were frozen on its grant when it was decided; a later letter (a correction)
    # must quote those, not what the call says today.
    if grant is not None:
        return (grant.terms if language == "sv" else grant.terms_en).strip()
    return str(getattr(call, f"general_terms_{language}")).strip()


def decision_letter_render(decision: Decision, language: str) -> bytes:
    """The decision letter as PDF/A bytes. Raises LetterError when a required element is missing."""
    return render_pdf(DECISION_LETTER_TEMPLATE, decision_letter_context(decision, language), language=language)


def _amount(value: Any) -> str:
    try:
        return format_money(Decimal(str(value))) if value not in (None, "") else ""
    except InvalidOperation:
        return str(value)


def _iso_date(value: Any) -> str:
    try:
        return format_date(date.fromisoformat(value)) if value else ""
    except (TypeError, ValueError):
        return str(value)


def application_summary_context(version: ApplicationVersion, language: str) -> dict[str, Any]:
    """The frozen content of a submitted version, made readable: the archive copy of the application."""
    _check_language(language)
    application = version.application
    content = version.content
    categories = dict(BudgetCategory.choices)
    with translation.override(language):
        return {
            "created_at": version.created_at,
            "reference_number": application.reference_number,
            "version_number": version.number,
            "submitted_at": format_instant(version.created_at),
            "call_title": getattr(application.call, f"title_{language}"),
            "content": content,
            "organisation": content.get("organisation", {}),
            "orgnr": _orgnr_display(content.get("organisation", {}).get("orgnr", "")),
            "period_start": _iso_date(content.get("start_date")),
            "period_end": _iso_date(content.get("end_date")),
            "requested_amount": _amount(content.get("requested_amount")),
            "co_financing": _amount(content.get("co_financing")),
            "budget_lines": [
                {
                    "category": str(categories.get(line.get("category"), line.get("category", ""))),
                    "description": line.get("description", ""),
                    "amount": _amount(line.get("amount")),
                }
                for line in content.get("budget_lines", [])
            ],
            "attachments": content.get("attachments", []),
        }


def _orgnr_display(orgnr: str) -> str:
    return f"{orgnr[:6]}-{orgnr[6:]}" if len(orgnr) == 10 else orgnr


def application_summary_render(version: ApplicationVersion, language: str = "sv") -> bytes:
    """The archive copy of one submitted version of an application, as PDF/A bytes."""
    return render_pdf(APPLICATION_SUMMARY_TEMPLATE, application_summary_context(version, language), language=language)
