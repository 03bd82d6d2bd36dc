"""HTTP routes of the sandbox: the two v3 endpoints (identity and FranceConnect modalities), introspection, ping,
and the fault control endpoint.

A /v3 call goes through the same steps as production (REFERENCE §9.2): token, scopes, `recipient`, identity
parameters, then the fixture match and the scope filtering. Armed faults come first (see faults.py), on both
modalities. The FranceConnect modality's own steps are in france_connect_modality.py.
"""

import uuid
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request

from . import errors, france_connect_modality
from .answers import case_response, v3_error
from .answers import json_response as _json
from .faults import InvalidFault, altered_answer, fault_response, parse_fault
from .fixtures import mocking_params
from .state import ENDPOINTS, EXTENSION_KEY, FRANCE_CONNECT_ENDPOINTS, Endpoint, SandboxState
from .tokens import bearer_token, filter_data, token_id
from .validation import check_identity, check_recipient

bp = Blueprint("sandbox", __name__)

Answer = Callable[[SandboxState, Endpoint, str | None], Response]


def _state() -> SandboxState:
    return current_app.extensions[EXTENSION_KEY]


def _v3_headers(response: Response, token: str | None) -> Response:
    """Headers every v3 answer carries: cache state (never cached here) and rate-limit counters."""
    remaining, reset = _state().rate.hit(token or "")
    response.headers.setdefault("X-Response-Cached", "false")
    response.headers.setdefault("X-Cache-Expires-in", "")  # "empty (but present)" when nothing is cached
    response.headers.setdefault("RateLimit-Limit", str(_state().rate.limit))
    response.headers.setdefault("RateLimit-Remaining", "0" if response.status_code == 429 else str(remaining))
    response.headers.setdefault("RateLimit-Reset", str(reset))
    return response


def _v3_call(endpoint: Endpoint, answer: Answer) -> Response:
    state = _state()
    token = bearer_token(request.headers.get("Authorization"))
    fault = state.faults.take()
    if fault is not None:
        response = fault_response(fault, request.environ)
        if response is not None:
            return _v3_headers(response, token)
    return altered_answer(fault, _v3_headers(answer(state, endpoint, token), token))


def _answer(state: SandboxState, endpoint: Endpoint, token: str | None) -> Response:
    grant = state.tokens.get(token) if token else None
    if grant is None:
        return v3_error(401, errors.INVALID_TOKEN)
    if grant.expired:
        return v3_error(401, errors.EXPIRED_TOKEN)
    if not grant.scopes & set(endpoint.data_scopes.values()):
        return v3_error(403, errors.INSUFFICIENT_PRIVILEGES)
    recipient_error = check_recipient(request.args)
    if recipient_error is not None:
        return v3_error(422, recipient_error)
    found = check_identity(request.args, today=state.today(), with_period=endpoint.with_period)
    if found:
        return v3_error(422, *found)

    case = state.fixtures[endpoint.name].answer(mocking_params(request.args, with_period=endpoint.with_period))
    payload = case.payload
    if case.status == 200 and isinstance(payload, dict):
        payload = filter_data(payload, endpoint.data_scopes, grant.scopes)
    return case_response(case, payload)


def _register_endpoint(endpoint: Endpoint, answer: Answer) -> None:
    bp.add_url_rule(endpoint.path, endpoint.name, lambda: _v3_call(endpoint, answer), methods=["GET"])


for _endpoint in ENDPOINTS:
    _register_endpoint(_endpoint, _answer)
for _endpoint in FRANCE_CONNECT_ENDPOINTS:
    _register_endpoint(_endpoint, france_connect_modality.answer)


@bp.get("/api/introspect")
def introspect():
    state = _state()
    token = bearer_token(request.headers.get("Authorization")) or request.headers.get("X-Api-Key")
    grant = state.tokens.get(token) if token else None
    if grant is None:
        return _json(401, errors.flat_body(errors.INVALID_TOKEN), errors.JSON_MEDIA_TYPE)
    if grant.expired:
        return _json(401, errors.flat_body(errors.EXPIRED_TOKEN), errors.JSON_MEDIA_TYPE)
    body = {"_id": token_id(token), "name": grant.name, "scopes": sorted(grant.scopes)}
    return _json(200, body, errors.JSON_MEDIA_TYPE)


@bp.get("/api/ping")
def ping():
    return Response("pong", content_type="text/plain; charset=utf-8")


@bp.get("/_bac-a-sable/pannes")
def list_faults():
    return _json(200, {"armed": _state().faults.armed()}, errors.JSON_MEDIA_TYPE)


@bp.post("/_bac-a-sable/pannes")
def arm_fault():
    try:
        fault = parse_fault(request.get_json(silent=True))
    except InvalidFault as error:
        return _json(400, {"erreur": str(error)}, errors.JSON_MEDIA_TYPE)
    _state().faults.arm(fault)
    return _json(201, {"armed": _state().faults.armed()}, errors.JSON_MEDIA_TYPE)


@bp.delete("/_bac-a-sable/pannes")
def clear_faults():
    _state().faults.clear()
    return Response(status=204)


@bp.after_app_request
def add_request_id(response: Response) -> Response:
    # Production gives every answer an X-Request-ID: the only identifier a client should log (REFERENCE §2).
    response.headers["X-Request-ID"] = str(uuid.uuid4())
    return response
