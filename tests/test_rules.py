"""Eligibility tables: one row per household.

The unit tables use rule sets written here (same figures as the example file, so that the example can change
without breaking them); test_rules_sandbox_families.py runs the example file against the official sandbox
families.
"""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from passfamille import rules as r
from passfamille.commune_settings import Bracket, Deliberation, NoRulesInForce, PassFamilleRules, RuleSet, Territory
from passfamille.rules import Child, Household, QuotientFamilial, decide

RULES_2024 = RuleSet(
    valid_from=date(2024, 1, 1),
    deliberation=Deliberation("2023-087", date(2023, 12, 11), "Création du Pass Famille"),
    children_age_limit=16,
    residency_required=True,
    accepted_providers=("CNAF",),
    qf_max_age_months=None,
    full_price=Decimal("40"),
    full_price_discount_percent=0,
    brackets=(
        Bracket("A", "Tranche A", 0, 400, Decimal("0"), 50),
        Bracket("B", "Tranche B", 401, 800, Decimal("10"), 35),
        Bracket("C", "Tranche C", 801, 1200, Decimal("20"), 20),
    ),
)
RULES_2026 = RuleSet(
    valid_from=date(2026, 1, 1),
    deliberation=Deliberation("2025-112", date(2025, 12, 15), "Pass Famille 2026"),
    children_age_limit=18,
    residency_required=True,
    accepted_providers=("CNAF", "MSA"),
    qf_max_age_months=None,
    full_price=Decimal("50"),
    full_price_discount_percent=10,
    brackets=(
        Bracket("A", "Tranche A", 0, 450, Decimal("0"), 50),
        Bracket("B", "Tranche B", 451, 900, Decimal("10"), 40),
        Bracket("C", "Tranche C", 901, 1300, Decimal("20"), 30),
        Bracket("D", "Tranche D", 1301, 1700, Decimal("30"), 20),
    ),
)
TERRITORY = Territory(
    insee_codes=frozenset({"75101", "75102", "13201", "13206", "13208"}),
    postal_codes=frozenset({"75001", "75002", "13001", "13006", "13008"}),
)
RULES = PassFamilleRules((RULES_2024, RULES_2026), TERRITORY)
ON = date(2026, 2, 1)


def rules_2026_with(**changes) -> PassFamilleRules:
    return PassFamilleRules((RULES_2024, dataclasses.replace(RULES_2026, **changes)), TERRITORY)


def child(born: date | None = date(2015, 1, 1), source: str = "api") -> Child:
    return Child("CAMILLE", born, source)


def family(
    qf: int | None = 600,
    provider: str | None = "CNAF",
    month: tuple[int, int] | None = (2026, 1),
    qf_source: str = "api",
    status: str = "known",
    children: tuple = (child(),),
    postal_code: str | None = "75002",
    insee_code: str | None = None,
) -> Household:
    quotient = None
    if status == "known":
        year, mon = month if month else (None, None)
        quotient = QuotientFamilial(qf, provider, year, mon, qf_source)
    return Household(quotient, status, children, postal_code, insee_code)


# id, household, decision date, rules, expected (eligible, bracket code, tariff, reasons)
DECISIONS = [
    ("qf_zero_is_in_first_bracket", family(qf=0), ON, RULES, (True, "A", "0", ())),
    ("qf_on_first_bound_is_in_first_bracket", family(qf=450), ON, RULES, (True, "A", "0", ())),
    ("qf_just_above_first_bound_is_in_second", family(qf=451), ON, RULES, (True, "B", "10", ())),
    ("qf_on_second_bound", family(qf=900), ON, RULES, (True, "B", "10", ())),
    ("qf_on_third_bound", family(qf=1300), ON, RULES, (True, "C", "20", ())),
    ("qf_on_ceiling_is_in_last_bracket", family(qf=1700), ON, RULES, (True, "D", "30", ())),
    ("qf_just_above_ceiling", family(qf=1701), ON, RULES, (False, None, None, (r.QF_ABOVE_CEILING,))),
    ("msa_qf_accepted_in_2026", family(provider="MSA"), ON, RULES, (True, "B", "10", ())),
    (
        "msa_qf_not_accepted_in_2025",
        family(provider="MSA", month=(2025, 5)),
        date(2025, 6, 1),
        RULES,
        (False, None, None, (r.PROVIDER_NOT_ACCEPTED,)),
    ),
    ("old_qf_month_without_age_limit", family(month=(2023, 6)), ON, RULES, (True, "B", "10", ())),
    (
        "qf_month_older_than_limit",
        family(month=(2025, 10)),
        ON,
        rules_2026_with(qf_max_age_months=3),
        (False, None, None, (r.QF_TOO_OLD,)),
    ),
    (
        "qf_month_exactly_at_limit",
        family(month=(2025, 11)),
        ON,
        rules_2026_with(qf_max_age_months=3),
        (True, "B", "10", ()),
    ),
    (
        "qf_document_without_month_with_age_limit",
        family(month=None, qf_source="document"),
        ON,
        rules_2026_with(qf_max_age_months=3),
        (True, "B", "10", (r.QF_FROM_DOCUMENT, r.QF_MONTH_UNKNOWN)),
    ),
    ("qf_from_document", family(qf_source="document"), ON, RULES, (True, "B", "10", (r.QF_FROM_DOCUMENT,))),
    (
        "qf_declared_without_provider",
        family(provider=None, month=None, qf_source="declared"),
        ON,
        RULES,
        (True, "B", "10", (r.QF_DECLARED,)),
    ),
    ("no_children", family(children=()), ON, RULES, (False, None, None, (r.NO_CHILD_UNDER_LIMIT,))),
    (
        "child_turning_18_on_decision_date_is_not_covered",
        family(children=(child(date(2008, 2, 1)),)),
        ON,
        RULES,
        (False, None, None, (r.NO_CHILD_UNDER_LIMIT,)),
    ),
    (
        "child_turning_18_the_day_after_is_covered",
        family(children=(child(date(2008, 2, 2)),)),
        ON,
        RULES,
        (True, "B", "10", ()),
    ),
    (
        "declared_child_is_covered_and_flagged",
        family(children=(child(source="declared"),)),
        ON,
        RULES,
        (True, "B", "10", (r.CHILD_DECLARED,)),
    ),
    (
        "declared_adult_child_is_not_flagged",
        family(children=(child(), child(date(2000, 1, 1), source="declared"))),
        ON,
        RULES,
        (True, "B", "10", ()),
    ),
    (
        "only_child_without_birth_date",
        family(children=(child(None),)),
        ON,
        RULES,
        (False, None, None, (r.NO_CHILD_UNDER_LIMIT, r.CHILD_BIRTH_DATE_UNKNOWN)),
    ),
    (
        "child_without_birth_date_beside_covered_child",
        family(children=(child(), child(None))),
        ON,
        RULES,
        (True, "B", "10", (r.CHILD_BIRTH_DATE_UNKNOWN,)),
    ),
    ("outside_territory", family(postal_code="13400"), ON, RULES, (False, None, None, (r.NOT_RESIDENT,))),
    (
        "insee_code_outside_territory_wins_over_shared_postal_code",
        family(postal_code="13001", insee_code="13055"),
        ON,
        RULES,
        (False, None, None, (r.NOT_RESIDENT,)),
    ),
    (
        "insee_code_alone_inside_territory",
        family(postal_code=None, insee_code="75102"),
        ON,
        RULES,
        (True, "B", "10", ()),
    ),
    ("unknown_address", family(postal_code=None), ON, RULES, (False, None, None, (r.ADDRESS_UNKNOWN,))),
    (
        "outside_territory_when_residency_not_required",
        family(postal_code="13400"),
        ON,
        rules_2026_with(residency_required=False),
        (True, "B", "10", ()),
    ),
    (
        "unknown_address_when_residency_not_required",
        family(postal_code=None),
        ON,
        rules_2026_with(residency_required=False),
        (True, "B", "10", ()),
    ),
    (
        "qf_not_provided_pays_full_price",
        family(status="not_provided"),
        ON,
        RULES,
        (True, None, "50", (r.QF_NOT_PROVIDED,)),
    ),
    (
        "qf_not_provided_without_child",
        family(status="not_provided", children=()),
        ON,
        RULES,
        (False, None, None, (r.NO_CHILD_UNDER_LIMIT, r.QF_NOT_PROVIDED)),
    ),
    ("qf_pending_cannot_be_decided", family(status="pending"), ON, RULES, (None, None, None, (r.QF_PENDING,))),
    (
        "tax_notice_waits_for_the_agent_to_compute_the_qf",
        family(status="to_compute"),
        ON,
        RULES,
        (None, None, None, (r.QF_TO_COMPUTE,)),
    ),
    (
        "tax_notice_but_not_resident",
        family(status="to_compute", postal_code="13400"),
        ON,
        RULES,
        (False, None, None, (r.NOT_RESIDENT, r.QF_TO_COMPUTE)),
    ),
    (
        "qf_pending_but_not_resident",
        family(status="pending", postal_code="13400"),
        ON,
        RULES,
        (False, None, None, (r.NOT_RESIDENT, r.QF_PENDING)),
    ),
    (
        "several_reasons_listed_in_stable_order",
        family(qf=5000, provider="MSA", postal_code="92330", children=(child(None, source="declared"),)),
        date(2025, 6, 1),
        RULES,
        (
            False,
            None,
            None,
            (
                r.NOT_RESIDENT,
                r.NO_CHILD_UNDER_LIMIT,
                r.CHILD_BIRTH_DATE_UNKNOWN,
                r.PROVIDER_NOT_ACCEPTED,
                r.QF_ABOVE_CEILING,
            ),
        ),
    ),
    (
        "qf_1250_above_2024_ceiling",
        family(qf=1250),
        date(2025, 6, 1),
        RULES,
        (False, None, None, (r.QF_ABOVE_CEILING,)),
    ),
    ("qf_1250_in_2026_bracket_c", family(qf=1250), date(2026, 2, 1), RULES, (True, "C", "20", ())),
    ("qf_900_in_2024_bracket_c", family(qf=900), date(2025, 12, 31), RULES, (True, "C", "20", ())),
    (
        "child_of_16_not_covered_under_2024_rules",
        family(children=(child(date(2009, 1, 1)),)),
        date(2025, 6, 1),
        RULES,
        (False, None, None, (r.NO_CHILD_UNDER_LIMIT,)),
    ),
    (
        "child_of_17_covered_under_2026_rules",
        family(children=(child(date(2009, 1, 1)),)),
        date(2026, 6, 1),
        RULES,
        (True, "B", "10", ()),
    ),
]


@pytest.mark.parametrize(
    ("household", "on", "rules", "expected"), [row[1:] for row in DECISIONS], ids=[row[0] for row in DECISIONS]
)
def test_decide(household, on, rules, expected):
    decision = decide(household, rules, on)

    eligible, bracket_code, tariff, reasons = expected
    assert decision.eligible is eligible
    assert (decision.bracket.code if decision.bracket else None) == bracket_code
    assert decision.tariff == (Decimal(tariff) if tariff is not None else None)
    assert decision.reasons == reasons
    assert decision.decided_on == on


@pytest.mark.parametrize(
    ("on", "version"),
    [
        (date(2024, 1, 1), "2024-01-01 / délibération n° 2023-087 du 11/12/2023"),
        (date(2025, 6, 1), "2024-01-01 / délibération n° 2023-087 du 11/12/2023"),
        (date(2025, 12, 31), "2024-01-01 / délibération n° 2023-087 du 11/12/2023"),
        (date(2026, 1, 1), "2026-01-01 / délibération n° 2025-112 du 15/12/2025"),
        (date(2026, 2, 1), "2026-01-01 / délibération n° 2025-112 du 15/12/2025"),
    ],
)
def test_decision_records_the_rule_set_in_force_on_the_decision_date(on, version):
    assert decide(family(), RULES, on).rules_version == version


def test_decide_refuses_a_date_before_the_first_rule_set():
    with pytest.raises(NoRulesInForce, match="31/12/2023"):
        decide(family(), RULES, date(2023, 12, 31))


def test_eligible_decision_gives_decimal_tariff_discount_and_covered_children():
    young, adult, declared = child(date(2015, 3, 1)), child(date(2000, 3, 1)), child(date(2019, 3, 1), "declared")

    decision = decide(family(qf=300, children=(young, adult, declared)), RULES, ON)

    assert decision.tariff == Decimal("0") and isinstance(decision.tariff, Decimal)
    assert decision.discount_percent == 50
    assert decision.covered_children == (young, declared)
    assert decision.blocking_reasons == ()


def test_full_price_decision_gives_the_full_price_discount():
    decision = decide(family(status="not_provided"), RULES, ON)

    assert (decision.tariff, decision.discount_percent, decision.bracket) == (Decimal("50"), 10, None)


def test_refusal_has_no_tariff_and_lists_only_blocking_reasons_as_blocking():
    decision = decide(family(qf=5000, qf_source="document", postal_code="13400"), RULES, ON)

    assert (decision.tariff, decision.discount_percent, decision.bracket) == (None, None, None)
    assert decision.reasons == (r.NOT_RESIDENT, r.QF_ABOVE_CEILING, r.QF_FROM_DOCUMENT)
    assert decision.blocking_reasons == (r.NOT_RESIDENT, r.QF_ABOVE_CEILING)


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 2, 1), date(2026, 1, 31), 17),
        (date(2008, 2, 1), date(2026, 2, 1), 18),
        (date(2008, 2, 29), date(2026, 2, 28), 17),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
        (date(2026, 2, 1), date(2026, 2, 1), 0),
    ],
)
def test_age_on_counts_a_birthday_falling_on_the_day(born, on, age):
    assert r.age_on(born, on) == age


def test_every_reason_code_has_a_place_in_the_order():
    assert set(r.REASON_ORDER) >= r.BLOCKING_REASONS | r.INFORMATIVE_REASONS | {r.QF_NOT_PROVIDED, r.QF_PENDING}
    assert len(set(r.REASON_ORDER)) == len(r.REASON_ORDER)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Household(None, "known", (), "75002"),
        lambda: Household(QuotientFamilial(600, "CNAF", 2026, 1, "api"), "pending", (), "75002"),
        lambda: Household(None, "unknown", (), "75002"),
        lambda: QuotientFamilial(-1, "CNAF", 2026, 1, "api"),
        lambda: QuotientFamilial(600, "CAF", 2026, 1, "api"),
        lambda: QuotientFamilial(600, "CNAF", 2026, None, "api"),
        lambda: QuotientFamilial(600, "CNAF", 2026, 13, "api"),
        lambda: Child("CAMILLE", None, "guessed"),
    ],
    ids=[
        "known_without_qf",
        "pending_with_qf",
        "unknown_status",
        "negative_qf",
        "unknown_provider",
        "year_without_month",
        "month_13",
        "unknown_child_source",
    ],
)
def test_inconsistent_inputs_are_refused(make):
    with pytest.raises(ValueError):
        make()
