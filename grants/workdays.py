"""Swedish working days, for deadlines that end with a working day rather than at the clock time something
happened.

A working day is Monday–Friday that is neither a public holiday (allmän helgdag, lag 1989:253) nor one of the
eves that offices treat as holidays (julafton, nyårsafton, midsommarafton). Everything here is computed; no
table to keep up to date.
"""

from datetime import date, datetime, time, timedelta

from grants.formatting import STOCKHOLM

END_OF_DAY = time(23, 59, 59)


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_weekday_from(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def swedish_holidays(year: int) -> dict[date, str]:
    """The public holidays and holiday eves of one year, each with its Swedish name."""
    easter = easter_sunday(year)
    midsummer_eve = _first_weekday_from(date(year, 6, 19), 4)  # the Friday of 19–25 June
    all_saints = _first_weekday_from(date(year, 10, 31), 5)  # the Saturday of 31 October–6 November
    return {
        date(year, 1, 1): "nyårsdagen",
        date(year, 1, 6): "trettondedag jul",
        easter - timedelta(days=2): "långfredagen",
        easter: "påskdagen",
        easter + timedelta(days=1): "annandag påsk",
        date(year, 5, 1): "första maj",
        easter + timedelta(days=39): "Kristi himmelsfärdsdag",
        easter + timedelta(days=49): "pingstdagen",
        date(year, 6, 6): "Sveriges nationaldag",
        midsummer_eve: "midsommarafton",
        midsummer_eve + timedelta(days=1): "midsommardagen",
        all_saints: "alla helgons dag",
        date(year, 12, 24): "julafton",
        date(year, 12, 25): "juldagen",
        date(year, 12, 26): "annandag jul",
        date(year, 12, 31): "nyårsafton",
    }


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in swedish_holidays(day.year)


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def end_of_working_day(day: date) -> datetime:
    """23:59:59 Swedish time on the day, or on the first working day after it."""
    return datetime.combine(next_working_day(day), END_OF_DAY, tzinfo=STOCKHOLM)


def deadline_after(start: datetime, days: int) -> datetime:
    """The end (23:59:59 Europe/Stockholm) of the working day on which `days` days after `start` fall, or of the
    first working day after it: never earlier than `start + days`, whatever the clock time of `start`."""
    naive = (start + timedelta(days=days)).astimezone(STOCKHOLM)
    day = naive.date()
    if naive.time() > END_OF_DAY:  # the last second of the day: the deadline would fall before it
        day += timedelta(days=1)
    return end_of_working_day(day)
