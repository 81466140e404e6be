"""Our CSV answer format: Swedish or English headers, ; or , separators, BOM, Swedish amounts, line numbers."""

from decimal import Decimal

import pytest
from django.utils import translation

from documents.bankfiles.answers import AnswerFormat, AnswerRow, Outcome, parse_amount, parse_answer_csv
from documents.bankfiles.errors import BankFileError

PAID, FAILED = Outcome.PAID, Outcome.FAILED
EXPECTED = (
    AnswerRow(2, "P-101", Decimal("1234.50"), PAID),
    AnswerRow(3, "P-102", Decimal("600000"), FAILED, "AC04", "Kontot är avslutat"),
    AnswerRow(4, "P-103", None, PAID),
)


def problems(answer):
    return [(p.line, str(p.message)) for p in answer.problems]


@pytest.mark.parametrize(
    "text",
    [
        # Swedish Excel: semicolons, decimal comma, spaces between thousands.
        "betalning;belopp;status;orsakskod;orsak\n"
        "P-101;1 234,50;betald;;\n"
        "P-102;600 000;misslyckad;AC04;Kontot är avslutat\n"
        "P-103;;Betald;;\n",
        # English headers, commas, a decimal point; columns in another order; Windows line ends.
        "Status,End_To_End_Id,Amount,Reason,Reason_Code\r\n"
        "paid,P-101,1234.50,,\r\n"
        "FAILED,P-102,600000,Kontot är avslutat,AC04\r\n"
        "paid,P-103,,,\r\n",
        # Comma-separated with a quoted Swedish amount and a column we do not use.
        'betalning,belopp,status,orsak,orsakskod,verifikation\nP-101,"1 234,50",betald,,,V1\n'
        'P-102,"600 000,00",misslyckad,"Kontot är avslutat",AC04,V2\nP-103,,betald,,,V3\n',
    ],
)
def test_the_variants_read_the_same(text):
    answer = parse_answer_csv(text.encode())
    assert answer.format is AnswerFormat.CSV
    assert answer.rows == EXPECTED and answer.ok


def test_a_byte_order_mark_and_excel_separator_line_are_understood():
    text = "sep=;\nbetalning;belopp;status\nP-101;1\u00a0234,50;betald\n"
    answer = parse_answer_csv(b"\xef\xbb\xbf" + text.encode())
    assert answer.rows == (AnswerRow(3, "P-101", Decimal("1234.50"), PAID),)


def test_bad_rows_are_problems_with_their_lines_and_the_good_rows_are_still_read():
    text = (
        "betalning;belopp;status;orsak\n"  # 1
        "P-1;100,00;betald;\n"  # 2
        "\n"  # 3: empty, skipped
        ";100,00;betald;\n"  # 4
        "P-2;1,234.50;betald;\n"  # 5
        "P-3;12,345;betald;\n"  # 6
        "P-4;-5,00;misslyckad;\n"  # 7
        "P-5;0;betald;\n"  # 8
        "P-6;100;skickad;\n"  # 9
        'P-7;100;misslyckad;"Två\nrader"\n'  # 10-11: one record over two lines
        "P-8;100;betald\n"  # 12
        "P-1;100,00;misslyckad;\n"  # 13
        "P-9;100;betald;;\n"  # 14: an empty trailing field is fine
        "P-10;100;betald;;x\n"  # 15
    )
    answer = parse_answer_csv(text.encode())
    assert [(r.line, r.end_to_end_id, r.reason) for r in answer.rows] == [
        (2, "P-1", ""),
        (10, "P-7", "Två\nrader"),
        (14, "P-9", ""),
    ]
    assert problems(answer) == [
        (4, "Betalningens id saknas (kolumnen betalning)."),
        (5, "Beloppet ”1,234.50” går inte att läsa. Skriv det som 1234,50, 1 234,50 eller 1234.50."),
        (6, "Beloppet ”12,345” går inte att läsa. Skriv det som 1234,50, 1 234,50 eller 1234.50."),
        (7, "Beloppet ”-5,00” går inte att läsa. Skriv det som 1234,50, 1 234,50 eller 1234.50."),
        (8, "Beloppet ska vara större än noll, inte 0."),
        (9, "Okänd status ”skickad”: skriv betald eller misslyckad (paid eller failed)."),
        (12, "Raden har 3 fält, men rubrikraden har 4."),
        (13, "Betalning P-1 finns redan på rad 2."),
        (15, "Raden har 5 fält, men rubrikraden har 4."),
    ]
    assert not answer.ok


def test_problem_messages_are_translated():
    answer = parse_answer_csv(b"betalning;status\nP-1;sent\n")
    with translation.override("en"):
        assert str(answer.problems[0].message) == "Unknown status “sent”: write betald or misslyckad (paid or failed)."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Filen är tom."),
        (b"\n \n", "Filen är tom."),
        ("betalning;status\nP-1;betald\n".encode("utf-16"), "Filen är sparad som UTF-16"),
        (
            "betalning;status;orsak\nP-1;misslyckad;Kontot är stängt\n".encode("cp1252"),
            "inte sparad som UTF-8 (första felet på rad 2)",
        ),
        (b"belopp;status\n100;betald\n", "Kolumnen betalning saknas."),
        (b"betalning;belopp\nP-1;100\n", "Kolumnen status saknas."),
        (b"betalning;status;Status\nP-1;betald;paid\n", "Kolumnen Status finns två gånger i rubrikraden."),
        (b'betalning;status\n"P-1"x;betald\n', "Rad 2 går inte att läsa som CSV"),
    ],
)
def test_a_file_that_cannot_be_read_as_a_whole_raises(data, message):
    with pytest.raises(BankFileError) as refused:
        parse_answer_csv(data)
    assert message in str(refused.value)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1 234,50", Decimal("1234.50")),
        ("1234,5", Decimal("1234.5")),
        ("1234.50", Decimal("1234.50")),
        (" 600 000 ", Decimal("600000")),
        ("1\u202f234\u00a0567,89", Decimal("1234567.89")),
        ("0,01", Decimal("0.01")),
        ("", None),
    ],
)
def test_amounts_in_swedish_or_plain_form(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["1,234.50", "1.234,50", "12 34,50", "1234,505", "1e3", "-1", "kr 100", "1 234 5"])
def test_ambiguous_or_malformed_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)
