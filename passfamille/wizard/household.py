"""Draft -> Household: the one place that decides which fact (certified, document, declared) feeds the rules.

`known(draft)` gives them all at once, worked out once per state of the draft: a page that shows the quotient
familial, the address and the result (the recap) reads one bundle rather than working each out again."""

from dataclasses import dataclass
from datetime import date

from flask import current_app

from .. import decisions, rules
from ..avis_figures import parse_parts, parse_rfr
from ..commune_settings import NoRulesInForce
from ..documents import AVIS_KIND, QF_PROOF_KINDS
from ..models import Draft
from ..parsing import ascii_int
from . import fiscal
from .draft import answers, certified, certified_ok, verification_choice, wants_documents


def certified_children(draft: Draft) -> list[dict]:
    return (certified(draft).household.children or []) if certified_ok(draft) else []


def certified_address(draft: Draft) -> dict | None:
    return certified(draft).household.address if certified_ok(draft) else None


def added_children(draft: Draft) -> list[dict]:
    return answers(draft, "foyer").get("added_children") or []


def changing_child(draft: Draft, number: str | None) -> tuple[int, dict] | None:
    """The added child whose « Modifier » was followed (?modifier=N, from 1), with its index; None otherwise."""
    index = ascii_int(number, 3)
    children = added_children(draft)
    if index is None or not 1 <= index <= len(children):
        return None
    return index - 1, children[index - 1]


def child_fields(child: dict) -> dict:
    """An added child as the household form's fields, to be changed."""
    year, month, day = (child.get("birth_date") or "--").split("-", 2)
    return {
        "child_first_name": child.get("first_names") or "",
        "child_birth_day": day,
        "child_birth_month": month,
        "child_birth_year": year,
        "child_reason": child.get("reason") or "",
    }


def with_child(children: list[dict], new: dict | None, changing: tuple[int, dict] | None) -> list[dict]:
    """The list with the child just typed: in place of the one changed, else added — once: the same child sent
    again (a double click, a second tab) is already there."""
    if new is None:
        return children
    if changing is not None:
        return [new if index == changing[0] else child for index, child in enumerate(children)]
    if any(_same(child, new) for child in children):
        return children
    return [*children, new]


def _same(child: dict, other: dict) -> bool:
    return (child.get("first_names") or "").casefold() == (other.get("first_names") or "").casefold() and child.get(
        "birth_date"
    ) == other.get("birth_date")


def _address(draft: Draft) -> tuple[dict | None, str | None]:
    """The home address and its source: the CAF/MSA one when confirmed, else what the family typed."""
    certified = certified_address(draft)
    if certified and certified.get("postal_code"):
        return certified, "api"
    typed = answers(draft, "foyer")
    if typed.get("postal_code"):
        lines = [line for line in (typed.get("street"), typed.get("address_complement")) if line]
        return {"lines": lines, "postal_code": typed["postal_code"], "city": typed.get("city"), "country": None}, (
            "declared"
        )
    return None, None


def _quotient_familial(draft: Draft) -> tuple[rules.QuotientFamilial | None, str]:
    if certified_ok(draft):
        qf = certified(draft).household.qf
        if qf:
            return rules.QuotientFamilial(qf["value"], qf["provider"], qf["year"], qf["month"], "api"), "known"
    if wants_documents(draft):
        proof = answers(draft, "justificatif")
        if proof.get("kind") and proof["kind"] not in QF_PROOF_KINDS:
            return None, "to_compute"  # a tax notice: no CAF/MSA QF on it, an agent works it out
        declared = ascii_int(proof.get("declared_qf"), 6)
        if declared is not None:
            return rules.QuotientFamilial(declared, None, None, None, "document"), "known"
    if verification_choice(draft) == "later":
        return None, "pending"
    return None, "not_provided"


def rules_use_avis(today: date | None = None) -> bool:
    """Whether the rule set in force reads the avis d'imposition's figures (a municipal quotient): then the proof
    step asks them with an avis."""
    try:
        return current_app.extensions["commune"].pass_famille.rules.applicable(today or date.today()).uses_avis
    except NoRulesInForce:
        return False


def _fiscal(draft: Draft) -> rules.FiscalInputs | None:
    """The revenu fiscal de référence and parts of the avis: the DGFiP's, confirmed by the family, or those it read on
    the avis it uploaded (asked only when the rules use them)."""
    found = fiscal.confirmed(draft)
    if found is not None:
        return rules.FiscalInputs(found.rfr, fiscal.parts(found), "api", found.year)
    if not wants_documents(draft):
        return None
    proof = answers(draft, "justificatif")
    if proof.get("kind") != AVIS_KIND:
        return None
    rfr, parts = parse_rfr(proof.get("rfr")), parse_parts(proof.get("parts"))
    if rfr is None or parts is None:
        return None
    return rules.FiscalInputs(rfr, parts, "document")


@dataclass(frozen=True)
class Known:
    """What the draft tells of the household, each fact with where it comes from."""

    qf: rules.QuotientFamilial | None
    qf_status: str  # known | pending | not_provided | to_compute
    home: dict | None
    address_source: str | None  # api | declared
    household: rules.Household  # what the rules read


def known(draft: Draft) -> Known:
    """The household's facts for the draft as it stands. Kept on the draft object next to the two JSON values it
    was worked out from: the store writes a draft by assigning new values, so any write is a miss."""
    memo = getattr(draft, "_known", None)
    if memo is not None and memo[0] is draft.answers and memo[1] is draft.certified:
        return memo[2]
    value = _work_out(draft)
    draft._known = (draft.answers, draft.certified, value)
    return value


def _work_out(draft: Draft) -> Known:
    qf, status = _quotient_familial(draft)
    home, source = _address(draft)
    children = decisions.children_from_json(certified_children(draft), "api")
    children += decisions.children_from_json(added_children(draft), "declared")
    facts = rules.Household(
        qf=qf, qf_status=status, children=children, postal_code=(home or {}).get("postal_code"), fiscal=_fiscal(draft)
    )
    return Known(qf=qf, qf_status=status, home=home, address_source=source, household=facts)
