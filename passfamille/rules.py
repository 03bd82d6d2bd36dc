"""Pass Famille eligibility: pure functions over plain dataclasses (no Flask, no HTTP, no database).

`decide(household, rules, on)` applies the rule set in force on `on` and returns a Decision with reason
codes; the French wording of each code lives in the templates. Reasons are either *blocking* (the family is
not eligible), *status* (eligible at full price, or not decidable yet) or *informative* (something an agent
should check); all that apply are listed, in the order of REASON_ORDER.

The Decision also says which basis the brackets were applied to — the CAF/MSA quotient familial, or a municipal
quotient worked out from the avis d'imposition by the council's formula (the rule set's `basis`) — why that one,
and the value compared with the brackets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from passfamille.commune_settings import (
    CAF_QF,
    CAF_QF_ELSE_MUNICIPAL,
    MUNICIPAL_QUOTIENT,
    Bracket,
    PassFamilleRules,
    RuleSet,
)
from passfamille.months import calendar_months

# Blocking reasons.
ADDRESS_UNKNOWN = "ADDRESS_UNKNOWN"  # residency required and neither postal code nor INSEE code is known
NOT_RESIDENT = "NOT_RESIDENT"  # residency required and the address is outside the territory
NO_CHILD_UNDER_LIMIT = "NO_CHILD_UNDER_LIMIT"  # no child younger than children_age_limit on the decision date
PROVIDER_NOT_ACCEPTED = "PROVIDER_NOT_ACCEPTED"  # QF computed by an organisation the rule set does not accept
QF_TOO_OLD = "QF_TOO_OLD"  # QF month more than qf_max_age_months before the decision month
QF_ABOVE_CEILING = "QF_ABOVE_CEILING"  # QF (or municipal quotient) above the last bracket's qf_max
# Status reasons.
QF_NOT_PROVIDED = "QF_NOT_PROVIDED"  # the family chose not to give its QF: eligible at full price, no bracket
QF_PENDING = "QF_PENDING"  # QF not obtained yet (e.g. API unavailable): recorded for a later re-check
QF_TO_COMPUTE = "QF_TO_COMPUTE"  # a proof that shows no CAF/MSA QF (tax notice): an agent works it out from it
FISCAL_INPUTS_MISSING = "FISCAL_INPUTS_MISSING"  # the rules read the avis, and no RFR and parts are known yet
QUOTIENT_UNDEFINED = "QUOTIENT_UNDEFINED"  # the council's formula divides by zero for these figures: agent to see
# Informative reasons.
CHILD_BIRTH_DATE_UNKNOWN = "CHILD_BIRTH_DATE_UNKNOWN"  # a child without birth date is not covered
QF_FROM_DOCUMENT = "QF_FROM_DOCUMENT"  # QF read from an uploaded document: an agent must verify it
QF_DECLARED = "QF_DECLARED"  # QF typed by the family, neither certified nor documented
QF_MONTH_UNKNOWN = "QF_MONTH_UNKNOWN"  # qf_max_age_months is set but the QF month is unknown: agent to check
CHILD_DECLARED = "CHILD_DECLARED"  # a covered child was declared by the family, not certified by CAF/MSA
FISCAL_FROM_DOCUMENT = "FISCAL_FROM_DOCUMENT"  # RFR and parts read by the family on its avis: an agent checks them
FISCAL_DECLARED = "FISCAL_DECLARED"  # RFR and parts typed by the family, without the avis

# Why the decision used its basis (Decision.basis_reason).
RULES_CAF_QF = "RULES_CAF_QF"  # the rule set reads the CAF/MSA quotient familial only
RULES_MUNICIPAL_QUOTIENT = "RULES_MUNICIPAL_QUOTIENT"  # the rule set reads the avis d'imposition only
CAF_QF_KNOWN = "CAF_QF_KNOWN"  # « QF when the CAF/MSA answers, else the avis »: the QF is known
NO_CAF_QF = "NO_CAF_QF"  # « QF when the CAF/MSA answers, else the avis »: no QF, the avis's RFR and parts are
NEITHER_KNOWN = "NEITHER_KNOWN"  # « QF when the CAF/MSA answers, else the avis »: neither is known (yet)

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
    FISCAL_INPUTS_MISSING,
    QUOTIENT_UNDEFINED,
    QF_FROM_DOCUMENT,
    QF_DECLARED,
    QF_MONTH_UNKNOWN,
    FISCAL_FROM_DOCUMENT,
    FISCAL_DECLARED,
    CHILD_DECLARED,
)
BLOCKING_REASONS = frozenset(
    {ADDRESS_UNKNOWN, NOT_RESIDENT, NO_CHILD_UNDER_LIMIT, PROVIDER_NOT_ACCEPTED, QF_TOO_OLD, QF_ABOVE_CEILING}
)
INFORMATIVE_REASONS = frozenset(
    {
        CHILD_BIRTH_DATE_UNKNOWN,
        QF_FROM_DOCUMENT,
        QF_DECLARED,
        QF_MONTH_UNKNOWN,
        CHILD_DECLARED,
        FISCAL_FROM_DOCUMENT,
        FISCAL_DECLARED,
    }
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


MAX_PARTS = Decimal(20)


@dataclass(frozen=True)
class FiscalInputs:
    """What an avis d'imposition says that a municipal quotient reads: the revenu fiscal de référence (whole euros)
    and the nombre de parts (1 to 20, in quarters), with where they come from."""

    rfr: int
    parts: Decimal
    source: str  # "document" (read on an uploaded avis) | "declared" (typed) | "api" (the DGFiP)
    year: int | None = None  # the year of the income, when known

    def __post_init__(self):
        object.__setattr__(self, "parts", Decimal(self.parts))
        if self.rfr < 0:
            raise ValueError("a revenu fiscal de référence cannot be negative")
        if not Decimal(1) <= self.parts <= MAX_PARTS or (self.parts * 4) % 1:
            raise ValueError("parts go from 1 to 20 in quarters")
        if self.source not in ("document", "declared", "api"):
            raise ValueError(f"unknown fiscal source {self.source!r}")


@dataclass(frozen=True)
class Household:
    qf: QuotientFamilial | None
    qf_status: str  # "known" | "not_provided" | "pending" | "to_compute"
    children: tuple[Child, ...]
    postal_code: str | None
    insee_code: str | None = None
    # The avis's figures, read only by rule sets whose basis uses the avis (independent of the CAF QF's status).
    fiscal: FiscalInputs | None = None

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
    basis: str = CAF_QF  # what the brackets were applied to: "caf_qf" | "municipal_quotient"
    basis_reason: str = RULES_CAF_QF  # why that basis (RULES_CAF_QF, NO_CAF_QF, …)
    quotient: int | None = None  # the value compared with the brackets (the QF, or the municipal quotient)
    fiscal_inputs: FiscalInputs | None = None  # the RFR and parts the municipal quotient was computed from

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


@dataclass(frozen=True)
class _Compared:
    """What one basis gives: the value compared with the brackets, its bracket, its reasons, and whether that ends
    in a bracket, the full price (no figure given) or no decision yet."""

    basis: str
    quotient: int | None
    bracket: Bracket | None
    reasons: set[str]
    outcome: str  # "bracket" | "full_price" | "undecided"
    fiscal: FiscalInputs | None = None


_STATUS_OUTCOMES = {
    "not_provided": (QF_NOT_PROVIDED, "full_price"),
    "pending": (QF_PENDING, "undecided"),
    "to_compute": (QF_TO_COMPUTE, "undecided"),
}


def _caf_qf(household: Household, rule_set: RuleSet, on: date) -> _Compared:
    if household.qf_status in _STATUS_OUTCOMES:
        reason, outcome = _STATUS_OUTCOMES[household.qf_status]
        return _Compared(CAF_QF, None, None, {reason}, outcome)
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
    return _Compared(CAF_QF, qf.value, bracket, reasons, "bracket")


def _municipal_quotient(household: Household, rule_set: RuleSet) -> _Compared:
    fiscal = household.fiscal
    if fiscal is None:
        if household.qf_status in _STATUS_OUTCOMES:
            reason, outcome = _STATUS_OUTCOMES[household.qf_status]
            return _Compared(MUNICIPAL_QUOTIENT, None, None, {reason}, outcome)
        # A CAF/MSA QF, which these rules do not read: the avis is still needed.
        return _Compared(MUNICIPAL_QUOTIENT, None, None, {FISCAL_INPUTS_MISSING}, "undecided")
    reasons = {FISCAL_FROM_DOCUMENT} if fiscal.source == "document" else set()
    if fiscal.source == "declared":
        reasons.add(FISCAL_DECLARED)
    quotient = rule_set.municipal_quotient.formula.quotient(fiscal.rfr, fiscal.parts)
    if quotient is None:
        return _Compared(MUNICIPAL_QUOTIENT, None, None, reasons | {QUOTIENT_UNDEFINED}, "undecided", fiscal)
    bracket = rule_set.bracket_for(quotient)
    if bracket is None:
        reasons.add(QF_ABOVE_CEILING)
    return _Compared(MUNICIPAL_QUOTIENT, quotient, bracket, reasons, "bracket", fiscal)


def _compared(household: Household, rule_set: RuleSet, on: date) -> tuple[_Compared, str]:
    """The basis the rule set reads for this household, and why."""
    if rule_set.basis == MUNICIPAL_QUOTIENT:
        return _municipal_quotient(household, rule_set), RULES_MUNICIPAL_QUOTIENT
    if rule_set.basis == CAF_QF_ELSE_MUNICIPAL:
        if household.qf_status == "known":
            return _caf_qf(household, rule_set, on), CAF_QF_KNOWN
        if household.fiscal is not None:
            return _municipal_quotient(household, rule_set), NO_CAF_QF
        # Nothing to compute yet: an avis sent without its figures waits for the agent as a municipal quotient.
        if household.qf_status == "to_compute":
            return _municipal_quotient(household, rule_set), NEITHER_KNOWN
        return _caf_qf(household, rule_set, on), NEITHER_KNOWN
    return _caf_qf(household, rule_set, on), RULES_CAF_QF


def decide(household: Household, rules: PassFamilleRules, on: date) -> Decision:
    """Apply the rule set in force on `on` to the household.

    Every check runs even after a blocking one, so that the family and the agent see all the reasons at once.
    """
    rule_set = rules.applicable(on)
    covered, reasons = _covered_children(household, rule_set, on)
    reasons |= _residency_reasons(household, rules, rule_set)
    compared, basis_reason = _compared(household, rule_set, on)
    reasons |= compared.reasons
    bracket = compared.bracket

    eligible: bool | None
    tariff = discount = None
    if reasons & BLOCKING_REASONS:
        eligible, bracket = False, None
    elif compared.outcome == "undecided":
        eligible = None
    elif compared.outcome == "full_price":
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
        basis=compared.basis,
        basis_reason=basis_reason,
        quotient=compared.quotient,
        fiscal_inputs=compared.fiscal,
    )
