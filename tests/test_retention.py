from datetime import date, datetime

import pytest

from passfamille.retention import months_after


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 11, 24), 36, datetime(2029, 11, 24)),
        (date(2026, 1, 31), 1, datetime(2026, 2, 28)),
        (date(2027, 12, 31), 2, datetime(2028, 2, 29)),
        (date(2026, 11, 30), 3, datetime(2027, 2, 28)),
        (date(2026, 5, 15), 0, datetime(2026, 5, 15)),
    ],
)
def test_retention_ends_the_same_day_months_later_or_the_month_end(start, months, expected):
    assert months_after(start, months) == expected
