"""The sandbox's HTTP contract, over real HTTP: faults armed through its HTTP interface or from Python."""

import json
import socket
import time
from urllib.parse import urlencode

import pytest
import requests

from .sandbox_http import FULL, NOMINAL, QF, call, codes, contract_sandbox, no_faults_left  # noqa: F401 (fixtures)

# --- Faults ---------------------------------------------------------------------------------------------------------


def arm(sandbox, **body):
    response = requests.post(sandbox.url + "/_bac-a-sable/pannes", json=body, timeout=5)
    assert response.status_code == 201, response.text
    return response


def test_slow_fault_delays_the_normal_answer(sandbox):
    arm(sandbox, kind="slow", seconds=0.3)
    started = time.monotonic()
    response = call(sandbox)
    elapsed = time.monotonic() - started

    assert elapsed >= 0.3
    assert response.status_code == 200
    assert response.json()["data"]["quotient_familial"]["valeur"] == 2550


def test_slow_fault_makes_a_client_time_out(sandbox):
    sandbox.arm_fault("slow", seconds=0.5)

    with pytest.raises(requests.exceptions.ReadTimeout):
        call(sandbox, timeout=(2, 0.2))


def test_trickle_fault_sends_headers_at_once_then_the_body_in_small_flushed_pieces(sandbox):
    normal = call(sandbox)
    arm(sandbox, kind="trickle", seconds=1.0)
    request = (
        f"GET {QF}?{urlencode(NOMINAL, doseq=True)} HTTP/1.1\r\nHost: {sandbox.host}:{sandbox.port}\r\n"
        f"Authorization: Bearer {FULL}\r\n\r\n"
    )
    arrivals = []  # (seconds since the request was sent, bytes received)
    with socket.create_connection((sandbox.host, sandbox.port), timeout=5) as connection:
        started = time.monotonic()
        connection.sendall(request.encode())
        while data := connection.recv(65536):
            arrivals.append((time.monotonic() - started, data))

    received = b""
    for at, data in arrivals:
        received += data
        if b"\r\n\r\n" in received:
            headers_at = at
            break
    head, _, body = b"".join(data for _, data in arrivals).partition(b"\r\n\r\n")
    head_lines = head.decode().split("\r\n")
    assert head_lines[0].startswith("HTTP/1.1 200")
    headers = dict(line.split(": ", 1) for line in head_lines[1:])
    assert headers["Content-Length"] == str(len(body))
    assert headers["Content-Type"].startswith("application/vnd.api+json") and headers["X-Request-ID"]
    assert json.loads(body) == normal.json()
    assert headers_at < 0.5  # the status and headers come at once
    assert arrivals[-1][0] >= 0.9  # the body is spread over the requested seconds
    assert len(arrivals) > 50  # in many pieces, each written out when it is made


def test_trickle_fault_takes_seconds_within_the_same_bounds(sandbox):
    def arm_trickle(seconds):
        body = {"kind": "trickle", "seconds": seconds}
        return requests.post(sandbox.url + "/_bac-a-sable/pannes", json=body, timeout=5).status_code

    assert [arm_trickle(seconds) for seconds in (30, -1, 121, "lent")] == [201, 400, 400, 400]
    sandbox.arm_fault("trickle", seconds=0.2)  # the same from Python
    listed = requests.get(sandbox.url + "/_bac-a-sable/pannes", timeout=5).json()["armed"]
    assert [(fault["kind"], fault["seconds"]) for fault in listed] == [("trickle", 30), ("trickle", 0.2)]


def test_drop_fault_closes_the_connection_without_an_answer(sandbox):
    arm(sandbox, kind="drop")

    with pytest.raises(requests.exceptions.ConnectionError):
        call(sandbox)
    assert call(sandbox).status_code == 200  # the fault was used once, the server still serves


def test_malformed_fault_answers_200_with_unreadable_json(sandbox):
    arm(sandbox, kind="malformed")
    response = call(sandbox)

    assert response.status_code == 200
    with pytest.raises(requests.exceptions.JSONDecodeError):
        response.json()


def test_429_fault_carries_the_requested_retry_after(sandbox):
    arm(sandbox, kind="429", retry_after=7)
    response = call(sandbox)

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.headers["RateLimit-Remaining"] == "0"
    assert codes(response) == ["00429"]


@pytest.mark.parametrize(
    ("kind", "code"), [("422", "00355"), ("500", "00500"), ("502", "37999"), ("503", "37020"), ("504", "37002")]
)
def test_error_faults_use_official_bodies(sandbox, kind, code):
    arm(sandbox, kind=kind)
    response = call(sandbox)

    assert response.status_code == int(kind)
    assert codes(response) == [code]
    assert response.json()["errors"][0]["title"]


def test_fault_applies_to_the_next_calls_then_stops(sandbox):
    sandbox.arm_fault("502", times=2)

    statuses = [call(sandbox).status_code for _ in range(3)]

    assert statuses == [502, 502, 200]


def test_fault_comes_before_the_token_check(sandbox):
    arm(sandbox, kind="503")

    assert call(sandbox, token=None).status_code == 503


def test_faults_are_listed_and_cleared(sandbox):
    arm(sandbox, kind="504", times=3)
    listed = requests.get(sandbox.url + "/_bac-a-sable/pannes", timeout=5).json()
    cleared = requests.delete(sandbox.url + "/_bac-a-sable/pannes", timeout=5)

    assert [(fault["kind"], fault["remaining"]) for fault in listed["armed"]] == [("504", 3)]
    assert cleared.status_code == 204
    assert call(sandbox).status_code == 200


@pytest.mark.parametrize(
    "body", [{"kind": "418"}, {"kind": "slow", "seconds": "lent"}, {"kind": "502", "times": 0}, ["502"]]
)
def test_invalid_fault_request_is_refused(sandbox, body):
    response = requests.post(sandbox.url + "/_bac-a-sable/pannes", json=body, timeout=5)

    assert response.status_code == 400
    assert response.json()["erreur"]
    assert call(sandbox).status_code == 200
