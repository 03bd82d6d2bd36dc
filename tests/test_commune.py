"""The commune settings file: the example loads, and each kind of mistake gives one line naming the key."""

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from passfamille.commune import SettingsError, contrast_with_white, load_settings, luhn_valid
from passfamille.commune_settings import NoRulesInForce, Territory
from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.creche.bareme import NoBaremeInForce
from passfamille.creche.settings import PreRegistrationStart

EXAMPLE_TEXT = DEFAULT_COMMUNE_FILE.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def example_logo_beside(tmp_path):
    """Copies of the example settings written to tmp_path find the example's logo beside them."""
    shutil.copy(DEFAULT_COMMUNE_FILE.parent / "logo-val-fleuri.svg", tmp_path)


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


def broken(old: str, new: str) -> str:
    assert EXAMPLE_TEXT.count(old) >= 1, f"the example file no longer contains {old!r}"
    return EXAMPLE_TEXT.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


# id, broken file text, expected fragment of the one-line message
MISTAKES = [
    (
        "show_details_must_be_true_or_false",
        broken("  show_details: false", "  show_details: oui"),
        "clé « api_particulier.show_details » : « true » ou « false » attendu, « oui » trouvé",
    ),
    (
        "unknown_top_level_key_suggests_the_right_one",
        broken("\npass_famille:", "\npass_famile:"),
        "clé inconnue « pass_famile » — vouliez-vous dire « pass_famille » ?",
    ),
    (
        "unknown_nested_key_names_its_full_path",
        broken("children_age_limit: 18", "children_age_limt: 18"),
        "clé inconnue « pass_famille.rules[0].children_age_limt » — "
        "vouliez-vous dire « pass_famille.rules[0].children_age_limit » ?",
    ),
    (
        "unknown_key_in_a_bracket",
        broken("qf_max: 450, price: 0, discount_percent: 50", "qf_max: 450, price: 0, discount: 50"),
        "clé inconnue « pass_famille.rules[0].brackets[0].discount » — "
        "vouliez-vous dire « pass_famille.rules[0].brackets[0].discount_percent » ?",
    ),
    (
        "unknown_key_far_from_any_lists_the_possible_keys",
        broken("  draft_hours: 48", "  draft_hours: 48\n  zzz: 1"),
        "clé inconnue « retention.zzz » (clés possibles : draft_hours,",
    ),
    (
        "letter_o_instead_of_zero_in_a_bracket_bound",
        broken("qf_max: 1300", "qf_max: 80O"),
        "clé « pass_famille.rules[0].brackets[2].qf_max » : nombre entier attendu, « 80O » trouvé",
    ),
    (
        "missing_required_key",
        broken('  siret: "21130990100018"\n', ""),
        "clé « commune.siret » : clé obligatoire manquante",
    ),
    (
        "required_key_left_empty",
        broken('from_address: "ne-pas-repondre@val-fleuri.example"', "from_address:"),
        "clé « mail.from_address » : valeur obligatoire absente",
    ),
    (
        "siret_with_wrong_check_digit",
        broken('siret: "21130990100018"', 'siret: "21130990100019"'),
        "clé « commune.siret » : SIRET invalide (clé de contrôle fausse) : « 21130990100019 »",
    ),
    (
        "siret_too_short",
        broken('siret: "21130990100018"', 'siret: "2113099010001"'),
        "clé « commune.siret » : SIRET de 14 chiffres attendu, « 2113099010001 » trouvé",
    ),
    (
        "siret_without_quotes",
        broken('siret: "21130990100018"', "siret: 21130990100018"),
        "clé « commune.siret » : texte attendu (mettez-le entre guillemets), « 21130990100018 » trouvé",
    ),
    (
        "postal_code_too_short",
        broken('"75002", "13001"', '"7502", "13001"'),
        "clé « territory.postal_codes[1] » : code postal de 5 chiffres entre guillemets attendu, « 7502 » trouvé",
    ),
    (
        "postal_code_with_leading_zero_without_quotes_is_shown_as_typed",
        broken('postal_codes: ["75001"', "postal_codes: [01000"),
        "clé « territory.postal_codes[0] » : texte attendu (mettez-le entre guillemets), « 01000 » trouvé",
    ),
    (
        "postal_code_twice",
        broken('"75002", "13001"', '"75002", "75002"'),
        "clé « territory.postal_codes[2] » : « 75002 » figure deux fois dans la liste",
    ),
    (
        "insee_code_invalid",
        broken('insee_code: "13990"', 'insee_code: "20123"'),
        "clé « commune.insee_code » : code INSEE de 5 caractères attendu (ex. « 13055 »), « 20123 » trouvé",
    ),
    (
        "brackets_not_increasing",
        broken("qf_max: 1300", "qf_max: 900"),
        "clé « pass_famille.rules[0].brackets[2].qf_max » : les tranches doivent être croissantes : "
        "900 n'est pas supérieur au plafond de la tranche précédente (900)",
    ),
    (
        "bracket_code_twice",
        broken("{code: B, label", "{code: A, label"),
        "clé « pass_famille.rules[0].brackets[1].code » : code « A » déjà utilisé par une autre tranche",
    ),
    (
        "bracket_dearer_than_full_price",
        broken("price: 30,", "price: 55,"),
        "clé « pass_famille.rules[0].brackets[3].price » : prix supérieur au plein tarif (full_price = 50)",
    ),
    (
        "bracket_discount_below_full_price_discount",
        broken("price: 30, discount_percent: 20", "price: 30, discount_percent: 5"),
        "clé « pass_famille.rules[0].brackets[3].discount_percent » : réduction inférieure à celle du plein tarif",
    ),
    (
        "price_with_three_decimals",
        broken("price: 10, discount_percent: 40", "price: 10.505, discount_percent: 40"),
        "clé « pass_famille.rules[0].brackets[1].price » : montant positif avec au plus 2 décimales attendu",
    ),
    (
        "price_with_decimal_comma",
        broken("price: 10, discount_percent: 40", 'price: "10,50", discount_percent: 40'),
        "clé « pass_famille.rules[0].brackets[1].price » : montant en euros attendu (ex. 12.50), « 10,50 » trouvé",
    ),
    (
        "discount_above_100",
        broken("discount_percent: 50}", "discount_percent: 150}"),
        "clé « pass_famille.rules[0].brackets[0].discount_percent » : nombre entre 0 et 100 attendu, « 150 » trouvé",
    ),
    (
        "duplicate_valid_from",
        broken("valid_from: 2024-01-01", "valid_from: 2026-01-01"),
        "clé « pass_famille.rules[1].valid_from » : date 2026-01-01 déjà utilisée par « pass_famille.rules[0] »",
    ),
    (
        "impossible_date",
        broken("valid_from: 2026-01-01", "valid_from: 2026-13-01"),
        "clé « pass_famille.rules[0].valid_from » : date AAAA-MM-JJ attendue (ex. 2026-01-01), « 2026-13-01 » trouvé",
    ),
    (
        "date_in_french_order",
        broken("date: 2025-12-15", "date: 15/12/2025"),
        "clé « pass_famille.rules[0].deliberation.date » : date AAAA-MM-JJ attendue",
    ),
    (
        "rule_set_starting_before_its_deliberation",
        broken("date: 2025-12-15", "date: 2026-01-15"),
        "clé « pass_famille.rules[0].valid_from » : le barème ne peut s'appliquer avant la délibération du 15/01/2026",
    ),
    (
        "provider_misspelt",
        broken("accepted_providers: [CNAF, MSA]", "accepted_providers: [CNAF, MAS]"),
        "clé « pass_famille.rules[0].accepted_providers[1] » : « CNAF » ou « MSA » attendu, « MAS » trouvé",
    ),
    (
        "age_limit_not_a_number",
        broken("children_age_limit: 18", "children_age_limit: dix-huit"),
        "clé « pass_famille.rules[0].children_age_limit » : nombre entier attendu, « dix-huit » trouvé",
    ),
    (
        "boolean_as_text",
        broken("residency_required: true", 'residency_required: "oui"'),
        "clé « pass_famille.rules[0].residency_required » : « true » ou « false » attendu, « oui » trouvé",
    ),
    (
        "qf_max_age_beyond_caf_history",
        broken("qf_max_age_months: null", "qf_max_age_months: 36"),
        "clé « pass_famille.rules[0].qf_max_age_months » : nombre entre 0 et 24 attendu, « 36 » trouvé",
    ),
    (
        "no_rule_set",
        EXAMPLE_TEXT[: EXAMPLE_TEXT.index("  rules:\n")] + "  rules: []\n",
        "clé « pass_famille.rules » : liste vide",
    ),
    (
        "colour_without_quotes_is_read_as_a_comment",
        broken('colour: "#0b6e4f"', "colour: #0b6e4f"),
        "clé « commune.colour » : valeur obligatoire absente",
    ),
    (
        "colour_too_light_for_white_text",
        broken('colour: "#0b6e4f"', 'colour: "#3a7bd5"'),
        "clé « commune.colour » : couleur trop claire : contraste avec le texte blanc de 4,22:1, "
        "il faut au moins 4,5:1",
    ),
    (
        "colour_by_name",
        broken('colour: "#0b6e4f"', 'colour: "vert"'),
        "clé « commune.colour » : couleur #rrggbb entre guillemets attendue (ex. « #0b6e4f »), « vert » trouvé",
    ),
    (
        "email_without_domain",
        broken('email: "dpd@val-fleuri.example"', 'email: "dpd@"'),
        "clé « commune.dpo.email » : adresse électronique attendue, « dpd@ » trouvé",
    ),
    (
        "website_without_scheme",
        broken('website: "https://www.val-fleuri.example"', 'website: "www.val-fleuri.example"'),
        "clé « commune.website » : adresse https://… attendue",
    ),
    (
        "logo_file_missing",
        broken('  logo: "logo-val-fleuri.svg"', '  logo: "logo-absent.svg"'),
        "clé « commune.logo » : fichier introuvable",
    ),
    (
        "refused_applications_kept_longer_than_accepted_ones",
        broken("refused_application_months: 6", "refused_application_months: 48"),
        "clé « retention.refused_application_months » : une demande refusée ne peut être gardée plus longtemps",
    ),
    (
        "validity_with_both_months_and_date",
        broken("    months: 12", "    months: 12\n    until: 2027-08-31"),
        "clé « pass_famille.validity » : indiquez soit « months » (durée en mois), soit « until »",
    ),
    (
        "section_given_as_text",
        EXAMPLE_TEXT[: EXAMPLE_TEXT.index("\nmail:\n")]
        + '\nmail: "mairie@val-fleuri.example"\n'
        + EXAMPLE_TEXT[EXAMPLE_TEXT.index("\npass_famille:\n") :],
        "clé « mail » : bloc de clés attendu, « mairie@val-fleuri.example » trouvé",
    ),
    (
        "list_given_as_text",
        broken('  insee_codes: ["75101", "75102", "13201", "13206", "13208"]', '  insee_codes: "75101"'),
        "clé « territory.insee_codes » : liste attendue, « 75101 » trouvé",
    ),
    (
        "duplicate_key",
        broken('  name: "Ville de Val-Fleuri"', '  name: "Ville de Val-Fleuri"\n  name: "Val-Fleuri"'),
        "YAML invalide : clé « name » en double (déjà vue ligne",
    ),
    (
        "tab_indentation",
        broken("  draft_hours: 48", "\tdraft_hours: 48"),
        "YAML invalide : tabulation interdite : indentez avec des espaces",
    ),
    # Crèche pre-registration.
    (
        "creche_section_with_an_accent_suggests_the_key",
        broken("\ncreche:\n", "\ncrèche:\n"),
        "clé inconnue « crèche » — vouliez-vous dire « creche » ?",
    ),
    (
        "creche_key_misspelt",
        broken("    pregnancy_month: 4", "    pregancy_month: 4"),
        "clé inconnue « creche.earliest_pre_registration.pregancy_month » — "
        "vouliez-vous dire « creche.earliest_pre_registration.pregnancy_month » ?",
    ),
    (
        "pregnancy_month_beyond_nine",
        broken("    pregnancy_month: 4", "    pregnancy_month: 10"),
        "clé « creche.earliest_pre_registration.pregnancy_month » : nombre entre 1 et 9 attendu, « 10 » trouvé",
    ),
    (
        "unknown_table",
        broken("      table: familial", "      table: familiale"),
        "clé « creche.structures[2].table » : « collective » ou « familial » attendu, « familiale » trouvé",
    ),
    (
        "structure_code_twice",
        broken('code: "petits-loups"', 'code: "pioupious"'),
        "clé « creche.structures[1].code » : code « pioupious » déjà utilisé par une autre structure",
    ),
    (
        "structure_code_with_capitals",
        broken('code: "pioupious"', 'code: "Pioupious"'),
        "clé « creche.structures[0].code » : code court en minuscules attendu",
    ),
    (
        "structure_without_opening_hours",
        broken('      opening_hours: "Du lundi au vendredi, de 8 h à 18 h"\n', ""),
        "clé « creche.structures[1].opening_hours » : clé obligatoire manquante",
    ),
    (
        "age_groups_overlapping",
        broken("min_months: 12, max_months: 24", "min_months: 10, max_months: 24"),
        "clé « creche.structures[0].age_groups[1].min_months » : les sections doivent se suivre par âge croissant "
        "sans se chevaucher : 10 mois est avant la fin de la section précédente (12 mois)",
    ),
    (
        "age_group_ending_before_it_starts",
        broken("min_months: 12, max_months: 24", "min_months: 12, max_months: 12"),
        "clé « creche.structures[0].age_groups[1].max_months » : âge de fin supérieur à min_months (12) attendu",
    ),
    (
        "age_group_beyond_six_years",
        broken("min_months: 24, max_months: 48, places: 15", "min_months: 24, max_months: 84, places: 15"),
        "clé « creche.structures[0].age_groups[2].max_months » : nombre entre 1 et 72 attendu, « 84 » trouvé",
    ),
    (
        "age_group_without_places",
        broken("max_months: 12, places: 10", "max_months: 12, places: 0"),
        "clé « creche.structures[0].age_groups[0].places » : nombre entre 1 et 500 attendu, « 0 » trouvé",
    ),
    (
        "negative_points",
        broken("      points: 15", "      points: -15"),
        "clé « creche.points_grid[2].points » : nombre entre 0 et 1000 attendu, « -15 » trouvé",
    ),
    (
        "criterion_code_twice",
        broken('code: "parent-seul"', 'code: "parents-actifs"'),
        "clé « creche.points_grid[1].code » : code « parents-actifs » déjà utilisé par un autre critère",
    ),
    (
        "document_label_without_requires_document",
        broken("      requires_document: false\n", '      requires_document: false\n      document_label: "Livret"\n'),
        "clé « creche.points_grid[2].document_label » : pièce indiquée alors que requires_document vaut false",
    ),
    (
        "relance_answer_longer_than_the_relance_interval",
        broken("relance_answer_days: 30", "relance_answer_days: 90"),
        "clé « creche.delays.relance_answer_days » : délai de réponse plus court que l'intervalle entre deux "
        "relances (3 mois) attendu, « 90 » trouvé",
    ),
    (
        "resources_periods_overlapping",
        broken("valid_from: 2024-09-01", "valid_from: 2024-08-15"),
        "clé « creche.psu_bareme.resources[1].valid_from » : les périodes se chevauchent : celle-ci commence le "
        "15/08/2024, avant la fin de la précédente (31/08/2024)",
    ),
    (
        "resources_periods_with_a_gap",
        broken("valid_from: 2025-01-01", "valid_from: 2025-01-02"),
        "clé « creche.psu_bareme.resources[2].valid_from » : trou entre deux périodes : la précédente finit le "
        "31/12/2024, celle-ci devrait commencer le 01/01/2025, 02/01/2025 trouvé",
    ),
    (
        "resources_periods_newest_first",
        broken(
            "valid_from: 2024-09-01\n        valid_until: 2024-12-31",
            "valid_from: 2023-09-01\n        valid_until: 2023-12-31",
        ),
        "clé « creche.psu_bareme.resources[1].valid_from » : les périodes se chevauchent",
    ),
    (
        "resources_period_left_open_before_another",
        broken("        valid_until: 2024-08-31\n", ""),
        "clé « creche.psu_bareme.resources[1].valid_from » : la période précédente n'a pas de fin",
    ),
    (
        "resources_period_ending_before_it_starts",
        broken("valid_until: 2024-08-31", "valid_until: 2023-08-31"),
        "clé « creche.psu_bareme.resources[0].valid_until » : fin de période avant son début (01/01/2024)",
    ),
    (
        "plancher_above_plafond",
        broken("plancher: 814.62", "plancher: 8514.62"),
        "clé « creche.psu_bareme.resources[4].plafond » : plafond supérieur au plancher (8514.62) attendu",
    ),
    (
        "plancher_with_three_decimals",
        broken("plancher: 814.62", "plancher: 814.625"),
        "clé « creche.psu_bareme.resources[4].plancher » : montant positif avec au plus 2 décimales attendu",
    ),
    (
        "rate_bands_decreasing",
        broken("4: 0.0310   # 4 à 7", "9: 0.0310   # 9 à 7"),
        "clé « creche.psu_bareme.rates[0].collective.8 » : les tranches doivent être croissantes : 8 enfant(s) "
        "après la tranche commençant à 9",
    ),
    (
        "rate_bands_not_starting_at_one_child",
        broken("1: 0.0516   # 1 enfant", "0: 0.0516   # 0 enfant"),
        "clé « creche.psu_bareme.rates[0].familial.0 » : nombre d'enfants du début de la tranche attendu",
    ),
    (
        "rate_band_written_as_a_range",
        broken("4: 0.0310   # 4 à 7", '"4-7": 0.0310   # 4 à 7'),
        "clé « creche.psu_bareme.rates[0].collective.4-7 » : nombre d'enfants du début de la tranche attendu "
        "(ex. 4 pour « 4 à 7 »), « 4-7 » trouvé",
    ),
    (
        "rate_rising_with_more_children",
        broken("3: 0.0413   # 3 enfants", "3: 0.0613   # 3 enfants"),
        "clé « creche.psu_bareme.rates[0].collective.3 » : le taux doit baisser quand le nombre d'enfants "
        "augmente : 0.0613 n'est pas inférieur à celui de la tranche précédente (0.0516)",
    ),
    (
        "rate_with_a_decimal_comma",
        broken("1: 0.0619   # 1 enfant", '1: "0,0619"   # 1 enfant'),
        "clé « creche.psu_bareme.rates[0].collective.1 » : taux en % entre 0 et 1 attendu (ex. 0.0619 pour "
        "0,0619 %), « 0,0619 » trouvé",
    ),
    (
        "rate_written_as_a_whole_percentage",
        broken("1: 0.0619   # 1 enfant", "1: 6.19   # 1 enfant"),
        "clé « creche.psu_bareme.rates[0].collective.1 » : taux en % entre 0 et 1 attendu",
    ),
    (
        "rate_table_missing",
        EXAMPLE_TEXT[: EXAMPLE_TEXT.index("        # Crèche familiale et parentale.")],
        "clé « creche.psu_bareme.rates[0].familial » : clé obligatoire manquante",
    ),
    (
        "rates_starting_after_the_resources",
        broken("valid_from: 2022-01-01", "valid_from: 2024-02-01"),
        "clé « creche.psu_bareme.rates » : aucune table de taux pour le début des ressources (01/01/2024)",
    ),
    (
        "plafond_override_below_the_national_plafond",
        EXAMPLE_TEXT
        + '    plafond_override:\n      - {valid_from: 2025-01-01, plafond: 8000, source: "Délibération"}\n',
        "clé « creche.psu_bareme.plafond_override[0].plafond » : plafond inférieur au plafond national (8500 € "
        "à partir du 01/09/2025)",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [row[1:] for row in MISTAKES], ids=[row[0] for row in MISTAKES])
def test_mistake_gives_one_line_naming_the_file_and_the_key(tmp_path, text, expected):
    settings_file = tmp_path / "commune.yaml"
    settings_file.write_text(text, encoding="utf-8")

    with pytest.raises(SettingsError) as raised:
        load_settings(settings_file)

    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{settings_file}, ligne ")
    assert expected in message


def test_message_gives_the_line_of_the_wrong_value(tmp_path):
    text = broken("qf_max: 1300", "qf_max: 80O")
    settings_file = tmp_path / "commune.yaml"
    settings_file.write_text(text, encoding="utf-8")

    with pytest.raises(SettingsError, match=rf", ligne {line_of(text, 'qf_max: 80O')} : clé « pass_famille"):
        load_settings(settings_file)


def test_yaml_syntax_error_gives_its_line(tmp_path):
    text = broken("  draft_hours: 48\n", "  draft_hours: 48\n    oops: [\n")
    settings_file = tmp_path / "commune.yaml"
    settings_file.write_text(text, encoding="utf-8")

    with pytest.raises(SettingsError) as raised:
        load_settings(settings_file)

    assert str(raised.value).startswith(f"{settings_file}, ligne {line_of(text, 'oops')} : YAML invalide")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "fichier de paramètres de la commune introuvable"),
        ("", "fichier vide"),
        ("# rien\n", "fichier vide"),
        ("- commune\n", "le fichier doit commencer par les clés « commune », « territory »"),
        (b"commune: \xe9t\xe9\n", "le fichier doit être enregistré en UTF-8"),
    ],
    ids=["missing", "empty", "only_comments", "list_at_top", "latin1"],
)
def test_unusable_file_gives_one_line(tmp_path, content, expected):
    settings_file = tmp_path / "commune.yaml"
    if isinstance(content, bytes):
        settings_file.write_bytes(content)
    elif content is not None:
        settings_file.write_text(content, encoding="utf-8")

    with pytest.raises(SettingsError, match=f"^{settings_file} : {expected}"):
        load_settings(settings_file)


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
