"""The baseline for the payout benchmarks: the plainest code that writes the same pain.001.001.03 file.

No checks, no character cleaning, no dataclasses: rows in, the same elements in the same order out
(one PmtInf; bankgiro by BGNR and SESBA 9900, plusgiro by BBAN and SESBA 9960, IBAN by IBAN and BIC),
validated with lxml against the same XSD, and a tablib CSV of the same rows. What our
`documents.bankfiles` code costs is measured against this (`benchmarks/bankfiles_ratio.py`, and later
`make bench-payouts`).

A row is `(end_to_end_id, amount: Decimal, name, kind, number, bic, reference)`, `kind` one of
"bankgiro", "plusgiro", "iban"; names and references are assumed already safe for the bank.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import tablib
from lxml import etree

NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
XSD = Path(__file__).resolve().parent.parent / "documents" / "bankfiles" / "xsd" / "pain.001.001.03.xsd"
Row = tuple[str, Decimal, str, str, str, str, str]


def load_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def write_pain001(
    rows: list[Row], *, message_id: str, created_at: datetime, execution_date: date, debtor: tuple[str, str, str]
) -> bytes:
    debtor_name, debtor_iban, debtor_bic = debtor

    def el(parent, tag, text=None, **attrs):
        e = etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)
        if text is not None:
            e.text = text
        return e

    total = f"{sum(r[1] for r in rows):.2f}"
    root = etree.Element(f"{{{NS}}}Document", nsmap={None: NS})
    cct = el(root, "CstmrCdtTrfInitn")
    hdr = el(cct, "GrpHdr")
    el(hdr, "MsgId", message_id)
    el(hdr, "CreDtTm", created_at.isoformat(timespec="seconds"))
    el(hdr, "NbOfTxs", str(len(rows)))
    el(hdr, "CtrlSum", total)
    el(el(hdr, "InitgPty"), "Nm", debtor_name)
    pmt = el(cct, "PmtInf")
    el(pmt, "PmtInfId", message_id)
    el(pmt, "PmtMtd", "TRF")
    el(pmt, "BtchBookg", "false")
    el(pmt, "NbOfTxs", str(len(rows)))
    el(pmt, "CtrlSum", total)
    el(el(el(pmt, "PmtTpInf"), "SvcLvl"), "Cd", "NURG")
    el(pmt, "ReqdExctnDt", execution_date.isoformat())
    el(el(pmt, "Dbtr"), "Nm", debtor_name)
    el(el(el(pmt, "DbtrAcct"), "Id"), "IBAN", debtor_iban)
    el(el(el(pmt, "DbtrAgt"), "FinInstnId"), "BIC", debtor_bic)
    el(pmt, "ChrgBr", "SHAR")
    for end_to_end_id, amount, name, kind, number, bic, reference in rows:
        tx = el(pmt, "CdtTrfTxInf")
        ids = el(tx, "PmtId")
        el(ids, "InstrId", end_to_end_id)
        el(ids, "EndToEndId", end_to_end_id)
        el(el(tx, "Amt"), "InstdAmt", f"{amount:.2f}", Ccy="SEK")
        agent = el(el(tx, "CdtrAgt"), "FinInstnId")
        if kind == "iban":
            el(agent, "BIC", bic)
        else:
            clearing = el(agent, "ClrSysMmbId")
            el(el(clearing, "ClrSysId"), "Cd", "SESBA")
            el(clearing, "MmbId", "9900" if kind == "bankgiro" else "9960")
        el(el(tx, "Cdtr"), "Nm", name)
        account = el(el(tx, "CdtrAcct"), "Id")
        if kind == "iban":
            el(account, "IBAN", number)
        else:
            other = el(account, "Othr")
            el(other, "Id", number)
            el(el(other, "SchmeNm"), "Prtry" if kind == "bankgiro" else "Cd", "BGNR" if kind == "bankgiro" else "BBAN")
        el(el(tx, "RmtInf"), "Ustrd", reference)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def is_valid(xml: bytes, schema: etree.XMLSchema) -> bool:
    return bool(schema.validate(etree.fromstring(xml)))


def write_csv(rows: list[Row]) -> str:
    data = tablib.Dataset(headers=["end_to_end_id", "amount", "payee", "kind", "account", "bic", "reference"])
    for end_to_end_id, amount, name, kind, number, bic, reference in rows:
        data.append([end_to_end_id, f"{amount:.2f}", name, kind, number, bic, reference])
    return str(data.export("csv"))
