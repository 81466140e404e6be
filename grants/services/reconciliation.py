"""Reconciliation (DESIGN.md §4.3, §7): finance reads in the bank's answer to an exported batch, sees what it
would do, and books it — all of it or nothing.

- `reconciliation_preview`: parse the file (pain.002.001.03, camt.054.001.02 — both XSD-validated — or CSV),
  store it as a pending BankAnswer with its Document and SHA-256 (the same file again is the same answer), and
  say which payouts become PAID or FAILED and every row that does not match (grants/services/
  reconciliation_match.py). Changes no payout.
- `answer_preview`: the same preview of a stored answer, read again against the payouts as they are now.
- `reconciliation_apply`: book a pending answer atomically: any row that does not match → ReconciliationRefused
  naming each, nothing changed; else the payouts PAID or FAILED through PayoutFlow (Σ paid ≤ granted checked
  there and by the database), one ReconciliationEntry each, the answer marked applied, and the batch RECONCILED
  once every payout of it is PAID or FAILED. The answer row is locked first, so the same file booked twice at
  once pays once; payouts already PAID are skipped, and a payout has one PAID entry at most (a constraint).
- `payout_retry`: a FAILED payout DUE again once its organisation's account is verified, for a later batch.
"""

from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from documents.bankfiles import Answer, AnswerFormat, BankFileError, Outcome, parse_answer
from documents.models import CSV, XML, DocumentKind
from documents.store import DocumentStoreError, document_discard_file, document_store
from grants import permissions_reconciliation as rules
from grants.errors import NotAllowed, ServiceError
from grants.models import (
    BankAnswer,
    Payout,
    PayoutBatch,
    PayoutState,
    ReconciliationEntry,
    User,
)
from grants.models.states import BATCH_FROZEN_STATES, Lifecycle, PayoutBatchState
from grants.permissions_batches import is_finance
from grants.services.reconciliation_match import Matched, Mismatch, match_answer
from workflows.base import TransitionRefused, log_event
from workflows.batch import RECONCILED_PAYOUT_STATES, BatchFlow
from workflows.payout import PayoutFlow

ANSWER_MAX_BYTES = 20 * 1024 * 1024


class ReconciliationRefused(ServiceError):
    """The answer cannot be booked: `problems` names each row that does not match (nothing was changed)."""

    def __init__(self, problems: list[Mismatch]):
        super().__init__(
            ngettext(
                "Filen kan inte bokföras: %(count)s rad stämmer inte med underlaget. Inget har ändrats.",
                "Filen kan inte bokföras: %(count)s rader stämmer inte med underlaget. Inget har ändrats.",
                len(problems),
            )
            % {"count": len(problems)}
        )
        self.problems = problems


@dataclass
class ReconciliationPreview:
    answer: BankAnswer
    batch: PayoutBatch
    matched: Matched
    waiting: int  # payouts of the batch still SENT that the answer does not settle

    @property
    def problems(self) -> list[Mismatch]:
        return self.matched.problems

    @property
    def already_applied(self) -> bool:
        return self.answer.applied_at is not None

    @property
    def completes_batch(self) -> bool:
        return not self.problems and self.waiting == 0 and self.batch.state == PayoutBatchState.EXPORTED


def _require_finance(actor: User) -> None:
    verdict = is_finance(actor)
    if not verdict:
        raise NotAllowed(verdict.reason)


def _read(answer: BankAnswer) -> bytes:
    with answer.document.file.open("rb") as f:
        return f.read()


def _parse(content: bytes) -> Answer:
    try:
        return parse_answer(content)
    except BankFileError as exc:
        raise ServiceError(exc.message, "file") from exc


def _payouts(batch: PayoutBatch, *, lock: bool = False) -> dict[int, Payout]:
    """The payouts of the batch's frozen lines, by id (locked in id order while booking)."""
    ids = batch.lines.values_list("payout_id", flat=True)  # type: ignore[attr-defined]
    query = Payout.objects.filter(pk__in=ids).order_by("pk")
    if lock:
        query = query.select_for_update(of=("self",))
    return {p.pk: p for p in query}


def _preview(
    answer: BankAnswer, batch: PayoutBatch, parsed: Answer, payouts: dict[int, Payout]
) -> ReconciliationPreview:
    matched = match_answer(parsed, batch, payouts)
    settled = {row.payout_id for row in matched.paid + matched.failed}
    waiting = sum(
        1 for p in payouts.values() if p.batch_id == batch.pk and p.state == PayoutState.SENT and p.pk not in settled
    )
    return ReconciliationPreview(answer, batch, matched, waiting)


def answer_preview(answer: BankAnswer) -> ReconciliationPreview:
    """What the stored answer would do now (or, once booked, what it would still find): reads only."""
    batch = answer.batch
    return _preview(answer, batch, _parse(_read(answer)), _payouts(batch))


def _stored_name(batch: PayoutBatch, digest: str, answer_format: str) -> tuple[str, str]:
    if answer_format == AnswerFormat.CSV:
        return f"bankens-svar-{batch.pk}-{digest[:12]}.csv", CSV
    return f"bankens-svar-{batch.pk}-{digest[:12]}.xml", XML


def reconciliation_preview(
    *, actor: User, batch: PayoutBatch | int, content: bytes, filename: str, now: datetime
) -> ReconciliationPreview:
    """Read in the bank's answer to an exported batch and say what it would do; store it (once per file and
    batch) as a pending answer. Raises NotAllowed unless finance; ServiceError (nothing stored) for a batch not
    exported, an empty or too large file, or one that is not a pain.002, camt.054 or CSV answer."""
    _require_finance(actor)
    pk = batch if isinstance(batch, int) else batch.pk
    found = PayoutBatch.objects.filter(pk=pk).first()
    if found is None:
        raise ServiceError(_("Utbetalningsunderlaget finns inte."))
    batch = found
    verdict = rules.can_import_answer(actor, batch)
    if not verdict:
        raise ServiceError(verdict.reason, "file")
    if not content:
        raise ServiceError(_("Filen är tom. Välj bankens svarsfil."), "file")
    if len(content) > ANSWER_MAX_BYTES:
        raise ServiceError(_("Filen är större än 20 MB. Det är inget svar på ett utbetalningsunderlag."), "file")
    parsed = _parse(content)
    digest = sha256(content).hexdigest()
    answer = BankAnswer.objects.filter(batch=batch, sha256=digest).first()
    if answer is None:
        answer = _store(
            actor=actor, batch=batch, content=content, filename=filename, digest=digest, fmt=parsed.format, now=now
        )
    return _preview(answer, batch, parsed, _payouts(batch))


def _store(
    *, actor: User, batch: PayoutBatch, content: bytes, filename: str, digest: str, fmt: str, now: datetime
) -> BankAnswer:
    """The pending answer with its file; the one stored already when another import of the same file won."""
    name, media_type = _stored_name(batch, digest, fmt)
    document = None
    try:
        with transaction.atomic():
            document = document_store(
                kind=DocumentKind.BANK_ANSWER,
                content=content,
                filename=name,
                content_type=media_type,
                batch=batch,
                actor=actor,
                now=now,
            )
            return BankAnswer.objects.create(
                batch=batch,
                document=document,
                sha256=digest,
                format=fmt,
                filename=(filename or name)[:200],
                imported_by=actor,
                imported_at=now,
            )
    except DocumentStoreError as exc:
        raise ServiceError(exc.message, "file") from exc
    except IntegrityError:
        if document is not None:
            document_discard_file(document)
        return BankAnswer.objects.get(batch=batch, sha256=digest)


def _book(
    matched: Matched, payouts: dict[int, Payout], batch: PayoutBatch, actor: User, now: datetime
) -> list[Mismatch]:
    refused = []
    for row in matched.paid + matched.failed:
        payout = payouts[row.payout_id]
        flow = PayoutFlow(payout, actor=actor)
        try:
            if row.outcome == Outcome.PAID:
                flow.mark_paid(now=now, note=row.reason)
            else:
                flow.mark_failed(now=now, reason=row.note)
        except TransitionRefused as exc:
            refused.append(Mismatch(row.line, row.end_to_end_id, exc.message))
    return refused


def reconciliation_apply(*, actor: User, answer: BankAnswer | int, now: datetime) -> ReconciliationPreview:
    """Book the pending answer: its payouts PAID or FAILED, the batch RECONCILED when nothing is left waiting.
    Raises NotAllowed unless finance; ReconciliationRefused (nothing changed) naming every row that does not
    match, or that PayoutFlow refuses (more than granted); ServiceError for an answer booked already or one that
    books nothing."""
    _require_finance(actor)
    with transaction.atomic():
        pk = answer if isinstance(answer, int) else answer.pk
        # The answer's row first: the same file booked twice at once is booked once, the second waits and sees it.
        locked = BankAnswer.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise ServiceError(_("Svaret från banken finns inte."))
        if locked.applied_at is not None:
            raise ServiceError(_("Filen är redan bokförd. Samma fil betalar aldrig något två gånger."))
        batch = PayoutBatch.objects.select_for_update().get(pk=locked.batch_id)
        if batch.state not in BATCH_FROZEN_STATES:
            raise ServiceError(_("Underlaget är inte exporterat än: banken har inget att svara på."))
        payouts = _payouts(batch, lock=True)
        preview = _preview(locked, batch, _parse(_read(locked)), payouts)
        if preview.problems:
            raise ReconciliationRefused(preview.problems)
        verdict = rules.can_apply_answer(actor, locked, changes=preview.matched.changes)
        if not verdict:
            raise ServiceError(verdict.reason)
        refused = _book(preview.matched, payouts, batch, actor, now)
        if refused:
            raise ReconciliationRefused(refused)  # rolls back every payout booked before it
        ReconciliationEntry.objects.bulk_create(
            ReconciliationEntry(
                answer=locked,
                payout_id=row.payout_id,
                outcome=row.outcome,
                amount=row.amount,
                line=row.line,
                reason_code=row.reason_code[:35],
                reason=row.reason[:500],
                created_at=now,
            )
            for row in preview.matched.paid + preview.matched.failed
        )
        locked.applied_by = actor
        locked.applied_at = now
        locked.save(update_fields=["applied_by", "applied_at"])
        log_event(
            application=None,
            actor=actor,
            event="batch.answer_applied",
            now=now,
            lifecycle=Lifecycle.BATCH,
            subject_id=batch.pk,
            from_state=batch.state,
            to_state=batch.state,
            note=_("%(file)s (SHA-256 %(sha)s): %(paid)s betalda, %(failed)s misslyckade")
            % {
                "file": locked.filename,
                "sha": locked.sha256[:12],
                "paid": len(preview.matched.paid),
                "failed": len(preview.matched.failed),
            },
        )
        waiting = batch.payouts.exclude(state__in=sorted(RECONCILED_PAYOUT_STATES)).exists()  # type: ignore[attr-defined]
        if batch.state == PayoutBatchState.EXPORTED and not waiting:
            BatchFlow(batch, actor=actor).mark_reconciled(now=now)
        preview.answer = locked
        preview.batch = batch
        return preview


@transaction.atomic
def payout_retry(*, actor: User, payout: Payout | int, now: datetime) -> Payout:
    """Make a failed payout due again, for a later batch (its old batch keeps its frozen line). Raises
    NotAllowed unless finance; ServiceError for a payout not FAILED or whose organisation's current account is
    not verified."""
    _require_finance(actor)
    pk = payout if isinstance(payout, int) else payout.pk
    locked = Payout.objects.select_for_update(of=("self",)).select_related("grant__application").filter(pk=pk).first()
    if locked is None:
        raise ServiceError(_("Utbetalningen finns inte."))
    verdict = rules.can_retry_payout(actor, locked)
    if not verdict:
        raise ServiceError(verdict.reason)
    PayoutFlow(locked, actor=actor).make_due_again(now=now)
    return locked
