"""Faults on demand: slow or trickled answers, dropped connections, unreadable bodies, 422, 429 and 5xx.

    POST   /_bac-a-sable/pannes  {"kind": "slow"|"trickle"|"drop"|"malformed"|"422"|"429"|"500"|"502"|"503"|"504",
                                  "seconds": 1.0 (slow, trickle), "retry_after": 2 (429, 503), "times": 1}   -> 201
    GET    /_bac-a-sable/pannes  -> {"armed": [...]}        DELETE /_bac-a-sable/pannes -> 204

An armed fault applies to the next `times` calls of the /v3 endpoints, first thing, before the token is even read:
it stands for the network or the platform in front of the API, so a call consumes it whatever it carries. Faults
armed together are used in order. "slow" delays the normal answer; "trickle" sends the normal answer's status and
headers at once, then its body a few bytes at a time spread over `seconds` (each read of the client gets something
long before its read timeout: only a deadline on the whole call stops it); the others replace the answer. "422" is
the provider's "cannot identify this person" (00355), which no official sandbox case produces.
"""

import json
import threading
import time
from dataclasses import asdict, dataclass

from werkzeug.wrappers import Response

from . import errors

KINDS = ("slow", "trickle", "drop", "malformed", "422", "429", "500", "502", "503", "504")
# Set by server.PrivateRequestHandler: a callable that closes the client's TCP connection at once.
DROP_CONNECTION_KEY = "passfamille.sandbox.drop_connection"
MAX_SECONDS = 120.0
MAX_TIMES = 1000
TRICKLE_PIECE_BYTES = 4


class InvalidFault(ValueError):
    pass


@dataclass(frozen=True)
class Fault:
    kind: str
    seconds: float = 1.0
    retry_after: int = 2
    times: int = 1


def parse_fault(data: object) -> Fault:
    """Validate a control request body; messages are French, they are shown to whoever drives the sandbox."""
    if not isinstance(data, dict):
        raise InvalidFault('Le corps doit être un objet JSON, par exemple {"kind": "502"}.')
    kind = str(data.get("kind", ""))
    if kind not in KINDS:
        raise InvalidFault(f"« kind » doit valoir l'une de ces pannes : {', '.join(KINDS)}.")
    try:
        seconds = float(data.get("seconds", Fault.seconds))
        retry_after = int(data.get("retry_after", Fault.retry_after))
        times = int(data.get("times", Fault.times))
    except (TypeError, ValueError):
        raise InvalidFault("« seconds » doit être un nombre, « retry_after » et « times » des entiers.") from None
    if not 0 <= seconds <= MAX_SECONDS:
        raise InvalidFault(f"« seconds » doit être compris entre 0 et {MAX_SECONDS:g}.")
    if retry_after < 0:
        raise InvalidFault("« retry_after » doit être positif ou nul.")
    if not 1 <= times <= MAX_TIMES:
        raise InvalidFault(f"« times » doit être compris entre 1 et {MAX_TIMES}.")
    return Fault(kind, seconds, retry_after, times)


class FaultBoard:
    """Armed faults, used first-in first-out; shared by the server's request threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._armed: list[list] = []  # [fault, remaining uses]

    def arm(self, fault: Fault) -> None:
        with self._lock:
            self._armed.append([fault, fault.times])

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def armed(self) -> list[dict]:
        with self._lock:
            return [{**asdict(fault), "remaining": remaining} for fault, remaining in self._armed]

    def take(self) -> Fault | None:
        with self._lock:
            if not self._armed:
                return None
            entry = self._armed[0]
            entry[1] -= 1
            if entry[1] <= 0:
                self._armed.pop(0)
            return entry[0]


def _json(status: int, body: dict, media_type: str = errors.V3_MEDIA_TYPE, **headers) -> Response:
    text = json.dumps(body, ensure_ascii=False)
    return Response(text, status=status, content_type=media_type, headers=headers)


def _dropped(environ: dict) -> Response:
    drop = environ.get(DROP_CONNECTION_KEY)
    if drop is not None:
        drop()

    def body():
        # Raised before the first byte is written: werkzeug treats it as a dropped connection and sends nothing.
        raise ConnectionAbortedError("bac à sable : connexion coupée volontairement")
        yield b""  # pragma: no cover - makes this a generator

    return Response(body(), status=200)


def fault_response(fault: Fault, environ: dict) -> Response | None:
    """The answer replacing the normal one, or None when the call goes on (after the delay of a slow fault; a
    trickle alters the normal answer, see `altered_answer`)."""
    if fault.kind == "slow":
        time.sleep(fault.seconds)
        return None
    if fault.kind == "trickle":
        return None
    if fault.kind == "drop":
        return _dropped(environ)
    if fault.kind == "malformed":
        return Response('{"data": {"quotient_familial": {"valeur": ', status=200, content_type=errors.V3_MEDIA_TYPE)
    if fault.kind == "422":
        return _json(422, errors.errors_body(errors.IDENTITY_NOT_FOUND))
    if fault.kind == "429":
        body = errors.errors_body(errors.TOO_MANY_REQUESTS)
        return _json(429, body, errors.JSON_MEDIA_TYPE, **{"Retry-After": str(fault.retry_after)})
    if fault.kind == "503":
        return _json(503, errors.errors_body(errors.provider_maintenance(fault.retry_after)))
    server_errors = {"500": errors.INTERNAL_ERROR, "502": errors.PROVIDER_UNKNOWN_ERROR, "504": errors.PROVIDER_TIMEOUT}
    return _json(int(fault.kind), errors.errors_body(server_errors[fault.kind]))


def altered_answer(fault: Fault | None, response: Response) -> Response:
    """The normal answer as the call's fault leaves it: a trickle keeps its status and headers (Content-Length
    included) and sends its body in small pieces spread over `seconds`; other faults leave it as it is."""
    if fault is None or fault.kind != "trickle":
        return response
    data = response.get_data()
    pieces = [data[start : start + TRICKLE_PIECE_BYTES] for start in range(0, len(data), TRICKLE_PIECE_BYTES)]
    pause = fault.seconds / max(1, len(pieces) - 1)

    def body():
        # A generator: the threaded server writes and flushes each piece before asking for the next one.
        for index, piece in enumerate(pieces):
            if index:
                time.sleep(pause)
            yield piece

    response.response = body()
    response.headers["Content-Length"] = str(len(data))
    return response
