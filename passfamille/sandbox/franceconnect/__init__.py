"""The built-in FranceConnect v2 sandbox: an OpenID Connect provider with FranceConnect's contract (REFERENCE §1, §7).

It is a blueprint of the API Particulier sandbox's app (`passfamille/sandbox/__init__.py`), served on the same port
under `/franceconnect/api/v2`, so that `make run` and the tests' `start_in_thread` give both at once. A tester picks
one of FranceConnect's fictitious citizens on the « mire »; the access tokens issued here are the ones the API
Particulier sandbox introspects, in-process (`introspect`), for `/v3/dss/*/france_connect`.
"""

from flask import Flask

from .citizens import Citizen, load_citizens
from .clients import (
    DGFIP_DP_CLIENT_ID,
    DGFIP_FC_SCOPES,
    DP_CLIENT_ID,
    DP_CLIENT_SECRET,
    EAJE_FC_SCOPES,
    FS_CLIENT_ID,
    FS_CLIENT_SECRET,
    POST_LOGOUT_REDIRECT_PATH,
    REDIRECT_PATH,
)
from .state import EXTENSION_KEY, FranceConnectState
from .views import PREFIX, bp

__all__ = [
    "DGFIP_DP_CLIENT_ID",
    "DGFIP_FC_SCOPES",
    "DP_CLIENT_ID",
    "DP_CLIENT_SECRET",
    "EAJE_FC_SCOPES",
    "EXTENSION_KEY",
    "FS_CLIENT_ID",
    "FS_CLIENT_SECRET",
    "POST_LOGOUT_REDIRECT_PATH",
    "PREFIX",
    "REDIRECT_PATH",
    "Citizen",
    "FranceConnectState",
    "bp",
    "dgfip_claims",
    "introspect",
    "load_citizens",
]


def introspect(app: Flask, access_token: str | None) -> dict:
    """What checktoken tells API Particulier about an access token, without going through HTTP:
    `{"active": False}` or the `token_introspection` object of REFERENCE §3.4."""
    return app.extensions[EXTENSION_KEY].introspect(access_token, DP_CLIENT_ID)


def dgfip_claims(app: Flask, access_token: str | None) -> dict | None:
    """The identity the DGFiP sandbox reads from a FranceConnect access token (introspected as the DGFiP, data
    provider), or None when the token is not active or carries none of the DGFiP's scopes."""
    found = app.extensions[EXTENSION_KEY].introspect(access_token, DGFIP_DP_CLIENT_ID)
    if not found.get("active") or not set(found.get("scope", "").split()) & set(DGFIP_FC_SCOPES):
        return None
    return found
