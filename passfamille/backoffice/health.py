"""Health of API Particulier, for the agents' banner: our tokens (introspection, JWT expiry; one, or the Pass
Famille's and the crèche's when the commune holds two) and the API errors of the last 24 hours, counted from ApiEvent
rows (which hold no personal data).

Read on every back-office page: the introspection is cached in memory for a few minutes and asked with short
timeouts, so a page never waits more than those and never fails because the API is down.
"""

import base64
import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from .. import api_clients
from ..api_particulier import ApiParticulierClient, ApiParticulierError, Refused, TokenGrant, Unavailable
from ..extensions import db
from ..models import ApiEvent

QF_SCOPE = "cnaf_quotient_familial"
# What a crèche estimate needs: the resources and children counts of the EAJE endpoint (REFERENCE §4).
EAJE_SCOPE = "cnav_participation_familiale_eaje_parametres_calcul"
# What each démarche's token must grant, in the order the banner warns of them.
NEEDED_SCOPES = ((api_clients.PASS_FAMILLE, QF_SCOPE), (api_clients.CRECHE, EAJE_SCOPE))
INTROSPECT_TIMEOUT = (1.0, 2.0)  # (connect, read) seconds
CACHE_SECONDS = 300
# An API that did not answer is asked again sooner: the banner should clear soon after the API is back.
RETRY_SECONDS = 60
EXPIRY_WARNING_DAYS = 30
ERROR_WINDOW = timedelta(hours=24)
# 404 (no family file) and 422 (identity not recognised) are answers about a family, not faults of the service.
ERROR_OUTCOMES = ("unavailable", "refused", "bad_request")
_CACHE_KEY = "passfamille.health"


@dataclass(frozen=True)
class TokenCheck:
    """state: valid | refused | unreachable | unexpected | missing (no token configured) | checking."""

    state: str
    checked_at: datetime | None = None
    grant: TokenGrant | None = None
    status: int | None = None
    code: str | None = None


def check_token(client: ApiParticulierClient, now: datetime) -> TokenCheck:
    if not client.token:
        return TokenCheck("missing", now)
    try:
        grant = client.introspect(timeout=INTROSPECT_TIMEOUT)
    except Refused as error:
        return TokenCheck("refused", now, status=error.status)
    except Unavailable as error:
        return TokenCheck("unreachable", now, status=error.status, code=error.code)
    except ApiParticulierError as error:  # another 4xx: a wrong API_PARTICULIER_URL, most likely
        return TokenCheck("unexpected", now, status=error.status)
    return TokenCheck("valid", now, grant=grant)


@dataclass(frozen=True)
class TokenLine:
    """A token the app calls with (api_clients.TokenUse): its introspection and expiry, and what it lacks for the
    démarches it serves."""

    setting: str  # the environment variable that holds it
    demarches: tuple[str, ...]
    check: TokenCheck
    expires_at: datetime | None

    @property
    def lacking(self) -> tuple[str, ...]:
        """The scopes its démarches need and it lacks, the Pass Famille's first (known for a valid token only)."""
        grant = self.check.grant
        if grant is None:
            return ()
        return tuple(
            scope for demarche, scope in NEEDED_SCOPES if demarche in self.demarches and scope not in grant.scopes
        )


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.value: TokenCheck | None = None
        self.until = 0.0

    def fresh(self) -> bool:
        return self.value is not None and time.monotonic() < self.until

    def check(self, client: ApiParticulierClient, now: datetime) -> TokenCheck:
        """The cached introspection; asks the API when the cached answer is too old."""
        if self.fresh():
            return self.value
        # A single request asks; the others meanwhile show the previous answer rather than wait for the same one.
        if not self.lock.acquire(blocking=False):
            return self.value or TokenCheck("checking")
        try:
            check = check_token(client, now)
            self.value = check
            self.until = time.monotonic() + (RETRY_SECONDS if check.state == "unreachable" else CACHE_SECONDS)
            return check
        finally:
            self.lock.release()


def _caches() -> dict[str, _Cache]:
    # One cache per token setting and per app (and per process): a test's app never sees another's answer.
    return current_app.extensions.setdefault(_CACHE_KEY, {})


def token_lines(now: datetime) -> tuple[TokenLine, ...]:
    """Each token in use, checked (cached). Two tokens to ask are asked side by side: a page waits for one
    introspection timeout, not two in a row."""
    uses = api_clients.tokens_in_use()
    caches = [_caches().setdefault(use.setting, _Cache()) for use in uses]
    if sum(not cache.fresh() for cache in caches) > 1:
        with ThreadPoolExecutor(max_workers=len(uses)) as pool:
            checks = list(pool.map(lambda cache, use: cache.check(use.client, now), caches, uses))
    else:
        checks = [cache.check(use.client, now) for cache, use in zip(caches, uses, strict=True)]
    return tuple(
        TokenLine(use.setting, use.demarches, check, token_expiry(use.client.token))
        for use, check in zip(uses, checks, strict=True)
    )


def forget() -> None:
    """Drop the cached introspections: the next page asks the API again (after a token was replaced)."""
    _caches().clear()


def token_expiry(token: str) -> datetime | None:
    """The `exp` of a JWT-shaped token (UTC, naive), read without verifying the signature: it only serves to warn
    before the token expires. None for any other token."""
    parts = (token or "").split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        exp = payload["exp"]
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            return None
        return datetime.fromtimestamp(exp, UTC).replace(tzinfo=None)
    except (ValueError, KeyError, TypeError, OverflowError, OSError):
        return None


@dataclass(frozen=True)
class ErrorGroup:
    """The failed calls of one outcome, with their causes: (HTTP status or None, error code or None) -> count."""

    outcome: str
    count: int
    causes: tuple[tuple[int | None, str | None, int], ...]


@dataclass(frozen=True)
class RecentCalls:
    calls: int
    errors: int
    groups: tuple[ErrorGroup, ...]
    last_error_at: datetime | None


# The DGFiP's calls (API Impôt particulier, wizard/fiscal.py) are counted apart from API Particulier's.
DGFIP_ENDPOINT = "impot_particulier"


def recent_calls(now: datetime, dgfip: bool = False) -> RecentCalls:
    """API Particulier's calls of the last 24 hours and their errors; with `dgfip`, the DGFiP's instead."""
    since = now - ERROR_WINDOW
    which = ApiEvent.endpoint == DGFIP_ENDPOINT if dgfip else ApiEvent.endpoint != DGFIP_ENDPOINT
    rows = db.session.execute(
        select(ApiEvent.outcome, ApiEvent.status, ApiEvent.code, func.count())
        .where(ApiEvent.at >= since, which)
        .group_by(ApiEvent.outcome, ApiEvent.status, ApiEvent.code)
    ).all()
    per_outcome: dict[str, Counter] = {}
    for outcome, status, code, count in rows:
        if outcome in ERROR_OUTCOMES:
            per_outcome.setdefault(outcome, Counter())[(status, code)] += count
    groups = [
        ErrorGroup(
            outcome,
            sum(causes.values()),
            tuple((status, code, n) for (status, code), n in sorted(causes.items(), key=_by_count)),
        )
        for outcome, causes in per_outcome.items()
    ]
    # Most frequent first; on a tie, the order of ERROR_OUTCOMES.
    groups.sort(key=lambda g: (-g.count, ERROR_OUTCOMES.index(g.outcome)))
    last_error_at = (
        db.session.scalar(
            select(func.max(ApiEvent.at)).where(ApiEvent.at >= since, which, ApiEvent.outcome.in_(ERROR_OUTCOMES))
        )
        if groups
        else None
    )
    return RecentCalls(
        calls=sum(row[3] for row in rows),
        errors=sum(g.count for g in groups),
        groups=tuple(groups),
        last_error_at=last_error_at,
    )


def _by_count(item) -> tuple:
    (status, code), count = item
    return (-count, status if status is not None else 1000, code or "")
