"""Exported batches and the bank's answers to them, for the reconciliation tests.

`exported_batch()` runs the real services (batch_create by one finance officer, batch_approve by another,
batch_export) over new due payouts, so the payouts are SENT and the batch EXPORTED with its frozen lines. The
answer builders write what a bank would send back about those payouts: a pain.002.001.03 status report, a
camt.054.001.02 debit notification (both valid against the XSDs) or the CSV of documents/README.md.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import count

from stdnum import luhn

from grants.models import (
    MembershipRole,
    Organisation,
    OrganisationType,
    PaymentAccount,
    PaymentAccountType,
    Payout,
    PayoutBatch,
    PayoutTrigger,
)
from grants.services.batch_files import message_id
from grants.services.batches import batch_approve, batch_create, batch_export
from tests.factories import MembershipFactory
from tests.grants.batches import Finance, finance_people
from tests.workflows.payouts import BANKGIRO, accept_directly, make_grant
from workflows.payout import PayoutFlow

_orgnrs = count(1)


def _organisation() -> Organisation:
    """An organisation of its own (the factory's few real organisation numbers repeat after a dozen)."""
    stem = f"55{next(_orgnrs):07d}"
    return Organisation.objects.create(
        name=f"Förening {stem}", orgnr=stem + luhn.calc_check_digit(stem), org_type=OrganisationType.OTHER_PUBLIC
    )


def due_payout(people: Finance) -> Payout:
    """The advance (80 %) of a new accepted grant of its own organisation, DUE, to a verified bankgiro."""
    made = make_grant(now=people.now)
    organisation = _organisation()
    made.application.organisation = organisation
    made.application.save(update_fields=["organisation"])
    signatory = MembershipFactory(organisation=organisation, role=MembershipRole.SIGNATORY).user
    PaymentAccount.objects.create(
        organisation=organisation,
        kind=PaymentAccountType.BANKGIRO,
        number=BANKGIRO,
        created_by=signatory,
        verified_by=people.attester,
        verified_at=people.now,
    )
    accept_directly(made, signatory, people.now)
    payout = made.payouts.get(trigger=PayoutTrigger.ON_ACCEPTANCE)
    PayoutFlow(payout, actor=None).make_due(now=people.now)
    return payout


@dataclass
class Exported:
    people: Finance
    batch: PayoutBatch
    payouts: list[Payout]


def exported_batch(size: int = 3, people: Finance | None = None) -> Exported:
    people = people or finance_people()
    payouts = [due_payout(people) for _ in range(size)]
    batch = batch_create(actor=people.assembler, payout_ids=[p.pk for p in payouts], now=people.now)
    batch_approve(actor=people.attester, batch=batch, now=people.now)
    batch_export(actor=people.assembler, batch=batch, now=people.now)
    batch.refresh_from_db()
    return Exported(people, batch, [Payout.objects.get(pk=p.pk) for p in payouts])


# One payment the bank speaks of: (EndToEndId, amount or None, "paid" | "failed" | "pending", reason code).
Said = tuple[str, Decimal | None, str, str]

PAIN_STATUS = {"paid": "ACSC", "failed": "RJCT", "pending": "ACSP"}


def paid(payout: Payout) -> Said:
    return (str(payout.pk), payout.amount, "paid", "")


def failed(payout: Payout, code: str = "AC04") -> Said:
    return (str(payout.pk), payout.amount, "failed", code)


def pain002(batch: PayoutBatch, rows: Sequence[Said], *, group: str = "PART", msg_id: str | None = None) -> bytes:
    txs = []
    for e2e, amount, status, code in rows:
        reason = f"<StsRsnInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>Banken: {code}</AddtlInf></StsRsnInf>" if code else ""
        amt = f'<OrgnlTxRef><Amt><InstdAmt Ccy="SEK">{amount:.2f}</InstdAmt></Amt></OrgnlTxRef>' if amount else ""
        txs.append(
            f"<TxInfAndSts><OrgnlEndToEndId>{e2e}</OrgnlEndToEndId><TxSts>{PAIN_STATUS[status]}</TxSts>"
            f"{reason}{amt}</TxInfAndSts>"
        )
    ours = msg_id or message_id(batch)
    block = (
        f"<OrgnlPmtInfAndSts><OrgnlPmtInfId>{ours}</OrgnlPmtInfId>\n" + "\n".join(txs) + "\n</OrgnlPmtInfAndSts>"
        if txs
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>SEB-R-{batch.pk}</MsgId><CreDtTm>2026-12-04T07:30:12</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>{ours}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId><GrpSts>{group}</GrpSts></OrgnlGrpInfAndSts>
    {block}
  </CstmrPmtStsRpt>
</Document>""".encode()


def _entry(e2e: str, amount: Decimal | None, status: str, code: str, ref: int, batch: PayoutBatch) -> str:
    value = f"{(amount or Decimal('1')):.2f}"
    credit = status == "failed"
    tx_amount = f'<AmtDtls><TxAmt><Amt Ccy="SEK">{value}</Amt></TxAmt></AmtDtls>'
    ret = f"<RtrInf><Rsn><Cd>{code}</Cd></Rsn><AddtlInf>Banken: {code}</AddtlInf></RtrInf>" if credit else ""
    family = "RRTN" if credit else "DMCT"
    return f"""<Ntry><NtryRef>{ref}</NtryRef><Amt Ccy="SEK">{value}</Amt>
<CdtDbtInd>{"CRDT" if credit else "DBIT"}</CdtDbtInd><Sts>{"PDNG" if status == "pending" else "BOOK"}</Sts>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>{family}</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><MsgId>{message_id(batch)}</MsgId><EndToEndId>{e2e}</EndToEndId></Refs>{tx_amount}{ret}</TxDtls></NtryDtls>
</Ntry>"""


def camt054(batch: PayoutBatch, rows: Sequence[Said]) -> bytes:
    entries = "\n".join(_entry(*row, ref=i + 1, batch=batch) for i, row in enumerate(rows))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>SEB-N-{batch.pk}</MsgId><CreDtTm>2026-12-05T06:00:00+01:00</CreDtTm></GrpHdr>
    <Ntfctn><Id>SEB-N-{batch.pk}-1</Id><CreDtTm>2026-12-05T06:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id><Ccy>SEK</Ccy></Acct>
{entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>""".encode()


CSV_STATUS = {"paid": "betald", "failed": "misslyckad"}


def answer_csv(rows: Sequence[Said]) -> bytes:
    lines = ["betalning;belopp;status;orsakskod;orsak"]
    for e2e, amount, status, code in rows:
        money = f"{amount:.2f}".replace(".", ",") if amount is not None else ""
        lines.append(f"{e2e};{money};{CSV_STATUS[status]};{code};{'Banken: ' + code if code else ''}")
    return ("\n".join(lines) + "\n").encode()
