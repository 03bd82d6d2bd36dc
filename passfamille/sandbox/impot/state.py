"""What the API Impôt particulier part of a running sandbox knows: its clients, the tokens it issued, its clock,
its quota counters, its taxpayers and how it reads a FranceConnect token."""

import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .fixtures import Taxpayers, fixture_fc_claims

EXTENSION_KEY = "passfamille_sandbox_impot"
TOKEN_SECONDS = 3600
CALLS_PER_MINUTE = 50  # the default quota of a habilitation (cgu-prod §9.2)

SCOPE_IR, SCOPE_DERNIERE, SCOPE_DEUXANS = "RessourceIR", "RessourceIRDerniere", "RessourceIRDerniere2"
IR_SCOPES = frozenset({SCOPE_IR, SCOPE_DERNIERE, SCOPE_DEUXANS})


@dataclass(frozen=True)
class SandboxClient:
    secret: str
    scopes: frozenset[str]
    fields: frozenset[str] | None  # the answer's keys its habilitation covers; None: all
    name: str


# Public sandbox credentials (passfamille/config.py uses the first one by default): not secrets.
SANDBOX_CLIENT_ID = "bac-a-sable-passfamille"
SANDBOX_CLIENT_SECRET = "bac-a-sable-passfamille-secret"  # noqa: S105
SANDBOX_ID_TELESERVICE = "bac-a-sable-passfamille"
DEFAULT_CLIENTS: dict[str, SandboxClient] = {
    SANDBOX_CLIENT_ID: SandboxClient(SANDBOX_CLIENT_SECRET, IR_SCOPES, None, "Bac à sable passfamille (tout)"),
    # A habilitation for the RFR and the number of parts only (DataPass `dgfip_rfr`, `dgfip_nbpart`).
    "bac-a-sable-rfr-parts": SandboxClient(
        "bac-a-sable-rfr-parts-secret", IR_SCOPES, frozenset({"rfr", "nbPart"}), "Bac à sable RFR et parts"
    ),
}


@dataclass
class IssuedToken:
    client_id: str
    scopes: frozenset[str]
    expires_at: float


class ImpotSandboxState:
    def __init__(
        self,
        taxpayers: Taxpayers,
        clients: Mapping[str, SandboxClient] | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.taxpayers = taxpayers
        self.clients = dict(DEFAULT_CLIENTS if clients is None else clients)
        # Injectable: tests move time (token expiry, quota minutes) without sleeping.
        self.clock = clock
        self.token_seconds = TOKEN_SECONDS
        self.calls_per_minute = CALLS_PER_MINUTE
        # FranceConnect access token -> identity claims, or None. The FC sandbox's introspection replaces it.
        self.fc_introspect: Callable[[str], Mapping | None] = lambda token: fixture_fc_claims(token, self.taxpayers)
        self._lock = threading.Lock()
        self._tokens: dict[str, IssuedToken] = {}
        self._calls: dict[tuple[str, int], int] = {}
        self.last_call: dict = {}  # the headers of the last resource call, for contract tests

    def issue(self, client_id: str, scopes: frozenset[str]) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = IssuedToken(client_id, scopes, self.clock() + self.token_seconds)
        return token

    def token(self, value: str | None) -> IssuedToken | None:
        """The token if it was issued and has not expired."""
        with self._lock:
            issued = self._tokens.get(value or "")
        return issued if issued is not None and self.clock() < issued.expires_at else None

    def expire_tokens(self) -> None:
        with self._lock:
            for issued in self._tokens.values():
                issued.expires_at = float("-inf")

    @property
    def issued(self) -> int:
        """How many tokens were issued (a test sees the client's cache at work)."""
        with self._lock:
            return len(self._tokens)

    def calls(self, client_id: str) -> int:
        """The calls counted for this client in the current minute."""
        with self._lock:
            return self._calls.get((client_id, int(self.clock()) // 60), 0)

    def count_call(self, client_id: str) -> tuple[int, int]:
        """Counts a call in the current minute; returns (calls so far, seconds to the next minute)."""
        now = self.clock()
        minute = int(now) // 60
        with self._lock:
            key = (client_id, minute)
            self._calls = {k: v for k, v in self._calls.items() if k[1] == minute}
            self._calls[key] = self._calls.get(key, 0) + 1
            return self._calls[key], 60 - int(now) % 60
