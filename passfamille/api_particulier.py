"""Client of API Particulier v3 (CAF/MSA quotient familial).

One object, built in create_app. It knows the HTTP contract and nothing of eligibility: it returns
frozen results with only the fields the app uses, or raises one exception per meaning.
Logs carry the endpoint, status, duration, error code and X-Request-ID — never the query string,
which holds the citizen's civil identity (REFERENCE §11.5).
"""

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import requests

log = logging.getLogger(__name__)


class _HideQueryStrings(logging.Filter):
    """urllib3 logs each request line, query string included, at DEBUG level: that string is the identity."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = re.sub(r"\?[^\s\"]*", "?[masqué]", message), ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_HideQueryStrings())

QF_PATH = "/v3/dss/quotient_familial/identite"
# Crèche prices use the PSU parameters of this endpoint, never the QF (REFERENCE §4).
EAJE_PATH = "/v3/dss/participation_familiale_eaje/identite"
INTROSPECT_PATH = "/api/introspect"
FRANCE = "99100"


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


_STATUS_ERRORS = {401: Refused, 403: Refused, 404: NoFamilyFile, 422: IdentityNotRecognised}
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
        max_retry_after: float = 3.0,
        session: requests.Session | None = None,
        sleep=time.sleep,
    ):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.recipient = recipient
        self.timeout = (connect_timeout, read_timeout)
        self.max_retry_after = max_retry_after
        self.session = session or requests.Session()
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
        started = time.monotonic()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            response = self.session.get(
                self.base_url + INTROSPECT_PATH, headers=headers, timeout=timeout or self.timeout
            )
        except requests.exceptions.ReadTimeout:
            self._log("introspect", None, started, "timeout", None)
            raise Unavailable("délai dépassé", code="timeout") from None
        except requests.exceptions.RequestException as exc:
            self._log("introspect", None, started, type(exc).__name__, None)
            raise Unavailable("connexion impossible", code="connection") from None
        request_id = response.headers.get("X-Request-ID")
        status = response.status_code
        self._log("introspect", status, started, None, request_id)
        if status == 200:
            try:
                body = response.json()
                scopes = body["scopes"]
                if not isinstance(scopes, list):
                    raise TypeError
                return TokenGrant(id=body.get("_id"), name=body.get("name"), scopes=frozenset(map(str, scopes)))
            except (ValueError, KeyError, TypeError, AttributeError):
                raise Unavailable("réponse illisible", status=status, code="malformed", request_id=request_id) from None
        if status in (401, 403):
            raise Refused(f"HTTP {status}", status=status, request_id=request_id)
        error_class = Unavailable if status in (409, 429) or status >= 500 else BadRequest
        raise error_class(f"HTTP {status}", status=status, request_id=request_id)

    def _get(self, label: str, path: str, params: list[tuple[str, str]]) -> tuple[dict, str | None]:
        """GET with at most one retry: connection error, 502/503/504, or 429 with a short Retry-After."""
        try:
            return self._get_once(label, path, params)
        except Unavailable as error:
            if not self._worth_retrying(error):
                raise
            self._sleep(error.retry_after if error.status == 429 else 0.2)
        return self._get_once(label, path, params)

    def _worth_retrying(self, error: Unavailable) -> bool:
        if error.status == 429:
            return error.retry_after is not None and error.retry_after <= self.max_retry_after
        # A read timeout is not retried: the citizen has already waited the whole read timeout.
        return error.status in _RETRIED_STATUSES or error.code == "connection"

    def _get_once(self, label: str, path: str, params: list[tuple[str, str]]) -> tuple[dict, str | None]:
        started = time.monotonic()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        try:
            response = self.session.get(self.base_url + path, params=params, headers=headers, timeout=self.timeout)
        except requests.exceptions.ReadTimeout:
            self._log(label, None, started, "timeout", None)
            raise Unavailable("délai dépassé", code="timeout") from None
        except requests.exceptions.RequestException as exc:
            # The exception text holds the full URL with the identity: keep only its class name.
            self._log(label, None, started, type(exc).__name__, None)
            raise Unavailable("connexion impossible", code="connection") from None

        request_id = response.headers.get("X-Request-ID")
        status = response.status_code
        if status == 200:
            try:
                body = response.json()
                data = body["data"]
                if not isinstance(data, dict):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                self._log(label, status, started, "malformed", request_id)
                raise Unavailable("réponse illisible", status=status, code="malformed", request_id=request_id) from None
            self._log(label, status, started, None, request_id)
            return data, request_id

        code = _error_code(response)
        self._log(label, status, started, code, request_id)
        retry_after = _retry_after(response.headers.get("Retry-After"))
        error_class = _STATUS_ERRORS.get(status)
        if error_class is None:
            error_class = Unavailable if status in (409, 429) or status >= 500 else BadRequest
        raise error_class(f"HTTP {status}", status=status, code=code, request_id=request_id, retry_after=retry_after)

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


def _error_code(response: requests.Response) -> str | None:
    try:
        errors = response.json().get("errors") or []
        return str(errors[0].get("code")) if errors else None
    except (ValueError, AttributeError, IndexError):
        return None


def _retry_after(value: str | None) -> int | None:
    try:
        return max(0, int(value)) if value is not None else None
    except ValueError:
        return None
