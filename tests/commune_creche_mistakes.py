"""Mistakes in the crèche part of the commune settings file: the last rows of the table in
test_commune_mistakes.py (id, broken file text, expected fragment of the one-line message)."""

from .commune_example import EXAMPLE_TEXT, broken

CRECHE_MISTAKES = [
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
        "several_documents_without_requires_document",
        broken("      requires_document: false\n", "      requires_document: false\n      several_documents: true\n"),
        "clé « creche.points_grid[2].several_documents » : plusieurs pièces indiquées alors que requires_document "
        "vaut false",
    ),
    (
        "two_criteria_on_the_address",
        broken("      requires_document: false\n", "      requires_document: false\n      address_in_commune: true\n"),
        "clé « creche.points_grid[4].address_in_commune » : un seul critère peut porter sur l'adresse dans la commune",
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
