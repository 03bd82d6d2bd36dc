"""The sandbox's HTTP contract, over real HTTP: tokens, scopes, 422 validation, matching, headers, faults, logs."""

import json
import logging
import socket
import time
import uuid
from datetime import date
from urllib.parse import urlencode

import pytest
import requests

from passfamille.sandbox.server import start_in_thread

TODAY = date(2026, 11, 24)  # fixed so that N = 2026 and the current month is November
QF = "/v3/dss/quotient_familial/identite"
EAJE = "/v3/dss/participation_familiale_eaje/identite"
FULL = "bac-a-sable-passfamille"
QF_ONLY = "bac-a-sable-qf-seulement"
NO_SCOPE = "bac-a-sable-sans-droits"
EXPIRED = "bac-a-sable-expire"
RECIPIENT = "13002526500013"

# The official sandbox's nominal identity (200-identite-cas-nominal.yaml): CNAF QF 2550.
NOMINAL = {
    "recipient": RECIPIENT,
    "nomNaissance": "LEFEBVRE",
    "prenoms[]": ["ALEXIS", "GÉRÔME", "JEAN-PHILIPPE"],
    "sexeEtatCivil": "F",
    "anneeDateNaissance": "1982",
    "moisDateNaissance": "12",
    "jourDateNaissance": "27",
    "codeCogInseeCommuneNaissance": "08480",
    "codeCogInseePaysNaissance": "99100",
}
NOT_FOUND_BODY = {
    "errors": [
        {
            "code": "37003",
            "title": "Dossier allocataire absent CNAV",
            "detail": "Le dossier allocataire n'a pas été trouvé auprès de la CNAV.",
            "source": None,
            "meta": {"provider": "CNAV"},
        }
    ]
}


@pytest.fixture(scope="module")
def sandbox():
    running = start_in_thread(today=TODAY)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def no_faults_left(sandbox):
    yield
    sandbox.clear_faults()


def call(sandbox, params=None, *, path=QF, token=FULL, changes=None, drop=(), timeout=5):
    params = dict(NOMINAL if params is None else params)
    params.update(changes or {})
    for key in drop:
        params.pop(key, None)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(sandbox.url + path, params=params, headers=headers, timeout=timeout)


def codes(response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


# --- Tokens and scopes -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "pas-un-jeton"], ids=["missing", "unknown"])
def test_call_without_a_valid_token_is_refused_with_00101(sandbox, token):
    response = call(sandbox, token=token)

    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {
                "code": "00101",
                "title": "Interdit",
                "detail": "Votre token n'est pas valide ou n'est pas renseigné",
                "source": {"parameter": "token"},
                "meta": {},
            }
        ]
    }


def test_token_in_x_api_key_is_not_enough_for_v3(sandbox):
    response = requests.get(sandbox.url + QF, params=NOMINAL, headers={"X-Api-Key": FULL}, timeout=5)

    assert response.status_code == 401
    assert codes(response) == ["00101"]


def test_expired_token_is_refused_with_00103(sandbox):
    response = call(sandbox, token=EXPIRED)

    assert response.status_code == 401
    assert response.json()["errors"][0] == {
        "code": "00103",
        "title": "Jeton expiré",
        "detail": "Votre token est expiré. Vous devez refaire une demande",
        "source": {"parameter": "token"},
        "meta": {},
    }


@pytest.mark.parametrize("path", [QF, EAJE])
def test_token_without_any_scope_of_the_endpoint_is_forbidden_with_00100(sandbox, path):
    response = call(sandbox, path=path, token=NO_SCOPE)

    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "00100"
    assert response.json()["errors"][0]["title"] == "Privilèges insuffisants"


def test_qf_only_token_cannot_call_the_eaje_endpoint(sandbox):
    assert call(sandbox, path=EAJE, token=QF_ONLY).status_code == 403


def test_qf_only_token_receives_only_the_quotient_familial(sandbox):
    response = call(sandbox, token=QF_ONLY)

    assert response.status_code == 200
    assert response.json()["data"] == {
        "quotient_familial": {
            "fournisseur": "CNAF",
            "valeur": 2550,
            "annee": 2023,
            "mois": 6,
            "annee_calcul": 2024,
            "mois_calcul": 12,
        }
    }


def test_custom_tokens_filter_each_key_by_its_scope():
    running = start_in_thread(tokens={"enfants-et-adresse": ({"cnaf_enfants", "cnaf_adresse"}, False)}, today=TODAY)
    try:
        response = call(running, token="enfants-et-adresse")
        refused = call(running, token=FULL)  # custom tokens replace the default ones
    finally:
        running.stop()

    assert sorted(response.json()["data"]) == ["adresse", "enfants"]
    assert refused.status_code == 401


# --- Validation (422) ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "drop", "code"),
    [
        pytest.param({}, ["recipient"], "00203", id="recipient-missing"),
        pytest.param({"recipient": "13002526500014"}, [], "00210", id="recipient-bad-luhn"),
        pytest.param({"recipient": "1300252650001"}, [], "00210", id="recipient-13-digits"),
        pytest.param({}, ["nomNaissance"], "00420", id="birth-name-missing"),
        pytest.param({"nomNaissance": "LEFEBVRE2"}, [], "00420", id="birth-name-digit"),
        pytest.param({"prenoms": "ALEXIS"}, ["prenoms[]"], "00367", id="first-names-plain-string"),
        pytest.param({"prenoms[]": [""]}, [], "00367", id="first-names-empty-array"),
        pytest.param({"prenoms[]": ["A", "B", "C", "D"]}, [], "00367", id="first-names-four"),
        pytest.param({"prenoms[]": ["ALEXIS (AL)"]}, [], "00367", id="first-names-parenthesis"),
        pytest.param({"sexeEtatCivil": "X"}, [], "00427", id="sex-not-m-or-f"),
        pytest.param({"codeCogInseePaysNaissance": "9910"}, [], "00400", id="country-four-digits"),
        pytest.param({"codeCogInseeCommuneNaissance": "75056A"}, [], "00365", id="commune-six-chars"),
        pytest.param({"codeCogInseeCommuneNaissance": "2C123"}, [], "00365", id="commune-bad-corsica"),
        pytest.param(
            {"nomCommuneNaissance": "Charleville-Mézières", "codeCogInseeDepartementNaissance": "99"},
            ["codeCogInseeCommuneNaissance"],
            "00428",
            id="option-2-bad-department",
        ),
        pytest.param({"jourDateNaissance": "30", "moisDateNaissance": "2"}, [], "00363", id="birth-date-30-feb"),
        pytest.param({"moisDateNaissance": "13"}, [], "00363", id="birth-month-13"),
        pytest.param({"anneeDateNaissance": "1899"}, [], "00363", id="birth-date-before-1900"),
        pytest.param(
            {"anneeDateNaissance": "2026", "moisDateNaissance": "11", "jourDateNaissance": "24"},
            [],
            "00363",
            id="birth-date-today",
        ),
        pytest.param({"annee": "2023"}, [], "00356", id="year-n-minus-3"),
        pytest.param({"annee": "2027"}, [], "00356", id="year-next"),
        pytest.param({"annee": "2026", "mois": "12"}, [], "00354", id="month-in-future"),
        pytest.param({"mois": "12"}, [], "00354", id="month-in-future-without-year"),
        pytest.param({"annee": "2025", "mois": "13"}, [], "00354", id="month-13"),
    ],
)
def test_invalid_parameter_is_refused_with_its_official_code(sandbox, changes, drop, code):
    response = call(sandbox, changes=changes, drop=drop)

    assert response.status_code == 422
    assert codes(response) == [code]
    error = response.json()["errors"][0]
    assert error["title"] == "Entité non traitable"
    assert error["detail"]


def test_every_invalid_parameter_is_reported_at_once(sandbox):
    response = call(sandbox, changes={"sexeEtatCivil": "X", "nomNaissance": "L3F"}, drop=["prenoms[]"])

    assert response.status_code == 422
    assert codes(response) == ["00427", "00420"]


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        pytest.param({"recipient": "35600000000048"}, 200, id="la-poste-siret"),
        pytest.param({"sexeEtatCivil": "f"}, 200, id="sex-lower-case"),
        # Valid periods, but `annee`/`mois` are part of the match and the nominal case has none: 404, not 422.
        pytest.param({"annee": "2024", "mois": "11"}, 404, id="year-n-minus-2"),
        pytest.param({"mois": "11"}, 404, id="current-month"),
    ],
)
def test_valid_variants_pass_validation(sandbox, changes, status):
    response = call(sandbox, changes=changes)

    assert response.status_code == status


def test_absent_first_names_are_left_to_the_provider(sandbox):
    # Production only rejects a plain string or an empty array; an identity without first names just matches nothing.
    response = call(sandbox, drop=["prenoms[]"])

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY


def test_complete_option_2_birth_place_passes_validation(sandbox):
    changes = {"nomCommuneNaissance": "Charleville-Mézières", "codeCogInseeDepartementNaissance": "08"}
    response = call(sandbox, changes=changes, drop=["codeCogInseeCommuneNaissance"])

    assert response.status_code == 404  # valid, but no official case uses option 2


# --- Matching --------------------------------------------------------------------------------------------------------


def test_unmatched_identity_answers_the_official_404(sandbox):
    response = call(sandbox, changes={"nomNaissance": "INCONNU"})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY


def test_matching_ignores_case_and_key_order(sandbox):
    lower = {
        key: [v.lower() for v in value] if isinstance(value, list) else value.lower() for key, value in NOMINAL.items()
    }
    shuffled = dict(reversed(list(lower.items())))
    response = call(sandbox, shuffled)

    assert response.status_code == 200
    assert response.json()["data"]["quotient_familial"]["valeur"] == 2550


def test_first_names_order_matters(sandbox):
    response = call(sandbox, changes={"prenoms[]": ["GÉRÔME", "ALEXIS", "JEAN-PHILIPPE"]})

    assert response.status_code == 404


def test_date_parts_match_as_numbers(sandbox):
    response = call(sandbox, changes={"moisDateNaissance": "012", "jourDateNaissance": "027"})

    assert response.status_code == 200


def test_an_extra_identity_parameter_misses(sandbox):
    response = call(sandbox, changes={"nomUsage": "MARTIN"})

    assert response.status_code == 404
    assert codes(response) == ["37003"]


def test_a_missing_identity_parameter_misses(sandbox):
    assert call(sandbox, drop=["jourDateNaissance"]).status_code == 404


def test_recipient_and_unknown_parameters_are_not_part_of_the_match(sandbox):
    response = call(sandbox, changes={"recipient": "21750001600019", "utm_source": "test"})

    assert response.status_code == 200


def test_commune_code_is_ignored_for_people_born_abroad(sandbox):
    # 200-identite-cas-etranger.yaml: FAKIR, born in 99350; a stray commune code is not sent to the provider.
    params = {
        "recipient": RECIPIENT,
        "nomNaissance": "FAKIR",
        "prenoms[]": ["EYMEN", "MOHAMED"],
        "sexeEtatCivil": "M",
        "anneeDateNaissance": "1992",
        "moisDateNaissance": "11",
        "jourDateNaissance": "14",
        "codeCogInseePaysNaissance": "99350",
        "codeCogInseeCommuneNaissance": "75056",
    }
    response = call(sandbox, params)

    assert response.status_code == 200


def test_eaje_endpoint_ignores_qf_period_parameters(sandbox):
    response = call(sandbox, path=EAJE, changes={"annee": "2020"})

    assert response.status_code == 200
    assert "parametres_calcul_participation_familiale" in response.json()["data"]


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


# --- Introspection and ping -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers", [{"Authorization": f"Bearer {QF_ONLY}"}, {"X-Api-Key": QF_ONLY}], ids=["bearer", "x-api-key"]
)
def test_introspect_lists_the_token_scopes(sandbox, headers):
    response = requests.get(sandbox.url + "/api/introspect", headers=headers, timeout=5)

    assert response.status_code == 200
    body = response.json()
    assert body["scopes"] == ["cnaf_quotient_familial"]
    assert uuid.UUID(body["_id"])
    assert "name" in body


def test_introspect_id_is_stable_per_token(sandbox):
    def token_id(token):
        headers = {"Authorization": f"Bearer {token}"}
        return requests.get(sandbox.url + "/api/introspect", headers=headers, timeout=5).json()["_id"]

    assert token_id(FULL) == token_id(FULL)
    assert token_id(FULL) != token_id(QF_ONLY)


def test_introspect_full_token_has_every_scope_of_both_endpoints(sandbox):
    response = requests.get(sandbox.url + "/api/introspect", headers={"X-Api-Key": FULL}, timeout=5)

    assert "cnaf_quotient_familial" in response.json()["scopes"]
    assert "cnav_participation_familiale_eaje_parametres_calcul" in response.json()["scopes"]
    assert len(response.json()["scopes"]) == 8


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "pas-un-jeton"}], ids=["missing", "unknown"])
def test_introspect_refuses_unknown_tokens(sandbox, headers):
    response = requests.get(sandbox.url + "/api/introspect", headers=headers, timeout=5)

    assert response.status_code == 401
    assert response.json()["error"] == "access_denied"


def test_ping_needs_no_token(sandbox):
    response = requests.get(sandbox.url + "/api/ping", timeout=5)

    assert response.status_code == 200
    assert response.text == "pong"


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
