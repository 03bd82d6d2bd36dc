"""The commune settings file: each kind of mistake gives one line naming the file, the line and the key."""

import pytest

from passfamille.commune import SettingsError, load_settings

from .commune_creche_mistakes import CRECHE_MISTAKES
from .commune_example import EXAMPLE_TEXT, broken, example_logo_beside  # noqa: F401 (autouse fixture)


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
    *CRECHE_MISTAKES,
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
