"""Calendar-month arithmetic: months between two dates, the same day some months later or earlier. Pure."""

import calendar
from datetime import date


def calendar_months(year: int, month: int, on: date) -> int:
    """How many calendar months the month (year, month) is before the month of `on`; days do not count."""
    return (on.year - year) * 12 + on.month - month


def completed_months(start: date, end: date) -> int:
    """Completed months from `start` to `end` (negative when `end` is earlier): from 15 March, one month is
    completed on 15 April, not yet on 14 April."""
    return calendar_months(start.year, start.month, end) - (1 if end.day < start.day else 0)


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (earlier when negative), or that month's last day when it is
    shorter: 31 August minus 6 months is 28 February (29 in a leap year)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
