"""Rules that choose their basis: the CAF/MSA QF (the default), a municipal quotient from the avis d'imposition
(the council's formula), or « the QF when the CAF/MSA answers, else the avis ». Pure tables, one row per
household, then the settings that declare a basis, with a French line for each mistake."""

import dataclasses
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passfamille import rules as r
from passfamille.commune import SettingsError, load_settings
from passfamille.commune_settings import MunicipalQuotient, PassFamilleRules
from passfamille.quotient_formula import parse

from .commune_example import EXAMPLE_TEXT, broken, example_logo_beside  # noqa: F401 (autouse fixture)
from .conftest import on_the_caf_qf
from .municipal_quotient import DELIBERATION, with_municipal_quotient
from .test_commune_mistakes import line_of
from .test_rules import ON, RULES_2024, RULES_2026, TERRITORY, family

FORMULA_PIECES = ["rfr", "parts", "12", "0", "2,5", "+", "-", "*", "/", "÷", "(", ")", "%", "revenu", "\t"]


def rules_with(basis: str, formula: str = "rfr / 12 / parts") -> PassFamilleRules:
    quotient = None if basis == "caf_qf" else MunicipalQuotient(parse(formula), DELIBERATION)
    rule_set = dataclasses.replace(RULES_2026, basis=basis, municipal_quotient=quotient)
    return PassFamilleRules((RULES_2024, rule_set), TERRITORY)


def avis(rfr: int = 32_400, parts: str = "2.5", source: str = "document") -> r.FiscalInputs:
    return r.FiscalInputs(rfr, Decimal(parts), source)


def with_avis(fiscal=None, **kwargs) -> r.Household:
    """A family with no CAF/MSA QF that sent its avis (and the RFR and parts read on it, when given)."""
    return dataclasses.replace(family(status="to_compute", **kwargs), fiscal=fiscal)


CAF_QF_600 = family(qf=600)

# id, basis, household, (eligible, bracket, quotient, basis used, why, reasons)
CASES = [
    # --- caf_qf: today's behaviour, whatever the avis says
    ("caf_qf_reads_the_qf", "caf_qf", CAF_QF_600, (True, "B", 600, "caf_qf", r.RULES_CAF_QF, ())),
    (
        "caf_qf_ignores_the_avis_figures",
        "caf_qf",
        with_avis(avis()),
        (None, None, None, "caf_qf", r.RULES_CAF_QF, (r.QF_TO_COMPUTE,)),
    ),
    # --- municipal_quotient: the formula on the avis's figures
    (
        "municipal_32400_over_12_over_2_5_is_1080",
        "municipal_quotient",
        with_avis(avis(32_400, "2.5")),
        (True, "C", 1_080, "municipal_quotient", r.RULES_MUNICIPAL_QUOTIENT, (r.FISCAL_FROM_DOCUMENT,)),
    ),
    (
        "municipal_parts_in_quarters",
        "municipal_quotient",
        with_avis(avis(16_200, "2.25")),  # 600 € exactly
        (True, "B", 600, "municipal_quotient", r.RULES_MUNICIPAL_QUOTIENT, (r.FISCAL_FROM_DOCUMENT,)),
    ),
    (
        "municipal_rounds_down_at_a_bracket_bound",
        "municipal_quotient",
        with_avis(avis(10_811, "2")),  # 450,46 €: 450 €, still tranche A (up to 450)
        (True, "A", 450, "municipal_quotient", r.RULES_MUNICIPAL_QUOTIENT, (r.FISCAL_FROM_DOCUMENT,)),
    ),
    (
        "municipal_rfr_zero_is_the_first_bracket",
        "municipal_quotient",
        with_avis(avis(0, "1")),
        (True, "A", 0, "municipal_quotient", r.RULES_MUNICIPAL_QUOTIENT, (r.FISCAL_FROM_DOCUMENT,)),
    ),
    (
        "municipal_above_the_ceiling",
        "municipal_quotient",
        with_avis(avis(120_000, "1")),  # 10 000 €
        (
            False,
            None,
            10_000,
            "municipal_quotient",
            r.RULES_MUNICIPAL_QUOTIENT,
            (r.QF_ABOVE_CEILING, r.FISCAL_FROM_DOCUMENT),
        ),
    ),
    (
        "municipal_declared_figures_say_so",
        "municipal_quotient",
        with_avis(avis(32_400, "2.5", "declared")),
        (True, "C", 1_080, "municipal_quotient", r.RULES_MUNICIPAL_QUOTIENT, (r.FISCAL_DECLARED,)),
    ),
    (
        "municipal_certified_figures_need_no_check",
        "municipal_quotient",
        with_avis(avis(32_400, "2.5", "api")),
        (True, "C", 1_080, "municipal_quotient", r.RULES_MUNICIPAL_QUOTIENT, ()),
    ),
    (
        "municipal_avis_without_figures_waits_for_the_agent",
        "municipal_quotient",
        with_avis(None),
        (None, None, None, "municipal_quotient", r.RULES_MUNICIPAL_QUOTIENT, (r.QF_TO_COMPUTE,)),
    ),
    (
        "municipal_with_only_a_caf_qf_needs_the_avis",
        "municipal_quotient",
        CAF_QF_600,
        (None, None, None, "municipal_quotient", r.RULES_MUNICIPAL_QUOTIENT, (r.FISCAL_INPUTS_MISSING,)),
    ),
    (
        "municipal_nothing_given_is_full_price",
        "municipal_quotient",
        family(status="not_provided"),
        (True, None, None, "municipal_quotient", r.RULES_MUNICIPAL_QUOTIENT, (r.QF_NOT_PROVIDED,)),
    ),
    (
        "municipal_non_resident_is_refused_with_its_quotient",
        "municipal_quotient",
        with_avis(avis(), postal_code="13400"),
        (
            False,
            None,
            1_080,
            "municipal_quotient",
            r.RULES_MUNICIPAL_QUOTIENT,
            (r.NOT_RESIDENT, r.FISCAL_FROM_DOCUMENT),
        ),
    ),
    # --- caf_qf_else_municipal
    (
        "either_the_caf_qf_when_known",
        "caf_qf_else_municipal",
        dataclasses.replace(CAF_QF_600, fiscal=avis(120_000, "1")),
        (True, "B", 600, "caf_qf", r.CAF_QF_KNOWN, ()),
    ),
    (
        "either_the_avis_without_a_caf_qf",
        "caf_qf_else_municipal",
        with_avis(avis(32_400, "2.5")),
        (True, "C", 1_080, "municipal_quotient", r.NO_CAF_QF, (r.FISCAL_FROM_DOCUMENT,)),
    ),
    (
        "either_the_avis_when_the_caf_is_pending",
        "caf_qf_else_municipal",
        dataclasses.replace(family(status="pending"), fiscal=avis(16_200, "2.25", "api")),
        (True, "B", 600, "municipal_quotient", r.NO_CAF_QF, ()),
    ),
    (
        "either_pending_without_an_avis_waits_for_the_caf",
        "caf_qf_else_municipal",
        family(status="pending"),
        (None, None, None, "caf_qf", r.NEITHER_KNOWN, (r.QF_PENDING,)),
    ),
    (
        "either_an_avis_without_figures_waits_for_the_agent",
        "caf_qf_else_municipal",
        with_avis(None),
        (None, None, None, "municipal_quotient", r.NEITHER_KNOWN, (r.QF_TO_COMPUTE,)),
    ),
    (
        "either_nothing_given_is_full_price",
        "caf_qf_else_municipal",
        family(status="not_provided"),
        (True, None, None, "caf_qf", r.NEITHER_KNOWN, (r.QF_NOT_PROVIDED,)),
    ),
]


@pytest.mark.parametrize(("basis", "household", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_decision_says_its_basis_why_and_the_value_compared(basis, household, expected):
    decision = r.decide(household, rules_with(basis), on=ON)
    eligible, bracket, quotient, used, why, reasons = expected
    bracket_code = decision.bracket.code if decision.bracket else None
    got = (decision.eligible, bracket_code, decision.quotient, decision.basis, decision.basis_reason)
    assert got == (eligible, bracket, quotient, used, why)
    assert decision.reasons == reasons
    if used == "municipal_quotient" and quotient is not None:
        assert decision.fiscal_inputs == household.fiscal  # the RFR and parts it was computed from
    if eligible and bracket:
        assert decision.tariff == RULES_2026.bracket_for(quotient).price


def test_default_basis_is_the_caf_qf_and_existing_decisions_are_unchanged():
    decision = r.decide(CAF_QF_600, PassFamilleRules((RULES_2024, RULES_2026), TERRITORY), on=ON)
    assert (decision.basis, decision.basis_reason, decision.quotient, decision.fiscal_inputs) == (
        "caf_qf",
        r.RULES_CAF_QF,
        600,
        None,
    )


def test_a_formula_dividing_by_zero_for_these_figures_leaves_the_decision_to_an_agent():
    decision = r.decide(with_avis(avis(5, "1")), rules_with("municipal_quotient", "rfr / (rfr - 5)"), on=ON)
    assert (decision.eligible, decision.quotient) == (None, None)
    assert r.QUOTIENT_UNDEFINED in decision.reasons


def test_every_new_reason_is_ordered_once():
    new = {r.FISCAL_INPUTS_MISSING, r.QUOTIENT_UNDEFINED, r.FISCAL_FROM_DOCUMENT, r.FISCAL_DECLARED}
    assert new <= set(r.REASON_ORDER) and len(set(r.REASON_ORDER)) == len(r.REASON_ORDER)


@pytest.mark.parametrize(("rfr", "parts"), [(-1, "1"), (1000, "0.75"), (1000, "20.25"), (1000, "2.3")])
def test_fiscal_inputs_refuse_what_an_avis_cannot_say(rfr, parts):
    with pytest.raises(ValueError):
        r.FiscalInputs(rfr, Decimal(parts), "document")


# --- the settings ----------------------------------------------------------------------------------------------


def test_the_example_commune_reads_the_caf_qf_else_the_avis_since_2026(tmp_path):
    """Issue 14: the shipped example shows the avis's route (`make run`); its earlier rule set stays on the QF."""
    rule_sets = load_settings(_example(tmp_path)).pass_famille.rules.rule_sets
    assert [(r.valid_from.year, r.basis, r.uses_avis) for r in rule_sets] == [
        (2024, "caf_qf", False),
        (2026, "caf_qf_else_municipal", True),
    ]
    assert rule_sets[-1].municipal_quotient.deliberation == DELIBERATION


def _example(tmp_path, text: str = EXAMPLE_TEXT):
    settings_file = tmp_path / "commune.yaml"
    settings_file.write_text(text, encoding="utf-8")
    return settings_file


def test_settings_declare_the_basis_and_the_formula_with_its_deliberation(tmp_path):
    rule_sets = load_settings(_example(tmp_path, with_municipal_quotient(EXAMPLE_TEXT))).pass_famille.rules.rule_sets
    latest = rule_sets[-1]
    assert (latest.basis, latest.uses_avis, latest.municipal_quotient.deliberation) == (
        "caf_qf_else_municipal",
        True,
        DELIBERATION,
    )
    assert latest.municipal_quotient.formula.quotient(32_400, Decimal("2.5")) == 1_080
    assert rule_sets[0].basis == "caf_qf"  # each dated rule set has its own basis


MUNICIPAL_TEXT = with_municipal_quotient(EXAMPLE_TEXT)


def municipal_broken(old: str, new: str) -> str:
    assert old in MUNICIPAL_TEXT
    return MUNICIPAL_TEXT.replace(old, new, 1)


BASIS_MISTAKES = [
    (
        "unknown_variable_in_the_formula",
        municipal_broken('formula: "rfr / 12 / parts"', 'formula: "revenu / 12 / parts"'),
        'formula: "revenu',
        "clé « pass_famille.rules[0].municipal_quotient.formula » : nom inconnu « revenu » (caractère 1) : "
        "seuls rfr, parts, des nombres, + - * / et des parenthèses sont permis",
    ),
    (
        "unclosed_parenthesis",
        municipal_broken('formula: "rfr / 12 / parts"', 'formula: "(rfr / 12 / parts"'),
        'formula: "(rfr',
        "clé « pass_famille.rules[0].municipal_quotient.formula » : parenthèse ouverte au caractère 1 non fermée",
    ),
    (
        "division_by_zero",
        municipal_broken('formula: "rfr / 12 / parts"', 'formula: "rfr / (parts - 1)"'),
        'formula: "rfr / (parts',
        "division par zéro quand rfr vaut 0 et parts vaut 1",
    ),
    (
        "unknown_basis",
        municipal_broken("basis: caf_qf_else_municipal", "basis: quotient_municipal"),
        "basis: quotient_municipal",
        "clé « pass_famille.rules[0].basis » : « caf_qf », « municipal_quotient », « caf_qf_else_municipal » attendu, "
        "« quotient_municipal » trouvé",
    ),
    (
        "formula_missing",
        municipal_broken('        formula: "rfr / 12 / parts"\n', ""),
        "municipal_quotient:",
        "clé « pass_famille.rules[0].municipal_quotient.formula » : clé obligatoire manquante",
    ),
    (
        "block_useless_with_the_caf_qf",
        municipal_broken("basis: caf_qf_else_municipal", "basis: caf_qf"),
        "municipal_quotient:",
        "clé « pass_famille.rules[0].municipal_quotient » : inutile avec « basis: caf_qf »",
    ),
]


@pytest.mark.parametrize(
    ("text", "at", "expected"), [m[1:] for m in BASIS_MISTAKES], ids=[m[0] for m in BASIS_MISTAKES]
)
def test_basis_mistake_gives_one_french_line_naming_the_line_and_the_key(tmp_path, text, at, expected):
    settings_file = _example(tmp_path, text)
    with pytest.raises(SettingsError) as raised:
        load_settings(settings_file)
    message = str(raised.value)
    assert "\n" not in message and expected in message, message
    assert message.startswith(f"{settings_file}, ligne {line_of(text, at)} : "), message


def test_basis_without_its_block_is_refused(tmp_path):
    text = on_the_caf_qf(EXAMPLE_TEXT).replace(
        "      full_price_discount_percent: 10\n",
        "      full_price_discount_percent: 10\n      basis: municipal_quotient\n",
        1,
    )
    with pytest.raises(
        SettingsError, match="clé « pass_famille.rules\\[0\\].municipal_quotient » : clé obligatoire manquante"
    ):
        load_settings(_example(tmp_path, text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None)
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(FORMULA_PIECES), max_size=12).map(" ".join)))
def test_any_formula_in_the_settings_loads_or_stops_the_start_with_its_line(tmp_path, formula):
    text = municipal_broken('formula: "rfr / 12 / parts"', f"formula: {json.dumps(formula)}")
    try:
        settings = load_settings(_example(tmp_path, text))
    except SettingsError as error:
        assert "\n" not in str(error) and str(error).startswith(str(tmp_path)), str(error)
        return
    latest = settings.pass_famille.rules.rule_sets[-1]
    assert latest.municipal_quotient.formula.quotient(32_400, Decimal("2.5")) is not None
