"""Geometry for the inline SVG charts drawn by templates (no script, no chart library): computed here, in
Decimal, so a template only places rectangles and a test can check the sums."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.0")
STEP = Decimal("0.1")  # SVG user units: fine enough for a 1 000-unit bar, short in the markup


@dataclass(frozen=True)
class Segment:
    key: str
    value: Decimal
    x: Decimal
    width: Decimal


def stacked_segments(values: Sequence[tuple[str, Decimal]], *, full: Decimal, width: int) -> list[Segment]:
    """Lay `values` end to end on a bar `width` units long on which `full` takes the whole width.

    Each segment runs from one rounded running total to the next, so rounding never makes the widths add up
    to more or less than the bar: when the values sum to `full`, the widths sum to exactly `width`. Negative
    values count as zero; a `full` of zero (or less) gives zero-width segments."""
    segments = []
    running = ZERO
    edge = ZERO
    for key, value in values:
        value = max(Decimal(value), ZERO)
        running += value
        end = _edge(running, full, width)
        segments.append(Segment(key=key, value=value, x=edge, width=end - edge))
        edge = end
    return segments


def scale(value: Decimal, *, full: Decimal, width: int) -> Decimal:
    """Where `value` falls on a bar `width` units long on which `full` takes the whole width."""
    return _edge(max(Decimal(value), ZERO), full, width)


def _edge(value: Decimal, full: Decimal, width: int) -> Decimal:
    if full <= 0:
        return ZERO
    return (value * width / full).quantize(STEP, rounding=ROUND_HALF_UP)
