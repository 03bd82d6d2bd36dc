"""API Particulier's answers, read into frozen results with only the fields the app uses: raw payloads are not kept."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class Person:
    birth_name: str
    usage_name: str | None
    first_names: str
    birth_date: date | None
    sex: str | None


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]
    postal_code: str | None
    city: str | None
    country: str | None


@dataclass(frozen=True)
class QuotientFamilial:
    value: int
    provider: str
    year: int | None
    month: int | None


@dataclass(frozen=True)
class TokenGrant:
    """What /api/introspect says of our token: its id (the JWT's jti), name and scopes."""

    id: str | None
    name: str | None
    scopes: frozenset[str]


@dataclass(frozen=True)
class FamilyFacts:
    """The minimal certified facts. A key missing from the token's scopes is None / empty."""

    quotient_familial: QuotientFamilial | None
    allocataires: tuple[Person, ...]
    children: tuple[Person, ...]
    address: Address | None
    request_id: str | None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


@dataclass(frozen=True)
class PsuParameters:
    """What the CNAF barème needs: annual resources (year N-2), dependent children, children with AEEH."""

    annual_resources: int
    resources_year: int | None
    children: int
    aeeh_children: int


@dataclass(frozen=True)
class EajeFacts:
    """The certified facts for a crèche price estimate. A key missing from the token's scopes is None / empty."""

    parameters: PsuParameters | None
    allocataires: tuple[Person, ...]
    children: tuple[Person, ...]
    address: Address | None
    request_id: str | None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


# --- Reading an answer: a missing or mistyped key raises KeyError/TypeError/ValueError, which the client reports ---


def _parse_date(value) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None  # "1990-00-00" or null: the API sometimes knows only part of a date


def _person(raw: dict) -> Person:
    return Person(
        birth_name=raw.get("nom_naissance") or "",
        usage_name=raw.get("nom_usage") or None,
        first_names=raw.get("prenoms") or "",
        birth_date=_parse_date(raw.get("date_naissance")),
        sex=raw.get("sexe"),
    )


_POSTAL_TOWN = re.compile(r"^\s*(\d{5})\s*(.*)$")


def _address(raw: dict) -> Address:
    match = _POSTAL_TOWN.match(raw.get("code_postal_ville") or "")
    postal_code, city = (match.group(1), match.group(2).strip() or None) if match else (None, None)
    keys = ("complement_information", "complement_information_geographique", "numero_libelle_voie", "lieu_dit")
    return Address(
        lines=tuple(raw[key] for key in keys if raw.get(key)),
        postal_code=postal_code,
        city=city,
        country=raw.get("pays"),
    )


def read_family_facts(data: dict, request_id: str | None) -> FamilyFacts:
    qf = data.get("quotient_familial")
    return FamilyFacts(
        quotient_familial=QuotientFamilial(
            value=int(qf["valeur"]), provider=qf.get("fournisseur") or "", year=qf.get("annee"), month=qf.get("mois")
        )
        if qf and qf.get("valeur") is not None
        else None,
        allocataires=tuple(_person(p) for p in data.get("allocataires") or ()),
        children=tuple(_person(p) for p in data.get("enfants") or ()),
        address=_address(data["adresse"]) if data.get("adresse") else None,
        request_id=request_id,
    )


def read_eaje_facts(data: dict, request_id: str | None) -> EajeFacts:
    raw = data.get("parametres_calcul_participation_familiale") or {}
    resources = raw.get("base_ressources_annuelles") or {}
    parameters = None
    if resources.get("valeur") is not None:
        parameters = PsuParameters(
            annual_resources=int(resources["valeur"]),
            resources_year=resources.get("annee_calcul"),
            children=int(raw.get("nombre_enfants_a_charge") or 0),
            aeeh_children=int(raw.get("nombre_enfants_beneficiaire_aeeh") or 0),
        )
    return EajeFacts(
        parameters=parameters,
        allocataires=tuple(_person(p) for p in data.get("allocataires") or ()),
        children=tuple(_person(p) for p in data.get("enfants") or ()),
        address=_address(data["adresse"]) if data.get("adresse") else None,
        request_id=request_id,
    )


def read_data(body) -> dict:
    """The ``data`` object of a v3 answer."""
    data = body["data"]
    if not isinstance(data, dict):
        raise TypeError
    return data


def read_grant(body) -> TokenGrant:
    """The token's grant in /api/introspect's v2 flat body."""
    scopes = body["scopes"]
    if not isinstance(scopes, list):
        raise TypeError
    return TokenGrant(id=body.get("_id"), name=body.get("name"), scopes=frozenset(map(str, scopes)))
