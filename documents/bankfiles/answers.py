"""Reading a bank's answer to a payment file: pain.002.001.03, camt.054.001.02 or our CSV.

`parse_answer` recognises the format from the content (an XML document's namespace, else CSV); the
three parsers can also be called directly. Each returns an `Answer` (see `results`); a file that cannot
be used as a whole raises `BankFileError`. The format rules are in the docstrings of `pain002`,
`camt054` and `answer_csv`.
"""

from __future__ import annotations

import codecs

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .answer_csv import parse_amount, parse_answer_csv
from .camt054 import parse_camt054
from .errors import BankFileError
from .pain002 import parse_pain002
from .results import Answer, AnswerFormat, AnswerRow, BulkOutcome, Outcome, RowProblem
from .schemas import namespace, parse_xml


def parse_answer(data: bytes) -> Answer:
    """Read a bank answer of any of the three formats; raise BankFileError if it cannot be used."""
    start = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    if not start.lstrip().startswith(b"<"):
        return parse_answer_csv(data)
    tag = parse_xml(data).getroot().tag
    if tag == f"{{{namespace('pain.002.001.03')}}}Document":
        return parse_pain002(data)
    if tag == f"{{{namespace('camt.054.001.02')}}}Document":
        return parse_camt054(data)
    raise BankFileError(
        format_lazy(
            _(
                "XML-filen är varken en statusrapport (pain.002.001.03) eller en debiteringsavi "
                "(camt.054.001.02): {tag}."
            ),
            tag=tag,
        )
    )


__all__ = [
    "Answer",
    "AnswerFormat",
    "AnswerRow",
    "BulkOutcome",
    "Outcome",
    "RowProblem",
    "parse_amount",
    "parse_answer",
    "parse_answer_csv",
    "parse_camt054",
    "parse_pain002",
]
