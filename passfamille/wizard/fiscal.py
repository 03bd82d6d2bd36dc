"""When the DGFiP is asked for the family's avis d'imposition, and what the draft keeps of its answer: the one
place that says it (the steps' `applies`, the information text, the FranceConnect callback and the household read
it).

The DGFiP (API Impôt particulier) is asked only
- with the commune's habilitation (the client is installed), for the Pass Famille — never for the crèche price,
  which keeps the CAF/MSA's PSU data (API and api.gouv.fr guidance);
- when the rule set in force reads the avis: `municipal_quotient` always, `caf_qf_else_municipal` only when no
  CAF/MSA quotient familial is confirmed;
- on the certified route (the family did not choose to upload a proof at the information step), once it has
  answered the CAF/MSA page: « Oui » (with `municipal_quotient`, or when the confirmed facts carry no QF), or the
  way on « Utiliser mon avis d'imposition » offered there when the CAF/MSA gave nothing (not found, identity not
  recognised, unavailable, refused, no lookup left). « Non » to the CAF/MSA facts still leads to a proof, where the
  family may upload its avis or a recent CAF attestation.

The numéro fiscal that fetched the avis is never kept (nor logged, nor in a URL): only the outcome and the minimal
facts are, on the draft's certified facts (`Certified.fiscal`, a JSON dict like the CAF/MSA's `Lookup`)."""

import logging
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app

from .. import ratelimit
from ..commune_settings import CAF_QF_ELSE_MUNICIPAL, MUNICIPAL_QUOTIENT, NoRulesInForce
from ..impot_clients import EXTENSION_KEY
from ..impot_particulier import FiscalFacts, ImpotParticulierError, InvalidSpi
from ..models import Draft
from . import certify, store
from .draft import (
    certified,
    fiscal_choice,
    mode,
    outcome,
    uses_api,
    verification_choice,
    via_franceconnect,
    wants_pass_famille,
)

log = logging.getLogger("passfamille.fiscal")

# The CAF/MSA page's way on to the DGFiP (steps/common.py offers it when `may_ask`).
USE_AVIS = "fiscal"
# Anyone can type anyone's numéro fiscal: lookups are capped per draft and per client address and hour, like the
# CAF/MSA's (certify.py), with counters of their own.
MAX_LOOKUPS_PER_DRAFT = 5
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class FiscalLookup:
    """The DGFiP's answer as the draft keeps it. `outcome`: "ok", "not_found", "unavailable", "refused", "limit";
    `via`: "spi" (typed) or "franceconnect"."""

    outcome: str | None = None
    via: str | None = None
    code: str | None = None
    limit: str | None = None
    retry_after: int | None = None
    year: int | None = None
    rfr: int | None = None
    parts: str | None = None  # a Decimal as text ("2.5")
    family_situation: str | None = None
    dependants: int | None = None
    tax: int | None = None
    address: dict | None = None
    correlation_id: str | None = None
    fetched_at: str | None = None

    def to_json(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value is not None}

    @classmethod
    def from_json(cls, data: dict | None) -> "FiscalLookup":
        known = cls.__dataclass_fields__
        return cls(**{key: value for key, value in (data or {}).items() if key in known})


def client():
    return current_app.extensions.get(EXTENSION_KEY)


def rules_basis(today: date | None = None) -> str | None:
    """The basis of the rule set in force (commune_settings.BASES), None without one."""
    try:
        return current_app.extensions["commune"].pass_famille.rules.applicable(today or date.today()).basis
    except NoRulesInForce:
        return None


def offered(draft: Draft | None = None) -> bool:
    """Whether the DGFiP may be asked for this commune (and this draft's démarches, when given): what the
    information text and the start page say."""
    if client() is None or rules_basis() not in (MUNICIPAL_QUOTIENT, CAF_QF_ELSE_MUNICIPAL):
        return False
    return draft is None or wants_pass_famille(draft)


def may_ask(draft: Draft) -> bool:
    """The DGFiP may be asked for this draft: offered, and the certified route (not a proof chosen first)."""
    return offered(draft) and mode(draft) != "documents"


def _caf_qf(draft: Draft) -> bool:
    return bool(certified(draft).household.qf)


def needed_after_caf(draft: Draft) -> bool:
    """Whether the CAF/MSA's outcome leaves the DGFiP to ask (FranceConnect asks it at once, with the CAF/MSA):
    always for a municipal quotient, else when the CAF/MSA gave no QF."""
    if not may_ask(draft):
        return False
    return rules_basis() == MUNICIPAL_QUOTIENT or outcome(draft) != "ok" or not _caf_qf(draft)


def asked(draft: Draft) -> bool:
    """The avis is on the family's path: the numéro fiscal (unless FranceConnect gave the avis) and its check."""
    if not (may_ask(draft) and uses_api(draft)):
        return False
    choice = verification_choice(draft)
    if choice == USE_AVIS:
        return True
    return choice == "yes" and (rules_basis() == MUNICIPAL_QUOTIENT or not _caf_qf(draft))


def lookup(draft: Draft) -> FiscalLookup:
    return FiscalLookup.from_json(certified(draft).fiscal)


def by_franceconnect(draft: Draft) -> bool:
    """FranceConnect gave the avis: the family types no numéro fiscal."""
    found = lookup(draft)
    return via_franceconnect(draft) and found.via == "franceconnect" and found.outcome == "ok"


def details_hidden(draft: Draft) -> bool:
    """The DGFiP's figures are shown in full only to a family identified by FranceConnect, or when the commune shows
    the details (`api_particulier.show_details`, as for the CAF/MSA's facts): anyone can type a numéro fiscal."""
    return not via_franceconnect(draft) and not current_app.extensions["commune"].api_particulier.show_details


def confirmed(draft: Draft) -> FiscalLookup | None:
    """The DGFiP's facts the family confirmed (« Oui »), with the figures a municipal quotient reads; else None."""
    found = lookup(draft)
    if not asked(draft) or found.outcome != "ok" or fiscal_choice(draft) != "yes":
        return None
    if found.rfr is None or found.parts is None:
        return None
    return found


def parts(found: FiscalLookup) -> Decimal | None:
    return Decimal(found.parts) if found.parts is not None else None


# --- the call --------------------------------------------------------------------------------------------------


def _facts(facts: FiscalFacts, via: str) -> FiscalLookup:
    address = facts.address
    return FiscalLookup(
        outcome="ok",
        via=via,
        year=facts.year,
        rfr=facts.rfr,
        parts=str(facts.parts) if facts.parts is not None else None,
        family_situation=facts.family_situation,
        dependants=facts.dependants,
        tax=facts.tax,
        address={"lines": list(address.lines), "postal_code": address.postal_code, "city": address.city}
        if address
        else None,
        correlation_id=facts.correlation_id,
        fetched_at=facts.fetched_at.isoformat(timespec="seconds"),
    )


def _refusal(draft: Draft, client_address: str) -> FiscalLookup | None:
    if not ratelimit.hit("dgfip-lookup-draft", draft.id, MAX_LOOKUPS_PER_DRAFT, HOUR):
        return FiscalLookup(outcome="limit", limit="draft")
    per_address = current_app.config["LOOKUPS_PER_ADDRESS_HOUR"]
    if not ratelimit.hit("dgfip-lookup-address", client_address, per_address, HOUR):
        return FiscalLookup(outcome="limit", limit="address")
    return None


# The agents' health banner counts the DGFiP's calls apart from API Particulier's (ApiEvent.endpoint).
DGFIP_EVENT = "impot_particulier"


def fetch(draft: Draft, client_address: str, spi: str | None = None, france_connect_token: str | None = None) -> str:
    """Ask the DGFiP for the avis (by the numéro fiscal typed, or the FranceConnect access token) and keep the
    outcome on the draft; return the outcome code. InvalidSpi is raised (nothing kept): the field says it.

    The counters and the client's quota commit the session: the draft is written only after the call."""
    via = "franceconnect" if france_connect_token is not None else "spi"
    found = None if via == "franceconnect" else _refusal(draft, client_address)
    if found is None:
        today = date.today()
        try:
            if france_connect_token is not None:
                found = _facts(client().avis_france_connect(france_connect_token, today), via)
            else:
                found = _facts(client().avis(spi or "", today), via)
        except InvalidSpi as error:
            certify.record_event(DGFIP_EVENT, "invalid_spi", error.status, error.code, error.correlation_id)
            raise
        except ImpotParticulierError as error:
            found = FiscalLookup(outcome=error.outcome, via=via, code=error.code, retry_after=error.retry_after)
            certify.record_event(DGFIP_EVENT, error.outcome, error.status, error.code, error.correlation_id)
        else:
            certify.record_event(DGFIP_EVENT, "ok", 200, None, found.correlation_id)
    log.info("dgfip avis via=%s outcome=%s", via, found.outcome)
    store.record_fiscal(draft, found.to_json())
    return found.outcome
