"""The pain.001.001.03 writer: XSD-valid for any batch, and each account kind addressed as the Swedish banks say."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from schwifty import IBAN
from stdnum import luhn

from documents.bankfiles.accounts import Account, AccountKind, parse_account
from documents.bankfiles.charset import TEXT_CHARACTERS, bank_text
from documents.bankfiles.pain001 import NAMESPACE, CreditTransfer, Debtor, build_pain001
from documents.bankfiles.schemas import validate

NS = {"p": NAMESPACE}
STOCKHOLM = ZoneInfo("Europe/Stockholm")
CREATED = datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=STOCKHOLM)
EXECUTION = date(2026, 12, 3)
DEBTOR = Debtor(name="Verket för innovationssystem", iban="SE45 5000 0000 0583 9825 7466", bic="ESSESESS")
BANKGIRO = parse_account("bankgiro", "5050-1055")
PLUSGIRO = parse_account("plusgiro", "90 01 22-3")
FOREIGN = parse_account("iban", "DE89 3704 0044 0532 0130 00", "COBADEFF")


def transfer(end_to_end_id="P-1", amount="1000.00", name="Östersunds kommun", account=BANKGIRO, reference="2026-00012"):
    return CreditTransfer(end_to_end_id, Decimal(amount), name, account, reference)


def build(transfers, **kwargs):
    args = {"message_id": "BATCH-2026-0042", "created_at": CREATED, "execution_date": EXECUTION, "debtor": DEBTOR}
    return build_pain001(**(args | kwargs), transfers=transfers)


def tree(xml: bytes):
    return etree.fromstring(xml)


def texts(root, path):
    return [e if isinstance(e, str) else e.text for e in root.xpath(path, namespaces=NS)]


def only(root, path):
    found = texts(root, path)
    assert len(found) == 1, (path, found)
    return found[0]


def test_a_bankgiro_payee_is_addressed_by_bgnr_and_sesba_9900():
    root = tree(build([transfer(account=BANKGIRO)]))
    tx = "//p:CdtTrfTxInf"
    assert only(root, f"{tx}/p:CdtrAcct/p:Id/p:Othr/p:Id") == "50501055"
    assert only(root, f"{tx}/p:CdtrAcct/p:Id/p:Othr/p:SchmeNm/p:Prtry") == "BGNR"
    assert only(root, f"{tx}/p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:ClrSysId/p:Cd") == "SESBA"
    assert only(root, f"{tx}/p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId") == "9900"
    assert texts(root, f"{tx}/p:CdtrAcct//p:IBAN | {tx}/p:CdtrAgt//p:BIC | {tx}//p:SchmeNm/p:Cd") == []


def test_a_plusgiro_payee_is_addressed_by_bban_and_the_member_id():
    root = tree(build([transfer(account=PLUSGIRO)]))
    tx = "//p:CdtTrfTxInf"
    assert only(root, f"{tx}/p:CdtrAcct/p:Id/p:Othr/p:Id") == "9001223"
    assert only(root, f"{tx}/p:CdtrAcct/p:Id/p:Othr/p:SchmeNm/p:Cd") == "BBAN"
    assert only(root, f"{tx}/p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:ClrSysId/p:Cd") == "SESBA"
    assert only(root, f"{tx}/p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId") == "9960"
    assert texts(root, f"{tx}//p:Prtry | {tx}//p:IBAN | {tx}/p:CdtrAgt//p:BIC") == []
    other_bank = tree(build([transfer(account=PLUSGIRO)], plusgiro_member_id="9500"))
    assert only(other_bank, f"{tx}/p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId") == "9500"


def test_an_iban_payee_is_addressed_by_iban_and_bic():
    root = tree(build([transfer(account=FOREIGN)]))
    tx = "//p:CdtTrfTxInf"
    assert only(root, f"{tx}/p:CdtrAcct/p:Id/p:IBAN") == "DE89370400440532013000"
    assert only(root, f"{tx}/p:CdtrAgt/p:FinInstnId/p:BIC") == "COBADEFF"
    assert texts(root, f"{tx}//p:Othr | {tx}//p:ClrSysMmbId") == []


def test_the_group_header_and_payment_block_follow_the_swedish_rules():
    xml = build([transfer("P-1", "480000.00"), transfer("P-2", "0.01", account=PLUSGIRO)])
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="' + NAMESPACE.encode())
    root = tree(xml)
    assert only(root, "//p:GrpHdr/p:MsgId") == "BATCH-2026-0042"
    assert only(root, "//p:GrpHdr/p:CreDtTm") == "2026-12-02T09:30:15+01:00"
    assert only(root, "//p:GrpHdr/p:NbOfTxs") == only(root, "//p:PmtInf/p:NbOfTxs") == "2"
    assert only(root, "//p:GrpHdr/p:CtrlSum") == only(root, "//p:PmtInf/p:CtrlSum") == "480000.01"
    assert only(root, "//p:GrpHdr/p:InitgPty/p:Nm") == "Verket för innovationssystem"
    assert len(root.xpath("//p:PmtInf", namespaces=NS)) == 1
    assert only(root, "//p:PmtInf/p:PmtMtd") == "TRF"
    assert only(root, "//p:PmtInf/p:BtchBookg") == "false"
    assert only(root, "//p:PmtInf/p:PmtTpInf/p:SvcLvl/p:Cd") == "NURG"
    assert only(root, "//p:PmtInf/p:ReqdExctnDt") == "2026-12-03"
    assert only(root, "//p:PmtInf/p:Dbtr/p:Nm") == "Verket för innovationssystem"
    assert only(root, "//p:PmtInf/p:DbtrAcct/p:Id/p:IBAN") == "SE4550000000058398257466"
    assert only(root, "//p:PmtInf/p:DbtrAgt/p:FinInstnId/p:BIC") == "ESSESESS"
    assert only(root, "//p:PmtInf/p:ChrgBr") == "SHAR"
    assert texts(root, "//p:InstdAmt/@Ccy") == ["SEK", "SEK"]
    assert texts(root, "//p:PmtId/p:InstrId") == texts(root, "//p:PmtId/p:EndToEndId") == ["P-1", "P-2"]
    assert texts(root, "//p:RmtInf/p:Ustrd") == ["2026-00012", "2026-00012"]
    assert texts(root, "//p:Dbtr/p:Id") == []  # no organisation number given
    assert validate(xml, "pain.001.001.03") == []


def test_the_debtor_organisation_number_is_written_when_given():
    debtor = Debtor(DEBTOR.name, DEBTOR.iban, DEBTOR.bic, orgnr="202100-5216")
    root = tree(xml := build([transfer()], debtor=debtor, batch_booking=True))
    for party in ("p:GrpHdr/p:InitgPty", "p:PmtInf/p:Dbtr"):
        assert only(root, f"//{party}/p:Id/p:OrgId/p:Othr/p:Id") == "2021005216"
        assert only(root, f"//{party}/p:Id/p:OrgId/p:Othr/p:SchmeNm/p:Cd") == "BANK"
    assert only(root, "//p:PmtInf/p:BtchBookg") == "true"
    assert validate(xml, "pain.001.001.03") == []


def test_a_reference_of_25_characters_is_written_and_26_refused():
    reference = "2026-00012 förskott 80 %x"
    assert len(reference) == 25
    assert only(tree(build([transfer(reference=reference)])), "//p:Ustrd") == "2026-00012 förskott 80 x"
    exact = "2026-00012 förskott 80 pr"
    assert only(tree(build([transfer(reference=exact)])), "//p:Ustrd") == exact
    with pytest.raises(ValueError, match="longer than 25"):
        build([transfer(reference=exact + "o")])


def test_names_keep_swedish_letters_are_made_safe_and_trimmed_to_70():
    name = 'Bygg & Måleri "Ärlig" <Öst> AB\nFilial: Café Ørsted_Ltd; Straße ' + "x" * 80
    written = only(tree(xml := build([transfer(name=name)])), "//p:Cdtr/p:Nm")
    assert written.startswith("Bygg + Måleri 'Ärlig' (Öst) AB Filial: Cafe Orsted-Ltd, Strasse xx")
    assert len(written) == 70
    assert b"&amp;" not in xml and b"<\xc3\x96st>" not in xml
    assert only(tree(build([transfer(name="A\u030are kommun")])), "//p:Cdtr/p:Nm") == "Åre kommun"  # NFC


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"transfers": []}, "at least one transfer"),
        ({"transfers": [transfer("P-1"), transfer("P-1")]}, "occurs twice"),
        ({"transfers": [transfer("P 1")]}, "end_to_end_id must be"),
        ({"transfers": [transfer("P-" + "1" * 34)]}, "end_to_end_id must be"),
        ({"transfers": [transfer("/P-1")]}, "must not begin or end with '/'"),
        ({"transfers": [transfer("Pö-1")]}, "end_to_end_id must be"),
        ({"transfers": [transfer(amount="0.00")]}, "positive Decimal"),
        ({"transfers": [transfer(amount="-5.00")]}, "positive Decimal"),
        ({"transfers": [transfer(amount="10.005")]}, "positive Decimal"),
        ({"transfers": [CreditTransfer("P-1", 10.5, "Kommun", BANKGIRO, "2026-00001")]}, "positive Decimal"),
        ({"transfers": [transfer(name=" \n\t ")]}, "name is empty"),
        ({"transfers": [transfer(account=("bankgiro", "50501055"))]}, "checked Account"),
        ({"message_id": "BATCH 42"}, "message_id must be"),
        ({"created_at": datetime(2026, 12, 2, 9, 30)}, "timezone-aware"),
        ({"plusgiro_member_id": "99"}, "plusgiro_member_id"),
        ({"debtor": Debtor("Verket", "SE45 5000 0000 0583 9825 7467", "ESSESESS")}, "Kontrollsiffrorna"),
        ({"debtor": Debtor("Verket", DEBTOR.iban, "ESSESESS", orgnr="202100-5217")}, "organisation number"),
    ],
)
def test_bad_input_raises_value_error(change, message):
    args = {"transfers": [transfer()]} | change
    with pytest.raises(ValueError, match=message):
        build(**args)


def test_the_xsd_would_catch_a_file_we_got_wrong():
    # validate() really checks: the same file with a second, empty MsgId and a bad currency fails.
    xml = build([transfer()])
    broken = xml.replace(b"<MsgId>BATCH-2026-0042</MsgId>", b"<MsgId></MsgId>").replace(b'Ccy="SEK"', b'Ccy="kr"')
    errors = validate(broken, "pain.001.001.03")
    assert len(errors) == 2
    assert errors[0].startswith("Rad 5: Element 'MsgId'")
    assert "Ccy" in errors[1]


# --- Random batches -------------------------------------------------------------------------------------


def giro(min_digits, max_digits):
    body = st.integers(min_digits - 1, max_digits - 1).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n))
    return body.map(lambda b: b + luhn.calc_check_digit(b))


SWEDISH_BANK_CODES = ["300", "500", "600", "800", "902", "915", "927", "950"]
accounts = st.one_of(
    giro(7, 8).map(lambda n: Account(AccountKind.BANKGIRO, n)),
    giro(2, 8).map(lambda n: Account(AccountKind.PLUSGIRO, n)),
    st.builds(
        lambda code, number: parse_account("iban", IBAN.generate("SE", bank_code=code, account_code=number).compact),
        st.sampled_from(SWEDISH_BANK_CODES),
        st.text("0123456789", min_size=16, max_size=16),
    ),
    st.just(FOREIGN),
)
names = st.one_of(
    st.text(alphabet=st.sampled_from(list("abcxyzÅÄÖåäö &<>\"'é\n\tØ;:_-.ß")), min_size=1, max_size=120),
    st.text(min_size=1, max_size=120),
).filter(lambda n: bank_text(n, 70))
references = st.text(alphabet=st.sampled_from(list("0123456789- förskottÅÄÖ&<")), max_size=25)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("600000.00"), places=2)
ids = st.from_regex(r"[A-Za-z0-9]([A-Za-z0-9.:+-]{0,33}[A-Za-z0-9])?", fullmatch=True)


@st.composite
def batches(draw):
    end_to_end_ids = draw(st.lists(ids, min_size=1, max_size=50, unique=True))
    return [CreditTransfer(e, draw(amounts), draw(names), draw(accounts), draw(references)) for e in end_to_end_ids]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batches())
def test_any_batch_is_written_xsd_valid_and_reads_back_as_given(transfers):
    xml = build(transfers)
    assert validate(xml, "pain.001.001.03") == []
    root = tree(xml)
    total = sum((t.amount for t in transfers), Decimal(0))
    assert only(root, "//p:GrpHdr/p:NbOfTxs") == only(root, "//p:PmtInf/p:NbOfTxs") == str(len(transfers))
    assert only(root, "//p:GrpHdr/p:CtrlSum") == only(root, "//p:PmtInf/p:CtrlSum") == f"{total:.2f}"
    written = root.xpath("//p:CdtTrfTxInf", namespaces=NS)
    assert sorted(texts(root, "//p:EndToEndId")) == sorted(t.end_to_end_id for t in transfers)
    for element, given_transfer in zip(written, transfers, strict=True):
        assert read_back(element) == expected(given_transfer)
        for text in texts(element, "p:Cdtr/p:Nm | p:RmtInf/p:Ustrd"):
            assert set(text) <= TEXT_CHARACTERS and text == text.strip() and "  " not in text


def read_back(element):
    def one(path):
        return only(element, path)

    account = element.find("p:CdtrAcct/p:Id", NS)
    if account.find("p:IBAN", NS) is not None:
        account_fields = ("iban", one("p:CdtrAcct/p:Id/p:IBAN"), one("p:CdtrAgt/p:FinInstnId/p:BIC"))
    else:
        scheme = one("p:CdtrAcct/p:Id/p:Othr/p:SchmeNm/*")
        member = one("p:CdtrAgt/p:FinInstnId/p:ClrSysMmbId/p:MmbId")
        account_fields = (scheme, one("p:CdtrAcct/p:Id/p:Othr/p:Id"), member)
    return {
        "ids": (one("p:PmtId/p:InstrId"), one("p:PmtId/p:EndToEndId")),
        "amount": (Decimal(one("p:Amt/p:InstdAmt")), one("p:Amt/p:InstdAmt/@Ccy"), len(one("p:Amt/p:InstdAmt"))),
        "name": one("p:Cdtr/p:Nm"),
        "account": account_fields,
        "reference": texts(element, "p:RmtInf/p:Ustrd"),
    }


def expected(t: CreditTransfer):
    if t.account.kind is AccountKind.IBAN:
        account_fields = ("iban", t.account.number, t.account.bic)
    elif t.account.kind is AccountKind.BANKGIRO:
        account_fields = ("BGNR", t.account.number, "9900")
    else:
        account_fields = ("BBAN", t.account.number, "9960")
    reference = bank_text(t.reference, 25)
    return {
        "ids": (t.end_to_end_id, t.end_to_end_id),
        "amount": (t.amount, "SEK", len(f"{t.amount:.2f}")),
        "name": bank_text(t.creditor_name, 70),
        "account": account_fields,
        "reference": [reference] if reference else [],
    }
