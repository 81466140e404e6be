"""What a bank's answer says, whatever its format: one `Answer` of rows, bulk outcomes and problems.

- `AnswerRow`: one payment the answer speaks of, by its `EndToEndId` (our payout's id), with the line
  of the file it is on, the amount the bank gives (or None), and the outcome: `PAID` (money left the
  account), `FAILED` (rejected or returned; `reason_code` is the ISO 20022 status reason code such as
  AC01 or AC04 where the bank gives one, `reason` the bank's own text) or `PENDING` (accepted, not yet
  paid: changes nothing).
- `BulkOutcome`: a status for a whole original message, or one payment block of it, that lists no
  payments (pain.002 with only a group or payment-information status: "the whole file was rejected").
  The caller finds the batch by `original_message_id` (the pain.001 `MsgId` we wrote) and applies the
  outcome to every payout of it that no `AnswerRow` of the same answer names.
- `RowProblem`: a line that cannot be read (no EndToEndId, an amount that is not a number, an unknown
  status …), with a message for the user. A file with any problem must change nothing (DESIGN.md §7).

Rows are in file order. A payment can appear twice in one camt.054 (booked, then returned): the later
row is the newer fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .errors import Text


class Outcome(StrEnum):
    PAID = "PAID"
    FAILED = "FAILED"
    PENDING = "PENDING"


class AnswerFormat(StrEnum):
    PAIN002 = "pain.002.001.03"
    CAMT054 = "camt.054.001.02"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class AnswerRow:
    line: int
    end_to_end_id: str
    amount: Decimal | None
    outcome: Outcome
    reason_code: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    line: int
    original_message_id: str
    original_payment_information_id: str  # "" when the status is for the whole message
    outcome: Outcome
    reason_code: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: Text

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Answer:
    format: AnswerFormat
    rows: tuple[AnswerRow, ...]
    problems: tuple[RowProblem, ...]
    bulk: tuple[BulkOutcome, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every line could be read (the answer may be applied)."""
        return not self.problems
