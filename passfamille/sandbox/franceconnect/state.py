"""What the FranceConnect sandbox remembers: interactions (a mire on screen), authorization codes, access tokens and
the citizens' SSO sessions, each with FranceConnect v2's lifetime, read from an injectable clock.

Lifetimes (fc `oidc-provider.ts` ttl, REFERENCE §1.3): code 30 s, access token and ID token 60 s, interaction and
session 30 min. Everything is in memory, behind one lock: the sandbox serves requests from several threads, and a
code sent twice at once must give tokens once.
"""

import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .citizens import Citizen
from .clients import DATA_PROVIDERS
from .keys import SigningKeys

EXTENSION_KEY = "passfamille_franceconnect"
ACR = "eidas1"
CODE_TTL = 30
ACCESS_TOKEN_TTL = 60
ID_TOKEN_TTL = 60
INTERACTION_TTL = 30 * 60
SESSION_TTL = 30 * 60
# How long spent codes and dead tokens are kept (a replayed code is recognised, an old token answers "inactive").
MEMORY = 60 * 60


def pairwise_sub(client_id: str, login: str) -> str:
    """FranceConnect's `sub` differs per client (pairwise): 64 hex digits + "v1", like FC's `computeSubV1`."""
    return hashlib.sha256(f"{client_id}|{login}".encode()).hexdigest() + "v1"


@dataclass
class Interaction:
    """An authorize request waiting for the citizen's choice on the mire."""

    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    scopes: tuple[str, ...]
    created: float


@dataclass
class CodeGrant:
    client_id: str
    redirect_uri: str
    login: str
    scopes: tuple[str, ...]
    nonce: str
    auth_time: int
    created: float
    used: bool = False
    access_tokens: list[str] = field(default_factory=list)


@dataclass
class AccessGrant:
    client_id: str
    login: str
    scopes: tuple[str, ...]
    issued_at: float
    expires_at: float
    jti: str
    revoked: bool = False


@dataclass(frozen=True)
class Exchange:
    """A code turned into tokens: what /token needs to build its answer."""

    access_token: str
    grant: AccessGrant
    nonce: str
    auth_time: int


class CodeRefused(Exception):
    """The code is unknown, expired, already used, or not bound to this client and redirect_uri: `invalid_grant`."""


class FranceConnectState:
    def __init__(
        self,
        citizens: Mapping[str, Citizen],
        clock: Callable[[], float] | None = None,
        featured: Mapping[str, tuple[str, ...]] | None = None,
    ):
        self.citizens = dict(citizens)
        self.clock = clock or time.time
        # login -> labels of the API Particulier fixtures the citizen has (the mire lists these citizens first).
        self.featured = dict(featured or {})
        self.keys = SigningKeys()
        self._lock = threading.Lock()
        self._interactions: dict[str, Interaction] = {}
        self._codes: dict[str, CodeGrant] = {}
        self._tokens: dict[str, AccessGrant] = {}
        self._sessions: dict[str, tuple[str, float]] = {}  # session id -> (login, last use)

    # --- Interactions (the mire) ---------------------------------------------------------------------------------

    def start_interaction(self, client_id: str, redirect_uri: str, state: str, nonce: str, scopes) -> str:
        uid = secrets.token_urlsafe(24)
        with self._lock:
            self._forget_old()
            self._interactions[uid] = Interaction(client_id, redirect_uri, state, nonce, tuple(scopes), self.clock())
        return uid

    def interaction(self, uid: str) -> Interaction | None:
        with self._lock:
            found = self._interactions.get(uid)
            if found is None or self.clock() - found.created >= INTERACTION_TTL:
                return None
            return found

    def end_interaction(self, uid: str) -> Interaction | None:
        """Takes the interaction away: a second « Continuer » on the same mire finds nothing (one code per login)."""
        with self._lock:
            found = self._interactions.pop(uid, None)
            if found is None or self.clock() - found.created >= INTERACTION_TTL:
                return None
            return found

    # --- Codes and tokens ----------------------------------------------------------------------------------------

    def issue_code(self, interaction: Interaction, login: str) -> str:
        code = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._codes[code] = CodeGrant(
                interaction.client_id,
                interaction.redirect_uri,
                login,
                interaction.scopes,
                interaction.nonce,
                auth_time=int(now),
                created=now,
            )
        return code

    def exchange_code(self, code: str, client_id: str, redirect_uri: str) -> Exchange:
        now = self.clock()
        with self._lock:
            grant = self._codes.get(code)
            if grant is None:
                raise CodeRefused("code inconnu")
            if grant.used:
                # A replayed code may have been stolen: what it gave is revoked (RFC 6749 §4.1.2).
                for token in grant.access_tokens:
                    if token in self._tokens:
                        self._tokens[token].revoked = True
                raise CodeRefused("code déjà utilisé")
            if now - grant.created >= CODE_TTL:
                raise CodeRefused("code expiré")
            if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
                raise CodeRefused("code émis pour un autre client ou une autre redirect_uri")
            grant.used = True
            access_token = secrets.token_urlsafe(32)
            access = AccessGrant(
                client_id, grant.login, grant.scopes, now, now + ACCESS_TOKEN_TTL, jti=secrets.token_urlsafe(32)
            )
            self._tokens[access_token] = access
            grant.access_tokens.append(access_token)
        return Exchange(access_token, access, grant.nonce, grant.auth_time)

    def active_grant(self, access_token: str | None) -> AccessGrant | None:
        """The grant of a live access token: known, not revoked, not expired."""
        if not access_token:
            return None
        with self._lock:
            grant = self._tokens.get(access_token)
            if grant is None or grant.revoked or self.clock() >= grant.expires_at:
                return None
            return grant

    def revoke(self, access_token: str, client_id: str) -> None:
        with self._lock:
            grant = self._tokens.get(access_token)
            if grant is not None and grant.client_id == client_id:
                grant.revoked = True

    def expire_access_tokens(self) -> None:
        """Test hook: every access token issued so far is expired from now on."""
        now = self.clock()
        with self._lock:
            for grant in self._tokens.values():
                grant.expires_at = min(grant.expires_at, now)

    def introspect(self, access_token: str | None, data_provider_id: str) -> dict:
        """`token_introspection` as FranceConnect's checktoken gives it to a data provider (REFERENCE §3.4): the
        scopes cut down to the provider's, a `sub` of the provider's own, and the claims of those scopes."""
        grant = self.active_grant(access_token)
        provider = DATA_PROVIDERS[data_provider_id]
        citizen = self.citizens.get(grant.login) if grant else None
        if grant is None or citizen is None:
            return {"active": False}
        scopes = [scope for scope in grant.scopes if scope in provider.scopes]
        claims = citizen.claims(set(scopes))
        return {
            "active": True,
            "aud": grant.client_id,
            "sub": pairwise_sub(data_provider_id, grant.login),
            "iat": int(grant.issued_at),
            "exp": int(grant.expires_at),
            "acr": ACR,
            "jti": grant.jti,
            "scope": " ".join(scopes),
            **claims,
        }

    # --- SSO sessions --------------------------------------------------------------------------------------------

    def open_session(self, login: str) -> str:
        session_id = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[session_id] = (login, self.clock())
        return session_id

    def session_login(self, session_id: str | None) -> str | None:
        with self._lock:
            found = self._sessions.get(session_id or "")
            if found is None or self.clock() - found[1] >= SESSION_TTL:
                return None
            return found[0]

    def close_session(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def _forget_old(self) -> None:
        """Drops what no request can use any more, so that a sandbox left running for days stays small."""
        now = self.clock()
        self._interactions = {k: v for k, v in self._interactions.items() if now - v.created < INTERACTION_TTL}
        self._codes = {k: v for k, v in self._codes.items() if now - v.created < MEMORY}
        self._tokens = {k: v for k, v in self._tokens.items() if now - v.expires_at < MEMORY}
        self._sessions = {k: v for k, v in self._sessions.items() if now - v[1] < SESSION_TTL}
