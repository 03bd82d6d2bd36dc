"""The municipal quotient's formula language: what it reads, what it computes (rounded down to the euro), and a
French message for every mistake — never another exception, whatever the text (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passfamille.quotient_formula import FormulaError, parse


@pytest.mark.parametrize(
    ("text", "rfr", "parts", "quotient"),
    [
        ("rfr / 12 / parts", 32_400, Decimal("2.5"), 1_080),
        ("rfr / 12 / parts", 0, Decimal("1"), 0),
        ("rfr / 12 / parts", 32_500, Decimal("2.5"), 1_083),  # 1 083,33 € rounded down
        ("rfr / 12 / parts", 12_000, Decimal("3.25"), 307),  # 307,69 €: down, never up
        ("rfr/12/parts", 24_000, Decimal("2"), 1_000),  # spaces optional
        ("rfr ÷ 12 ÷ parts", 24_000, Decimal("2"), 1_000),  # written as on paper
        ("(rfr - 1000) / (12 * parts)", 25_000, Decimal("2"), 1_000),
        ("rfr - 1000 / 2", 3_000, Decimal("1"), 2_500),  # division before subtraction
        ("RFR / 12 / Parts", 24_000, Decimal("2"), 1_000),  # names in capitals
        ("rfr / 12,5", 2_500, Decimal("1"), 200),  # a French decimal comma
        ("rfr / 12.5", 2_500, Decimal("1"), 200),
        ("rfr / 12 - 5000", 12_000, Decimal("1"), 0),  # below 0 counts as 0 €
        ("rfr * 0", 50_000, Decimal("1"), 0),
    ],
)
def test_formula_computes_the_quotient_in_whole_euros_rounded_down(text, rfr, parts, quotient):
    assert parse(text).quotient(rfr, parts) == quotient


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "formule vide"),
        ("   ", "formule vide"),
        ("revenu / 12", "nom inconnu « revenu » (caractère 1)"),
        ("rfr / 12 / part", "nom inconnu « part » (caractère 12)"),
        ("rfr % 12", "caractère « % » non permis (caractère 5)"),
        ("rfr ** 2", "nombre, rfr, parts ou « ( » attendu, « * » (caractère 6) trouvé"),
        ("rfr / 12 /", "nombre, rfr, parts ou « ( » attendu après « / »"),
        ("rfr 12", "opérateur (+ - * /) attendu avant « 12 » (caractère 5)"),
        ("(rfr / 12", "parenthèse ouverte au caractère 1 non fermée"),
        ("rfr / 12)", "« ) » sans « ( » correspondante (caractère 9)"),
        ("- rfr", "nombre, rfr, parts ou « ( » attendu, « - » (caractère 1) trouvé"),
        ("12 / parts", "la formule doit utiliser rfr"),
        ("rfr / 0", "division par zéro quand rfr vaut 0 et parts vaut 1"),
        ("rfr / (parts - 2)", "division par zéro quand rfr vaut 0 et parts vaut 2"),
        ("rfr / 1234567890123", "nombre trop long"),
        ("(" * 11 + "rfr" + ")" * 11, "trop de parenthèses imbriquées (10 au plus)"),
        ("rfr + " * 40 + "1", "formule trop longue (200 caractères au plus)"),
        ("__import__('os')", "nom inconnu « __import__ »"),
    ],
)
def test_a_wrong_formula_is_refused_with_a_french_message(text, message):
    with pytest.raises(FormulaError) as error:
        parse(text)
    assert message in str(error.value)


def test_a_division_by_zero_outside_the_checked_figures_gives_no_quotient():
    formula = parse("rfr / (rfr - 5)")  # zero only for an income of 5 €
    assert formula.quotient(5, Decimal(1)) is None
    assert formula.quotient(10, Decimal(1)) == 2


FORMULA_CHARACTERS = st.sampled_from(list("rfpats0123456789 .,+-*/()×÷%^_xR\t\n") + ["rfr", "parts", "12"])


@settings(max_examples=800, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(FORMULA_CHARACTERS, max_size=40).map("".join)))
def test_any_text_gives_a_formula_or_a_french_error_and_nothing_else(text):
    try:
        formula = parse(text)
    except FormulaError as error:
        assert str(error)
        return
    for rfr, parts in ((0, Decimal(1)), (32_400, Decimal("2.5")), (999_999_999, Decimal(20))):
        quotient = formula.quotient(rfr, parts)
        assert quotient is None or quotient >= 0


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=999_999_999),
    st.integers(min_value=4, max_value=80).map(lambda quarters: Decimal(quarters) / 4),
)
def test_the_usual_formula_never_rounds_a_family_up(rfr, parts):
    quotient = parse("rfr / 12 / parts").quotient(rfr, parts)
    assert quotient <= Decimal(rfr) / 12 / parts < quotient + 1
