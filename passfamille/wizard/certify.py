"""Ask API Particulier for the family's certified facts and keep only what the application needs."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask import current_app

from .. import ratelimit
from ..api_clients import CRECHE, PASS_FAMILLE, client_for
from ..api_particulier import ApiParticulierError, EajeFacts, FamilyFacts, Identity, Person
from ..extensions import db
from ..models import ApiEvent, Draft
from ..parsing import ascii_int
from . import store
from .draft import Lookup, certified, wants_creche, wants_pass_famille

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
        return ascii_int(value, 4)

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


def _facts(facts: FamilyFacts) -> Lookup:
    qf = facts.quotient_familial
    qf_json = {"value": qf.value, "provider": qf.provider, "year": qf.year, "month": qf.month} if qf else None
    return replace(_household(facts), qf=qf_json)


def _eaje_facts(facts: EajeFacts) -> Lookup:
    """The PSU facts the estimate needs, nothing more (REFERENCE §4: never estimated from the QF)."""
    parameters = facts.parameters
    return Lookup(
        outcome="ok",
        annual_resources=parameters.annual_resources if parameters else None,
        resources_year=parameters.resources_year if parameters else None,
        children_count=parameters.children if parameters else None,
        aeeh_children=parameters.aeeh_children if parameters else None,
        request_id=facts.request_id,
        fetched_at=facts.fetched_at.isoformat(timespec="seconds"),
    )


def _household(facts: FamilyFacts | EajeFacts) -> Lookup:
    """The household as both endpoints give it. For a crèche request alone, the EAJE call is the only one: its
    children and address fill the household."""
    return Lookup(
        outcome="ok",
        allocataires=[_person(p) for p in facts.allocataires],
        children=[_person(p) for p in facts.children],
        address=address_json(facts.address),
        request_id=facts.request_id,
        fetched_at=facts.fetched_at.isoformat(timespec="seconds"),
    )


def _failure(error: ApiParticulierError) -> Lookup:
    return Lookup(
        outcome=error.outcome,
        code=error.code,
        status=error.status,
        request_id=error.request_id,
        retry_after=error.retry_after,
    )


def record_event(
    endpoint: str, outcome: str, status: int | None = None, code: str | None = None, request_id: str | None = None
) -> None:
    """One call, for the agents' health banner (the wizard's and the re-check's): the outcome of the call, never
    who it was about."""
    db.session.add(ApiEvent(endpoint=endpoint, outcome=outcome, status=status, code=code, request_id=request_id))


def _record_event(endpoint: str, result: Lookup) -> None:
    status = 200 if result.outcome == "ok" else result.status
    record_event(endpoint, result.outcome, status, result.code, result.request_id)


# Anyone can type anyone's civil identity on a public form (API Particulier's CGU, REFERENCE §11.3): lookups are
# capped per draft, per client address and hour, and for the whole service per second and minute (under the API's
# 20 calls/s per token and 1,000/min per IP, beyond which it bans the IP for 12 h). Every count is atomic and shared
# by all workers; a lookup is counted before it is made, whatever it finds.
MAX_LOOKUPS_PER_DRAFT = 5
HOUR, MINUTE, SECOND = timedelta(hours=1), timedelta(minutes=1), timedelta(seconds=1)


def _refusal(draft: Draft, client_address: str, calls: int) -> Lookup | None:
    """Why this lookup may not be made now (an outcome kept like an API failure), or None when it may."""
    config = current_app.config
    if not store.count_lookup(draft, MAX_LOOKUPS_PER_DRAFT):
        return Lookup(outcome="limit", limit="draft")
    if not ratelimit.hit("lookup-address", client_address, config["LOOKUPS_PER_ADDRESS_HOUR"], HOUR):
        return Lookup(outcome="limit", limit="address")
    # The whole service is busy: like an unavailable API, the family can try again in a moment.
    if not ratelimit.hit("api-calls-second", "*", config["API_CALLS_PER_SECOND"], SECOND, cost=calls):
        return Lookup(outcome="unavailable", code="busy", retry_after=1)
    if not ratelimit.hit("api-calls-minute", "*", config["API_CALLS_PER_MINUTE"], MINUTE, cost=calls):
        return Lookup(outcome="unavailable", code="busy", retry_after=60)
    return None


def _ask(call, who: Identity | str):
    """The facts, or the error that stands for the outcome."""
    try:
        return call(who)
    except ApiParticulierError as error:
        return error


def _ask_all(calls: dict, who: Identity | str) -> dict:
    """Each endpoint's facts or error. Two calls are made side by side: a family asking for both démarches waits
    for one API deadline, not two in a row."""
    if len(calls) == 1:
        ((name, call),) = calls.items()
        return {name: _ask(call, who)}
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = {name: pool.submit(_ask, call, who) for name, call in calls.items()}
        return {name: future.result() for name, future in futures.items()}


def _calls(draft: Draft, france_connect: bool) -> dict:
    """The endpoints the démarches need, each with its démarche's client: by identity, or by FranceConnect."""
    calls = {}
    if wants_pass_famille(draft):
        client = client_for(PASS_FAMILLE)
        calls["quotient_familial"] = (
            client.quotient_familial_france_connect if france_connect else client.quotient_familial
        )
    if wants_creche(draft):
        client = client_for(CRECHE)
        by_fc = client.participation_familiale_eaje_france_connect
        calls["participation_familiale_eaje"] = by_fc if france_connect else client.participation_familiale_eaje
    return calls


def fetch(
    draft: Draft, values: dict, client_address: str, retry: bool = False, france_connect_token: str | None = None
) -> str:
    """Call the API for the identity in `values` (or, with `france_connect_token`, for the family FranceConnect
    identified), keep the outcome on the draft, return the outcome code.

    Pass Famille: the quotient familial endpoint. Crèche: the EAJE endpoint, whose PSU facts are kept apart. Each
    call carries its démarche's token (api_clients.py), or the family's FranceConnect access token. A crèche request
    alone never calls the quotient familial endpoint (data minimisation): its household (children, address) comes
    from the EAJE answer. A `retry` (the family's « Réessayer ») is dated, so that the page it sees says when it was
    made and what came of it."""
    calls = _calls(draft, france_connect=france_connect_token is not None)
    refusal = _refusal(draft, client_address, len(calls))
    if refusal is not None:
        household, eaje = refusal, refusal if wants_creche(draft) else Lookup()
    else:
        who = france_connect_token if france_connect_token is not None else to_identity(values)
        household, eaje = _outcomes(_ask_all(calls, who), creche_only=not wants_pass_famille(draft))
    if retry:
        household = replace(household, retried_at=datetime.now(UTC).isoformat(timespec="seconds"))
    facts = certified(draft).with_outcome(household, eaje)
    store.record_certified(draft, facts)
    return facts.household.outcome


def _outcomes(answers: dict, creche_only: bool) -> tuple[Lookup, Lookup]:
    """The household's and the EAJE call's outcomes, each call recorded for the agents' health banner."""
    household, eaje = Lookup(), Lookup()
    if "quotient_familial" in answers:
        found = answers["quotient_familial"]
        household = _failure(found) if isinstance(found, ApiParticulierError) else _facts(found)
        _record_event("quotient_familial", household)
    if "participation_familiale_eaje" in answers:
        found = answers["participation_familiale_eaje"]
        eaje = _failure(found) if isinstance(found, ApiParticulierError) else _eaje_facts(found)
        _record_event("participation_familiale_eaje", eaje)
        if creche_only:
            # A crèche request alone: the EAJE answer is the household, or the failure to show.
            household = _household(found) if eaje.outcome == "ok" else eaje
    return household, eaje
