"""Client of API Particulier v3 (CAF/MSA quotient familial).

One object, built in create_app, safe to use from several threads at once. It knows the HTTP contract and
nothing of eligibility: it returns frozen results with only the fields the app uses, or raises one exception per
meaning. Each call has a total deadline, retry included (see _Watchdog).
Logs carry the endpoint, status, duration, error code and X-Request-ID — never the query string,
which holds the citizen's civil identity (REFERENCE §11.5).
"""

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

log = logging.getLogger(__name__)
T = TypeVar("T")


class _HideQueryStrings(logging.Filter):
    """urllib3 logs each request line at DEBUG level, and an answer whose headers it cannot parse at WARNING level,
    with the URL's query string: that string is the identity."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = re.sub(r"\?[^\s\"]*", "?[masqué]", message), ()
        return True


# A filter applies to the records of its own logger only, not to those of its children: each module that logs URLs.
for _logger in ("urllib3.connectionpool", "urllib3.connection", "urllib3.poolmanager", "urllib3.util.retry"):
    logging.getLogger(_logger).addFilter(_HideQueryStrings())

QF_PATH = "/v3/dss/quotient_familial/identite"
# Crèche prices use the PSU parameters of this endpoint, never the QF (REFERENCE §4).
EAJE_PATH = "/v3/dss/participation_familiale_eaje/identite"
INTROSPECT_PATH = "/api/introspect"
FRANCE = "99100"
# A QF or EAJE answer weighs a few KB: anything much larger is not an answer we can use.
MAX_BODY_BYTES = 256 * 1024
RETRY_PAUSE = 0.2
# A retry with less time left than this could only end at the deadline: the first error is kept instead.
MIN_RETRY_SECONDS = 0.5


class ApiParticulierError(Exception):
    """Base class. `code` is the API's 5-character error code when there was one."""

    outcome = "error"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message or self.outcome)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after


class IdentityNotRecognised(ApiParticulierError):
    """422: the civil identity is invalid or unknown to the national register."""

    outcome = "identity"


class NoFamilyFile(ApiParticulierError):
    """404: the person exists but has no CAF/MSA file (or no QF this month)."""

    outcome = "not_found"


class Unavailable(ApiParticulierError):
    """Timeout, connection failure, 409, 429, 5xx or an unreadable answer: try again later."""

    outcome = "unavailable"


class Refused(ApiParticulierError):
    """401/403: our token is invalid, expired or lacks the scope. A configuration problem for the admin."""

    outcome = "refused"


class BadRequest(ApiParticulierError):
    """Any other 4xx: a bug on our side."""

    outcome = "bad_request"


@dataclass(frozen=True)
class Identity:
    """What the citizen typed, in the API's terms. Unknown parts are None and are not sent."""

    birth_name: str
    sex: str
    birth_country: str
    first_names: tuple[str, ...] = ()
    usage_name: str | None = None
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    birth_commune_code: str | None = None
    birth_commune_name: str | None = None
    birth_department_code: str | None = None

    def params(self) -> list[tuple[str, str]]:
        pairs = [("nomNaissance", self.birth_name)]
        if self.usage_name:
            pairs.append(("nomUsage", self.usage_name))
        pairs += [("prenoms[]", name) for name in self.first_names]
        pairs.append(("sexeEtatCivil", self.sex))
        # The API ignores a month without a year and a day without a month: send only a coherent prefix.
        if self.birth_year:
            pairs.append(("anneeDateNaissance", str(self.birth_year)))
            if self.birth_month:
                pairs.append(("moisDateNaissance", str(self.birth_month)))
                if self.birth_day:
                    pairs.append(("jourDateNaissance", str(self.birth_day)))
        pairs.append(("codeCogInseePaysNaissance", self.birth_country))
        if self.birth_country == FRANCE:
            if self.birth_commune_code:
                pairs.append(("codeCogInseeCommuneNaissance", self.birth_commune_code))
            elif self.birth_commune_name:
                pairs.append(("nomCommuneNaissance", self.birth_commune_name))
                if self.birth_department_code:
                    pairs.append(("codeCogInseeDepartementNaissance", self.birth_department_code))
        return pairs


@dataclass(frozen=True)
class Person:
    birth_name: str
    usage_name: str | None
    first_names: str
    birth_date: date | None
    sex: str | None


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]
    postal_code: str | None
    city: str | None
    country: str | None


@dataclass(frozen=True)
class QuotientFamilial:
    value: int
    provider: str
    year: int | None
    month: int | None


@dataclass(frozen=True)
class TokenGrant:
    """What /api/introspect says of our token: its id (the JWT's jti), name and scopes."""

    id: str | None
    name: str | None
    scopes: frozenset[str]


@dataclass(frozen=True)
class FamilyFacts:
    """The minimal certified facts. A key missing from the token's scopes is None / empty."""

    quotient_familial: QuotientFamilial | None
    allocataires: tuple[Person, ...]
    children: tuple[Person, ...]
    address: Address | None
    request_id: str | None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


@dataclass(frozen=True)
class PsuParameters:
    """What the CNAF barème needs: annual resources (year N-2), dependent children, children with AEEH."""

    annual_resources: int
    resources_year: int | None
    children: int
    aeeh_children: int


@dataclass(frozen=True)
class EajeFacts:
    """The certified facts for a crèche price estimate. A key missing from the token's scopes is None / empty."""

    parameters: PsuParameters | None
    allocataires: tuple[Person, ...]
    children: tuple[Person, ...]
    address: Address | None
    request_id: str | None
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(tzinfo=None))


def _parse_date(value) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None  # "1990-00-00" or null: the API sometimes knows only part of a date


def _person(raw: dict) -> Person:
    return Person(
        birth_name=raw.get("nom_naissance") or "",
        usage_name=raw.get("nom_usage") or None,
        first_names=raw.get("prenoms") or "",
        birth_date=_parse_date(raw.get("date_naissance")),
        sex=raw.get("sexe"),
    )


_POSTAL_TOWN = re.compile(r"^\s*(\d{5})\s*(.*)$")


def _address(raw: dict) -> Address:
    match = _POSTAL_TOWN.match(raw.get("code_postal_ville") or "")
    postal_code, city = (match.group(1), match.group(2).strip() or None) if match else (None, None)
    keys = ("complement_information", "complement_information_geographique", "numero_libelle_voie", "lieu_dit")
    return Address(
        lines=tuple(raw[key] for key in keys if raw.get(key)),
        postal_code=postal_code,
        city=city,
        country=raw.get("pays"),
    )


def _facts(data: dict, request_id: str | None) -> FamilyFacts:
    qf = data.get("quotient_familial")
    return FamilyFacts(
        quotient_familial=QuotientFamilial(
            value=int(qf["valeur"]), provider=qf.get("fournisseur") or "", year=qf.get("annee"), month=qf.get("mois")
        )
        if qf and qf.get("valeur") is not None
        else None,
        allocataires=tuple(_person(p) for p in data.get("allocataires") or ()),
        children=tuple(_person(p) for p in data.get("enfants") or ()),
        address=_address(data["adresse"]) if data.get("adresse") else None,
        request_id=request_id,
    )


def _eaje_facts(data: dict, request_id: str | None) -> EajeFacts:
    raw = data.get("parametres_calcul_participation_familiale") or {}
    resources = raw.get("base_ressources_annuelles") or {}
    parameters = None
    if resources.get("valeur") is not None:
        parameters = PsuParameters(
            annual_resources=int(resources["valeur"]),
            resources_year=resources.get("annee_calcul"),
            children=int(raw.get("nombre_enfants_a_charge") or 0),
            aeeh_children=int(raw.get("nombre_enfants_beneficiaire_aeeh") or 0),
        )
    return EajeFacts(
        parameters=parameters,
        allocataires=tuple(_person(p) for p in data.get("allocataires") or ()),
        children=tuple(_person(p) for p in data.get("enfants") or ()),
        address=_address(data["adresse"]) if data.get("adresse") else None,
        request_id=request_id,
    )


def _data(body) -> dict:
    """The ``data`` object of a v3 answer."""
    data = body["data"]
    if not isinstance(data, dict):
        raise TypeError
    return data


def _grant(body) -> TokenGrant:
    """The token's grant in /api/introspect's v2 flat body."""
    scopes = body["scopes"]
    if not isinstance(scopes, list):
        raise TypeError
    return TokenGrant(id=body.get("_id"), name=body.get("name"), scopes=frozenset(map(str, scopes)))


# --- Transport: a deadline for the whole call ----------------------------------------------------------------------
#
# requests' read timeout bounds each read of the socket, not the answer: a server that trickles its headers or its
# body (a byte now and then) holds a call for as long as it likes. Each call therefore arms a watchdog: at the
# deadline it shuts the call's socket down from its own thread, which at once wakes a read blocked in the headers or
# the body (the read sees the end of the stream); the calling thread then reports a timeout. The socket reaches the
# watchdog through the connection classes below, just before the answer is awaited. Connecting is bounded by the
# connect timeout, never longer than the time left (name resolution is not: the system resolver cannot be
# interrupted). Reading the body in pieces with the clock checked between them is a second bound, for connections
# the watchdog cannot see (through a SOCKS proxy).

_current = threading.local()  # .watchdog: the watchdog of the call this thread is making


def _shut_down(sock) -> None:
    # The plain socket's shutdown, also for a TLS socket: ssl.SSLSocket.shutdown would drop its TLS state under the
    # reading thread. Through an HTTPS proxy, urllib3 wraps a socket in an SSLTransport (`.socket`).
    raw = getattr(sock, "socket", sock)
    with contextlib.suppress(OSError):
        socket.socket.shutdown(raw, socket.SHUT_RDWR)


class _Watchdog:
    """Shuts down the socket of the current thread's call when the deadline comes, unless the call ended first."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self.fired = False
        self._lock = threading.Lock()
        self._socket = None
        self._ended = False
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True

    def __enter__(self) -> "_Watchdog":
        _current.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        _current.watchdog = None
        self._timer.cancel()
        with self._lock:
            self._ended = True

    def watch(self, sock) -> None:
        with self._lock:
            self._socket = sock
            if self.fired:
                _shut_down(sock)

    def _fire(self) -> None:
        with self._lock:
            if self._ended:
                return
            self.fired = True
            if self._socket is not None:
                _shut_down(self._socket)

    def reached(self) -> bool:
        return self.fired or time.monotonic() >= self.deadline


class _ShowsSocketToWatchdog:
    """Mixed into urllib3's connections: the request is sent, the wait for the answer begins."""

    def getresponse(self):
        watchdog = getattr(_current, "watchdog", None)
        if watchdog is not None and self.sock is not None:
            watchdog.watch(self.sock)
        return super().getresponse()


class _WatchedHTTPConnection(_ShowsSocketToWatchdog, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_ShowsSocketToWatchdog, HTTPSConnection):
    pass


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED_POOLS = {"http": _WatchedHTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}


class _WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections show their socket to the calling thread's watchdog."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools have connection classes of their own
            manager.pool_classes_by_scheme = _WATCHED_POOLS
        return manager


class _BodyTooLarge(Exception):
    pass


class _DeadlineReached(Exception):
    pass


def _read_body(response: requests.Response, deadline: float) -> bytes:
    body = bytearray()
    # read1 returns what has arrived instead of waiting for a full piece; decoding (gzip) included.
    while piece := response.raw.read1(16 * 1024, decode_content=True):
        body += piece
        if len(body) > MAX_BODY_BYTES:
            raise _BodyTooLarge
        if time.monotonic() >= deadline:
            raise _DeadlineReached
    return bytes(body)


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes
    started: float

    @property
    def request_id(self) -> str | None:
        return self.headers.get("X-Request-ID")

    def json(self):
        return json.loads(self.body)


_REFUSED = {401: Refused, 403: Refused}
_STATUS_ERRORS = {**_REFUSED, 404: NoFamilyFile, 422: IdentityNotRecognised}  # the identity endpoints
_RETRIED_STATUSES = {502, 503, 504}


class ApiParticulierClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        recipient: str,
        *,
        connect_timeout: float = 3.0,
        read_timeout: float = 8.0,
        deadline: float = 10.0,
        max_retry_after: float = 3.0,
        sleep=time.sleep,
    ):
        if deadline <= 0:
            raise ValueError("deadline must be positive")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.recipient = recipient
        self.timeout = (connect_timeout, read_timeout)
        self.deadline = deadline
        self.max_retry_after = max_retry_after
        # Shared by every thread: urllib3's pools are thread-safe and keep connections alive between calls.
        self._adapter = _WatchedAdapter()
        self._sleep = sleep

    def quotient_familial(self, identity: Identity) -> FamilyFacts:
        params = [("recipient", self.recipient), *identity.params()]
        data, request_id = self._get("quotient_familial", QF_PATH, params)
        return _facts(data, request_id)

    def participation_familiale_eaje(self, identity: Identity) -> EajeFacts:
        params = [("recipient", self.recipient), *identity.params()]
        data, request_id = self._get("participation_familiale_eaje", EAJE_PATH, params)
        return _eaje_facts(data, request_id)

    def introspect(self, timeout: tuple[float, float] | None = None) -> TokenGrant:
        """The token's scopes (GET /api/introspect, v2 flat body). No retry: the agents' health check has a short
        budget of its own and asks again a few minutes later."""
        deadline = time.monotonic() + self.deadline
        grant, _ = self._call("introspect", INTROSPECT_PATH, None, deadline, timeout or self.timeout, _grant, _REFUSED)
        return grant

    def _get(self, label: str, path: str, params: list[tuple[str, str]]) -> tuple[dict, str | None]:
        """GET with at most one retry: connection error, 502/503/504, or 429 with a short Retry-After. The retry is
        made only if the pause before it leaves time for an answer, and gets what is left of the deadline."""
        deadline = time.monotonic() + self.deadline
        try:
            return self._get_once(label, path, params, deadline)
        except Unavailable as error:
            if not self._worth_retrying(error):
                raise
            pause = error.retry_after if error.status == 429 else RETRY_PAUSE
            if deadline - time.monotonic() - pause < MIN_RETRY_SECONDS:
                raise
            self._sleep(pause)
        return self._get_once(label, path, params, deadline)

    def _worth_retrying(self, error: Unavailable) -> bool:
        if error.status == 429:
            return error.retry_after is not None and error.retry_after <= self.max_retry_after
        # A timeout is not retried: the citizen has already waited the whole read timeout, or the deadline.
        return error.status in _RETRIED_STATUSES or error.code == "connection"

    def _get_once(
        self, label: str, path: str, params: list[tuple[str, str]], deadline: float
    ) -> tuple[dict, str | None]:
        return self._call(label, path, params, deadline, self.timeout, _data, _STATUS_ERRORS)

    def _call(
        self,
        label: str,
        path: str,
        params: list[tuple[str, str]] | None,
        deadline: float,
        timeout: tuple[float, float],
        read: Callable[[Any], T],
        errors: Mapping[int, type[ApiParticulierError]],
    ) -> tuple[T, str | None]:
        """One GET, logged: a 200 gives what ``read`` takes from its JSON body, another status raises its error."""
        answer = self._fetch(label, path, params, deadline, timeout)
        status, request_id, started = answer.status, answer.request_id, answer.started
        if status == 200:
            try:
                result = read(answer.json())
            except (ValueError, KeyError, TypeError, AttributeError):
                self._log(label, status, started, "malformed", request_id)
                raise Unavailable("réponse illisible", status=status, code="malformed", request_id=request_id) from None
            self._log(label, status, started, None, request_id)
            return result, request_id

        code = _error_code(answer)
        self._log(label, status, started, code, request_id)
        retry_after = _retry_after(answer.headers.get("Retry-After"))
        error_class = errors.get(status)
        if error_class is None:
            error_class = Unavailable if status in (409, 429) or status >= 500 else BadRequest
        raise error_class(f"HTTP {status}", status=status, code=code, request_id=request_id, retry_after=retry_after)

    def _session(self) -> requests.Session:
        # A session per call: requests does not promise that a Session is safe across threads. It is never closed,
        # since closing it would close the shared adapter; it holds nothing else worth closing.
        session = requests.Session()
        session.mount("http://", self._adapter)
        session.mount("https://", self._adapter)
        return session

    def _fetch(
        self, label: str, path: str, params: list[tuple[str, str]] | None, deadline: float, timeout: tuple
    ) -> _Answer:
        """One GET, whole body read, within the deadline; a failure on the way is logged and raised as Unavailable."""
        started = time.monotonic()
        left = deadline - started
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        request_id = None
        with _Watchdog(deadline) as watchdog:
            try:
                response = self._session().get(
                    self.base_url + path,
                    params=params,
                    headers=headers,
                    timeout=(min(timeout[0], left), min(timeout[1], left)),
                    stream=True,
                )
                with contextlib.closing(response):
                    request_id = response.headers.get("X-Request-ID")
                    body = _read_body(response, deadline)
                if watchdog.fired:  # the socket was shut down under the call: what came is cut short (headers too)
                    raise _DeadlineReached
            except _BodyTooLarge:
                self._log(label, None, started, "malformed", request_id)
                raise Unavailable("réponse trop longue", code="malformed", request_id=request_id) from None
            except (
                requests.exceptions.RequestException,
                urllib3.exceptions.HTTPError,
                OSError,
                _DeadlineReached,
            ) as exc:
                read_timeout = isinstance(exc, requests.exceptions.ReadTimeout | urllib3.exceptions.ReadTimeoutError)
                if read_timeout or watchdog.reached():
                    self._log(label, None, started, "timeout", request_id)
                    raise Unavailable("délai dépassé", code="timeout", request_id=request_id) from None
                # The exception text holds the full URL with the identity: keep only its class name.
                self._log(label, None, started, type(exc).__name__, request_id)
                raise Unavailable("connexion impossible", code="connection", request_id=request_id) from None
        return _Answer(response.status_code, response.headers, body, started)

    @staticmethod
    def _log(label, status, started, code, request_id):
        duration_ms = round((time.monotonic() - started) * 1000)
        level = logging.ERROR if status in (401, 403) else logging.INFO
        log.log(
            level,
            "api_particulier endpoint=%s status=%s duration_ms=%d code=%s request_id=%s",
            label,
            status if status is not None else "-",
            duration_ms,
            code or "-",
            request_id or "-",
        )


def _error_code(answer: _Answer) -> str | None:
    try:
        errors = answer.json().get("errors") or []
        return str(errors[0].get("code")) if errors else None
    except (ValueError, AttributeError, IndexError):
        return None


def _retry_after(value: str | None) -> int | None:
    try:
        return max(0, int(value)) if value is not None else None
    except ValueError:
        return None
