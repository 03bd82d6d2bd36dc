"""The commune settings file: the example loads, its Pass Famille rule sets apply by date, and the checks on
SIRET, colour and territory."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from passfamille.commune import contrast_with_white, load_settings, luhn_valid
from passfamille.commune_settings import NoRulesInForce, Territory
from passfamille.config import DEFAULT_COMMUNE_FILE

from .commune_example import EXAMPLE_TEXT, broken, example_logo_beside  # noqa: F401 (autouse fixture)


def test_example_file_loads():
    settings = load_settings(DEFAULT_COMMUNE_FILE)

    assert settings.commune.name == "Ville de Val-Fleuri"
    assert settings.commune.siret == "21130990100018"
    assert settings.commune.colour == "#0b6e4f"
    assert settings.commune.logo == DEFAULT_COMMUNE_FILE.parent / "logo-val-fleuri.svg"
    assert "L114-8" in settings.commune.legal_basis and "6, paragraphe 1, point e" in settings.commune.legal_basis
    assert settings.territory.postal_codes == {"75001", "75002", "13001", "13006", "13008"}
    assert settings.retention.application_months > settings.retention.refused_application_months
    assert settings.mail.reply_to == "pass-famille@val-fleuri.example"
    assert settings.pass_famille.validity.months == 12
    assert len(settings.pass_famille.benefits) >= 3
    assert settings.pass_famille.rules.territory is settings.territory


def test_example_rule_sets_are_dated_oldest_first_with_brackets_from_zero():
    rule_sets = load_settings(DEFAULT_COMMUNE_FILE).pass_famille.rules.rule_sets

    assert [rs.valid_from for rs in rule_sets] == [date(2024, 1, 1), date(2026, 1, 1)]
    current = rule_sets[-1]
    assert [(b.code, b.qf_min, b.qf_max, b.price, b.discount_percent) for b in current.brackets] == [
        ("A", 0, 450, Decimal("0"), 50),
        ("B", 451, 900, Decimal("10"), 40),
        ("C", 901, 1300, Decimal("20"), 30),
        ("D", 1301, 1700, Decimal("30"), 20),
        ("E", 1701, 2800, Decimal("40"), 10),
    ]
    assert current.qf_ceiling == 2800
    assert current.full_price == Decimal("50")
    assert current.qf_max_age_months is None
    assert current.accepted_providers == ("CNAF", "MSA")


@pytest.mark.parametrize(
    ("on", "valid_from"),
    [
        (date(2024, 1, 1), date(2024, 1, 1)),
        (date(2025, 12, 31), date(2024, 1, 1)),
        (date(2026, 1, 1), date(2026, 1, 1)),
        (date(2030, 1, 1), date(2026, 1, 1)),
    ],
)
def test_applicable_rule_set_is_the_latest_started(on, valid_from):
    rules = load_settings(DEFAULT_COMMUNE_FILE).pass_famille.rules

    assert rules.applicable(on).valid_from == valid_from


def test_no_rule_set_before_the_first_one():
    rules = load_settings(DEFAULT_COMMUNE_FILE).pass_famille.rules

    with pytest.raises(NoRulesInForce, match="aucun barème .* 31/12/2023 .* 01/01/2024"):
        rules.applicable(date(2023, 12, 31))


def test_logo_is_found_next_to_the_settings_file(tmp_path):
    settings_file = tmp_path / "commune.yaml"
    settings_file.write_text(EXAMPLE_TEXT)

    assert load_settings(settings_file).commune.logo == (tmp_path / "logo-val-fleuri.svg").resolve()


def test_validity_until_a_date(tmp_path):
    settings_file = tmp_path / "commune.yaml"
    settings_file.write_text(broken("    months: 12", "    until: 2027-08-31"))

    validity = load_settings(settings_file).pass_famille.validity

    assert (validity.months, validity.until) == (None, date(2027, 8, 31))


def test_siret_may_be_written_with_spaces(tmp_path):
    settings_file = tmp_path / "commune.yaml"
    settings_file.write_text(broken('siret: "21130990100018"', 'siret: "211 309 901 00018"'))

    assert load_settings(settings_file).commune.siret == "21130990100018"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("21130990100018", True),  # the example commune
        ("21690123100011", True),  # Lyon, hôtel de ville
        ("21130990100019", False),  # last digit changed
        ("12130990100018", False),  # two digits swapped
        ("211309901", True),  # a SIREN
        ("2113099010001A", False),
        ("", False),
    ],
)
def test_luhn_check_of_siret_and_siren(number, valid):
    assert luhn_valid(number) is valid


@pytest.mark.parametrize(
    ("colour", "ratio"),
    [("#ffffff", 1.0), ("#000000", 21.0), ("#767676", 4.54), ("#777777", 4.48), ("#0b6e4f", 6.25)],
)
def test_contrast_with_white_follows_wcag(colour, ratio):
    assert contrast_with_white(colour) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize(
    ("postal_code", "insee_code", "inside"),
    [
        ("75002", None, True),
        (" 75 002 ", None, True),
        ("75008", None, False),
        (None, None, False),
        ("", None, False),
        ("75008", "75102", True),  # the INSEE code decides when known
        ("75002", "75056", False),
        (None, "13206", True),
    ],
)
def test_territory_contains(postal_code, insee_code, inside):
    territory = load_settings(DEFAULT_COMMUNE_FILE).territory

    assert territory.contains(postal_code, insee_code) is inside


def test_territory_without_insee_codes_decides_on_postal_code():
    territory = Territory(insee_codes=frozenset(), postal_codes=frozenset({"13990"}))

    assert territory.contains("13990", "13055") is True


def test_commune_module_does_not_import_flask():
    source = Path(__file__).parents[1].joinpath("passfamille", "commune.py").read_text()
    rules_source = Path(__file__).parents[1].joinpath("passfamille", "rules.py").read_text()

    for text in (source, rules_source):
        assert "import flask" not in text.lower() and "from flask" not in text.lower()
        assert "requests" not in text and "sqlalchemy" not in text.lower()
