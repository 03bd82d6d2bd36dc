"""The sandbox's HTTP contract, over real HTTP: tokens and scopes, introspection and ping."""

import uuid

import pytest
import requests

from passfamille.sandbox.server import start_in_thread

from .sandbox_http import (  # noqa: F401 (fixtures)
    EAJE,
    EXPIRED,
    FULL,
    NO_SCOPE,
    NOMINAL,
    QF,
    QF_ONLY,
    TODAY,
    call,
    codes,
    contract_sandbox,
    no_faults_left,
)

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


# Since March 2026 the crèche prices have a habilitation of their own (EAJE, fixed PSU scopes), apart from the Pass
# Famille's (quotient familial): a token shaped like each is refused by the other endpoint.
@pytest.mark.parametrize(
    ("token", "allowed", "refused", "keys"),
    [
        (
            "bac-a-sable-habilitation-creche",
            EAJE,
            QF,
            ["adresse", "allocataires", "enfants", "parametres_calcul_participation_familiale"],
        ),
        (
            "bac-a-sable-habilitation-pass-famille",
            QF,
            EAJE,
            ["adresse", "allocataires", "enfants", "quotient_familial"],
        ),
    ],
    ids=["creche", "pass-famille"],
)
def test_a_habilitation_token_calls_its_own_endpoint_only(sandbox, token, allowed, refused, keys):
    response = call(sandbox, path=allowed, token=token)
    assert response.status_code == 200
    assert sorted(response.json()["data"]) == keys

    response = call(sandbox, path=refused, token=token)
    assert response.status_code == 403
    assert codes(response) == ["00100"]


@pytest.mark.parametrize(
    ("token", "prefix"),
    [
        ("bac-a-sable-habilitation-creche", "cnav_participation_familiale_eaje_"),
        ("bac-a-sable-habilitation-pass-famille", "cnaf_"),
    ],
    ids=["creche", "pass-famille"],
)
def test_introspect_shows_a_habilitation_token_has_its_four_scopes_only(sandbox, token, prefix):
    response = requests.get(sandbox.url + "/api/introspect", headers={"X-Api-Key": token}, timeout=5)

    scopes = response.json()["scopes"]
    assert len(scopes) == 4 and all(scope.startswith(prefix) for scope in scopes)


def test_custom_tokens_filter_each_key_by_its_scope():
    running = start_in_thread(tokens={"enfants-et-adresse": ({"cnaf_enfants", "cnaf_adresse"}, False)}, today=TODAY)
    try:
        response = call(running, token="enfants-et-adresse")
        refused = call(running, token=FULL)  # custom tokens replace the default ones
    finally:
        running.stop()

    assert sorted(response.json()["data"]) == ["adresse", "enfants"]
    assert refused.status_code == 401


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
