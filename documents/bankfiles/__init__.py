"""Bank files: payment accounts, the pain.001 payment file, XSD validation and the bank's answers.

A pure layer (no models, no database): frozen dataclasses in, bytes or dataclasses out. The finance
services build on it. Modules, each with its format rules and their sources in its docstring:

- `accounts`: bankgiro, plusgiro, IBAN + BIC: `parse_account`, `Account`, `AccountKind`, `AccountError`.
- `pain001`: `build_pain001`, `Debtor`, `CreditTransfer` (ISO 20022 pain.001.001.03, Swedish usage).
- `charset`: which characters go into a payment file, and how others are made safe.
- `schemas`: the official XSDs in `xsd/`, `validate`, and the hardened XML parser `parse_xml`.
- `answers`: `parse_answer`, `parse_pain002`, `parse_camt054`, `parse_answer_csv` → `Answer`
  (`results`: `AnswerRow`, `BulkOutcome`, `RowProblem`, `Outcome`); `reasons`: labels for ISO reason codes.
"""

from .accounts import Account, AccountKind, parse_account
from .answers import (
    Answer,
    AnswerFormat,
    AnswerRow,
    BulkOutcome,
    Outcome,
    RowProblem,
    parse_answer,
    parse_answer_csv,
    parse_camt054,
    parse_pain002,
)
from .errors import AccountError, BankFileError
from .pain001 import CreditTransfer, Debtor, build_pain001
from .reasons import reason_label
from .schemas import validate

__all__ = [
    "Account",
    "AccountError",
    "AccountKind",
    "Answer",
    "AnswerFormat",
    "AnswerRow",
    "BankFileError",
    "BulkOutcome",
    "CreditTransfer",
    "Debtor",
    "Outcome",
    "RowProblem",
    "build_pain001",
    "parse_account",
    "parse_answer",
    "parse_answer_csv",
    "parse_camt054",
    "parse_pain002",
    "reason_label",
    "validate",
]
