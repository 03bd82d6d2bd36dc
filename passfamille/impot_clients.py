"""The app's API Impôt particulier client: built once at start-up into app.extensions["impot_particulier"], or None
when the commune has no DGFiP habilitation (its settings are empty), in which case no step may call it.

The DGFiP's quota (50 calls per minute by default) is held across every worker: each call is counted first in the
database (ratelimit.py, key "dgfip-calls-minute"), like the API Particulier calls in wizard/certify.py. Counting
commits the request's session: call the client before making changes that must not be committed yet.
"""

from collections.abc import Mapping
from datetime import timedelta

from . import ratelimit
from .impot_particulier import ImpotParticulierClient

EXTENSION_KEY = "impot_particulier"
QUOTA_KIND = "dgfip-calls-minute"
MINUTE = timedelta(minutes=1)
REQUIRED = (
    "IMPOT_PARTICULIER_URL",
    "IMPOT_PARTICULIER_TOKEN_URL",
    "IMPOT_PARTICULIER_CLIENT_ID",
    "IMPOT_PARTICULIER_CLIENT_SECRET",
    "IMPOT_PARTICULIER_ID_TELESERVICE",
)


def shared_minute_limiter(calls_per_minute: int):
    """A limiter for the client counting in the database every worker shares (needs an app context)."""

    def limiter(cost: int = 1) -> bool:
        return ratelimit.hit(QUOTA_KIND, "*", calls_per_minute, MINUTE, cost=cost)

    return limiter


def build(config: Mapping) -> ImpotParticulierClient | None:
    if not all(config.get(name) for name in REQUIRED):
        return None
    cert, key = config.get("IMPOT_PARTICULIER_CERT") or "", config.get("IMPOT_PARTICULIER_KEY") or ""
    calls_per_minute = config["IMPOT_PARTICULIER_CALLS_PER_MINUTE"]
    return ImpotParticulierClient(
        config["IMPOT_PARTICULIER_URL"],
        config["IMPOT_PARTICULIER_TOKEN_URL"],
        config["IMPOT_PARTICULIER_CLIENT_ID"],
        config["IMPOT_PARTICULIER_CLIENT_SECRET"],
        config["IMPOT_PARTICULIER_ID_TELESERVICE"],
        cert=(cert, key) if cert and key else None,
        scope=config.get("IMPOT_PARTICULIER_SCOPE") or "RessourceIRDerniere2",
        connect_timeout=config["API_PARTICULIER_CONNECT_TIMEOUT"],
        read_timeout=config["API_PARTICULIER_READ_TIMEOUT"],
        deadline=config["API_PARTICULIER_DEADLINE"],
        calls_per_minute=calls_per_minute,
        limiter=shared_minute_limiter(calls_per_minute),
    )


def install(extensions: dict, config: Mapping) -> None:
    extensions[EXTENSION_KEY] = build(config)
