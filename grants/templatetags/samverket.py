from datetime import date, datetime
from decimal import Decimal

from django import template

from grants.formatting import format_date, format_instant, format_money

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    return format_money(value)


@register.filter
def instant(value: datetime | None) -> str:
    return format_instant(value)


@register.filter
def swedish_date(value: date | None) -> str:
    return format_date(value)
