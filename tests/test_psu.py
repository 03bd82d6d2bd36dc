"""CNAF barème (PSU) estimates: one row per family, against the dated barème of the example settings file.

The example file holds the national barème (the same data every commune copies), so these rows also check
that data against the published figures of /work/shared/notes/psu-bareme.md §4.
"""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from passfamille.commune import load_settings
from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.creche import psu
from passfamille.creche.bareme import NoBaremeInForce, PlafondOverride
from passfamille.creche.psu import estimate

BAREME = load_settings(DEFAULT_COMMUNE_FILE).creche.psu_bareme

JAN_2024 = date(2024, 3, 1)
SEPT_2024 = date(2024, 10, 1)
JAN_2025 = date(2025, 3, 1)
Y2026 = date(2026, 3, 1)


def per_month(monthly: str) -> int:
    """Annual resources for a whole number of euros per month."""
    return int(Decimal(monthly) * 12)


# id, annual resources, children, AEEH children, table, date, per cent rate, exact hourly, rounded hourly
HOURLY = [
    # Resources bounds.
    ("under_plancher_uses_the_plancher", per_month("500"), 1, 0, "collective", Y2026, "0.0619", "0.50424978", "0.50"),
    ("no_resources_uses_the_plancher", 0, 1, 0, "collective", Y2026, "0.0619", "0.50424978", "0.50"),
    ("one_euro_under_the_plancher_uses_it", 9611, 1, 0, "collective", JAN_2025, "0.0619", "0.495819", "0.50"),
    ("exactly_on_the_plancher", per_month("801"), 2, 0, "collective", JAN_2025, "0.0516", "0.413316", "0.41"),
    ("over_plafond_uses_the_plafond", per_month("10000"), 1, 0, "collective", Y2026, "0.0619", "5.2615", "5.26"),
    ("exactly_on_the_plafond", per_month("8500"), 1, 0, "collective", Y2026, "0.0619", "5.2615", "5.26"),
    # Collective table A: 1, 2, 3, 4-7, 8-10 (8 and more).
    ("collective_1_child", per_month("3000"), 1, 0, "collective", Y2026, "0.0619", "1.857", "1.86"),
    ("collective_2_children", per_month("3000"), 2, 0, "collective", Y2026, "0.0516", "1.548", "1.55"),
    ("collective_3_children", per_month("3000"), 3, 0, "collective", Y2026, "0.0413", "1.239", "1.24"),
    ("collective_4_children", per_month("3000"), 4, 0, "collective", Y2026, "0.0310", "0.93", "0.93"),
    ("collective_7_children_same_band_as_4", per_month("3000"), 7, 0, "collective", Y2026, "0.0310", "0.93", "0.93"),
    ("collective_8_children", per_month("3000"), 8, 0, "collective", Y2026, "0.0206", "0.618", "0.62"),
    ("collective_10_children", per_month("3000"), 10, 0, "collective", Y2026, "0.0206", "0.618", "0.62"),
    ("collective_over_10_keeps_8_rate", per_month("3000"), 13, 0, "collective", Y2026, "0.0206", "0.618", "0.62"),
    # Familial and parental table B: 1, 2, 3-5, 6 and more.
    ("familial_1_child", per_month("3000"), 1, 0, "familial", Y2026, "0.0516", "1.548", "1.55"),
    ("familial_2_children", per_month("3000"), 2, 0, "familial", Y2026, "0.0413", "1.239", "1.24"),
    ("familial_3_children", per_month("3000"), 3, 0, "familial", Y2026, "0.0310", "0.93", "0.93"),
    ("familial_5_children_same_band_as_3", per_month("3000"), 5, 0, "familial", Y2026, "0.0310", "0.93", "0.93"),
    ("familial_6_children", per_month("3000"), 6, 0, "familial", Y2026, "0.0206", "0.618", "0.62"),
    ("familial_10_children", per_month("3000"), 10, 0, "familial", Y2026, "0.0206", "0.618", "0.62"),
    # Each AEEH child moves the family one band down.
    ("sandbox_1_child_1_aeeh_is_band_2", 40923, 1, 1, "collective", Y2026, "0.0516", "1.759689", "1.76"),
    ("3_children_1_aeeh_is_band_4", per_month("3000"), 3, 1, "collective", Y2026, "0.0310", "0.93", "0.93"),
    ("7_children_1_aeeh_is_band_8", per_month("3000"), 7, 1, "collective", Y2026, "0.0206", "0.618", "0.62"),
    ("familial_2_children_1_aeeh_is_band_3", per_month("3000"), 2, 1, "familial", Y2026, "0.0310", "0.93", "0.93"),
    (
        "no_child_known_counts_the_child_concerned",
        per_month("3000"),
        0,
        0,
        "collective",
        Y2026,
        "0.0619",
        "1.857",
        "1.86",
    ),
    # Worked examples published by crèches and communes (psu-bareme.md §4).
    ("suresnes_2026_3000_2_children", per_month("3000"), 2, 0, "collective", Y2026, "0.0516", "1.548", "1.55"),
    ("suresnes_2026_plafond_1_child", per_month("8500"), 1, 0, "collective", Y2026, "0.0619", "5.2615", "5.26"),
    ("suresnes_2024_3000_2_children", per_month("3000"), 2, 0, "collective", JAN_2024, "0.0516", "1.548", "1.55"),
    ("maison_bleue_2024_minimum", 0, 1, 0, "collective", JAN_2024, "0.0619", "0.47401163", "0.47"),
    ("maison_bleue_2024_maximum", per_month("9000"), 1, 0, "collective", JAN_2024, "0.0619", "3.714", "3.71"),
    # Vincennes shows 2.22 for 2.2284: we round half-up, never truncate.
    ("vincennes_3600_rounds_half_up", per_month("3600"), 1, 0, "collective", Y2026, "0.0619", "2.2284", "2.23"),
    ("exact_half_cent_rounds_up", per_month("1500"), 4, 0, "collective", Y2026, "0.0310", "0.465", "0.47"),
    # The date chooses the period: the plafond rose on 1/9/2024 (6 000 → 7 000) and on 1/9/2025 (7 000 → 8 500).
    ("plafond_6000_on_31_8_2024", per_month("9000"), 1, 0, "collective", date(2024, 8, 31), "0.0619", "3.714", "3.71"),
    ("plafond_7000_on_1_9_2024", per_month("9000"), 1, 0, "collective", date(2024, 9, 1), "0.0619", "4.333", "4.33"),
    ("plafond_7000_on_31_8_2025", per_month("9000"), 1, 0, "collective", date(2025, 8, 31), "0.0619", "4.333", "4.33"),
    ("plafond_8500_on_1_9_2025", per_month("9000"), 1, 0, "collective", date(2025, 9, 1), "0.0619", "5.2615", "5.26"),
    ("plancher_765_77_on_31_12_2024", 0, 1, 0, "collective", date(2024, 12, 31), "0.0619", "0.47401163", "0.47"),
    ("plancher_801_on_1_1_2025", 0, 1, 0, "collective", date(2025, 1, 1), "0.0619", "0.495819", "0.50"),
    ("plancher_814_62_on_1_1_2026", 0, 2, 0, "collective", date(2026, 1, 1), "0.0516", "0.42034392", "0.42"),
]


@pytest.mark.parametrize(
    ("annual", "children", "aeeh", "table", "on", "percent", "exact", "hourly"),
    [row[1:] for row in HOURLY],
    ids=[row[0] for row in HOURLY],
)
def test_hourly_participation(annual, children, aeeh, table, on, percent, exact, hourly):
    result = estimate(annual, children, aeeh, table, BAREME, on)

    assert result.rate.percent == Decimal(percent)
    assert result.hourly_exact == Decimal(exact)
    assert str(result.hourly) == hourly


# id, annual resources, date, plancher applied, plafond applied, monthly resources, retained resources
BOUNDS = [
    ("under_plancher", per_month("500"), Y2026, True, False, "500", "814.62"),
    ("exactly_on_plancher_is_not_raised", per_month("801"), JAN_2025, False, False, "801", "801.00"),
    ("between_the_bounds", 40923, Y2026, False, False, "3410.25", "3410.25"),
    ("exactly_on_plafond_is_not_lowered", per_month("8500"), Y2026, False, False, "8500", "8500"),
    ("over_plafond", per_month("8500") + 1, Y2026, False, True, "8500.083333333333333333333333333333", "8500"),
]


@pytest.mark.parametrize(
    ("annual", "on", "plancher_applied", "plafond_applied", "monthly", "retained"),
    [row[1:] for row in BOUNDS],
    ids=[row[0] for row in BOUNDS],
)
def test_resources_are_clamped_between_plancher_and_plafond(
    annual, on, plancher_applied, plafond_applied, monthly, retained
):
    result = estimate(annual, 1, 0, "collective", BAREME, on)

    assert (result.plancher_applied, result.plafond_applied) == (plancher_applied, plafond_applied)
    assert result.monthly_resources == Decimal(monthly)
    assert result.retained_resources == Decimal(retained)


# Derived bounds of psu-bareme.md §4, collective table: (date, n, minimum at the plancher, maximum at the plafond).
DERIVED_BOUNDS = [
    (Y2026, 1, "0.50", "5.26"),
    (Y2026, 2, "0.42", "4.39"),
    (Y2026, 3, "0.34", "3.51"),
    (Y2026, 4, "0.25", "2.64"),
    (Y2026, 8, "0.17", "1.75"),
    (JAN_2025, 1, "0.50", "4.33"),
    (JAN_2025, 2, "0.41", "3.61"),
    (JAN_2025, 3, "0.33", "2.89"),
    (JAN_2025, 4, "0.25", "2.17"),
    (JAN_2025, 8, "0.17", "1.44"),
    (JAN_2024, 1, "0.47", "3.71"),
    (JAN_2024, 2, "0.40", "3.10"),
    (JAN_2024, 3, "0.32", "2.48"),
    (JAN_2024, 4, "0.24", "1.86"),
    (JAN_2024, 8, "0.16", "1.24"),
]


@pytest.mark.parametrize(
    ("on", "n", "minimum", "maximum"),
    DERIVED_BOUNDS,
    ids=[f"{on.year}-{on.month:02}-n{n}" for on, n, _, _ in DERIVED_BOUNDS],
)
def test_lowest_and_highest_hourly_price_per_band(on, n, minimum, maximum):
    lowest = estimate(0, n, 0, "collective", BAREME, on)
    highest = estimate(10_000_000, n, 0, "collective", BAREME, on)

    assert (str(lowest.hourly), str(highest.hourly)) == (minimum, maximum)


# id, monthly resources, hours per month, rounded hourly, monthly amount
MONTHLY = [
    # 2.20983 → 2.21 per hour; 172.5 × 2.21 = 381.225 → 381.23 (381.20 from the exact rate, 381.22 half-even).
    ("hours_times_rounded_hourly_half_up", "3570", Decimal("172.5"), "2.21", "381.23"),
    # Vincennes published 172.5 h × 2.22 = 382.95 from a truncated rate; half-up gives 2.23.
    ("vincennes_172_5_hours", "3600", Decimal("172.5"), "2.23", "384.68"),
    ("whole_hours", "3000", Decimal("100"), "1.86", "186.00"),
    ("no_hours_booked", "3000", Decimal("0"), "1.86", "0.00"),
]


@pytest.mark.parametrize(
    ("monthly", "hours", "hourly", "amount"), [row[1:] for row in MONTHLY], ids=[row[0] for row in MONTHLY]
)
def test_monthly_amount_for_the_booked_hours(monthly, hours, hourly, amount):
    result = estimate(per_month(monthly), 1, 0, "collective", BAREME, Y2026, hours_per_month=hours)

    assert str(result.hourly) == hourly
    assert str(result.monthly) == amount


def test_no_monthly_amount_without_hours():
    result = estimate(per_month("3000"), 1, 0, "collective", BAREME, Y2026)

    assert (result.hours_per_month, result.monthly) == (None, None)


# id, annual resources, children, AEEH children, expected reason codes
REASONS = [
    ("nothing_special", per_month("3000"), 2, 0, ()),
    ("plancher", 0, 2, 0, (psu.PLANCHER_APPLIED,)),
    ("plafond", per_month("9000"), 2, 0, (psu.PLAFOND_APPLIED,)),
    ("aeeh", per_month("3000"), 1, 1, (psu.AEEH_BAND_DOWN,)),
    ("no_child_known", per_month("3000"), 0, 0, (psu.CHILD_CONCERNED_COUNTED,)),
    ("all_in_display_order", 0, 0, 2, (psu.PLANCHER_APPLIED, psu.AEEH_BAND_DOWN, psu.CHILD_CONCERNED_COUNTED)),
]


@pytest.mark.parametrize(
    ("annual", "children", "aeeh", "reasons"), [row[1:] for row in REASONS], ids=[row[0] for row in REASONS]
)
def test_reasons_explain_the_estimate(annual, children, aeeh, reasons):
    assert estimate(annual, children, aeeh, "collective", BAREME, Y2026).reasons == reasons


def test_zero_children_is_counted_as_the_child_concerned():
    result = estimate(per_month("3000"), 0, 1, "collective", BAREME, Y2026)

    assert (result.children, result.children_counted, result.n) == (0, 1, 2)
    assert result.rate.band.children_min == 2


def test_estimate_names_the_barème_period_and_rate_table_used():
    result = estimate(per_month("9000"), 1, 0, "collective", BAREME, date(2025, 9, 1))

    assert result.bounds.period.valid_from == date(2025, 9, 1)
    assert result.bounds.period.valid_until == date(2025, 12, 31)
    assert "8 500 €" in result.bounds.period.source
    assert result.rate.valid_from == date(2022, 1, 1)
    assert "2019-005" in result.rate.source
    assert (result.rate.band.children_min, result.rate.band.children_max) == (1, 1)


def with_override(plafond: str, valid_from: date, valid_until: date | None = None):
    override = PlafondOverride(valid_from, valid_until, Decimal(plafond), "Délibération n° 2025-130")
    return dataclasses.replace(BAREME, plafond_overrides=(override,))


# id, barème, date, plafond used, rounded hourly for 10 000 €/month and 1 child
OVERRIDES = [
    ("commune_plafond_above_national_applies", with_override("9000", date(2026, 1, 1)), Y2026, "9000", "5.57"),
    ("commune_plafond_not_yet_in_force", with_override("9000", date(2026, 1, 1)), JAN_2025, "7000", "4.33"),
    ("commune_plafond_ended", with_override("9000", date(2024, 1, 1), date(2024, 12, 31)), Y2026, "8500", "5.26"),
    ("commune_plafond_below_national_is_ignored", with_override("6860", date(2026, 1, 1)), Y2026, "8500", "5.26"),
]


@pytest.mark.parametrize(
    ("bareme", "on", "plafond", "hourly"), [row[1:] for row in OVERRIDES], ids=[row[0] for row in OVERRIDES]
)
def test_commune_may_raise_the_plafond(bareme, on, plafond, hourly):
    result = estimate(per_month("10000"), 1, 0, "collective", bareme, on)

    assert result.bounds.plafond == Decimal(plafond)
    assert str(result.hourly) == hourly


# id, keyword arguments changed from a valid call, exception, message fragment
NONSENSE = [
    ("negative_resources", {"annual_resources": -1}, ValueError, "annual_resources cannot be negative"),
    ("negative_children", {"children": -1}, ValueError, "children cannot be negative"),
    ("negative_aeeh_children", {"aeeh_children": -1}, ValueError, "aeeh_children cannot be negative"),
    ("resources_as_text", {"annual_resources": "40923"}, TypeError, "annual_resources must be an int"),
    ("resources_as_boolean", {"annual_resources": True}, TypeError, "annual_resources must be an int"),
    ("unknown_table", {"table": "micro"}, ValueError, "unknown taux d'effort table 'micro'"),
    ("negative_hours", {"hours_per_month": Decimal("-1")}, ValueError, "hours_per_month must be between 0 and 744"),
    ("more_hours_than_a_month", {"hours_per_month": Decimal("745")}, ValueError, "between 0 and 744"),
    ("date_before_the_barème", {"on": date(2023, 12, 31)}, NoBaremeInForce, "en vigueur le 31/12/2023"),
]


@pytest.mark.parametrize(
    ("changes", "error", "message"), [row[1:] for row in NONSENSE], ids=[row[0] for row in NONSENSE]
)
def test_nonsense_input_raises(changes, error, message):
    arguments = {
        "annual_resources": 40923,
        "children": 1,
        "aeeh_children": 0,
        "table": "collective",
        "bareme": BAREME,
        "on": Y2026,
    } | changes

    with pytest.raises(error, match=message):
        estimate(**arguments)


@pytest.mark.parametrize("module", ["creche/psu.py", "creche/points.py"])
def test_creche_computations_are_pure(module):
    imports = [
        line
        for line in (DEFAULT_COMMUNE_FILE.parent / module).read_text().splitlines()
        if line.startswith(("import ", "from "))
    ]

    assert imports, "no import found: the module moved?"
    assert not [line for line in imports if any(word in line for word in ("flask", "requests", "sqlalchemy"))]
