"""What the commune settings file holds, as frozen dataclasses: the commune, its territory, retention, mail,
API Particulier display and the Pass Famille's dated rule sets (the crèche's section is in creche/settings.py).
commune.py reads and validates the file into them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from .creche.settings import CrecheSettings
from .quotient_formula import Formula


class NoRulesInForce(LookupError):
    """No Pass Famille rule set applies on the requested date."""


@dataclass(frozen=True)
class Contact:
    email: str
    phone: str
    address: str
    hours: str | None = None


@dataclass(frozen=True)
class DataProtectionOfficer:
    name: str
    email: str
    address: str


@dataclass(frozen=True)
class Commune:
    name: str
    insee_code: str
    siret: str
    contact: Contact
    dpo: DataProtectionOfficer
    colour: str
    legal_basis: str
    logo: Path | None = None
    website: str | None = None


@dataclass(frozen=True)
class Territory:
    insee_codes: frozenset[str]
    postal_codes: frozenset[str]

    def contains(self, postal_code: str | None, insee_code: str | None = None) -> bool:
        """Whether an address is inside the commune's territory.

        A postal code may serve several communes, so the INSEE code decides when it is known and the
        territory lists INSEE codes; otherwise the postal code (all API Particulier gives) decides.
        """
        insee_code = (insee_code or "").strip().upper()
        if insee_code and self.insee_codes:
            return insee_code in self.insee_codes
        postal_code = (postal_code or "").replace(" ", "")
        return bool(postal_code) and postal_code in self.postal_codes


@dataclass(frozen=True)
class Retention:
    draft_hours: int
    application_months: int
    refused_application_months: int
    documents_days_after_decision: int
    # Once an agent has checked the QF on a proof, only the figure is needed: the file goes (the default).
    delete_documents_once_verified: bool = True
    incomplete_application_days: int | None = None


@dataclass(frozen=True)
class MailSettings:
    from_address: str
    reply_to: str | None = None


@dataclass(frozen=True)
class Deliberation:
    number: str
    date: date
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Bracket:
    """A quotient familial bracket; both bounds are inclusive."""

    code: str
    label: str
    qf_min: int
    qf_max: int
    price: Decimal
    discount_percent: int

    def contains(self, qf: int) -> bool:
        return self.qf_min <= qf <= self.qf_max


# What the brackets are applied to (a rule set's `basis`): the CAF/MSA quotient familial; a municipal quotient worked
# out from the avis d'imposition (its formula voted by the council); or the QF when the CAF/MSA gives one, else the
# municipal quotient.
CAF_QF = "caf_qf"
MUNICIPAL_QUOTIENT = "municipal_quotient"
CAF_QF_ELSE_MUNICIPAL = "caf_qf_else_municipal"
BASES = (CAF_QF, MUNICIPAL_QUOTIENT, CAF_QF_ELSE_MUNICIPAL)


@dataclass(frozen=True)
class MunicipalQuotient:
    """How the council computes a quotient from the avis d'imposition, and the decision that says so."""

    formula: Formula
    deliberation: str  # e.g. "Délibération n° 2025-113 du 15 décembre 2025", shown to the family


@dataclass(frozen=True)
class RuleSet:
    """The conditions and tariffs set by one council decision, in force from `valid_from`."""

    valid_from: date
    deliberation: Deliberation
    children_age_limit: int
    residency_required: bool
    accepted_providers: tuple[str, ...]
    qf_max_age_months: int | None
    full_price: Decimal
    full_price_discount_percent: int
    brackets: tuple[Bracket, ...]
    basis: str = CAF_QF
    municipal_quotient: MunicipalQuotient | None = None  # set exactly when the basis uses the avis

    @property
    def uses_avis(self) -> bool:
        """Whether the rule set reads the revenu fiscal de référence and the parts of an avis d'imposition."""
        return self.basis in (MUNICIPAL_QUOTIENT, CAF_QF_ELSE_MUNICIPAL)

    @property
    def version(self) -> str:
        """Stored with each application, e.g. "2026-01-01 / délibération n° 2025-112 du 15/12/2025"."""
        return (
            f"{self.valid_from.isoformat()} / délibération n° {self.deliberation.number}"
            f" du {self.deliberation.date:%d/%m/%Y}"
        )

    @property
    def qf_ceiling(self) -> int:
        return self.brackets[-1].qf_max

    def bracket_for(self, qf: int) -> Bracket | None:
        """The bracket holding this QF, or None above the ceiling."""
        index = bisect.bisect_left([b.qf_max for b in self.brackets], qf)
        return self.brackets[index] if index < len(self.brackets) else None


@dataclass(frozen=True)
class PassFamilleRules:
    """The dated rule sets (oldest first) and the territory residency is checked against."""

    rule_sets: tuple[RuleSet, ...]
    territory: Territory

    def applicable(self, on: date) -> RuleSet:
        """The rule set in force on `on`: the latest whose valid_from is not after it."""
        for rule_set in reversed(self.rule_sets):
            if rule_set.valid_from <= on:
                return rule_set
        raise NoRulesInForce(
            f"aucun barème du Pass Famille n'est en vigueur le {on:%d/%m/%Y} "
            f"(le premier s'applique à partir du {self.rule_sets[0].valid_from:%d/%m/%Y})"
        )


@dataclass(frozen=True)
class PassValidity:
    """Either a number of months from the decision, or a fixed end date (exactly one is set)."""

    months: int | None = None
    until: date | None = None


# What the confirmation page promises when the settings say nothing: an answer within a month.
DEFAULT_ANSWER_WITHIN_DAYS = 30


@dataclass(frozen=True)
class PassFamille:
    title: str
    benefits: tuple[str, ...]
    validity: PassValidity
    rules: PassFamilleRules
    summary: str | None = None
    # The commune writes to the family within this many days of the application (confirmation page, receipt).
    answer_within_days: int = DEFAULT_ANSWER_WITHIN_DAYS


@dataclass(frozen=True)
class ApiParticulierSettings:
    # API Particulier's CGU: show the data to the citizen only if the service can identify them. An anonymous form
    # cannot, hence False unless the commune says otherwise.
    show_details: bool = False


@dataclass(frozen=True)
class CommuneSettings:
    commune: Commune
    territory: Territory
    retention: Retention
    mail: MailSettings
    api_particulier: ApiParticulierSettings
    pass_famille: PassFamille
    source: Path
    creche: CrecheSettings | None = None  # None: the commune offers no crèche pre-registration
