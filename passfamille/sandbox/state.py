"""What a running sandbox knows: its endpoints, tokens, clock, fixtures, armed faults and rate counters."""

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from .faults import FaultBoard
from .fixtures import FixtureSet
from .tokens import EAJE_SCOPES, QUOTIENT_FAMILIAL_SCOPES, Grant

EXTENSION_KEY = "passfamille_sandbox"
RATE_LIMIT = 20  # calls per second and per token (REFERENCE §8); announced in headers, not enforced


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    fixtures_folder: str
    data_scopes: Mapping[str, str]
    with_period: bool  # accepts `annee` / `mois`


QUOTIENT_FAMILIAL = Endpoint(
    "quotient_familial",
    "/v3/dss/quotient_familial/identite",
    "api_particulier_v3_cnav_quotient_familial_with_civility",
    QUOTIENT_FAMILIAL_SCOPES,
    with_period=True,
)
PARTICIPATION_FAMILIALE_EAJE = Endpoint(
    "participation_familiale_eaje",
    "/v3/dss/participation_familiale_eaje/identite",
    "api_particulier_v3_cnav_participation_familiale_eaje_with_civility",
    EAJE_SCOPES,
    with_period=False,
)
ENDPOINTS = (QUOTIENT_FAMILIAL, PARTICIPATION_FAMILIALE_EAJE)
# The FranceConnect modality: the family's FranceConnect access token as bearer, the identity read from it.
QUOTIENT_FAMILIAL_FRANCE_CONNECT = Endpoint(
    "quotient_familial_france_connect",
    "/v3/dss/quotient_familial/france_connect",
    "api_particulier_v3_cnav_quotient_familial_with_france_connect",
    QUOTIENT_FAMILIAL_SCOPES,
    with_period=True,
)
PARTICIPATION_FAMILIALE_EAJE_FRANCE_CONNECT = Endpoint(
    "participation_familiale_eaje_france_connect",
    "/v3/dss/participation_familiale_eaje/france_connect",
    "api_particulier_v3_cnav_participation_familiale_eaje_with_france_connect",
    EAJE_SCOPES,
    with_period=False,
)
FRANCE_CONNECT_ENDPOINTS = (QUOTIENT_FAMILIAL_FRANCE_CONNECT, PARTICIPATION_FAMILIALE_EAJE_FRANCE_CONNECT)
FRANCE_CONNECT_TOKENS_FOLDER = "france_connect"


class RateWindow:
    """Counts calls per token in one-second windows, for the RateLimit-* headers."""

    def __init__(self, limit: int = RATE_LIMIT):
        self.limit = limit
        self._lock = threading.Lock()
        self._window = 0
        self._counts: dict[str, int] = {}

    def hit(self, token: str) -> tuple[int, int]:
        """Returns (remaining, reset as epoch seconds)."""
        now = int(time.time())
        with self._lock:
            if now != self._window:
                self._window, self._counts = now, {}
            self._counts[token] = self._counts.get(token, 0) + 1
            return max(0, self.limit - self._counts[token]), now + 1


@dataclass
class SandboxState:
    tokens: dict[str, Grant]
    today: Callable[[], date]
    fixtures: dict[str, FixtureSet]
    # The official sandbox's fake FranceConnect tokens (`cnaf_qfv2`…) -> their introspection.
    france_connect_tokens: dict[str, dict] = field(default_factory=dict)
    faults: FaultBoard = field(default_factory=FaultBoard)
    rate: RateWindow = field(default_factory=RateWindow)
