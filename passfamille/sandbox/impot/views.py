"""HTTP routes of the API Impôt particulier sandbox: the token endpoint and the IR assiette resources, in their
numéro fiscal (`/spi/{spi}/…`) and FranceConnect (`X-FranceConnect-OAuth`) variants (REFERENCE §1.2–1.6).

A resource call goes: armed fault (the shared fault board, as for API Particulier), token, quota, headers, scope,
numéro fiscal (or FranceConnect identity), year, then the foyer's avis filtered to the client's habilitation.
"""

import base64
import binascii
import json
import re
from datetime import date, datetime

from flask import Blueprint, Response, current_app, request

from ..faults import altered_answer, fault_response
from ..state import EXTENSION_KEY as SHARED_KEY
from . import errors
from .errors import DgfipError
from .fixtures import Foyer, fc_identity_to_spi
from .state import EXTENSION_KEY, SCOPE_DERNIERE, SCOPE_DEUXANS, SCOPE_IR, ImpotSandboxState, IssuedToken

bp = Blueprint("sandbox_impot", __name__, url_prefix="/impotparticulier")

API_PREFIX = "/1.0"
SITUATIONS_MEDIA_TYPE = "application/prs.dgfip.part.situations.ir.assiettes.v1+json"
DERNIERE_MEDIA_TYPE = "application/prs.dgfip.part.derniere.situations.ir.assiettes.v1+json"
CHANGEOVER = (7, 22)  # year N−1 is taxed from 22 July of year N (doc-v2.9 §6.3)
YEARS_SERVED = 3  # N−1 to N−3, the years a DataPass can ask for (datapass dgfip.yml)
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
ANNREV = re.compile(r"[0-9]{4}")
SPI = re.compile(r"[0-9]{13}")
# Set by sandbox/server.py: the request's headers whose names hold "_", which WSGI servers drop.
UNDERSCORE_HEADERS_KEY = "passfamille.sandbox.underscore_headers"


def _state() -> ImpotSandboxState:
    return current_app.extensions[EXTENSION_KEY]


def _now() -> datetime:
    return datetime.fromtimestamp(_state().clock())


def _json(status: int, body, media_type: str = errors.JSON_MEDIA_TYPE, headers: dict | None = None) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type=media_type, headers=headers)


def _error(error: DgfipError, headers: dict | None = None) -> Response:
    return _json(error.status, error.body(_now()), headers=headers)


# --- Token endpoint (OAuth 2.0 client credentials) ---------------------------------------------------------------


def _oauth_error(status: int, error: str, description: str) -> Response:
    headers = {"WWW-Authenticate": 'Basic realm="impotparticulier"'} if status == 401 else None
    return _json(status, {"error": error, "error_description": description}, headers=headers)


def _client_credentials() -> tuple[str | None, str | None]:
    """client_secret_post (siade) or HTTP Basic (api-particulier-demo): both are seen working (REFERENCE §1.2)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            client_id, _, secret = base64.b64decode(value, validate=True).decode().partition(":")
            return client_id, secret
        except (binascii.Error, UnicodeDecodeError):
            return None, None
    return request.form.get("client_id"), request.form.get("client_secret")


@bp.post("/token")
def token():
    state = _state()
    if request.form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type doit valoir client_credentials")
    client_id, secret = _client_credentials()
    client = state.clients.get(client_id or "")
    if client is None or secret != client.secret:
        return _oauth_error(401, "invalid_client", "Identifiants du client inconnus ou incorrects")
    asked = frozenset((request.form.get("scope") or "").split()) or client.scopes
    if not asked <= client.scopes:
        return _oauth_error(400, "invalid_scope", "Portée non accordée à ce client : " + " ".join(sorted(asked)))
    value = state.issue(client_id, asked)
    body = {
        "access_token": value,
        "scope": " ".join(sorted(asked)),
        "token_type": "Bearer",
        "expires_in": state.token_seconds,
    }
    return _json(200, body, headers={"Cache-Control": "no-store"})


# --- Resources -------------------------------------------------------------------------------------------------


def last_taxed_year(today: date) -> int:
    return today.year - 1 if (today.month, today.day) >= CHANGEOVER else today.year - 2


def _with_fault(answer) -> Response:
    """The shared fault board applies first, as to API Particulier's endpoints (sandbox/faults.py)."""
    fault = current_app.extensions[SHARED_KEY].faults.take()
    if fault is not None:
        if fault.kind in ("slow", "trickle", "drop"):
            response = fault_response(fault, request.environ)
        elif fault.kind == "malformed":
            response = Response('{"rfr": ', status=200, content_type=SITUATIONS_MEDIA_TYPE)
        elif fault.kind == "429":
            response = _error(errors.QUOTA, headers={"Retry-After": str(fault.retry_after)})
        elif fault.kind == "422":  # no 422 at the DGFiP: its nearest is a malformed request
            response = _error(errors.BAD_REQUEST)
        elif fault.kind == "500":
            response = _error(errors.TECHNICAL)
        else:
            response = _error(errors.GATEWAY[int(fault.kind)])
        if response is not None:
            return response
    return altered_answer(fault, answer())


def _spi_valid(spi: str) -> bool:
    """13 digits whose last 3 are the first 10 modulo 511: every public sandbox number follows this key
    (an inference: the real API's check is not public)."""
    return bool(SPI.fullmatch(spi)) and int(spi[:10]) % 511 == int(spi[10:])


def _answer(scope: str, spi: str | None, annrev: str | None) -> Response:
    state = _state()
    issued = state.token(_bearer())
    if issued is None:
        return _error(errors.INVALID_TOKEN, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    count, reset = state.count_call(issued.client_id)
    limits = {
        "RateLimit-Limit": str(state.calls_per_minute),
        "RateLimit-Remaining": str(max(0, state.calls_per_minute - count)),
        "RateLimit-Reset": str(reset),
    }
    if count > state.calls_per_minute:
        return _error(errors.QUOTA, headers={**limits, "Retry-After": str(reset)})
    response = _resource(state, issued, scope, spi, annrev)
    response.headers.update(limits)
    return response


def _bearer() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _resource(state: ImpotSandboxState, issued: IssuedToken, scope: str, spi: str | None, annrev: str | None):
    correlation_id = request.headers.get("X-Correlation-ID", "")
    france_connect = spi is None
    state.last_call = {
        "correlation_id": correlation_id,
        "id_teleservice": request.environ.get(UNDERSCORE_HEADERS_KEY, {}).get("id_teleservice"),
        "france_connect": france_connect,
    }
    if not UUID.fullmatch(correlation_id):
        return _error(errors.CORRELATION_ID)
    if scope not in issued.scopes:
        return _error(errors.NO_ACCESS)
    if france_connect:
        claims = state.fc_introspect(request.headers.get("X-FranceConnect-OAuth", ""))
        if not claims:
            return _error(errors.FRANCE_CONNECT_TOKEN)
        spi = fc_identity_to_spi(claims, state.taxpayers)
        if spi is None:
            return _error(errors.UNKNOWN_SPI)
    elif not _spi_valid(spi):
        return _error(errors.SPI_FORMAT)
    if annrev is not None and not ANNREV.fullmatch(annrev):
        return _error(errors.YEAR_FORMAT)
    if spi in state.taxpayers.statuses:
        status = state.taxpayers.statuses[spi]
        return Response(status=204) if status == 204 else _error(errors.BY_STATUS[status])
    foyer = state.taxpayers.foyers.get(spi)
    if foyer is None:
        return _error(errors.UNKNOWN_SPI)
    year = _year(foyer, int(annrev) if annrev else None, current_app.extensions[SHARED_KEY].today())
    if year is None:
        return _error(errors.NO_RESULT)
    client = state.clients[issued.client_id]
    body = {key: value for key, value in foyer.avis.items() if client.fields is None or key in client.fields}
    media_type = SITUATIONS_MEDIA_TYPE
    if scope != SCOPE_IR:  # the `dernieresituation` answers name their year
        body = {"annRevenu": year, **body}
        media_type = DERNIERE_MEDIA_TYPE
    return _json(200, body, media_type, headers={"X-Correlation-ID": correlation_id})


def _year(foyer: Foyer, annrev: int | None, today: date) -> int | None:
    """The year answered, or None (410 4101): a year not yet taxed, older than the sandbox serves, or the last one
    of a foyer taxed late. Without a year (`deuxans`): the last avis, or the one before if the last is not out."""
    last = last_taxed_year(today)
    available = [year for year in range(last, last - YEARS_SERVED, -1)]
    if foyer.latest_year_missing:
        available.remove(last)
    if annrev is None:
        return next((year for year in available if year >= last - 1), None)
    return annrev if annrev in available else None


def _route(rule: str, endpoint: str, scope: str) -> None:
    def spi_view(spi: str, annrev: str | None = None):
        return _with_fault(lambda: _answer(scope, spi, annrev))

    def france_connect_view(annrev: str | None = None):
        return _with_fault(lambda: _answer(scope, None, annrev))

    bp.add_url_rule(API_PREFIX + "/spi/<spi>" + rule, endpoint, spi_view, methods=["GET"])
    bp.add_url_rule(API_PREFIX + rule, endpoint + "_france_connect", france_connect_view, methods=["GET"])


_route("/situations/ir/assiettes/annrev/<annrev>", "situations_annrev", SCOPE_IR)
_route("/dernieresituation/ir/assiettes/annrev/<annrev>", "derniere_annrev", SCOPE_DERNIERE)
_route("/dernieresituation/ir/assiettes/deuxans", "deuxans", SCOPE_DEUXANS)
