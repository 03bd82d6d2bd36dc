"""Calendar-month arithmetic (passfamille.months), shared by the Pass Famille rules and the crèche settings."""

from datetime import date

import pytest

from passfamille.months import add_months, calendar_months, completed_months


@pytest.mark.parametrize(
    ("year", "month", "on", "expected"),
    [
        (2026, 2, date(2026, 2, 28), 0),  # same month, whatever the day
        (2025, 11, date(2026, 2, 1), 3),  # across a new year
        (2026, 3, date(2026, 2, 1), -1),  # a month after `on`
    ],
)
def test_calendar_months_ignores_the_days(year, month, on, expected):
    assert calendar_months(year, month, on) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 3, 15), date(2026, 4, 14), 0),  # the day before the month is completed
        (date(2026, 3, 15), date(2026, 4, 15), 1),
        (date(2025, 1, 31), date(2026, 2, 28), 12),  # no 31 February: the 13th month is not completed
        (date(2026, 3, 15), date(2026, 1, 10), -3),  # an expected child, before birth
    ],
)
def test_completed_months_counts_a_month_once_its_day_is_reached(start, end, expected):
    assert completed_months(start, end) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 10), 9, date(2026, 10, 10)),
        (date(2026, 5, 10), 9, date(2027, 2, 10)),  # across a new year
        (date(2026, 8, 31), -6, date(2026, 2, 28)),  # no 31 February: last day of the month
        (date(2028, 8, 31), -6, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 3, 10), -6, date(2026, 9, 10)),  # back across a new year
    ],
)
def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected
