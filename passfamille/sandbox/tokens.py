"""Sandbox tokens, their scopes, and the scope filtering of response data.

Production drops from `data` every key whose scope the token lacks (REFERENCE §3.3); the official sandbox does not
(§9.4). This sandbox does, so a commune habilitated for the quotient familial only can be tested.
"""

import uuid
from collections.abc import Mapping
from typing import NamedTuple

# Key of `data` -> scope that grants it, per endpoint (siade serializers, REFERENCE §3.3 and §4).
QUOTIENT_FAMILIAL_SCOPES = {
    "quotient_familial": "cnaf_quotient_familial",
    "allocataires": "cnaf_allocataires",
    "enfants": "cnaf_enfants",
    "adresse": "cnaf_adresse",
}
EAJE_SCOPES = {
    "allocataires": "cnav_participation_familiale_eaje_allocataires",
    "enfants": "cnav_participation_familiale_eaje_enfants",
    "adresse": "cnav_participation_familiale_eaje_adresse",
    "parametres_calcul_participation_familiale": "cnav_participation_familiale_eaje_parametres_calcul",
}
ALL_SCOPES = frozenset(QUOTIENT_FAMILIAL_SCOPES.values()) | frozenset(EAJE_SCOPES.values())


class Grant(NamedTuple):
    """What a token may do. A plain `(scopes, expired)` tuple is accepted wherever a Grant is."""

    scopes: frozenset[str]
    expired: bool = False
    name: str = ""


# The tokens a fresh sandbox accepts. `bac-a-sable-passfamille` is the app's default token (passfamille/config.py):
# never rename it.
DEFAULT_TOKENS: dict[str, Grant] = {
    # Every scope of both endpoints.
    "bac-a-sable-passfamille": Grant(ALL_SCOPES, name="Bac à sable passfamille (tous les droits)"),
    # A commune habilitated for the quotient familial only: `data` holds only `quotient_familial`.
    "bac-a-sable-qf-seulement": Grant(frozenset({"cnaf_quotient_familial"}), name="Bac à sable QF seulement"),
    # Since March 2026 the crèche prices have a habilitation of their own, with fixed PSU scopes: the EAJE endpoint
    # only (the quotient familial endpoint answers 403 00100). For API_PARTICULIER_TOKEN_CRECHE.
    "bac-a-sable-habilitation-creche": Grant(
        frozenset(EAJE_SCOPES.values()), name="Bac à sable habilitation crèche (EAJE seulement)"
    ),
    # A Pass Famille habilitation: every scope of the quotient familial endpoint, none of the EAJE one.
    "bac-a-sable-habilitation-pass-famille": Grant(
        frozenset(QUOTIENT_FAMILIAL_SCOPES.values()), name="Bac à sable habilitation Pass Famille (QF seulement)"
    ),
    # A valid token with no scope for either endpoint: 403 00100.
    "bac-a-sable-sans-droits": Grant(frozenset(), name="Bac à sable sans droits"),
    # An expired token: 401 00103.
    "bac-a-sable-expire": Grant(ALL_SCOPES, expired=True, name="Bac à sable expiré"),
}


def normalise_tokens(tokens: Mapping[str, tuple] | None) -> dict[str, Grant]:
    if tokens is None:
        return dict(DEFAULT_TOKENS)
    return {token: Grant(frozenset(grant[0]), *grant[1:]) for token, grant in tokens.items()}


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def token_id(token: str) -> str:
    """A stable, token-derived id standing for the JWT's `jti` in /api/introspect."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"passfamille-bac-a-sable:{token}"))


def filter_data(payload: dict, data_scopes: Mapping[str, str], scopes: frozenset[str]) -> dict:
    """Drop the keys of `payload["data"]` the token is not habilitated for (absent, never null)."""
    data = payload.get("data")
    if not isinstance(data, dict):
        return payload
    kept = {key: value for key, value in data.items() if data_scopes.get(key) in scopes}
    return {**payload, "data": kept}
