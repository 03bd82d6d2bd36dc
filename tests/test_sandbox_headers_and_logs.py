"""The sandbox's HTTP contract, over real HTTP: answer headers, and access logs that hold no identity."""

import logging
import time
import uuid

import pytest
import requests

from .sandbox_http import QF, RECIPIENT, call, codes, contract_sandbox, no_faults_left  # noqa: F401 (fixtures)

# --- Headers ------------------------------------------------------------------------------------------------------


def test_every_answer_carries_a_fresh_request_id(sandbox):
    answers = [call(sandbox), call(sandbox, token=None), requests.get(sandbox.url + "/api/ping", timeout=5)]
    ids = [response.headers["X-Request-ID"] for response in answers]

    assert all(uuid.UUID(value).version == 4 for value in ids)
    assert len(set(ids)) == 3


def test_v3_answer_headers(sandbox):
    response = call(sandbox)

    assert response.headers["Content-Type"].split(";")[0] == "application/vnd.api+json"
    assert response.headers["X-Response-Cached"] == "false"
    assert response.headers["X-Cache-Expires-in"] == ""
    assert response.headers["RateLimit-Limit"] == "20"
    assert 0 <= int(response.headers["RateLimit-Remaining"]) < 20
    assert int(response.headers["RateLimit-Reset"]) >= int(time.time())


def test_official_429_case_carries_retry_after(sandbox):
    params = {
        "recipient": RECIPIENT,
        "nomNaissance": "DESFOUIN",
        "prenoms[]": ["René"],
        "anneeDateNaissance": "2002",
        "moisDateNaissance": "12",
        "jourDateNaissance": "5",
        "codeCogInseeCommuneNaissance": "08480",
        "codeCogInseePaysNaissance": "99100",
        "sexeEtatCivil": "M",
    }
    response = call(sandbox, params)

    assert response.status_code == 429
    assert codes(response) == ["00429"]
    assert response.headers["Retry-After"] == "2"


# --- Privacy --------------------------------------------------------------------------------------------------------


def test_access_log_shows_path_and_status_but_no_identity(sandbox, caplog):
    with caplog.at_level(logging.DEBUG):
        ok = call(sandbox)
        refused = call(sandbox, changes={"nomNaissance": "LEFEBVRE2"})
        sandbox.arm_fault("drop")
        with pytest.raises(requests.exceptions.ConnectionError):
            call(sandbox)

    assert (ok.status_code, refused.status_code) == (200, 422)
    # Everything logged on the server side; the client's own urllib3 DEBUG lines (full URL) are not the sandbox's.
    server_side = [record.getMessage() for record in caplog.records if not record.name.startswith("urllib3")]
    assert f"GET {QF} 200" in server_side
    assert f"GET {QF} 422" in server_side
    assert f"GET {QF} connexion coupée" in server_side
    for secret in ("LEFEBVRE", "ALEXIS", "1982", "08480", "recipient", "?"):
        assert not [line for line in server_side if secret in line], secret
