"""ImpotParticulierClient: the HTTP contract of API Impôt particulier (DGFiP), one object safe across threads.

Each call to `avis` has one deadline for everything it does: the token, the year asked, the year before, a retry.
Logs carry the endpoint's name, status, duration, codeapp and X-Correlation-ID — never the numéro fiscal (it is in
the path: URLs are never logged), never a token, never an exception's text (it quotes the URL).
"""

import contextlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import requests
import urllib3

from ..api_particulier.transport import BodyTooLarge, DeadlineReached, Watchdog, WatchedAdapter, read_body
from . import masking  # noqa: F401 - installs the filter that masks the numéro fiscal in urllib3's logs
from .errors import FiscalNotFound, FiscalRefused, FiscalUnavailable, InvalidSpi
from .quota import Limiter, MinuteLimiter, seconds_to_next_minute
from .resources import SCOPE_DEUXANS, Resource, resource_for, years_to_ask
from .results import FiscalFacts, read_fiscal_facts
from .spi import normalise_spi

log = logging.getLogger("passfamille.impot_particulier")

RETRY_PAUSE = 0.2
# A retry with less time left than this could only end at the deadline: the first error is kept instead.
MIN_RETRY_SECONDS = 0.5
# A token is renewed this long before the end its `expires_in` gives (at most a tenth of its life).
TOKEN_MARGIN_SECONDS = 30
DEFAULT_TOKEN_SECONDS = 3600
_NOT_FOUND = {204, 403, 404, 410}  # siade's mapping (REFERENCE §1.6): 403 and 204 are "no avis" too
_RETRIED_STATUSES = {502, 503, 504}
# The answer for a year not yet taxed (doc-v2.9 §6.3.2, REFERENCE §1.6): 410 « aucun résultat ».
_NO_RESULT = "4101"
_SPI_FORMAT = "4001"


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    started: float
    retry_after: int | None = None

    def json(self):
        return json.loads(self.body)


class _TokenRejected(Exception):
    """A 401 of the resource: our cached token is no longer accepted."""


@dataclass
class _Token:
    value: str
    valid_until: float  # on the client's clock


class ImpotParticulierClient:
    def __init__(
        self,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        id_teleservice: str,
        *,
        cert: tuple[str, str] | None = None,
        scope: str = SCOPE_DEUXANS,
        connect_timeout: float = 3.0,
        read_timeout: float = 8.0,
        deadline: float = 10.0,
        max_retry_after: float = 3.0,
        calls_per_minute: int = 50,
        limiter: Limiter | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if deadline <= 0:
            raise ValueError("deadline must be positive")
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.id_teleservice = id_teleservice
        self.cert = cert
        self.scope = scope
        self.resource: Resource = resource_for(scope)
        self.timeout = (connect_timeout, read_timeout)
        self.deadline = deadline
        self.max_retry_after = max_retry_after
        self._limiter = limiter or MinuteLimiter(calls_per_minute, clock)
        self._clock = clock
        self._sleep = sleep
        # Shared by every thread: urllib3's pools are thread-safe and keep connections alive between calls.
        self._adapter = WatchedAdapter()
        self._token: _Token | None = None
        self._token_lock = threading.Lock()  # guards self._token
        self._fetch_lock = threading.Lock()  # one token request at a time: the others wait for its result

    def __repr__(self) -> str:  # never the secret
        return f"ImpotParticulierClient({self.base_url!r}, client_id={self.client_id!r}, scope={self.scope!r})"

    # --- The two modalities -----------------------------------------------------------------------------------

    def avis(self, spi: str, today: date) -> FiscalFacts:
        """The avis of the foyer of this numéro fiscal (typed by the family; checked before any call)."""
        spi = normalise_spi(spi)
        return self._avis(lambda year: self.resource.spi_path(spi, year), {}, today)

    def avis_france_connect(self, fc_access_token: str, today: date) -> FiscalFacts:
        """The avis of the family identified by FranceConnect: its access token stands for the numéro fiscal."""
        if not fc_access_token:
            raise ValueError("jeton FranceConnect manquant")
        headers = {"X-FranceConnect-OAuth": fc_access_token}
        return self._avis(self.resource.france_connect_path, headers, today)

    def _avis(self, path_for: Callable[[int | None], str], headers: Mapping[str, str], today: date) -> FiscalFacts:
        deadline = time.monotonic() + self.deadline
        *first, last = years_to_ask(today) if self.resource.by_year else (None,)
        for year in first:
            try:
                return self._facts(path_for(year), year, headers, deadline)
            except FiscalNotFound as error:
                # This foyer's last year is not taxed yet (410 « aucun résultat »): the year before, once.
                if not (error.status == 410 and error.code in (_NO_RESULT, None)):
                    raise
        return self._facts(path_for(last), last, headers, deadline)

    # --- One resource call: token, quota, one retry where worth it, one token renewal -----------------------

    def _facts(self, path: str, year: int | None, headers: Mapping[str, str], deadline: float) -> FiscalFacts:
        label = self.resource.label
        retried = renewed = False
        while True:
            correlation_id = str(uuid.uuid4())
            try:
                token = self._valid_token(deadline)
                answer = self._resource_call(label, path, token, headers, correlation_id, deadline)
                return self._read(label, answer, year, correlation_id)
            except _TokenRejected:
                if renewed:
                    log.error("impot_particulier endpoint=%s code=refused correlation_id=%s", label, correlation_id)
                    raise FiscalRefused(
                        "jeton refusé après renouvellement", status=401, correlation_id=correlation_id
                    ) from None
                renewed = True
                self._drop_token(token)
            except FiscalUnavailable as error:
                if retried or not self._worth_retrying(error, deadline):
                    raise
                retried = True
                self._sleep(error.retry_after if error.status == 429 else RETRY_PAUSE)

    def _worth_retrying(self, error: FiscalUnavailable, deadline: float) -> bool:
        if error.code == "busy":  # our own quota: no call was made, none should be
            return False
        if error.status == 429:
            if error.retry_after is None or error.retry_after > self.max_retry_after:
                return False
            pause = error.retry_after
        elif error.status in _RETRIED_STATUSES or error.code == "connection":
            pause = RETRY_PAUSE
        else:  # a timeout is not retried: the family has already waited the whole read timeout, or the deadline
            return False
        return deadline - time.monotonic() - pause >= MIN_RETRY_SECONDS

    def _resource_call(
        self, label: str, path: str, token: str, extra: Mapping[str, str], correlation_id: str, deadline: float
    ) -> _Answer:
        if not self._limiter(1):
            retry_after = seconds_to_next_minute(self._clock())
            self._log(label, None, time.monotonic(), "busy", correlation_id)
            raise FiscalUnavailable("quota d'appels atteint", code="busy", retry_after=retry_after)
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": f"{self.resource.media_type}, application/json",
            "X-Correlation-ID": correlation_id,
            "ID_Teleservice": self.id_teleservice,
            **extra,
        }
        answer = self._exchange("GET", label, self.base_url + path, headers, None, correlation_id, deadline)
        if answer.status == 401:
            self._log(label, 401, answer.started, _error_code(answer), correlation_id, logging.WARNING)
            raise _TokenRejected
        return answer

    def _read(self, label: str, answer: _Answer, year: int | None, correlation_id: str) -> FiscalFacts:
        status, started = answer.status, answer.started
        if status == 200:
            try:
                facts = read_fiscal_facts(
                    answer.json(), year=year, correlation_id=correlation_id, fetched_at=self._now()
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                self._log(label, status, started, "malformed", correlation_id)
                raise FiscalUnavailable(
                    "réponse illisible", status=status, code="malformed", correlation_id=correlation_id
                ) from None
            self._log(label, status, started, None, correlation_id)
            return facts
        code, message = _error(answer)
        self._log(label, status, started, code, correlation_id)
        details = {"status": status, "code": code, "correlation_id": correlation_id}
        if status in _NOT_FOUND:
            raise FiscalNotFound(f"HTTP {status}", **details)
        if status == 400 and (code == _SPI_FORMAT or "spi" in (message or "").lower()):
            raise InvalidSpi("numéro fiscal refusé par l'API", **details)
        if status == 429:
            raise FiscalUnavailable("HTTP 429", retry_after=answer.retry_after, **details)
        raise FiscalUnavailable(f"HTTP {status}", **details)

    # --- OAuth2 client credentials ------------------------------------------------------------------------------

    def _valid_token(self, deadline: float) -> str:
        with self._token_lock:
            if self._token is not None and self._clock() < self._token.valid_until:
                return self._token.value
        # One request at a time: a thread that waited finds the token the first one got.
        if not self._fetch_lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise FiscalUnavailable("délai dépassé", code="timeout")
        try:
            with self._token_lock:
                if self._token is not None and self._clock() < self._token.valid_until:
                    return self._token.value
            token = self._request_token(deadline)
            with self._token_lock:
                self._token = token
            return token.value
        finally:
            self._fetch_lock.release()

    def _drop_token(self, value: str) -> None:
        with self._token_lock:
            if self._token is not None and self._token.value == value:  # another thread may have renewed it
                self._token = None

    def _request_token(self, deadline: float) -> _Token:
        form = {
            "grant_type": "client_credentials",
            "scope": self.scope,
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        headers = {"Accept": "application/json"}
        answer = self._exchange("POST", "token", self.token_url, headers, form, None, deadline)
        status, started = answer.status, answer.started
        if status == 200:
            try:
                body = answer.json()
                value = body["access_token"]
                lifetime = body.get("expires_in", DEFAULT_TOKEN_SECONDS)
                if not isinstance(value, str) or not value or isinstance(lifetime, bool):
                    raise TypeError
                lifetime = float(lifetime)
            except (ValueError, KeyError, TypeError, AttributeError):
                self._log("token", status, started, "malformed", None)
                raise FiscalUnavailable("jeton illisible", status=status, code="malformed") from None
            self._log("token", status, started, None, None)
            margin = min(TOKEN_MARGIN_SECONDS, lifetime / 10)
            return _Token(value, self._clock() + lifetime - margin)
        code = _oauth_error(answer)
        refused = status in (400, 401, 403)
        self._log("token", status, started, code, None, logging.ERROR if refused else logging.INFO)
        if refused:
            raise FiscalRefused(f"HTTP {status}", status=status, code=code)
        raise FiscalUnavailable(f"HTTP {status}", status=status, code=code, retry_after=answer.retry_after)

    # --- HTTP --------------------------------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        # A session per call: requests does not promise that a Session is safe across threads. Never closed, since
        # closing it would close the shared adapter.
        session = requests.Session()
        session.mount("http://", self._adapter)
        session.mount("https://", self._adapter)
        return session

    def _exchange(
        self,
        method: str,
        label: str,
        url: str,
        headers: Mapping[str, str],
        form: Mapping[str, str] | None,
        correlation_id: str | None,
        deadline: float,
    ) -> _Answer:
        """One request, whole body read, within the deadline; a failure on the way is logged and raised as
        FiscalUnavailable (no exception text: it quotes the URL, which holds the numéro fiscal)."""
        started = time.monotonic()
        left = deadline - started
        if left <= 0:
            self._log(label, None, started, "timeout", correlation_id)
            raise FiscalUnavailable("délai dépassé", code="timeout", correlation_id=correlation_id)
        with Watchdog(deadline) as watchdog:
            try:
                response = self._session().request(
                    method,
                    url,
                    headers=headers,
                    data=form,
                    cert=self.cert,
                    timeout=(min(self.timeout[0], left), min(self.timeout[1], left)),
                    stream=True,
                    allow_redirects=False,
                )
                with contextlib.closing(response):
                    body = read_body(response, deadline)
                if watchdog.fired:  # the socket was shut down under the call: what came is cut short
                    raise DeadlineReached
            except BodyTooLarge:
                self._log(label, None, started, "malformed", correlation_id)
                raise FiscalUnavailable(
                    "réponse trop longue", code="malformed", correlation_id=correlation_id
                ) from None
            except (
                requests.exceptions.RequestException,
                urllib3.exceptions.HTTPError,
                OSError,
                DeadlineReached,
            ) as exc:
                read_timeout = isinstance(exc, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError)
                if read_timeout or watchdog.reached():
                    self._log(label, None, started, "timeout", correlation_id)
                    raise FiscalUnavailable("délai dépassé", code="timeout", correlation_id=correlation_id) from None
                self._log(label, None, started, type(exc).__name__, correlation_id)
                raise FiscalUnavailable(
                    "connexion impossible", code="connection", correlation_id=correlation_id
                ) from None
        return _Answer(response.status_code, body, started, _header_retry_after(response))

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC).replace(tzinfo=None)

    @staticmethod
    def _log(
        label: str,
        status: int | None,
        started: float,
        code: str | None,
        correlation_id: str | None,
        level: int = logging.INFO,
    ) -> None:
        duration_ms = round((time.monotonic() - started) * 1000)
        log.log(
            level,
            "impot_particulier endpoint=%s status=%s duration_ms=%d code=%s correlation_id=%s",
            label,
            status if status is not None else "-",
            duration_ms,
            code or "-",
            correlation_id or "-",
        )


def _header_retry_after(response: requests.Response) -> int | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0, int(value)) if value is not None else None
    except ValueError:
        return None


def _error(answer: _Answer) -> tuple[str | None, str | None]:
    """The DGFiP's `{"erreur": {"code": 4101, "message": "…"}}` (REFERENCE §1.6), when the body is one."""
    try:
        error = answer.json().get("erreur") or {}
        code = error.get("code")
        message = error.get("message")
        return (str(code) if code is not None else None), (message if isinstance(message, str) else None)
    except (ValueError, AttributeError):
        return None, None


def _error_code(answer: _Answer) -> str | None:
    return _error(answer)[0]


def _oauth_error(answer: _Answer) -> str | None:
    """RFC 6749 §5.2 `{"error": "invalid_client"}`."""
    try:
        error = answer.json().get("error")
        return error if isinstance(error, str) else None
    except (ValueError, AttributeError):
        return None
