"""The finance side of the demo (issue 10): last year's round of the call, decided, accepted and partly paid.

Five grants of the first round (the amounts of the programme's real first round), each accepted by its
signatory, so their advance (80 %) became due. Then, through the real services and with two finance officers:

- a reconciled batch (30–25 days ago): Stockholm's advance paid, Sundsvall's failed (the bank's AC04, account
  closed), so finance can put it in a later batch once Sundsvall has a verified account again;
- an exported batch (4 days ago) whose bank answer is still to come: `seed_demo` writes a sample answer for it
  (`bank_answer_csv`), for trying the reconciliation page;
- an open batch (yesterday), waiting for the second finance officer's attestation;
- one advance due and in no batch.

This year's call adds a grant awaiting acceptance (plans.py) and Region Västernorrland's account waiting for
verification (build.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from grants.demo.data import STHLM, SUNDSVALL, D
from grants.demo.plans import Plan, step
from grants.models import Outcome, Payout, PayoutBatch, PayoutState, PayoutTrigger

if TYPE_CHECKING:
    from grants.demo.build import Seeder


def _decided(amount: str, reasons: str, accepted_by: str, n: int) -> list[tuple[int, str, str, dict]]:
    return [
        step(452, "09:00", "create"),
        step(450, f"13:{10 + n:02d}", "submit"),  # one after the other: diarienummer in submission order
        step(446, "10:00", "check", by="officer"),
        step(446, "10:05", "start_review", by="officer"),
        step(432, "14:00", "propose", by="officer", outcome=Outcome.APPROVE, amount=D(amount), reasons=reasons),
        step(425, "10:00", "approve", by="decider"),
        step(420, "11:00", "accept", by=accepted_by),
    ]


def _plan(n: int, title: str, orgnr: str, applicant: str, summary: str, amount: str) -> Plan:
    return Plan(
        title=title,
        orgnr=orgnr,
        applicant=applicant,
        summary=summary,
        site="Samverket Stockholm" if orgnr == STHLM else "Samverket Östersund",
        participants=20,
        start_in_days=-415,
        months=14,
        lines=[
            ("PREMISES", "Coworkingavgifter", D(amount) - D("100000")),
            ("STAFF", "Projektledning och uppföljning", D("100000")),
        ],
        steps=_decided(
            amount,
            "Projektet prövar coworking i en verksamhet där det inte har prövats förut och har en tydlig plan "
            "för uppföljning och spridning.",
            applicant,
            n,
        ),
    )


# fmt: off
_ROWS = [
    ("Kulturförvaltningen på Samverket Stockholm", STHLM, "applicant",
          "Kulturförvaltningens handläggare arbetar två dagar i veckan från Samverket Stockholm.", "600000"),
    ("Sundsvalls planerare i Östersund", SUNDSVALL, "applicant2",
          "Kommunens planerare delar arbetsplats med regionens planerare på Samverket Östersund.", "480000"),
    ("Stadsbyggnadskontoret testar hybridarbete", STHLM, "applicant",
          "Stadsbyggnadskontoret prövar en coworkingplats nära medborgarna och följer upp arbetsmiljön.", "340000"),
    ("Socialtjänstens administratörer på coworkingplats", SUNDSVALL, "applicant2",
          "Administratörer i socialtjänsten arbetar nära varandra från en gemensam plats.", "327397"),
    ("Miljöförvaltningens fältinspektörer mellan uppdragen", STHLM, "applicant",
          "Inspektörerna arbetar mellan tillsynsbesöken från en coworkingplats i stället för att åka in.", "221834"),
]
# fmt: on
FIRST_ROUND = [_plan(n, *row) for n, row in enumerate(_ROWS)]


def _advance(seeder: Seeder, title: str) -> Payout:
    return Payout.objects.get(grant__application__title=title, trigger=PayoutTrigger.ON_ACCEPTANCE)


def bank_answer_csv(batch: PayoutBatch, failed: set[int] | None = None) -> bytes:
    """A bank's answer to the batch in the CSV format of documents/bankfiles/answer_csv.py: every payout paid,
    but those in `failed` (AC04, the account is closed)."""
    lines = ["betalning;status;belopp;orsakskod;orsak"]
    for line in batch.lines.order_by("pk"):  # type: ignore[attr-defined]
        if failed and line.payout_id in failed:
            lines.append(f"{line.payout_id};misslyckad;{line.amount:.2f};AC04;Kontot är avslutat")
        else:
            lines.append(f"{line.payout_id};betald;{line.amount:.2f};;")
    return ("\n".join(lines) + "\n").encode("utf-8")


def finance(seeder: Seeder) -> None:
    """The batches of the first round (once: nothing is done when a batch exists)."""
    from grants.services.batches import batch_approve, batch_create, batch_export
    from grants.services.reconciliation import reconciliation_apply, reconciliation_preview

    if PayoutBatch.objects.exists():
        return
    finance1, finance2 = seeder.users["finance"], seeder.users["finance2"]
    at = seeder.at
    paid, failed, exported, open_, due = (_advance(seeder, plan.title) for plan in FIRST_ROUND)
    assert all(p.state == PayoutState.DUE for p in (paid, failed, exported, open_, due))

    reconciled = batch_create(actor=finance1, payout_ids=[paid.pk, failed.pk], now=at(days_ago=30, clock="09:00"))
    batch_approve(actor=finance2, batch=reconciled, now=at(days_ago=29, clock="10:00"))
    batch_export(actor=finance2, batch=reconciled, now=at(days_ago=29, clock="10:05"))
    reconciled.refresh_from_db()
    answered: datetime = at(days_ago=25, clock="08:30")
    preview = reconciliation_preview(
        actor=finance1,
        batch=reconciled,
        content=bank_answer_csv(reconciled, failed={failed.pk}),
        filename="bankens-svar.csv",
        now=answered,
    )
    reconciliation_apply(actor=finance1, answer=preview.answer, now=answered)

    later = batch_create(actor=finance1, payout_ids=[exported.pk], now=at(days_ago=5, clock="09:00"))
    batch_approve(actor=finance2, batch=later, now=at(days_ago=4, clock="10:00"))
    batch_export(actor=finance2, batch=later, now=at(days_ago=4, clock="10:05"))

    batch_create(actor=finance1, payout_ids=[open_.pk], now=at(days_ago=1, clock="15:00"))
