"""Record ids taken from requests (form fields, query strings): the one parser every view uses for them.

An id is 1 to 18 ASCII digits, at least 1 and at most 2**63 - 1 (the largest key PostgreSQL and SQLite
store). `str.isdigit()` is not enough: it accepts "²", which int() refuses, and int() accepts "١٢" and
" 12"; and a number past the 64-bit range makes SQLite raise OverflowError for `pk__in` lists. Either
would be a 500 where the person should get the page's ordinary "invalid" message or a 404.
"""

import re
from collections.abc import Iterable

MAX_ID = 2**63 - 1
_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value: object) -> int | None:
    """ "12" → 12; anything else ("", "0", "-1", " 12", "²", "١٢", 19 digits or more, non-strings) → None."""
    if not isinstance(value, str) or _ID.fullmatch(value) is None:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values: Iterable[object]) -> list[int] | None:
    """Every value an id → the ids, first occurrence order, without repeats; one bad value → None (the
    whole list is refused, so a tampered list changes nothing)."""
    ids: dict[int, None] = {}
    for value in values:
        number = parse_id(value)
        if number is None:
            return None
        ids[number] = None
    return list(ids)


def coerce_id(value: object) -> int:
    """`coerce=` for TypedChoiceField / TypedMultipleChoiceField: a bad id raises ValueError, which the
    field reports as its invalid_choice error."""
    number = parse_id(value)
    if number is None:
        raise ValueError(f"not an id: {value!r}")
    return number
