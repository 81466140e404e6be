"""What the case log's event codes mean, in words: one label per code the app writes, for the staff case page
and the admin. Codes stay as they are stored (dotted, English, never translated); labels are translated.

The codes are written by the flows (`ApplicationFlow.events`), the services (`log_event(event=…)`) and, for
e-mails, `Message.event` (shown in the note of a `message.queued` line). tests/workflows/test_events.py reads
the source and fails when a code is written anywhere without a label here.
"""

from django.utils.translation import gettext_lazy as _

from grants.models.states import Lifecycle, lifecycle_state_label
from grants.text import Text

EVENT_LABELS: dict[str, Text] = {
    # The application's lifecycle (workflows/application.py, ApplicationFlow.events)
    "application.submitted": _("Ansökan inskickad"),
    "application.deleted": _("Utkastet borttaget"),
    "application.review_started": _("Tagen upp till bedömning"),
    "application.completion_requested": _("Komplettering begärd"),
    "application.completed": _("Komplettering inkommen"),
    "application.proposed": _("Föredragen för beslut"),
    "application.returned": _("Föredragningen returnerad"),
    "application.approved": _("Ansökan beviljad"),
    "application.rejected": _("Ansökan avslagen"),
    "application.withdrawn": _("Ansökan återkallad"),
    # The grant's lifecycle (workflows/grant.py, GrantFlow.events)
    "grant.accepted": _("Villkoren godtagna"),
    "grant.declined": _("Organisationen avstod från bidraget"),
    "grant.lapsed": _("Bidraget förföll: villkoren godtogs inte i tid"),
    # The payout's lifecycle (workflows/payout.py, PayoutFlow.events)
    "payout.due": _("Utbetalningen ska betalas"),
    "payout.batched": _("Utbetalningen lagd i ett utbetalningsunderlag"),
    "payout.unbatched": _("Utbetalningen tagen ur utbetalningsunderlaget"),
    "payout.sent": _("Utbetalningen skickad till banken"),
    "payout.paid": _("Utbetalningen betald"),
    "payout.failed": _("Utbetalningen misslyckades"),
    "payout.due_again": _("Utbetalningen ska betalas igen"),
    "payout.cancelled": _("Utbetalningen makulerad"),
    # The payout batch's lifecycle (workflows/batch.py, BatchFlow.events)
    "batch.created": _("Utbetalningsunderlaget skapat"),
    "batch.approved": _("Utbetalningsunderlaget attesterat"),
    "batch.exported": _("Utbetalningsunderlaget exporterat"),
    "batch.reconciled": _("Utbetalningsunderlaget avstämt"),
    "batch.answer_applied": _("Bankens svar bokfört"),
    # Case handling (grants/services/cases.py, queues.py)
    "application.assigned": _("Handläggare tilldelad"),
    "eligibility.checked": _("Formell kontroll gjord"),
    # A completion request ended by a proposal or a withdrawal, not by the applicant's answer: their unsent
    # edits were put back as sent (grants/services/applications.py, completion_edits_discard)
    "application.completion_discarded": _("Osända ändringar i kompletteringen borttagna"),
    # The applicant's attachments after submission (grants/services/applications.py)
    "attachment.added": _("Bilaga tillagd"),
    "attachment.removed": _("Bilaga borttagen"),
    # Reviews (grants/services/reviews.py)
    "review.assigned": _("Bedömare tilldelad"),
    "review.unassigned": _("Bedömaruppdraget återkallat"),
    "review.conflict_declared": _("Bedömaren anmälde jäv"),
    "review.no_conflict_declared": _("Bedömaren förklarade sig inte jävig"),
    "review.submitted": _("Bedömning inlämnad"),
    # Documents (documents/services.py, documents/integrity.py)
    "document.issued": _("Dokument utfärdat"),
    "document.checksum_failed": _("Dokumentets kontrollsumma stämmer inte"),
    # Messages: the case-log line, and the events of the messages themselves (grants/services/messages.py)
    "message.queued": _("Meddelande köat för utskick"),
    "application.receipt": _("Mottagningskvitto"),
    "application.completion_answered": _("Svar på komplettering"),
    "application.completion_closed": _("Kompletteringen avslutad utan svar"),
    "application.decided": _("Beslut meddelat"),
    "organisation.invited": _("Inbjudan till organisationen"),
    # Messages about organisations, not cases (grants/services/join_requests.py)
    "organisation.join_requested": _("Förfrågan om att gå med i organisationen"),
    "organisation.join_granted": _("Förfrågan om medlemskap beviljad"),
    "organisation.join_refused": _("Förfrågan om medlemskap avslagen"),
    "organisation.signatory_granted": _("Begäran om firmatecknare beviljad"),
    "organisation.signatory_refused": _("Begäran om firmatecknare avslagen"),
}

# The note of an eligibility check says whether it passed.
ELIGIBILITY_NOTES: dict[str, Text] = {"OK": _("godkänd"), "FAIL": _("inte godkänd")}
MESSAGE_ARROW = " → "


def event_label(code: str) -> str:
    """The label of an event code; an unknown code (written by an older version of the app) as it is."""
    label = EVENT_LABELS.get(code)
    return str(label) if label is not None else code


def state_label(code: str, lifecycle: str = Lifecycle.APPLICATION) -> str:
    """The staff label of a state code in its lifecycle (an application's by default); empty for none, the
    code itself if unknown (grants.models.states.lifecycle_state_label)."""
    return lifecycle_state_label(lifecycle, code)


def event_note(code: str, note: str) -> str:
    """The note of a log line in words where the app wrote a code into it: the result of an eligibility
    check, and the message event of a `message.queued` line ("application.decided → a@b.se")."""
    if code == "eligibility.checked" and note in ELIGIBILITY_NOTES:
        return str(ELIGIBILITY_NOTES[note])
    if code == "message.queued" and MESSAGE_ARROW in note:
        message_event, rest = note.split(MESSAGE_ARROW, 1)
        if message_event in EVENT_LABELS:
            return f"{event_label(message_event)}{MESSAGE_ARROW}{rest}"
    return note
