"""Reading a draft: its answers per step, the certified facts as a frozen `Certified`, and the questions that decide
the path through the wizard. Nothing here writes a draft (store.py does)."""

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from flask import current_app

from ..models import Draft


@dataclass(frozen=True)
class Lookup:
    """One endpoint's answer as kept on the draft: what the family confirms, the outcome when nothing was found.

    `outcome` is None before any call, "ok" with the facts, else the failure ("identity", "not_found",
    "unavailable", "limit"…). Persons and the address are the JSON the templates show; `children` is None when the
    call failed, so that « no child on the file » and « not asked » stay apart."""

    outcome: str | None = None
    code: str | None = None
    status: int | None = None
    request_id: str | None = None
    retry_after: int | None = None
    limit: str | None = None  # "draft" or "address": which lookup limit refused the call
    fetched_at: str | None = None
    retried_at: str | None = None  # when the family asked again (« Réessayer »), UTC: said on the page it sees
    qf: dict | None = None
    allocataires: list | None = None
    children: list | None = None
    address: dict | None = None
    # The EAJE endpoint's PSU facts (crèche prices)
    annual_resources: int | None = None
    resources_year: int | None = None
    children_count: int | None = None
    aeeh_children: int | None = None

    def to_json(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: dict | None) -> "Lookup":
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in (data or {}).items() if key in known})


@dataclass(frozen=True)
class Certified:
    """The facts fetched from API Particulier for the draft's identity: the quotient familial call (or, for a
    crèche request alone, the EAJE call's household), the EAJE call's PSU facts, and the identity failures, a counter
    that survives when the facts are forgotten (the third failure sends the family on without the CAF/MSA)."""

    household: Lookup = field(default_factory=Lookup)
    eaje: Lookup = field(default_factory=Lookup)
    identity_failures: int = 0
    # The DGFiP's avis d'imposition (wizard/fiscal.py reads it): its outcome and minimal facts, never the numéro
    # fiscal that fetched it.
    fiscal: dict = field(default_factory=dict)

    def forgotten(self) -> "Certified":
        """No facts, the counters kept: what a changed identity, route or démarche leaves."""
        return Certified(identity_failures=self.identity_failures)

    def with_outcome(self, household: Lookup, eaje: Lookup) -> "Certified":
        failures = self.identity_failures + (1 if household.outcome == "identity" else 0)
        return replace(self, household=household, eaje=eaje, identity_failures=failures)

    def to_json(self) -> dict:
        data: dict[str, Any] = self.household.to_json()
        if self.eaje.outcome is not None:
            data["eaje"] = self.eaje.to_json()
        data["identity_failures"] = self.identity_failures
        if self.fiscal:
            data["fiscal"] = self.fiscal
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> "Certified":
        data = data or {}
        return cls(
            household=Lookup.from_json(data),
            eaje=Lookup.from_json(data.get("eaje")),
            identity_failures=data.get("identity_failures") or 0,
            fiscal=data.get("fiscal") or {},
        )


# How the family was identified: {"modality": "franceconnect"} once a FranceConnect login came through (not a step:
# it is answered on FranceConnect's pages).
IDENTIFICATION = "identification"

# --- answers -------------------------------------------------------------------------------------------------


def answers(draft: Draft, step_name: str) -> dict:
    return (draft.answers or {}).get(step_name) or {}


def certified(draft: Draft) -> Certified:
    return Certified.from_json(draft.certified)


def mode(draft: Draft) -> str | None:
    """How the family's resources are known: "api" (the CAF/MSA) or "documents" (a proof)."""
    return answers(draft, "information").get("mode")


def verification_choice(draft: Draft) -> str | None:
    """The family's answer to the CAF/MSA facts: "yes", "no", "documents", "full_price", "later", "continue"."""
    return answers(draft, "verification").get("choice")


# The démarches chosen on the start page. A commune without a crèche section asks nothing: Pass Famille only.
def demarche(draft: Draft) -> str:
    return answers(draft, "demarche").get("choice") or "pass_famille"


def wants_pass_famille(draft: Draft) -> bool:
    return demarche(draft) in ("pass_famille", "both")


def wants_creche(draft: Draft) -> bool:
    return demarche(draft) in ("creche", "both")


def creche_only(draft: Draft) -> bool:
    return demarche(draft) == "creche"


# --- certified facts -----------------------------------------------------------------------------------------


def uses_api(draft: Draft) -> bool:
    return mode(draft) == "api"


def via_franceconnect(draft: Draft) -> bool:
    """True when the family logged in with FranceConnect: its identity is certified, the CAF/MSA was asked with it."""
    return answers(draft, IDENTIFICATION).get("modality") == "franceconnect"


def details_hidden(draft: Draft) -> bool:
    """True when the commune shows the family only that its CAF/MSA file was found (CGU, see settings). A family
    identified by FranceConnect always sees its data: API Particulier allows it for an identified user (§11)."""
    return (
        uses_api(draft)
        and not via_franceconnect(draft)
        and not current_app.extensions["commune"].api_particulier.show_details
    )


def outcome(draft: Draft) -> str | None:
    return certified(draft).household.outcome


def certified_ok(draft: Draft) -> bool:
    """True when the CAF/MSA facts were fetched and the family confirmed them."""
    return uses_api(draft) and outcome(draft) == "ok" and verification_choice(draft) == "yes"


# The family's answer to the DGFiP's avis (steps/fiscal.py): "yes", "no", "documents", "full_price".
FISCAL_VERIFICATION = "verification_impots"
# The answers of both DGFiP steps: those of the numéro fiscal ({"asked": "y"}) and the family's answer.
FISCAL_ANSWERS = ("numero_fiscal", FISCAL_VERIFICATION)


def fiscal_choice(draft: Draft) -> str | None:
    return answers(draft, FISCAL_VERIFICATION).get("choice")


def wants_documents(draft: Draft) -> bool:
    """True when the Pass Famille's quotient familial comes from a proof the family uploads (instead of the
    CAF/MSA's facts, or of the DGFiP's avis)."""
    return wants_pass_famille(draft) and (
        mode(draft) == "documents"
        or verification_choice(draft) in ("no", "documents")
        or fiscal_choice(draft) in ("no", "documents")
    )


def eaje(draft: Draft) -> Lookup:
    """The minimal PSU facts of the EAJE call, or its outcome (outcome None when it was not made)."""
    return certified(draft).eaje


def eaje_ok(draft: Draft) -> bool:
    """True when the CAF/MSA gave the PSU facts and the family confirmed them: the estimate can be shown."""
    facts = eaje(draft)
    return (
        uses_api(draft)
        and facts.outcome == "ok"
        and facts.annual_resources is not None
        and verification_choice(draft) == "yes"
    )
