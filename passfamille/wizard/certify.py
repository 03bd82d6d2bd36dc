"""Ask API Particulier for the family's certified facts and keep only what the application needs."""

from flask import current_app

from ..api_particulier import ApiParticulierError, EajeFacts, FamilyFacts, Identity, Person
from ..extensions import db
from ..models import ApiEvent, Draft
from .steps import wants_creche, wants_pass_famille

# Fields of the applicant step that make up the civil identity: changing any of them drops the facts.
IDENTITY_FIELDS = (
    "birth_name",
    "usage_name",
    "first_name_1",
    "first_name_2",
    "first_name_3",
    "no_first_name",
    "sex",
    "birth_day",
    "birth_month",
    "birth_year",
    "birth_date_incomplete",
    "born_in",
    "birth_department",
    "birth_commune",
    "birth_commune_code",
    "birth_commune_unlisted",
    "birth_country",
)


def identity_of(values: dict) -> dict:
    return {key: values.get(key, "") for key in IDENTITY_FIELDS}


def to_identity(values: dict) -> Identity:
    def number(key):
        value = values.get(key) or ""
        return int(value) if value.isdigit() else None

    first_names = (
        ()
        if values.get("no_first_name")
        else tuple(values[key] for key in ("first_name_1", "first_name_2", "first_name_3") if values.get(key))
    )
    born_in_france = values.get("born_in") == "france"
    unlisted = bool(values.get("birth_commune_unlisted"))
    return Identity(
        birth_name=values["birth_name"],
        usage_name=values.get("usage_name") or None,
        first_names=first_names,
        sex=values["sex"],
        birth_year=number("birth_year"),
        birth_month=number("birth_month"),
        birth_day=number("birth_day"),
        birth_country="99100" if born_in_france else values["birth_country"],
        birth_commune_code=values.get("birth_commune_code") if born_in_france and not unlisted else None,
        birth_commune_name=values.get("birth_commune") if born_in_france and unlisted else None,
        birth_department_code=values.get("birth_department") if born_in_france and unlisted else None,
    )


def _person(person: Person) -> dict:
    return {
        "birth_name": person.birth_name,
        "usage_name": person.usage_name,
        "first_names": person.first_names,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "sex": person.sex,
    }


def address_json(address) -> dict | None:
    """An api_particulier.Address as stored on a draft or an application."""
    if address is None:
        return None
    return {
        "lines": list(address.lines),
        "postal_code": address.postal_code,
        "city": address.city,
        "country": address.country,
    }


def _facts(facts: FamilyFacts) -> dict:
    qf = facts.quotient_familial
    qf_json = {"value": qf.value, "provider": qf.provider, "year": qf.year, "month": qf.month} if qf else None
    return {**_household(facts), "qf": qf_json}


def _eaje_facts(facts: EajeFacts) -> dict:
    """The PSU facts the estimate needs, nothing more (REFERENCE §4: never estimated from the QF)."""
    parameters = facts.parameters
    return {
        "outcome": "ok",
        "annual_resources": parameters.annual_resources if parameters else None,
        "resources_year": parameters.resources_year if parameters else None,
        "children_count": parameters.children if parameters else None,
        "aeeh_children": parameters.aeeh_children if parameters else None,
        "request_id": facts.request_id,
        "fetched_at": facts.fetched_at.isoformat(timespec="seconds"),
    }


def _household(facts: FamilyFacts | EajeFacts) -> dict:
    """The household as both endpoints give it. For a crèche request alone, the EAJE call is the only one: its
    children and address fill the household."""
    return {
        "outcome": "ok",
        "qf": None,
        "allocataires": [_person(p) for p in facts.allocataires],
        "children": [_person(p) for p in facts.children],
        "address": address_json(facts.address),
        "request_id": facts.request_id,
        "fetched_at": facts.fetched_at.isoformat(timespec="seconds"),
    }


def _failure(error: ApiParticulierError) -> dict:
    return {
        "outcome": error.outcome,
        "code": error.code,
        "status": error.status,
        "request_id": error.request_id,
        "retry_after": error.retry_after,
    }


def record_event(
    endpoint: str, outcome: str, status: int | None = None, code: str | None = None, request_id: str | None = None
) -> None:
    """One call, for the agents' health banner (the wizard's and the re-check's): the outcome of the call, never
    who it was about."""
    db.session.add(ApiEvent(endpoint=endpoint, outcome=outcome, status=status, code=code, request_id=request_id))


def _record_event(endpoint: str, result: dict) -> None:
    outcome = result["outcome"]
    status = result.get("status", 200 if outcome == "ok" else None)
    record_event(endpoint, outcome, status, result.get("code"), result.get("request_id"))


# Anyone can type anyone's civil identity on a public form: capping the calls per draft keeps the form from
# being used to look people up one identity after another (API Particulier's CGU, REFERENCE §11.3).
MAX_CALLS_PER_DRAFT = 5


def fetch(draft: Draft, values: dict) -> str:
    """Call the API for the identity in `values`, store the outcome on the draft, return the outcome code.

    Pass Famille: the quotient familial endpoint. Crèche: the EAJE endpoint, whose PSU facts are kept under
    "eaje". A crèche request alone never calls the quotient familial endpoint (data minimisation): its
    household (children, address) comes from the EAJE answer."""
    client = current_app.extensions["api_particulier"]
    previous = draft.certified or {}
    failures = previous.get("identity_failures", 0)
    calls = previous.get("calls", 0)
    if calls >= MAX_CALLS_PER_DRAFT:
        draft.certified = {"outcome": "limit", "identity_failures": failures, "calls": calls}
        return "limit"
    identity = to_identity(values)
    certified: dict = {}
    if wants_pass_famille(draft):
        try:
            certified = _facts(client.quotient_familial(identity))
        except ApiParticulierError as error:
            certified = _failure(error)
        calls += 1
        _record_event("quotient_familial", certified)
    # An identity the CAF did not recognise for the quotient familial will not be recognised for the EAJE.
    if wants_creche(draft) and certified.get("outcome") != "identity":
        if calls >= MAX_CALLS_PER_DRAFT:
            eaje = {"outcome": "limit"}
        else:
            try:
                facts = client.participation_familiale_eaje(identity)
            except ApiParticulierError as error:
                eaje = _failure(error)
            else:
                eaje = _eaje_facts(facts)
                if not wants_pass_famille(draft):
                    certified = _household(facts)
            calls += 1
            _record_event("participation_familiale_eaje", eaje)
        if not wants_pass_famille(draft) and eaje["outcome"] != "ok":
            certified = {key: value for key, value in eaje.items() if key != "outcome"} | {"outcome": eaje["outcome"]}
        certified["eaje"] = eaje
    if certified.get("outcome") == "identity":
        failures += 1
    certified["identity_failures"] = failures
    certified["calls"] = calls
    draft.certified = certified
    return certified["outcome"]
