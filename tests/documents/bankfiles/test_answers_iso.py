"""The bank's ISO answers: pain.002 status reports and camt.054 debit notifications, from hand-written samples."""

from decimal import Decimal
from pathlib import Path

import pytest

from documents.bankfiles.answers import (
    AnswerFormat,
    AnswerRow,
    BulkOutcome,
    Outcome,
    parse_answer,
    parse_camt054,
    parse_pain002,
)
from documents.bankfiles.errors import BankFileError
from documents.bankfiles.reasons import reason_label

SAMPLES = Path(__file__).parent / "samples"
PAID, FAILED, PENDING = Outcome.PAID, Outcome.FAILED, Outcome.PENDING


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def problems(answer):
    return [(p.line, str(p.message)) for p in answer.problems]


def test_a_status_report_with_paid_rejected_and_pending_payments():
    answer = parse_pain002(sample("pain002_partly_rejected.xml"))
    assert answer.format is AnswerFormat.PAIN002
    assert answer.rows == (
        AnswerRow(33, "P-101", Decimal("480000.00"), PAID),
        AnswerRow(45, "P-102", Decimal("320000.00"), FAILED, "AC04", "Kontot är avslutat"),
        AnswerRow(65, "P-103", None, FAILED, "AC01", "Felaktigt kontonummer. Mottagarkontot finns inte hos banken."),
        AnswerRow(77, "P-104", Decimal("120000.50"), PAID),
        AnswerRow(86, "P-105", None, PENDING),
    )
    assert answer.bulk == () and answer.problems == () and answer.ok


def test_a_file_rejected_as_a_whole_is_a_bulk_outcome_for_its_message():
    answer = parse_pain002(sample("pain002_file_rejected.xml"))
    assert answer.rows == () and answer.problems == ()
    assert answer.bulk == (
        BulkOutcome(10, "BATCH-2026-0043", "", FAILED, "AC01", "Avsändarkontot saknar avtal för filöverföring"),
    )


def report(group: str, blocks: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-12-04T08:00:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>BATCH-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId>{group}</OrgnlGrpInfAndSts>
    {blocks}
  </CstmrPmtStsRpt>
</Document>""".encode()


def test_a_payment_block_without_payment_rows_is_a_bulk_outcome_for_that_block():
    blocks = """<OrgnlPmtInfAndSts><OrgnlPmtInfId>BATCH-1</OrgnlPmtInfId><PmtInfSts>RJCT</PmtInfSts>
      <StsRsnInf><Rsn><Cd>AM04</Cd></Rsn></StsRsnInf></OrgnlPmtInfAndSts>"""
    answer = parse_pain002(report("<GrpSts>RJCT</GrpSts>", blocks))
    assert answer.bulk == (BulkOutcome(6, "BATCH-1", "BATCH-1", FAILED, "AM04", ""),)


def test_an_accepted_file_without_payment_rows_is_pending_and_a_settled_one_paid():
    assert parse_pain002(report("<GrpSts>ACTC</GrpSts>")).bulk == (BulkOutcome(5, "BATCH-1", "", PENDING),)
    assert parse_pain002(report("<GrpSts>ACSC</GrpSts>")).bulk == (BulkOutcome(5, "BATCH-1", "", PAID),)


def test_payments_without_their_own_status_take_the_block_status_and_reason():
    blocks = """<OrgnlPmtInfAndSts><OrgnlPmtInfId>BATCH-1</OrgnlPmtInfId><PmtInfSts>RJCT</PmtInfSts>
      <StsRsnInf><Rsn><Prtry>KONTO</Prtry></Rsn><AddtlInf>Spärrat konto</AddtlInf></StsRsnInf>
      <TxInfAndSts><OrgnlEndToEndId>P-1</OrgnlEndToEndId></TxInfAndSts>
      <TxInfAndSts><OrgnlEndToEndId>P-2</OrgnlEndToEndId><TxSts>ACSC</TxSts></TxInfAndSts>
    </OrgnlPmtInfAndSts>"""
    answer = parse_pain002(report("", blocks))
    assert [(r.end_to_end_id, r.outcome, r.reason_code, r.reason) for r in answer.rows] == [
        ("P-1", FAILED, "KONTO", "Spärrat konto"),
        ("P-2", PAID, "", ""),
    ]


def test_status_report_rows_that_cannot_be_used_are_problems_with_their_lines():
    answer = parse_pain002(sample("pain002_problems.xml"))
    assert answer.rows == () and not answer.ok
    assert problems(answer) == [
        (16, "Betalningen saknar OrgnlEndToEndId, så den kan inte kopplas till en utbetalning."),
        (20, "Betalning P-202 har ingen egen status (bara PART)."),
        (23, "Betalning P-203 är i EUR, inte i SEK."),
    ]
    assert problems(parse_pain002(report(""))) == [
        (5, "Statusrapporten anger ingen status och listar inga betalningar.")
    ]
    assert problems(parse_pain002(report("<GrpSts>PART</GrpSts>"))) == [
        (5, "Status PART gäller bara en del av betalningarna, men rapporten listar inga betalningar.")
    ]


def test_a_debit_notification_pays_booked_debits_and_fails_returns_and_reversals():
    answer = parse_camt054(sample("camt054_debits.xml"))
    assert answer.format is AnswerFormat.CAMT054 and answer.ok and answer.bulk == ()
    assert answer.rows == (
        AnswerRow(48, "P-101", Decimal("480000.00"), PAID),
        AnswerRow(93, "P-104", Decimal("120000.50"), PAID),  # batch entry: TxAmt of each
        AnswerRow(114, "P-106", Decimal("75000.00"), PAID),  # InstdAmt when there is no TxAmt
        AnswerRow(159, "P-107", Decimal("5000.00"), PAID),  # the entry's amount for its one payment
        AnswerRow(199, "P-108", Decimal("64000.00"), PAID),
        AnswerRow(244, "P-108", Decimal("64000.00"), FAILED, "AC04", "Mottagarens konto är avslutat"),  # returned
        AnswerRow(288, "P-109", Decimal("30000.00"), FAILED),  # reversed (RvslInd)
        AnswerRow(363, "P-110", Decimal("25000.00"), PENDING),  # not booked yet
    )
    # Ignored: the repayment coming in (entry 7) and the information-only entry (entry 9).
    assert "ATERBETALNING-2026-00003" not in {r.end_to_end_id for r in answer.rows}
    assert "P-111" not in {r.end_to_end_id for r in answer.rows}


def test_debit_notification_entries_that_cannot_be_matched_are_problems():
    answer = parse_camt054(sample("camt054_problems.xml"))
    assert answer.rows == (AnswerRow(45, "P-301", Decimal("480000.00"), PAID),)
    assert [line for line, _ in problems(answer)] == [60, 104, 115]
    assert problems(answer)[0][1].startswith("Posten saknar transaktionsdetaljer (TxDtls med EndToEndId)")
    assert problems(answer)[1][1] == "Betalningen saknar EndToEndId, så den kan inte kopplas till en utbetalning."


def test_a_debit_with_return_information_is_our_return_of_a_credit_and_ignored():
    # Entry 5, P-108's return, turned into a debit: neither a payment of ours nor a failure.
    data = sample("camt054_debits.xml").replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"<CdtDbtInd>DBIT</CdtDbtInd>", 1)
    rows = parse_camt054(data).rows
    assert [(r.end_to_end_id, r.outcome) for r in rows if r.end_to_end_id in ("P-108", "P-109")] == [
        ("P-108", PAID),
        ("P-109", FAILED),
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pain002_partly_rejected.xml", AnswerFormat.PAIN002),
        ("camt054_debits.xml", AnswerFormat.CAMT054),
    ],
)
def test_parse_answer_recognises_the_format(name, expected):
    assert parse_answer(sample(name)).format is expected
    assert parse_answer(b"\xef\xbb\xbf" + sample(name)).format is expected  # with a byte-order mark
    assert parse_answer(b"betalning;status\nP-1;betald\n").format is AnswerFormat.CSV


def test_parse_answer_refuses_another_xml_message():
    pain001 = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>'
    with pytest.raises(BankFileError, match="varken en statusrapport"):
        parse_answer(pain001)


@pytest.mark.parametrize("parse", [parse_pain002, parse_camt054])
def test_an_answer_that_fails_the_xsd_raises_with_the_first_errors(parse):
    name = "pain002_partly_rejected.xml" if parse is parse_pain002 else "camt054_debits.xml"
    broken = sample(name).replace(b"SEK", b"kronor").replace(b"<CreDtTm>2026-12-0", "<CreDtTm>igår 2026-12-0".encode())
    with pytest.raises(BankFileError) as refused:
        parse(broken)
    error = refused.value
    assert str(error.message).startswith("Filen är inte ett giltigt ")
    assert "fel mot schemat" in str(error.message)
    assert 1 <= len(error.errors) <= 5
    assert all(e.startswith("Rad ") for e in error.errors)
    assert "CreDtTm" in error.errors[0]


def test_a_camt054_is_not_read_as_a_pain002():
    with pytest.raises(BankFileError) as refused:
        parse_pain002(sample("camt054_debits.xml"))
    assert "inte ett pain.002.001.03-meddelande" in str(refused.value)


def test_reason_codes_have_labels():
    assert str(reason_label("AC04")) == "Kontot är avslutat."
    assert str(reason_label(" ac01 ")) == "Felaktigt kontonummer."
    assert reason_label("ZZ99") is None
