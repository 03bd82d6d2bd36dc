"""The avis d'imposition read into a frozen result with only the fields the app uses (data minimisation: the names,
birth dates, incomes by category… the API may send are dropped here and never kept).

Every key of an answer is optional: the DGFiP sends only the fields of the commune's habilitation (REFERENCE §1.5).
A key present with the wrong type makes the answer unreadable (TypeError/ValueError, reported by the client).
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

# `sitFam` codes (doc-v2.9 §7), with the label shown to families and agents.
FAMILY_SITUATIONS = {
    "M": "Marié(e)",
    "O": "Pacsé(e)",
    "C": "Célibataire",
    "D": "Divorcé(e) ou séparé(e)",
    "V": "Veuf ou veuve",
}


@dataclass(frozen=True)
class FiscalAddress:
    """The adresse fiscale de taxation: the home on 1 January after the income year."""

    lines: tuple[str, ...]
    postal_code: str | None
    city: str | None


@dataclass(frozen=True)
class FiscalFacts:
    """The certified facts of one avis. A field the habilitation does not cover is None.

    `parts` is a Decimal ("2.5", "1.75"): the municipal quotient (RFR / 12 / parts) is computed in Decimal like every
    amount of the rules, and a float would print 2.4999… one day."""

    year: int | None  # the income year (annrev): the avis of year + 1
    rfr: int | None  # revenu fiscal de référence, whole euros
    parts: Decimal | None
    family_situation: str | None  # code M, O, C, D or V
    dependants: int | None  # personnes à charge (pac.nbPac)
    tax: int | None  # montant de l'impôt (montTotIr), whole euros; 0 when not taxed
    address: FiscalAddress | None
    correlation_id: str
    fetched_at: datetime  # naive UTC, like the other certified facts

    @property
    def family_situation_label(self) -> str | None:
        if self.family_situation is None:
            return None
        return FAMILY_SITUATIONS.get(self.family_situation, self.family_situation)


def _int(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError("entier attendu")
    if value != int(value):
        raise ValueError("entier attendu")
    return int(value)


def _parts(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ValueError("nombre de parts invalide")
    return Decimal(str(value)).normalize() if value != int(value) else Decimal(int(value))


def _text(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("texte attendu")
    return " ".join(value.split()) or None


_POSTAL_CITY = re.compile(r"^(?P<before>.*?)\s*\b(?P<code>\d{5})\s+(?P<city>\D.*)$")


def _address(raw: dict) -> FiscalAddress | None:
    detail = raw.get("aftDetail")
    if detail is not None and not isinstance(detail, dict):
        raise TypeError("aftDetail")
    if detail:
        # The swagger says getcodePostal/getcommune, every known answer codePostal/commune: accept both. Some
        # answers put the postal code and the town together in codePostal ("13005 MARSEILLE").
        postal = _text(detail.get("codePostal", detail.get("getcodePostal")))
        city = _text(detail.get("commune", detail.get("getcommune")))
        match = _POSTAL_CITY.match(postal or "")
        if match and not match.group("before"):
            postal, city = match.group("code"), city or match.group("city")
        lines = tuple(line for line in (_text(detail.get("complementAdresse")), _text(detail.get("voie"))) if line)
        if lines or postal or city:
            return FiscalAddress(lines=lines, postal_code=postal, city=city)
    aft = _text(raw.get("aft"))
    if aft is None:
        return None
    match = _POSTAL_CITY.match(aft)
    if match is None:
        return FiscalAddress(lines=(aft,), postal_code=None, city=None)
    before = match.group("before")
    return FiscalAddress(lines=(before,) if before else (), postal_code=match.group("code"), city=match.group("city"))


def read_fiscal_facts(body, *, year: int | None, correlation_id: str, fetched_at: datetime) -> FiscalFacts:
    """`year` is the year asked for; a `dernieresituation` answer names its own (`annRevenu`), which wins."""
    if not isinstance(body, dict):
        raise TypeError("objet JSON attendu")
    pac = body.get("pac")
    if pac is not None and not isinstance(pac, dict):
        raise TypeError("pac")
    family_situation = _text(body.get("sitFam"))
    return FiscalFacts(
        year=_int(body.get("annRevenu")) or year,
        rfr=_int(body.get("rfr")),
        parts=_parts(body.get("nbPart")),
        family_situation=family_situation.upper() if family_situation else None,
        dependants=_int(pac.get("nbPac")) if pac else None,
        tax=_int(body.get("montTotIr")),
        address=_address(body),
        correlation_id=correlation_id,
        fetched_at=fetched_at,
    )
