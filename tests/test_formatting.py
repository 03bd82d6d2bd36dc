"""French formats a family reads: the first of the month as an ordinal, durations in words."""

from datetime import date

import pytest

from passfamille.formatting import long_date, months_duration


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 1), "1er mars 2026"),
        (date(2026, 1, 1), "1er janvier 2026"),
        ("2027-08-01", "1er août 2027"),
        (date(2026, 3, 2), "2 mars 2026"),
        (date(1985, 7, 14), "14 juillet 1985"),
        (date(2026, 3, 31), "31 mars 2026"),
        (None, ""),
        ("pas une date", ""),
    ],
)
def test_long_date_writes_the_first_of_the_month_as_an_ordinal(day, expected):
    assert long_date(day) == expected


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (0, "0 mois"),
        (1, "1 mois"),
        (11, "11 mois"),
        (12, "1 an"),
        (13, "1 an et 1 mois"),
        (24, "2 ans"),
        (42, "3 ans et 6 mois"),
    ],
)
def test_months_duration_is_said_in_years_and_months(months, expected):
    assert months_duration(months) == expected
