"""Swedish formats for money and time, used by templates, e-mails, letters and messages."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import get_language

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NBSP = "\u00a0"


def format_amount(amount: Decimal | int | None, *, decimals: bool | None = None) -> str:
    """600000 → '600 000' (non-breaking spaces), 1234.5 → '1 234,50', 0.00 → '0': the number without 'kr',
    as an amount field shows it. Öre are shown only when there are any."""
    if amount is None:
        return ""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, cents = divmod(abs(value) * 100, 100)
    grouped = f"{int(whole):,}".replace(",", NBSP)
    show_cents = decimals if decimals is not None else cents != 0
    text = f"{grouped},{int(cents):02d}" if show_cents else grouped
    sign = "−" if value < 0 else ""
    return f"{sign}{text}"


def format_money(amount: Decimal | int | None, *, decimals: bool | None = None) -> str:
    """600000 → '600 000 kr' (non-breaking spaces), in Swedish and English pages alike; öre only when there are
    any."""
    if amount is None:
        return ""
    return f"{format_amount(amount, decimals=decimals)}{NBSP}kr"


def format_orgnr(orgnr: str | None) -> str:
    """'2120951856' → '212095-1856', the form the Swedish Tax Agency uses; anything else is shown as stored."""
    if not orgnr:
        return ""
    digits = orgnr.replace("-", "")
    if len(digits) == 10 and digits.isascii() and digits.isdigit():
        return f"{digits[:6]}-{digits[6:]}"
    return orgnr


def format_instant(value: datetime | None) -> str:
    """An aware instant in Swedish time: '26 november 2026 kl. 14:00' (English: '26 November 2026 at 14:00')."""
    if value is None:
        return ""
    local = value.astimezone(STOCKHOLM)
    if get_language() == "en":
        return f"{local.day} {formats.date_format(local, 'F Y')} at {local:%H:%M}"
    return f"{local.day} {formats.date_format(local, 'F Y').lower()} kl. {local:%H:%M}"


def format_date(value: date | None) -> str:
    """'26 november 2026'."""
    if value is None:
        return ""
    if get_language() == "en":
        return f"{value.day} {formats.date_format(value, 'F Y')}"
    return f"{value.day} {formats.date_format(value, 'F Y').lower()}"
