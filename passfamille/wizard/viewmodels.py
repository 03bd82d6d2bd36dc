"""What the templates show, built from the draft: templates never see a model or a raw API payload."""

from datetime import date, datetime

from flask import current_app

from .. import rules
from ..avis_figures import explain_quotient
from ..commune_settings import CAF_QF, MUNICIPAL_QUOTIENT
from ..formatting import TIMEZONE, month_year, months_duration, short_date
from ..months import calendar_months
from . import fiscal, household
from .certify import MAX_LOOKUPS_PER_DRAFT
from .draft import certified, certified_ok, creche_only, details_hidden

PROVIDERS = {"CNAF": "CAF", "MSA": "MSA"}
# A QF whose month is this many months before today is said to be old, even when the rules set no limit: the CAF or
# the MSA recomputes it at least every January, so an older one may no longer match the family's situation.
OLD_QF_MONTHS = 12


def provider_label(code: str | None) -> str:
    return PROVIDERS.get(code or "", code or "")


def _person(person: dict) -> dict:
    names = [person.get("first_names"), person.get("birth_name")]
    if person.get("usage_name"):
        names.append(f"(nom d'usage {person['usage_name']})")
    return {
        "name": " ".join(n for n in names if n),
        "first_names": person.get("first_names"),
        "birth_date": short_date(person.get("birth_date")),
        "sex": person.get("sex"),
    }


def _qf(qf: dict | None, today: date | None = None) -> dict | None:
    if not qf:
        return None
    months = None
    if qf.get("year") and qf.get("month"):
        months = calendar_months(qf["year"], qf["month"], today or date.today())
    return {
        "value": qf["value"],
        "provider": provider_label(qf.get("provider")),
        "month": month_year(qf.get("year"), qf.get("month")),
        "old_age": months_duration(months) if months is not None and months >= OLD_QF_MONTHS else None,
    }


def verification_view(draft) -> dict:
    facts = certified(draft)
    found, eaje = facts.household, facts.eaje
    return {
        "outcome": found.outcome,
        "identity_failures": facts.identity_failures,
        "retry_after": found.retry_after,
        "retried_at": _clock(found.retried_at),
        "allocataires": [_person(p) for p in found.allocataires or []],
        "children": [_person(p) for p in found.children or []],
        "address": found.address,
        "qf": _qf(found.qf),
        "has_children_scope": found.children is not None,
        "max_calls": MAX_LOOKUPS_PER_DRAFT,
        "limit": found.limit,
        "lookups_per_hour": current_app.config["LOOKUPS_PER_ADDRESS_HOUR"],
        "hidden": details_hidden(draft),
        "creche_only": creche_only(draft),
        "eaje": eaje if eaje.outcome == "ok" and eaje.annual_resources is not None else None,
    }


def _clock(moment: str | None) -> str | None:
    """« 14 h 32 » on the commune's clock, from a stored UTC time."""
    if not moment:
        return None
    local = datetime.fromisoformat(moment).astimezone(TIMEZONE)
    return f"{local.hour} h {local.minute:02d}"


def decision_view(draft, today: date | None = None) -> dict:
    settings = current_app.extensions["commune"]
    today = today or date.today()
    facts = household.known(draft)
    decision = rules.decide(facts.household, settings.pass_famille.rules, on=today)
    avis_hidden = fiscal.confirmed(draft) is not None and fiscal.details_hidden(draft)
    ruleset = settings.pass_famille.rules.applicable(today)
    qf = facts.qf
    return {
        "decision": decision,
        "eligible": decision.eligible,
        "reasons": decision.reasons,
        "ruleset": ruleset,
        **basis_view(decision, ruleset),
        "bracket": decision.bracket,
        "qf": qf,
        "qf_status": facts.qf_status,
        "qf_provider": provider_label(qf.provider) if qf else None,
        "qf_month": month_year(qf.year, qf.month) if qf else None,
        "covered_children": decision.covered_children,
        "home": facts.home,
        "address_source": facts.address_source,
        "resident": resident(draft),
        "commune": settings.commune,
        # Figures from the CAF/MSA, or the DGFiP, stay with the agents when the commune cannot identify the family.
        "hidden": (details_hidden(draft) and certified_ok(draft)) or avis_hidden,
        "hidden_source": "dgfip" if avis_hidden else "caf",
    }


# What the brackets are compared with, as the result page and the recap name it (« le quotient familial »…).
QUOTIENT_NAMES = {
    CAF_QF: "quotient familial",
    MUNICIPAL_QUOTIENT: "quotient municipal",
}
EITHER_NAME = "quotient (familial ou municipal)"


def basis_view(decision: rules.Decision, ruleset) -> dict:
    """Which basis the decision used and, for a municipal quotient, its calculation with the family's figures."""
    municipal = None
    if decision.basis == MUNICIPAL_QUOTIENT and decision.quotient is not None and decision.fiscal_inputs:
        municipal = {
            "calculation": explain_quotient(
                ruleset.municipal_quotient.formula, decision.fiscal_inputs, decision.quotient
            ),
            "deliberation": ruleset.municipal_quotient.deliberation,
            # Read by the family on its avis: the agent checks them before the pass is granted.
            "provisional": decision.fiscal_inputs.source != "api",
        }
    return {
        "basis": decision.basis,
        "basis_reason": decision.basis_reason,
        "quotient": decision.quotient,
        "quotient_name": QUOTIENT_NAMES[decision.basis],
        # What the tariff table is read with: the rule set's basis, whichever the family's decision used.
        "table_name": QUOTIENT_NAMES.get(ruleset.basis, EITHER_NAME),
        "municipal": municipal,
    }


def resident(draft) -> bool | None:
    """Whether the home address is in the commune's territory; None while no postal code is known."""
    home = household.known(draft).home
    if not home or not home.get("postal_code"):
        return None
    return current_app.extensions["commune"].territory.contains(home["postal_code"])
