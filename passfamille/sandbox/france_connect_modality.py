"""API Particulier's FranceConnect modality: `/v3/dss/*/france_connect`, the family's FranceConnect access token as
bearer and `recipient` as the only parameter (plus `annee`/`mois` for the quotient familial, as the OpenAPI says).

Steps, as siade runs them (REFERENCE §3.5; franceconnect REFERENCE §3, §7):
1. the token's introspection: a fake token of the official sandbox (`fixtures/france_connect/*.yml`, e.g.
   `cnaf_qfv2`) first, else the built-in FranceConnect sandbox, asked in-process; inactive or unknown -> 401 50002;
2. the identity pivot must be in its scopes -> else 401 50003;
3. scopes, `recipient`, then the identity FranceConnect gives, validated like the identity modality's parameters;
4. the mocking params (never a nom d'usage: siade sends none) matched against the `*_with_france_connect/` fixtures.
Identity parameters in the query are ignored: the identity is the token's, whatever the caller adds.
"""

from flask import current_app, request
from werkzeug.datastructures import MultiDict

from . import errors, franceconnect
from .answers import case_response, v3_error
from .fixtures import FixtureSet, mocking_params
from .state import Endpoint, SandboxState
from .tokens import filter_data
from .validation import check_identity, check_recipient

PERIOD_KEYS = ("annee", "mois")
# What API Particulier needs from FranceConnect to find a person, with the scopes that stand for several of them
# (siade `FranceConnect::ValidateResponse#scopes_flatten_without_aliases`).
HUB_IDENTITY_SCOPES = {"family_name", "given_name", "gender", "birthdate", "birthplace", "birthcountry"}
SCOPE_ALIASES = {
    "identite_pivot": {"profile", "birth"},
    "profile": {"given_name", "family_name", "birthdate", "gender"},
    "birth": {"birthplace", "birthcountry"},
}
FIXTURE_LABELS = {
    "quotient_familial_france_connect": "quotient familial",
    "participation_familiale_eaje_france_connect": "crèche",
}


def has_identity_pivot(scopes: list[str]) -> bool:
    flat = set(scopes)
    for alias in ("identite_pivot", "profile", "birth"):  # in this order: identite_pivot gives profile and birth
        if alias in flat:
            flat |= SCOPE_ALIASES[alias]
    return flat >= HUB_IDENTITY_SCOPES


def identity_args(introspection: dict) -> MultiDict:
    """The identity parameters siade derives from FranceConnect's claims (`civility_parameters_from_france_connect`):
    first names split on spaces, the birth date split on "-", `M` for male and `F` for anything else."""
    args = MultiDict()
    args.add("nomNaissance", str(introspection.get("family_name") or ""))
    for first_name in str(introspection.get("given_name") or "").split():
        args.add("prenoms[]", first_name)
    birthdate = str(introspection.get("birthdate") or "").split("-")
    for key, part in zip(("anneeDateNaissance", "moisDateNaissance", "jourDateNaissance"), birthdate, strict=False):
        if part:
            args.add(key, part)
    args.add("sexeEtatCivil", "M" if introspection.get("gender") == "male" else "F")
    for key, claim in (("codeCogInseePaysNaissance", "birthcountry"), ("codeCogInseeCommuneNaissance", "birthplace")):
        if introspection.get(claim):
            args.add(key, str(introspection[claim]))
    return args


def answer(state: SandboxState, endpoint: Endpoint, token: str | None):
    if token is None:
        return v3_error(401, errors.INVALID_TOKEN)
    from_fixture = token in state.france_connect_tokens
    introspection = state.france_connect_tokens.get(token) or franceconnect.introspect(current_app, token)
    if not introspection.get("active"):
        return v3_error(401, errors.FRANCE_CONNECT_TOKEN_NOT_FOUND)
    scopes = str(introspection.get("scope", "")).split()
    if not has_identity_pivot(scopes):
        return v3_error(401, errors.france_connect_missing_identity(scopes))
    # The official sandbox answers a fake token's case as it is, whatever its scopes (REFERENCE §9.4); the tokens of
    # the FranceConnect sandbox are treated as production does: no scope of the endpoint -> 403, data filtered.
    if not from_fixture and not set(scopes) & set(endpoint.data_scopes.values()):
        return v3_error(403, errors.INSUFFICIENT_PRIVILEGES)
    recipient_error = check_recipient(request.args)
    if recipient_error is not None:
        return v3_error(422, recipient_error)
    args = identity_args(introspection)
    if endpoint.with_period:
        for key in PERIOD_KEYS:
            if key in request.args:
                args.add(key, request.args[key])
    found = check_identity(args, today=state.today(), with_period=endpoint.with_period)
    if found:
        return v3_error(422, *found)

    case = state.fixtures[endpoint.name].answer(mocking_params(args, with_period=endpoint.with_period))
    payload = case.payload
    if case.status == 200 and isinstance(payload, dict) and not from_fixture:
        payload = filter_data(payload, endpoint.data_scopes, frozenset(scopes))
    return case_response(case, payload)


def fixtures_by_login(citizens: dict, fixtures: dict[str, FixtureSet], endpoints: tuple[Endpoint, ...]) -> dict:
    """login -> the FranceConnect fixtures (« quotient familial », « crèche ») a test citizen's identity matches."""
    found: dict[str, tuple[str, ...]] = {}
    for login, citizen in citizens.items():
        args = identity_args(citizen.claims({"identite_pivot"}))
        labels = tuple(
            FIXTURE_LABELS[endpoint.name]
            for endpoint in endpoints
            if fixtures[endpoint.name].find(mocking_params(args, with_period=endpoint.with_period)) is not None
        )
        if labels:
            found[login] = labels
    return found
