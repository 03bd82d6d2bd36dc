"""The commune settings file's crèche part: structures and age groups, points grid, delays, the CNAF PSU barème
and the earliest pre-registration date."""

from datetime import date
from decimal import Decimal

import pytest

from passfamille.commune import load_settings
from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.creche.bareme import NoBaremeInForce
from passfamille.creche.settings import PreRegistrationStart

from .commune_example import EXAMPLE_TEXT, example_logo_beside  # noqa: F401 (autouse fixture)


def test_example_creche_structures():
    creche = load_settings(DEFAULT_COMMUNE_FILE).creche

    assert [(s.code, s.table, s.places) for s in creche.structures] == [
        ("pioupious", "collective", 40),
        ("petits-loups", "collective", 12),
        ("coquelicots", "familial", 30),
    ]
    pioupious = creche.structure("pioupious")
    assert [(g.code, g.min_months, g.max_months, g.places) for g in pioupious.age_groups] == [
        ("bebes", 2, 12, 10),
        ("moyens", 12, 24, 15),
        ("grands", 24, 48, 15),
    ]
    assert pioupious.address == "12 rue des Tilleuls\n13990 Val-Fleuri"
    assert creche.structure("inconnue") is None
    assert creche.earliest_pre_registration.pregnancy_month == 4
    assert [(c.code, c.points, c.requires_document) for c in creche.points_grid] == [
        ("parents-actifs", 30, True),
        ("parent-seul", 20, True),
        ("fratrie", 15, False),
        ("handicap", 25, True),
        ("residence", 40, True),
    ]
    assert creche.points_grid[2].document_label is None
    assert (creche.delays.relance_months, creche.delays.relance_answer_days, creche.delays.offer_answer_days) == (
        3,
        30,
        8,
    )


def test_example_psu_bareme_is_the_cnaf_one_from_2024():
    bareme = load_settings(DEFAULT_COMMUNE_FILE).creche.psu_bareme

    assert [(p.valid_from, p.valid_until, p.plancher, p.plafond) for p in bareme.resources] == [
        (date(2024, 1, 1), date(2024, 8, 31), Decimal("765.77"), Decimal("6000")),
        (date(2024, 9, 1), date(2024, 12, 31), Decimal("765.77"), Decimal("7000")),
        (date(2025, 1, 1), date(2025, 8, 31), Decimal("801.00"), Decimal("7000")),
        (date(2025, 9, 1), date(2025, 12, 31), Decimal("801.00"), Decimal("8500")),
        (date(2026, 1, 1), None, Decimal("814.62"), Decimal("8500")),
    ]
    assert all(period.source for period in bareme.resources)
    assert "calculé" in bareme.resources[2].source  # the derived 2025 plancher says so
    assert bareme.plafond_overrides == ()
    (table,) = bareme.rate_tables
    assert table.valid_from == date(2022, 1, 1)
    assert [(b.children_min, b.children_max, b.percent) for b in table.collective] == [
        (1, 1, Decimal("0.0619")),
        (2, 2, Decimal("0.0516")),
        (3, 3, Decimal("0.0413")),
        (4, 7, Decimal("0.0310")),
        (8, None, Decimal("0.0206")),
    ]
    assert [(b.children_min, b.children_max, b.percent) for b in table.familial] == [
        (1, 1, Decimal("0.0516")),
        (2, 2, Decimal("0.0413")),
        (3, 5, Decimal("0.0310")),
        (6, None, Decimal("0.0206")),
    ]


@pytest.mark.parametrize(
    ("on", "plancher", "plafond"),
    [
        (date(2024, 1, 1), "765.77", "6000"),
        (date(2024, 8, 31), "765.77", "6000"),
        (date(2024, 9, 1), "765.77", "7000"),
        (date(2025, 1, 1), "801.00", "7000"),
        (date(2025, 8, 31), "801.00", "7000"),
        (date(2025, 9, 1), "801.00", "8500"),
        (date(2026, 1, 1), "814.62", "8500"),
        (date(2030, 6, 1), "814.62", "8500"),
    ],
)
def test_resources_bounds_on_a_date(on, plancher, plafond):
    bounds = load_settings(DEFAULT_COMMUNE_FILE).creche.psu_bareme.resources_bounds(on)

    assert (bounds.plancher, bounds.plafond) == (Decimal(plancher), Decimal(plafond))


def test_no_resources_bounds_before_the_first_period():
    bareme = load_settings(DEFAULT_COMMUNE_FILE).creche.psu_bareme

    with pytest.raises(NoBaremeInForce, match="aucun plancher ni plafond de ressources CNAF .* 31/12/2023"):
        bareme.resources_bounds(date(2023, 12, 31))


def test_plafond_override_of_the_commune(tmp_path):
    settings_file = tmp_path / "commune.yaml"
    settings_file.write_text(
        EXAMPLE_TEXT
        + '    plafond_override:\n      - {valid_from: 2026-01-01, plafond: 9000, source: "Délibération"}\n'
    )

    bareme = load_settings(settings_file).creche.psu_bareme

    assert bareme.plafond_overrides[0].plafond == Decimal("9000")
    assert bareme.resources_bounds(date(2026, 3, 1)).plafond == Decimal("9000")
    assert bareme.resources_bounds(date(2026, 3, 1)).override.source == "Délibération"
    assert bareme.resources_bounds(date(2025, 12, 31)).plafond == Decimal("8500")


def test_settings_without_creche_section(tmp_path):
    settings_file = tmp_path / "commune.yaml"
    settings_file.write_text(EXAMPLE_TEXT[: EXAMPLE_TEXT.index("\n# Facultatif : préinscription en crèche")])

    assert load_settings(settings_file).creche is None


@pytest.mark.parametrize(
    ("pregnancy_month", "due_date", "earliest"),
    [
        (4, date(2026, 10, 15), date(2026, 4, 15)),  # the example: 6 months before the due date
        (4, date(2027, 3, 10), date(2026, 9, 10)),  # across a new year
        (4, date(2026, 8, 31), date(2026, 2, 28)),  # no 31 February: last day of the month
        (4, date(2028, 8, 31), date(2028, 2, 29)),  # leap year
        (1, date(2026, 10, 15), date(2026, 1, 15)),  # from the start of pregnancy: 9 months before
        (9, date(2026, 10, 15), date(2026, 9, 15)),  # last month only
    ],
)
def test_earliest_pre_registration_date_from_the_due_date(pregnancy_month, due_date, earliest):
    assert PreRegistrationStart(pregnancy_month).earliest_date(due_date) == earliest


@pytest.mark.parametrize(("age_months", "group"), [(1, None), (2, "bebes"), (11, "bebes"), (12, "moyens"), (48, None)])
def test_age_group_includes_its_first_month_not_its_last(age_months, group):
    structure = load_settings(DEFAULT_COMMUNE_FILE).creche.structure("pioupious")

    found = [g.code for g in structure.age_groups if g.contains(age_months)]

    assert found == ([group] if group else [])
