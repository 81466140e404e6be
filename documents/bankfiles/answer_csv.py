"""The bank answer as CSV: our own format, for banks and finance systems that cannot produce ISO files.

The format (documented for the people who produce it in `documents/README.md`):

- **Encoding** UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8"). Other encodings are
  refused with a message saying how to save the file, never guessed: a guessed Windows-1252 file would
  turn "Åre" into "Ã…re" in silence. UTF-16 (Excel's "Unicode text") is recognised by its mark.
- **Separator** semicolon (what Swedish Excel writes) or comma, taken from the header line: the one
  that occurs more often there, or from Excel's `sep=;` line before it. Fields may be quoted
  (`"1 234,50"` in a comma file).
- **Header line** first, naming the columns in Swedish or English, in any order, any case:
  `betalning` / `end_to_end_id` (the payout's id, our EndToEndId; required), `status` (required),
  `belopp` / `amount`, `orsak` / `reason`, `orsakskod` / `reason_code` (optional). Other columns are
  ignored, so a finance system's export with extra columns can be used as it is.
- **Status**: `betald` / `paid` → PAID, `misslyckad` / `failed` → FAILED (any case).
- **Amount** (optional, empty allowed): digits with a decimal comma or point and at most two decimals,
  with spaces between thousands allowed: `1 234,50`, `1234,50`, `1234.50`, `600000`. `1,234.50`,
  `1.234,50`, negative amounts and zero are refused: no guessing which separator meant what.
- Empty lines are skipped. A payout named twice is a problem on its second line: a CSV answer is one
  final list of outcomes.

Line numbers are the lines of the file (the header is line 1), where the row begins.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .errors import BankFileError, Text
from .results import Answer, AnswerFormat, AnswerRow, Outcome, RowProblem
from .schemas import MAX_FILE_BYTES

COLUMNS = {
    "betalning": "end_to_end_id",
    "end_to_end_id": "end_to_end_id",
    "endtoendid": "end_to_end_id",
    "status": "status",
    "belopp": "amount",
    "amount": "amount",
    "orsak": "reason",
    "reason": "reason",
    "orsakskod": "reason_code",
    "reason_code": "reason_code",
}
STATUSES = {"betald": Outcome.PAID, "paid": Outcome.PAID, "misslyckad": Outcome.FAILED, "failed": Outcome.FAILED}
_AMOUNT = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+(?:[,.][0-9]{1,2})?|[0-9]+(?:[,.][0-9]{1,2})?")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_EXCEL_SEPARATOR = re.compile(r"sep=([;,])", re.IGNORECASE)


def parse_answer_csv(data: bytes) -> Answer:
    """Read a CSV answer in our format; raise BankFileError if the file as a whole cannot be read."""
    text = _decode(data)
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise BankFileError(_("Filen är tom."))
    header_line = lines[header_index].strip()
    excel_hint = _EXCEL_SEPARATOR.fullmatch(header_line)
    if excel_hint:
        delimiter = excel_hint.group(1)
    else:
        delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[AnswerRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    columns: dict[str, int] | None = None
    width = 0
    end = 0
    try:
        for record in reader:
            start, end = end + 1, reader.line_num
            if not any(field.strip() for field in record) or (excel_hint and start == header_index + 1):
                continue
            if columns is None:
                columns, width = _columns(record), len(record)
                continue
            if len(record) < width or any(field.strip() for field in record[width:]):
                problems.append(
                    RowProblem(
                        start,
                        format_lazy(
                            _("Raden har {count} fält, men rubrikraden har {width}."), count=len(record), width=width
                        ),
                    )
                )
                continue
            _row(start, record, columns, rows, problems, seen)
    except csv.Error as error:
        raise BankFileError(
            format_lazy(_("Rad {line} går inte att läsa som CSV: {error}."), line=reader.line_num, error=str(error))
        ) from None
    return Answer(AnswerFormat.CSV, tuple(rows), tuple(problems))


def parse_amount(value: str) -> Decimal | None:
    """'1 234,50' → Decimal('1234.50'); '' → None; raise ValueError for anything else (see the docstring)."""
    compact = _SPACES.sub(" ", value.strip())
    if not compact:
        return None
    if not _AMOUNT.fullmatch(compact):
        raise ValueError(value)
    return Decimal(compact.replace(" ", "").replace(",", "."))


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError(
            format_lazy(_("Filen är för stor: högst {limit} MB tas emot."), limit=MAX_FILE_BYTES // (1024 * 1024))
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BankFileError(
            _("Filen är sparad som UTF-16 (Unicode-text). Spara den som ”CSV UTF-8” och läs in den igen.")
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        at = data[: error.start].count(b"\n") + 1
        raise BankFileError(
            format_lazy(
                _(
                    "Filen är inte sparad som UTF-8 (första felet på rad {line}). I Excel: spara som ”CSV UTF-8 "
                    "(kommaavgränsad)” och läs in den igen."
                ),
                line=at,
            )
        ) from None


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = COLUMNS.get(re.sub(r"[\s-]+", "_", name.strip().lower()))
        if key is None:
            continue
        if key in columns:
            raise BankFileError(
                format_lazy(_("Kolumnen {column} finns två gånger i rubrikraden."), column=name.strip())
            )
        columns[key] = index
    for key, label in (("end_to_end_id", "betalning"), ("status", "status")):
        if key not in columns:
            raise BankFileError(
                format_lazy(
                    _(
                        "Kolumnen {column} saknas. Första raden ska namnge kolumnerna, till exempel "
                        "betalning;belopp;status;orsak."
                    ),
                    column=label,
                )
            )
    return columns


def _row(
    at: int,
    record: list[str],
    columns: dict[str, int],
    rows: list[AnswerRow],
    problems: list[RowProblem],
    seen: dict[str, int],
) -> None:
    def field(key: str) -> str:
        return record[columns[key]].strip() if key in columns else ""

    end_to_end_id, status = field("end_to_end_id"), field("status")
    problem: Text | None = None
    outcome = STATUSES.get(status.lower())
    amount: Decimal | None = None
    try:
        amount = parse_amount(field("amount"))
    except ValueError:
        problem = format_lazy(
            _("Beloppet ”{value}” går inte att läsa. Skriv det som 1234,50, 1 234,50 eller 1234.50."),
            value=field("amount"),
        )
    if not end_to_end_id:
        problem = _("Betalningens id saknas (kolumnen betalning).")
    elif end_to_end_id in seen:
        problem = format_lazy(
            _("Betalning {id} finns redan på rad {line}."), id=end_to_end_id, line=seen[end_to_end_id]
        )
    elif outcome is None:
        problem = format_lazy(
            _("Okänd status ”{value}”: skriv betald eller misslyckad (paid eller failed)."), value=status
        )
    elif amount is not None and amount <= 0:
        problem = format_lazy(_("Beloppet ska vara större än noll, inte {value}."), value=field("amount"))
    if problem is not None:
        problems.append(RowProblem(at, problem))
        return
    assert outcome is not None
    seen[end_to_end_id] = at
    rows.append(AnswerRow(at, end_to_end_id, amount, outcome, field("reason_code"), field("reason")))
