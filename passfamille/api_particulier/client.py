"""ApiParticulierClient: the HTTP contract of API Particulier's endpoints, one object safe across threads.

Each call has a total deadline, retry included (see transport.Watchdog). Logs carry the endpoint, status, duration,
error code and X-Request-ID — never the query string, which holds the citizen's civil identity (REFERENCE §11.5).
"""

import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
import urllib3

from .errors import (
    ApiParticulierError,
    BadRequest,
    FranceConnectTokenRefused,
    IdentityNotRecognised,
    NoFamilyFile,
    Refused,
    Unavailable,
)
from .identity import Identity
from .results import EajeFacts, FamilyFacts, TokenGrant, read_data, read_eaje_facts, read_family_facts, read_grant
from .transport import BodyTooLarge, DeadlineReached, Watchdog, WatchedAdapter, read_body

# The package's name, as before the client had a module of its own: a logging configuration may name it.
log = logging.getLogger("passfamille.api_particulier")
T = TypeVar("T")

QF_PATH = "/v3/dss/quotient_familial/identite"
# Crèche prices use the PSU parameters of this endpoint, never the QF (REFERENCE §4).
EAJE_PATH = "/v3/dss/participation_familiale_eaje/identite"
# The FranceConnect modality (REFERENCE §3.5): the family's FranceConnect access token is the bearer, `recipient` the
# only parameter; API Particulier reads the identity from FranceConnect (checktoken).
QF_FC_PATH = "/v3/dss/quotient_familial/france_connect"
EAJE_FC_PATH = "/v3/dss/participation_familiale_eaje/france_connect"
INTROSPECT_PATH = "/api/introspect"
RETRY_PAUSE = 0.2
# A retry with less time left than this could only end at the deadline: the first error is kept instead.
MIN_RETRY_SECONDS = 0.5


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
# The FranceConnect routes: a 401 is the family's token (malformed 50001, expired 50002, without the identity 50003),
# which a new FranceConnect login replaces; no identity is typed, so there is no 422 for a typo.
_FC_STATUS_ERRORS = {401: FranceConnectTokenRefused, 403: Refused, 404: NoFamilyFile}
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
        self._adapter = WatchedAdapter()
        self._sleep = sleep

    def quotient_familial(self, identity: Identity) -> FamilyFacts:
        params = [("recipient", self.recipient), *identity.params()]
        data, request_id = self._get("quotient_familial", QF_PATH, params)
        return read_family_facts(data, request_id)

    def participation_familiale_eaje(self, identity: Identity) -> EajeFacts:
        params = [("recipient", self.recipient), *identity.params()]
        data, request_id = self._get("participation_familiale_eaje", EAJE_PATH, params)
        return read_eaje_facts(data, request_id)

    def quotient_familial_france_connect(self, access_token: str) -> FamilyFacts:
        """The QF of the family logged in with FranceConnect, whose access token (60 s of life) is the bearer."""
        data, request_id = self._get(
            "quotient_familial_france_connect", QF_FC_PATH, [("recipient", self.recipient)], access_token
        )
        return read_family_facts(data, request_id)

    def participation_familiale_eaje_france_connect(self, access_token: str) -> EajeFacts:
        data, request_id = self._get(
            "participation_familiale_eaje_france_connect", EAJE_FC_PATH, [("recipient", self.recipient)], access_token
        )
        return read_eaje_facts(data, request_id)

    def introspect(self, timeout: tuple[float, float] | None = None) -> TokenGrant:
        """The token's scopes (GET /api/introspect, v2 flat body). No retry: the agents' health check has a short
        budget of its own and asks again a few minutes later."""
        deadline = time.monotonic() + self.deadline
        grant, _ = self._call(
            "introspect", INTROSPECT_PATH, None, deadline, timeout or self.timeout, read_grant, _REFUSED
        )
        return grant

    def _get(
        self, label: str, path: str, params: list[tuple[str, str]], france_connect_token: str | None = None
    ) -> tuple[dict, str | None]:
        """GET with at most one retry: connection error, 502/503/504, or 429 with a short Retry-After. The retry is
        made only if the pause before it leaves time for an answer, and gets what is left of the deadline.
        With a FranceConnect access token, it is the bearer instead of our token."""
        deadline = time.monotonic() + self.deadline
        try:
            return self._get_once(label, path, params, deadline, france_connect_token)
        except Unavailable as error:
            if not self._worth_retrying(error):
                raise
            pause = error.retry_after if error.status == 429 else RETRY_PAUSE
            if deadline - time.monotonic() - pause < MIN_RETRY_SECONDS:
                raise
            self._sleep(pause)
        return self._get_once(label, path, params, deadline, france_connect_token)

    def _worth_retrying(self, error: Unavailable) -> bool:
        if error.status == 429:
            return error.retry_after is not None and error.retry_after <= self.max_retry_after
        # A timeout is not retried: the citizen has already waited the whole read timeout, or the deadline.
        return error.status in _RETRIED_STATUSES or error.code == "connection"

    def _get_once(
        self, label: str, path: str, params: list[tuple[str, str]], deadline: float, france_connect_token: str | None
    ) -> tuple[dict, str | None]:
        if france_connect_token is None:
            return self._call(label, path, params, deadline, self.timeout, read_data, _STATUS_ERRORS)
        return self._call(
            label, path, params, deadline, self.timeout, read_data, _FC_STATUS_ERRORS, bearer=france_connect_token
        )

    def _call(
        self,
        label: str,
        path: str,
        params: list[tuple[str, str]] | None,
        deadline: float,
        timeout: tuple[float, float],
        read: Callable[[Any], T],
        errors: Mapping[int, type[ApiParticulierError]],
        bearer: str | None = None,
    ) -> tuple[T, str | None]:
        """One GET, logged: a 200 gives what ``read`` takes from its JSON body, another status raises its error."""
        answer = self._fetch(label, path, params, deadline, timeout, bearer or self.token)
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
        self,
        label: str,
        path: str,
        params: list[tuple[str, str]] | None,
        deadline: float,
        timeout: tuple,
        bearer: str,
    ) -> _Answer:
        """One GET, whole body read, within the deadline; a failure on the way is logged and raised as Unavailable."""
        started = time.monotonic()
        left = deadline - started
        headers = {"Authorization": f"Bearer {bearer}", "Accept": "application/json"}
        request_id = None
        with Watchdog(deadline) as watchdog:
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
                    body = read_body(response, deadline)
                if watchdog.fired:  # the socket was shut down under the call: what came is cut short (headers too)
                    raise DeadlineReached
            except BodyTooLarge:
                self._log(label, None, started, "malformed", request_id)
                raise Unavailable("réponse trop longue", code="malformed", request_id=request_id) from None
            except (
                requests.exceptions.RequestException,
                urllib3.exceptions.HTTPError,
                OSError,
                DeadlineReached,
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
        # Our token refused is the admin's to fix; a family's FranceConnect token that expired is not.
        level = logging.ERROR if status in (401, 403) and not label.endswith("_france_connect") else logging.INFO
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
