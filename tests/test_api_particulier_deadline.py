"""The API client's total deadline of a call, retry included, against the real sandbox over HTTP; faults caused for
real (trickled sandbox answers, and a raw socket server for trickled headers, TLS or an oversized body), patched only
for the wait on Retry-After."""

import concurrent.futures
import contextlib
import logging
import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest
import requests

from passfamille.api_particulier import ApiParticulierClient, Identity, PsuParameters, Unavailable

from .api_particulier_cases import LEFEBVRE, RECIPIENT, sandbox_without_faults  # noqa: F401 (fixture)

# --- Total deadline of a call, retry included -----------------------------------------------------------------------

DELANOUE = Identity(  # the official sandbox's 502 case (502.yaml): the provider's unknown error, 37999
    birth_name="DELANOUE",
    first_names=("Jean-Marie",),
    sex="M",
    birth_year=2002,
    birth_month=12,
    birth_day=5,
    birth_country="99100",
    birth_commune_code="08480",
)


def deadline_client(url, deadline, waits=None):
    """A read timeout longer than the deadline: what stops these calls is the deadline, never one read."""
    sleep = waits.append if waits is not None else (lambda seconds: None)
    return ApiParticulierClient(
        url, "bac-a-sable-passfamille", RECIPIENT, connect_timeout=1, read_timeout=2, deadline=deadline, sleep=sleep
    )


def armed_kinds(sandbox):
    return [fault["kind"] for fault in requests.get(sandbox.url + "/_bac-a-sable/pannes", timeout=5).json()["armed"]]


@contextlib.contextmanager
def raw_server(answer: bytes, byte_pause: float = 0.0, tls: ssl.SSLContext | None = None):
    """One connection on 127.0.0.1 answered with `answer` as is, byte by byte with a pause when asked: what the
    sandbox cannot do (headers trickled, an oversized body, TLS)."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            if tls is not None:
                connection = tls.wrap_socket(connection, server_side=True)
            with connection:
                connection.recv(65536)
                if not byte_pause:
                    connection.sendall(answer)
                for byte in answer if byte_pause else b"":
                    connection.sendall(bytes([byte]))
                    time.sleep(byte_pause)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        thread.join(timeout=2)


def test_a_trickled_answer_ends_at_the_deadline_as_a_timeout(sandbox):
    # 30 s of body, a few bytes every ~80 ms: no single read ever waits long enough for the read timeout.
    sandbox.arm_fault("trickle", seconds=30)
    client = deadline_client(sandbox.url, deadline=1)
    started = time.monotonic()
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(LEFEBVRE)
    assert error.value.code == "timeout" and error.value.status is None
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("call", ["quotient_familial", "introspect"])
def test_trickled_headers_end_at_the_deadline_as_a_timeout(call, caplog):
    caplog.set_level(logging.DEBUG)
    head = b"HTTP/1.1 200 OK\r\nX-Attente: " + b"a" * 600 + b"\r\n"  # 600 bytes, one every 50 ms: 30 s
    with raw_server(head, byte_pause=0.05) as url:
        client = deadline_client(url, deadline=1)
        started = time.monotonic()
        with pytest.raises(Unavailable) as error:
            if call == "introspect":
                client.introspect()
            else:
                client.quotient_familial(LEFEBVRE)
    assert error.value.code == "timeout"
    assert time.monotonic() - started < 5
    # Headers cut short make urllib3 warn, with the URL: its query string is the identity.
    for line in [r.getMessage() for r in caplog.records]:
        for secret in ("LEFEBVRE", "ALEXIS", "1982", "08480", "nomNaissance"):
            assert secret not in line, line


@pytest.fixture(scope="module")
def tls_server_context(tmp_path_factory):
    """A TLS context for raw_server with a self-signed certificate for 127.0.0.1, and the certificate's path."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder / "key.pem", "-out", folder / "cert.pem"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context, folder / "cert.pem"


def test_over_tls_an_answer_is_read_and_trickled_headers_end_at_the_deadline(tls_server_context, monkeypatch):
    context, certificate = tls_server_context
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate))  # requests trusts it for the client's calls
    body = b'{"data": {"quotient_familial": {"valeur": 900, "fournisseur": "CNAF"}}}'
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    with raw_server(answer + body, tls=context) as url:
        assert deadline_client(url, deadline=2).quotient_familial(LEFEBVRE).quotient_familial.value == 900

    head = b"HTTP/1.1 200 OK\r\nX-Attente: " + b"a" * 600 + b"\r\n"
    with raw_server(head, byte_pause=0.05, tls=context) as url:
        started = time.monotonic()
        with pytest.raises(Unavailable) as error:
            deadline_client(url, deadline=1).quotient_familial(LEFEBVRE)
    assert error.value.code == "timeout"
    assert time.monotonic() - started < 5


def test_a_retry_still_works_when_time_is_left(sandbox):
    sandbox.arm_fault("502")
    sandbox.arm_fault("slow", seconds=0.3)
    waits = []
    client = deadline_client(sandbox.url, deadline=1.5, waits=waits)
    assert client.quotient_familial(LEFEBVRE).quotient_familial.value == 2550
    assert waits == [0.2] and armed_kinds(sandbox) == []


def test_a_retry_gets_only_what_is_left_of_the_deadline(sandbox):
    sandbox.arm_fault("502")
    sandbox.arm_fault("slow", seconds=3)
    client = deadline_client(sandbox.url, deadline=1)
    started = time.monotonic()
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(LEFEBVRE)
    assert error.value.code == "timeout"
    assert armed_kinds(sandbox) == []  # the retry was made
    assert time.monotonic() - started < 1.6  # and gave up at the deadline, not after the 2 s read timeout


def test_no_retry_once_the_deadline_has_passed(sandbox):
    sandbox.arm_fault("slow", seconds=1.5)
    sandbox.arm_fault("502")
    client = deadline_client(sandbox.url, deadline=1)
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(LEFEBVRE)
    assert error.value.code == "timeout"
    assert armed_kinds(sandbox) == ["502"]  # no second call


def test_no_retry_when_a_502_comes_too_late_to_leave_time_for_one(sandbox):
    # The 502 comes 1.55 s into a 2 s deadline: too late for a retry (MIN_RETRY_SECONDS), early enough to be read
    # even on a loaded machine (0.45 s to spare).
    sandbox.arm_fault("slow", seconds=1.55)  # then the fixture's own 502
    sandbox.arm_fault("503")  # what a retry would meet
    waits = []
    client = deadline_client(sandbox.url, deadline=2, waits=waits)
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(DELANOUE)
    assert (error.value.status, error.value.code) == (502, "37999")
    assert waits == [] and armed_kinds(sandbox) == ["503"]


def test_a_retry_after_longer_than_the_time_left_is_neither_waited_for_nor_made(sandbox):
    sandbox.arm_fault("429", retry_after=2, times=2)
    waits = []
    client = deadline_client(sandbox.url, deadline=1, waits=waits)
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(LEFEBVRE)
    assert (error.value.status, error.value.retry_after) == (429, 2)
    assert (
        waits == []
        and requests.get(sandbox.url + "/_bac-a-sable/pannes", timeout=5).json()["armed"][0]["remaining"] == 1
    )


def test_an_oversized_answer_is_malformed_and_not_read_whole():
    body = b'{"data": {"quotient_familial": {"valeur": 900}, "x": "' + b"a" * 1_000_000 + b'"}}'
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    with raw_server(head + body) as url, pytest.raises(Unavailable) as error:
        deadline_client(url, deadline=5).quotient_familial(LEFEBVRE)
    assert error.value.code == "malformed"


def test_logs_of_a_timed_out_call_hold_no_identity(sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    sandbox.arm_fault("trickle", seconds=30)
    with pytest.raises(Unavailable):
        deadline_client(sandbox.url, deadline=1).quotient_familial(LEFEBVRE)
    lines = [r.getMessage() for r in caplog.records]
    ours = [line for line in lines if line.startswith("api_particulier ")]
    assert len(ours) == 1
    assert ours[0].startswith("api_particulier endpoint=quotient_familial status=- duration_ms=")
    assert " code=timeout request_id=" in ours[0]
    for line in lines:
        for secret in ("LEFEBVRE", "ALEXIS", "1982", "08480", "nomNaissance", "2550"):
            assert secret not in line, line


def test_two_threads_call_both_endpoints_at_once_on_one_client(sandbox):
    # Both calls wait 0.4 s on the server: only calls made side by side both end within a 0.7 s deadline.
    sandbox.arm_fault("slow", seconds=0.4, times=2)
    client = deadline_client(sandbox.url, deadline=0.7)
    start = threading.Barrier(2)

    def call(method):
        start.wait()
        return method(LEFEBVRE)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        qf = pool.submit(call, client.quotient_familial)
        eaje = pool.submit(call, client.participation_familiale_eaje)
        assert qf.result(timeout=5).quotient_familial.value == 2550
        assert eaje.result(timeout=5).parameters == PsuParameters(
            annual_resources=40923, resources_year=2023, children=1, aeeh_children=1
        )


def test_one_call_reaching_its_deadline_leaves_the_other_thread_s_call_alone(sandbox):
    sandbox.arm_fault("trickle", seconds=30)  # for the first call, which gives up at 2 s
    sandbox.arm_fault("slow", seconds=1.5)  # for the second, on the wire from 1 s to 2.5 s, deadline at 3 s
    client = deadline_client(sandbox.url, deadline=2)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        qf = pool.submit(client.quotient_familial, LEFEBVRE)
        while armed_kinds(sandbox) != ["slow"] and time.monotonic() - started < 1:
            time.sleep(0.01)
        time.sleep(max(0.0, started + 1 - time.monotonic()))
        eaje = pool.submit(client.participation_familiale_eaje, LEFEBVRE)
        with pytest.raises(Unavailable) as error:
            qf.result(timeout=10)
        assert error.value.code == "timeout"
        assert eaje.result(timeout=10).parameters.annual_resources == 40923
