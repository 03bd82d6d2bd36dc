"""Ask API Particulier for the family's certified facts and keep only what the application needs."""

from flask import current_app

from ..api_particulier import ApiParticulierError, FamilyFacts, Identity, Person
from ..extensions import db
from ..models import ApiEvent, Draft

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
    return {
        "outcome": "ok",
        "qf": {"value": qf.value, "provider": qf.provider, "year": qf.year, "month": qf.month} if qf else None,
        "allocataires": [_person(p) for p in facts.allocataires],
        "children": [_person(p) for p in facts.children],
        "address": address_json(facts.address),
        "request_id": facts.request_id,
        "fetched_at": facts.fetched_at.isoformat(timespec="seconds"),
    }


# Anyone can type anyone's civil identity on a public form: capping the calls per draft keeps the form from
# being used to look people up one identity after another (API Particulier's CGU, REFERENCE §11.3).
MAX_CALLS_PER_DRAFT = 5


def fetch(draft: Draft, values: dict) -> str:
    """Call the API for the identity in `values`, store the outcome on the draft, return the outcome code."""
    client = current_app.extensions["api_particulier"]
    previous = draft.certified or {}
    failures = previous.get("identity_failures", 0)
    calls = previous.get("calls", 0)
    if calls >= MAX_CALLS_PER_DRAFT:
        draft.certified = {"outcome": "limit", "identity_failures": failures, "calls": calls}
        return "limit"
    try:
        certified = _facts(client.quotient_familial(to_identity(values)))
    except ApiParticulierError as error:
        if error.outcome == "identity":
            failures += 1
        certified = {
            "outcome": error.outcome,
            "code": error.code,
            "status": error.status,
            "request_id": error.request_id,
            "retry_after": error.retry_after,
        }
    certified["identity_failures"] = failures
    certified["calls"] = calls + 1
    draft.certified = certified
    # For the agents' health banner: the outcome of the call, never who it was about.
    db.session.add(
        ApiEvent(
            endpoint="quotient_familial",
            outcome=certified["outcome"],
            status=certified.get("status", 200 if certified["outcome"] == "ok" else None),
            code=certified.get("code"),
            request_id=certified.get("request_id"),
        )
    )
    return certified["outcome"]
