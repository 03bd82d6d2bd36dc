"""Building the sandbox's JSON answers: shared by the identity and the FranceConnect routes of /v3."""

import json

from flask import Response

from . import errors
from .errors import ApiError
from .fixtures import Case

# The official sandbox's 429 case carries no Retry-After of its own; production always sends one with a 429.
FIXTURE_RETRY_AFTER = 2


def json_response(
    status: int, body: object, media_type: str = errors.V3_MEDIA_TYPE, headers: dict | None = None
) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, content_type=media_type, headers=headers)


def v3_error(status: int, *found: ApiError) -> Response:
    return json_response(status, errors.errors_body(*found))


def case_response(case: Case, payload: object) -> Response:
    """A fixture's answer, with `payload` in place of the fixture's own (e.g. filtered by scopes)."""
    headers = {"Retry-After": str(FIXTURE_RETRY_AFTER)} if case.status == 429 else None
    return json_response(case.status, payload, headers=headers)
