"""Issue 9 item 15: the acceptance deadline is the end (23:59:59 Swedish time) of a working day, N days after
the decision, moved past weekends, public holidays and holiday eves; not the clock time of the decision."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grants.workdays import deadline_after, easter_sunday, is_working_day, swedish_holidays

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_the_holidays_of_2026_as_the_almanac_has_them():
    holidays = swedish_holidays(2026)
    expected = {
        date(2026, 1, 1), date(2026, 1, 6), date(2026, 4, 3), date(2026, 4, 5), date(2026, 4, 6),
        date(2026, 5, 1), date(2026, 5, 14), date(2026, 5, 24), date(2026, 6, 6), date(2026, 6, 19),
        date(2026, 6, 20), date(2026, 10, 31), date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26),
        date(2026, 12, 31),
    }  # fmt: skip
    assert set(holidays) == expected
    assert holidays[date(2026, 6, 19)] == "midsommarafton"


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 12, 23), True),  # Wednesday before julafton
        (date(2026, 12, 24), False),  # julafton, a Thursday
        (date(2026, 12, 28), True),  # Monday after annandag jul
        (date(2027, 1, 6), False),  # trettondedag jul, a Wednesday
        (date(2027, 3, 26), False),  # långfredagen
        (date(2027, 3, 29), False),  # annandag påsk
        (date(2027, 5, 6), False),  # Kristi himmelsfärdsdag
        (date(2027, 6, 25), False),  # midsommarafton
        (date(2027, 11, 5), True),  # Friday before alla helgons dag (a Saturday): an ordinary working day
        (date(2026, 6, 8), True),
        (date(2026, 6, 6), False),  # nationaldagen (a Saturday anyway)
        (date(2028, 6, 6), False),  # nationaldagen on a Tuesday
    ],
)
def test_working_days(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("decided", "days", "deadline"),
    [
        # 1 December 2026 21:42 + 30 days = 31 December (nyårsafton), then nyårsdagen, a Saturday and a Sunday.
        (datetime(2026, 12, 1, 21, 42, tzinfo=STOCKHOLM), 30, date(2027, 1, 4)),
        (datetime(2026, 11, 26, 10, 0, tzinfo=STOCKHOLM), 30, date(2026, 12, 28)),
        (datetime(2027, 1, 4, 9, 0, tzinfo=STOCKHOLM), 30, date(2027, 2, 3)),  # a Wednesday: stays
        # 23:30 Swedish time is 22:30 UTC: the day is the Swedish one.
        (datetime(2027, 1, 4, 22, 30, tzinfo=UTC), 30, date(2027, 2, 3)),
        (datetime(2027, 5, 19, 12, 0, tzinfo=STOCKHOLM), 37, date(2027, 6, 28)),  # midsommarafton/-dagen, Sunday
    ],
)
def test_deadline_after(decided, days, deadline):
    assert deadline_after(decided, days) == datetime.combine(deadline, time(23, 59, 59), tzinfo=STOCKHOLM)


instants = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))


@given(instants, st.integers(min_value=0, max_value=400))
def test_a_deadline_is_always_the_end_of_a_working_day_and_never_earlier_than_the_days_given(decided, days):
    deadline = deadline_after(decided, days)
    local = deadline.astimezone(STOCKHOLM)
    assert local.time() == time(23, 59, 59)
    assert is_working_day(local.date())
    assert deadline >= decided + timedelta(days=days)
    # and it is the first such end of day: the day before it is either a day off or too early
    earlier = datetime.combine(local.date() - timedelta(days=1), time(23, 59, 59), tzinfo=STOCKHOLM)
    assert earlier < decided + timedelta(days=days) or not is_working_day(earlier.date())
    # A run of days off in Sweden is at most 4 long (långfredagen to annandag påsk; julafton to the Sunday).
    assert local.date() - (decided + timedelta(days=days)).astimezone(STOCKHOLM).date() <= timedelta(days=5)
