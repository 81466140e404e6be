"""Payment batches (utbetalningsunderlag, DESIGN.md §4.4): finance assembles a batch of due payouts, a second
finance officer attests it (which freezes its lines), and the export writes the payment file and the ledger
exports and sends the payouts. The state changes are workflows/batch.py's and workflows/payout.py's; these
services lock the rows, write the records around them and keep each action atomic.

- `batch_create`: the chosen DUE payouts go IN_BATCH in a new OPEN batch, all or none. The payout rows are
  locked in id order, so batches made at the same moment over the same payouts put each in exactly one.
- `batch_remove_payout`: back to DUE, while the batch is OPEN.
- `batch_approve`: OPEN → APPROVED by someone other than the assembler; writes one PayoutBatchLine per payout
  (amount, payee, account, reference), never rewritten afterwards.
- `batch_export`: APPROVED → EXPORTED: the payment file, CSV and XLSX of the frozen lines
  (grants/services/batch_files.py), each a Document with its SHA-256; the payouts SENT.
"""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from documents.bankfiles.charset import bank_text
from documents.bankfiles.pain001 import REFERENCE_MAX
from documents.models import Document, DocumentKind
from documents.store import document_discard_file, document_store
from grants import permissions_batches as rules
from grants.errors import NotAllowed, ServiceError
from grants.models import Payout, PayoutBatch, PayoutBatchLine, PayoutState, User
from grants.models.states import BATCH_FROZEN_STATES, Lifecycle
from grants.services.batch_files import batch_files
from workflows.base import TransitionLog, TransitionRefused, log_event
from workflows.batch import BatchFlow
from workflows.payout import PayoutFlow, current_accounts

BATCH_MAX_PAYOUTS = 20000
EXPORT_ORDER = (DocumentKind.PAYMENT_FILE, DocumentKind.LEDGER_CSV, DocumentKind.LEDGER_XLSX)


def _require_finance(actor: User) -> None:
    verdict = rules.is_finance(actor)
    if not verdict:
        raise NotAllowed(verdict.reason)


def _locked_batch(batch: PayoutBatch | int) -> PayoutBatch:
    """The batch row, locked until commit: approving, exporting and removing payouts queue on it."""
    pk = batch if isinstance(batch, int) else batch.pk
    locked = PayoutBatch.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise ServiceError(_("Utbetalningsunderlaget finns inte."))
    return locked


def batch_reference(reference_number: str) -> str:
    """What the payee's bank shows (RmtInf/Ustrd): the diarienummer first, then who paid, within 25 characters."""
    return bank_text(f"{reference_number} {settings.AUTHORITY_NAME}", REFERENCE_MAX)


@transaction.atomic
def batch_create(*, actor: User, payout_ids: list[int], now: datetime) -> PayoutBatch:
    """Put the chosen due payouts in a new open batch assembled by `actor`. Raises NotAllowed unless finance;
    ServiceError (nothing changed) for no choice, or naming the payouts that are no longer due (another batch
    took them first) or whose organisation's account is not verified."""
    _require_finance(actor)
    ids = sorted({int(pk) for pk in payout_ids})
    if not ids:
        raise ServiceError(_("Välj minst en utbetalning."), "payouts")
    if len(ids) > BATCH_MAX_PAYOUTS:
        raise ServiceError(
            _("Ett underlag får ha högst %(max)s utbetalningar.") % {"max": BATCH_MAX_PAYOUTS}, "payouts"
        )
    # Locked in id order (no deadlock between two batches over the same payouts); a second batch waits here for
    # the first and then sees the payouts IN_BATCH, so each payout ends up in exactly one batch.
    locked = list(
        Payout.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk").values_list("pk", flat=True)
    )
    payouts = list(
        Payout.objects.filter(pk__in=locked).select_related("grant__application__organisation").order_by("pk")
    )
    missing = len(ids) - len(payouts)
    taken = [p for p in payouts if p.state != PayoutState.DUE]
    if missing or taken:
        names = ", ".join(f"{p.grant.application.reference_number} ({p.get_state_display()})" for p in taken)
        raise ServiceError(
            ngettext(
                "%(count)s av de valda utbetalningarna ska inte betalas nu (den kan redan ligga i ett annat "
                "underlag): %(names)s. Uppdatera sidan och välj igen.",
                "%(count)s av de valda utbetalningarna ska inte betalas nu (de kan redan ligga i ett annat "
                "underlag): %(names)s. Uppdatera sidan och välj igen.",
                missing + len(taken),
            )
            % {"count": missing + len(taken), "names": names or "–"},
            "payouts",
        )
    batch = PayoutBatch.objects.create(created_by=actor, created_at=now)
    log_event(
        application=None,
        actor=actor,
        event="batch.created",
        now=now,
        to_state=batch.state,
        lifecycle=Lifecycle.BATCH,
        subject_id=batch.pk,
        note=ngettext("%(count)s utbetalning", "%(count)s utbetalningar", len(payouts)) % {"count": len(payouts)},
    )
    # Checked one by one, written together: the organisations' accounts in one query, the payouts in one bulk
    # UPDATE and their case events in one INSERT (a batch may hold thousands of payouts).
    accounts = current_accounts({payout.grant.application.organisation_id for payout in payouts})
    log = TransitionLog(Payout, ["state", "batch", "account"])
    refused = []
    for payout in payouts:
        try:
            PayoutFlow(payout, actor=actor, accounts=accounts, log=log).put_in_batch(batch=batch, now=now)
        except TransitionRefused as exc:
            refused.append(f"{payout.grant.application.organisation.name} ({exc.message})")
    log.flush()
    if refused:
        raise ServiceError(
            _("Utbetalningarna kan inte läggas i ett underlag: %(payees)s.") % {"payees": "; ".join(refused)},
            "payouts",
        )
    return batch


@transaction.atomic
def batch_remove_payout(*, actor: User, batch: PayoutBatch | int, payout_id: int, now: datetime) -> Payout:
    """Take a payout out of an open batch: it is due again. Raises NotAllowed unless finance; ServiceError for a
    batch already attested or a payout not in it."""
    _require_finance(actor)
    locked = _locked_batch(batch)
    payout = Payout.objects.select_for_update(of=("self",)).filter(pk=payout_id, batch=locked).first()
    if payout is None:
        raise ServiceError(_("Utbetalningen finns inte i underlaget."))
    payout.batch = locked
    PayoutFlow(payout, actor=actor).take_out_of_batch(now=now)
    return payout


def _line(batch: PayoutBatch, payout: Payout, now: datetime) -> PayoutBatchLine:
    application = payout.grant.application
    organisation = application.organisation
    account = payout.account
    assert account is not None  # batch_payees_ready checked it
    return PayoutBatchLine(
        batch=batch,
        payout=payout,
        amount=payout.amount,
        payee_name=organisation.name,
        payee_orgnr=organisation.orgnr,
        account=account,
        account_kind=account.kind,
        account_number=account.number,
        bic=account.bic,
        reference=batch_reference(application.reference_number or ""),
        created_at=now,
    )


@transaction.atomic
def batch_approve(*, actor: User, batch: PayoutBatch | int, now: datetime) -> PayoutBatch:
    """Attest the batch for payment and freeze its lines. Raises NotAllowed unless finance; TransitionRefused
    (nothing changed) for the batch's assembler (two people attest), an empty batch, or naming each payee whose
    account is not current, verified and valid; TransitionNotAllowed for a batch not open."""
    _require_finance(actor)
    locked = _locked_batch(batch)
    payouts = rules.batch_payouts(locked)
    flow = BatchFlow(locked, actor=actor, payouts=payouts)
    flow.approve(now=now)
    PayoutBatchLine.objects.bulk_create([_line(locked, payout, now) for payout in payouts])
    return locked


def batch_documents(batch: PayoutBatch) -> list[Document]:
    """The files an export made of the batch: payment file, CSV, XLSX (in that order; none before export)."""
    order = {kind: i for i, kind in enumerate(EXPORT_ORDER)}
    documents = Document.objects.filter(batch=batch, kind__in=EXPORT_ORDER)
    return sorted(documents, key=lambda d: order[d.kind])


def batch_export(*, actor: User, batch: PayoutBatch | int, now: datetime) -> list[Document]:
    """Make the attested batch's files from its frozen lines: the pain.001 payment file (validated against the
    XSD before it is stored), CSV and XLSX; store each with its SHA-256, mark the payouts SENT and the batch
    EXPORTED. Idempotent: an exported batch returns its files; a crash mid-export leaves nothing (the rows roll
    back, the stored bytes are removed), so a retry makes one set. Raises NotAllowed unless finance;
    ServiceError for a batch not attested, or a payment file the XSD refuses (nothing stored)."""
    _require_finance(actor)
    stored: list[Document] = []
    try:
        with transaction.atomic():
            locked = _locked_batch(batch)
            if locked.state in BATCH_FROZEN_STATES:
                return batch_documents(locked)
            verdict = rules.can_export_batch(actor, locked)
            if not verdict:
                raise ServiceError(verdict.reason)
            lines = list(locked.lines.order_by("pk"))  # type: ignore[attr-defined]
            existing = {d.kind: d for d in batch_documents(locked)}
            for file in batch_files(locked, lines, now=now):
                if file.kind in existing:  # made by an export that got this far before (get-or-create)
                    continue
                document = document_store(
                    kind=file.kind,
                    content=file.content,
                    filename=file.filename,
                    content_type=file.content_type,
                    batch=locked,
                    actor=actor,
                    now=now,
                )
                stored.append(document)
            payouts = locked.payouts.filter(state=PayoutState.IN_BATCH).select_related("grant__application")  # type: ignore[attr-defined]
            log = TransitionLog(Payout, ["state"])
            for payout in payouts.order_by("pk"):
                payout.batch = locked
                PayoutFlow(payout, actor=actor, log=log).mark_sent(now=now)
            log.flush()
            BatchFlow(locked, actor=actor).mark_exported(now=now)
            return batch_documents(locked)
    except BaseException:
        for document in stored:
            document_discard_file(document)
        raise
