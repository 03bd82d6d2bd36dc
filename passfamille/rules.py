"""Pass Famille eligibility: pure functions over plain dataclasses (no Flask, no HTTP, no database).

`decide(household, rules, on)` applies the rule set in force on `on` and returns a Decision with reason
codes; the French wording of each code lives in the templates. Reasons are either *blocking* (the family is
not eligible), *status* (eligible at full price, or not decidable yet) or *informative* (something an agent
should check); all that apply are listed, in the order of REASON_ORDER.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from passfamille.commune_settings import Bracket, PassFamilleRules, RuleSet
from passfamille.months import calendar_months

# Blocking reasons.
ADDRESS_UNKNOWN = "ADDRESS_UNKNOWN"  # residency required and neither postal code nor INSEE code is known
NOT_RESIDENT = "NOT_RESIDENT"  # residency required and the address is outside the territory
NO_CHILD_UNDER_LIMIT = "NO_CHILD_UNDER_LIMIT"  # no child younger than children_age_limit on the decision date
PROVIDER_NOT_ACCEPTED = "PROVIDER_NOT_ACCEPTED"  # QF computed by an organisation the rule set does not accept
QF_TOO_OLD = "QF_TOO_OLD"  # QF month more than qf_max_age_months before the decision month
QF_ABOVE_CEILING = "QF_ABOVE_CEILING"  # QF above the last bracket's qf_max
# Status reasons.
QF_NOT_PROVIDED = "QF_NOT_PROVIDED"  # the family chose not to give its QF: eligible at full price, no bracket
QF_PENDING = "QF_PENDING"  # QF not obtained yet (e.g. API unavailable): recorded for a later re-check
QF_TO_COMPUTE = "QF_TO_COMPUTE"  # a proof that shows no CAF/MSA QF (tax notice): an agent works it out from it
# Informative reasons.
CHILD_BIRTH_DATE_UNKNOWN = "CHILD_BIRTH_DATE_UNKNOWN"  # a child without birth date is not covered
QF_FROM_DOCUMENT = "QF_FROM_DOCUMENT"  # QF read from an uploaded document: an agent must verify it
QF_DECLARED = "QF_DECLARED"  # QF typed by the family, neither certified nor documented
QF_MONTH_UNKNOWN = "QF_MONTH_UNKNOWN"  # qf_max_age_months is set but the QF month is unknown: agent to check
CHILD_DECLARED = "CHILD_DECLARED"  # a covered child was declared by the family, not certified by CAF/MSA

REASON_ORDER = (
    ADDRESS_UNKNOWN,
    NOT_RESIDENT,
    NO_CHILD_UNDER_LIMIT,
    CHILD_BIRTH_DATE_UNKNOWN,
    PROVIDER_NOT_ACCEPTED,
    QF_TOO_OLD,
    QF_ABOVE_CEILING,
    QF_NOT_PROVIDED,
    QF_PENDING,
    QF_TO_COMPUTE,
    QF_FROM_DOCUMENT,
    QF_DECLARED,
    QF_MONTH_UNKNOWN,
    CHILD_DECLARED,
)
BLOCKING_REASONS = frozenset(
    {ADDRESS_UNKNOWN, NOT_RESIDENT, NO_CHILD_UNDER_LIMIT, PROVIDER_NOT_ACCEPTED, QF_TOO_OLD, QF_ABOVE_CEILING}
)
INFORMATIVE_REASONS = frozenset(
    {CHILD_BIRTH_DATE_UNKNOWN, QF_FROM_DOCUMENT, QF_DECLARED, QF_MONTH_UNKNOWN, CHILD_DECLARED}
)

# to_compute: the family sent a proof without a CAF/MSA QF (a tax notice); an agent works the QF out from it.
QF_STATUSES = ("known", "not_provided", "pending", "to_compute")


@dataclass(frozen=True)
class Child:
    first_names: str
    birth_date: date | None
    source: str  # "api" | "declared"

    def __post_init__(self):
        if self.source not in ("api", "declared"):
            raise ValueError(f"unknown child source {self.source!r}")


@dataclass(frozen=True)
class QuotientFamilial:
    value: int
    provider: str | None  # "CNAF" | "MSA" | None (unknown, e.g. typed by the family)
    year: int | None
    month: int | None
    source: str  # "api" | "document" | "declared"

    def __post_init__(self):
        if self.value < 0:
            raise ValueError("a quotient familial cannot be negative")
        if self.provider not in ("CNAF", "MSA", None):
            raise ValueError(f"unknown QF provider {self.provider!r}")
        if (self.year is None) != (self.month is None) or (self.month is not None and not 1 <= self.month <= 12):
            raise ValueError("QF year and month go together, month in 1..12")
        if self.source not in ("api", "document", "declared"):
            raise ValueError(f"unknown QF source {self.source!r}")


@dataclass(frozen=True)
class Household:
    qf: QuotientFamilial | None
    qf_status: str  # "known" | "not_provided" | "pending" | "to_compute"
    children: tuple[Child, ...]
    postal_code: str | None
    insee_code: str | None = None

    def __post_init__(self):
        if self.qf_status not in QF_STATUSES:
            raise ValueError(f"unknown qf_status {self.qf_status!r}")
        if (self.qf is not None) != (self.qf_status == "known"):
            raise ValueError("a QF is given exactly when qf_status is 'known'")
        object.__setattr__(self, "children", tuple(self.children))


@dataclass(frozen=True)
class Decision:
    eligible: bool | None  # None: cannot decide yet (QF pending)
    bracket: Bracket | None
    tariff: Decimal | None  # price of the pass; set only when eligible
    discount_percent: int | None
    covered_children: tuple[Child, ...]
    reasons: tuple[str, ...]
    rules_version: str
    decided_on: date

    @property
    def blocking_reasons(self) -> tuple[str, ...]:
        return tuple(r for r in self.reasons if r in BLOCKING_REASONS)


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years; a birthday falling on `on` counts (29 February birthdays count on 1 March)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _residency_reasons(household: Household, rules: PassFamilleRules, rule_set: RuleSet) -> set[str]:
    if not rule_set.residency_required:
        return set()
    postal_code = (household.postal_code or "").strip()
    insee_code = (household.insee_code or "").strip()
    if not postal_code and not insee_code:
        return {ADDRESS_UNKNOWN}
    if not rules.territory.contains(postal_code or None, insee_code or None):
        return {NOT_RESIDENT}
    return set()


def _covered_children(household: Household, rule_set: RuleSet, on: date) -> tuple[tuple[Child, ...], set[str]]:
    reasons = set()
    covered = []
    for child in household.children:
        if child.birth_date is None:
            reasons.add(CHILD_BIRTH_DATE_UNKNOWN)
        elif age_on(child.birth_date, on) < rule_set.children_age_limit:
            covered.append(child)
    if not covered:
        reasons.add(NO_CHILD_UNDER_LIMIT)
    if any(child.source == "declared" for child in covered):
        reasons.add(CHILD_DECLARED)
    return tuple(covered), reasons


def _qf_reasons(household: Household, rule_set: RuleSet, on: date) -> tuple[Bracket | None, set[str]]:
    if household.qf_status == "not_provided":
        return None, {QF_NOT_PROVIDED}
    if household.qf_status == "pending":
        return None, {QF_PENDING}
    if household.qf_status == "to_compute":
        return None, {QF_TO_COMPUTE}
    qf = household.qf
    reasons = set()
    if qf.provider is not None and qf.provider not in rule_set.accepted_providers:
        reasons.add(PROVIDER_NOT_ACCEPTED)
    if rule_set.qf_max_age_months is not None:
        if qf.year is None:
            reasons.add(QF_MONTH_UNKNOWN)
        elif calendar_months(qf.year, qf.month, on) > rule_set.qf_max_age_months:
            reasons.add(QF_TOO_OLD)
    bracket = rule_set.bracket_for(qf.value)
    if bracket is None:
        reasons.add(QF_ABOVE_CEILING)
    if qf.source == "document":
        reasons.add(QF_FROM_DOCUMENT)
    elif qf.source == "declared":
        reasons.add(QF_DECLARED)
    return bracket, reasons


def decide(household: Household, rules: PassFamilleRules, on: date) -> Decision:
    """Apply the rule set in force on `on` to the household.

    Every check runs even after a blocking one, so that the family and the agent see all the reasons at once.
    """
    rule_set = rules.applicable(on)
    covered, reasons = _covered_children(household, rule_set, on)
    reasons |= _residency_reasons(household, rules, rule_set)
    bracket, qf_reasons = _qf_reasons(household, rule_set, on)
    reasons |= qf_reasons

    eligible: bool | None
    tariff = discount = None
    if reasons & BLOCKING_REASONS:
        eligible, bracket = False, None
    elif household.qf_status in ("pending", "to_compute"):
        eligible = None
    elif household.qf_status == "not_provided":
        eligible, tariff, discount = True, rule_set.full_price, rule_set.full_price_discount_percent
    else:
        eligible, tariff, discount = True, bracket.price, bracket.discount_percent

    return Decision(
        eligible=eligible,
        bracket=bracket,
        tariff=tariff,
        discount_percent=discount,
        covered_children=covered,
        reasons=tuple(r for r in REASON_ORDER if r in reasons),
        rules_version=rule_set.version,
        decided_on=on,
    )
