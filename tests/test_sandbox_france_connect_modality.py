"""API Particulier's FranceConnect modality in the sandbox (`/v3/dss/*/france_connect`), over real HTTP: the family's
FranceConnect access token from the built-in FranceConnect sandbox as bearer, `recipient` only, the official
`*_with_france_connect/` fixtures; the official sandbox's fake tokens; token errors 50002/50003; faults."""

import json

import pytest
import requests
import yaml

from passfamille.sandbox.fixtures import FIXTURES_DIR
from passfamille.sandbox.franceconnect import EAJE_FC_SCOPES

from .sandbox_franceconnect import (  # noqa: F401 (fixtures)
    QF_SCOPES,
    franceconnect_sandbox,
    module_clock,
    no_faults_left,
    tokens_for,
)
from .sandbox_http import NOT_FOUND_BODY, RECIPIENT

QF = "/v3/dss/quotient_familial/france_connect"
EAJE = "/v3/dss/participation_familiale_eaje/france_connect"
QF_FOLDER = FIXTURES_DIR / "api_particulier_v3_cnav_quotient_familial_with_france_connect"
EAJE_FOLDER = FIXTURES_DIR / "api_particulier_v3_cnav_participation_familiale_eaje_with_france_connect"
EAJE_SCOPES = "openid identite_pivot email " + " ".join(EAJE_FC_SCOPES)
NOT_FOUND_OR_EXPIRED = {
    "errors": [
        {
            "code": "50002",
            "title": "Accès non autorisé",
            "detail": "Le jeton d'accès n'a pas été trouvé ou est expiré.",
            "source": None,
            "meta": {},
        }
    ]
}


def fixture_payload(path) -> dict:
    return json.loads(yaml.safe_load(path.read_text(encoding="utf-8"))["payload"])


def call(sandbox, path: str, token: str | None, **params) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(sandbox.url + path, params={"recipient": RECIPIENT, **params}, headers=headers, timeout=5)


def codes(response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


# --- Found: CNAF, MSA, crèche --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("login", "fixture"),
    [
        ("test", "france_connect_200_1_parent_0_enfant_cnaf.yml"),
        ("test_ELSA", "france_connect_200_msa_1_parent_1_mineur_2_majeurs.yml"),
        ("avec_nom_dusage", "france_connect_200_cnaf_1_parent_3_mineurs.yml"),  # nom d'usage never sent
        ("Testcommuneprénom", "france_connect_200_cnaf_2_parents_3_mineurs_dont_1_jour_et_mois_inconnus.yml"),
    ],
    ids=["DUBOIS-CNAF", "PLACARD-MSA", "MERCIER-nom-d-usage", "YOGO"],
)
def test_quotient_familial_through_franceconnect_gives_the_citizens_fixture(sandbox, login, fixture):
    access_token = tokens_for(sandbox, login, scope=QF_SCOPES)["access_token"]

    answer = call(sandbox, QF, access_token)

    assert answer.status_code == 200, answer.text
    assert answer.json() == fixture_payload(QF_FOLDER / fixture)
    assert answer.headers["Content-Type"].startswith("application/vnd.api+json")


def test_elsa_is_an_msa_family(sandbox):
    access_token = tokens_for(sandbox, "test_ELSA")["access_token"]

    quotient = call(sandbox, QF, access_token).json()["data"]["quotient_familial"]

    assert quotient["fournisseur"] == "MSA"


def test_creche_through_franceconnect_gives_dubois_eaje_fixture(sandbox):
    access_token = tokens_for(sandbox, "test", scope=EAJE_SCOPES)["access_token"]

    answer = call(sandbox, EAJE, access_token)

    assert answer.status_code == 200, answer.text
    assert answer.json() == fixture_payload(EAJE_FOLDER / "france_connect_cnaf.yml")


def test_identity_parameters_in_the_query_are_ignored(sandbox):
    access_token = tokens_for(sandbox, "test")["access_token"]
    someone_else = {"nomNaissance": "LEFEBVRE", "prenoms[]": ["ALEXIS"], "sexeEtatCivil": "F"}

    answer = call(sandbox, QF, access_token, **someone_else)

    assert answer.status_code == 200
    assert answer.json()["data"]["allocataires"][0]["nom_naissance"] == "DUBOIS"


def test_a_citizen_without_a_fixture_gets_404_37003(sandbox):
    access_token = tokens_for(sandbox, "plusieurs_prénoms_2")["access_token"]  # HOCHON Valentin Emmanuel

    answer = call(sandbox, QF, access_token)

    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND_BODY


# --- Scopes of the FranceConnect token -------------------------------------------------------------------------


def test_data_is_cut_down_to_the_tokens_scopes(sandbox):
    access_token = tokens_for(sandbox, "test", scope="openid identite_pivot cnaf_quotient_familial")["access_token"]

    data = call(sandbox, QF, access_token).json()["data"]

    assert list(data) == ["quotient_familial"]
    assert data["quotient_familial"]["valeur"] == 2550


def test_a_token_without_the_endpoints_scopes_is_refused_with_00100(sandbox):
    access_token = tokens_for(sandbox, "test", scope=QF_SCOPES)["access_token"]

    answer = call(sandbox, EAJE, access_token)

    assert answer.status_code == 403
    assert codes(answer) == ["00100"]


def test_a_token_without_the_identity_pivot_is_refused_with_50003(sandbox):
    scope = "openid given_name family_name cnaf_quotient_familial"
    access_token = tokens_for(sandbox, "test", scope=scope)["access_token"]

    answer = call(sandbox, QF, access_token)

    assert answer.status_code == 401
    assert answer.json()["errors"] == [
        {
            "code": "50003",
            "title": "Accès non autorisé",
            "detail": "Le jeton d'accès ne possède pas les données pivot requises pour effectuer cet appel. "
            "Le jeton possède les scopes suivants: openid, given_name, family_name, cnaf_quotient_familial.",
            "source": None,
            "meta": {},
        }
    ]


def test_the_six_pivot_scopes_stand_for_identite_pivot(sandbox):
    scope = "openid given_name family_name gender birthdate birthplace birthcountry cnaf_quotient_familial"
    access_token = tokens_for(sandbox, "test", scope=scope)["access_token"]

    assert call(sandbox, QF, access_token).status_code == 200


# --- Token errors --------------------------------------------------------------------------------------------------


def test_an_expired_franceconnect_token_gives_401_50002(sandbox, clock):
    access_token = tokens_for(sandbox, "test")["access_token"]
    clock.advance(60)

    answer = call(sandbox, QF, access_token)

    assert answer.status_code == 401
    assert answer.json() == NOT_FOUND_OR_EXPIRED


def test_the_expire_hook_gives_401_50002_too(sandbox):
    access_token = tokens_for(sandbox, "test")["access_token"]
    assert call(sandbox, QF, access_token).status_code == 200

    sandbox.expire_franceconnect_tokens()

    assert codes(call(sandbox, QF, access_token)) == ["50002"]
    assert codes(call(sandbox, EAJE, access_token)) == ["50002"]


def test_an_unknown_bearer_gives_401_50002_and_none_gives_00101(sandbox):
    unknown, missing = call(sandbox, QF, "pas-un-jeton-franceconnect"), call(sandbox, QF, None)

    assert (unknown.status_code, codes(unknown)) == (401, ["50002"])
    assert (missing.status_code, codes(missing)) == (401, ["00101"])


def test_the_api_particulier_token_is_not_a_franceconnect_token(sandbox):
    answer = call(sandbox, QF, "bac-a-sable-passfamille")

    assert codes(answer) == ["50002"]


# --- Parameters ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"), [({"recipient": ""}, "00203"), ({"recipient": "12345678901234"}, "00210")], ids=["vide", "faux"]
)
def test_recipient_must_be_a_siret(sandbox, params, code):
    access_token = tokens_for(sandbox, "test")["access_token"]

    answer = call(sandbox, QF, access_token, **params)

    assert (answer.status_code, codes(answer)) == (422, [code])


def test_quotient_familial_period_is_validated(sandbox):
    access_token = tokens_for(sandbox, "test")["access_token"]

    answer = call(sandbox, QF, access_token, annee="2020")  # N-6 at the sandbox's date (2026-11-24)

    assert (answer.status_code, codes(answer)) == (422, ["00356"])


# --- The official sandbox's fake FranceConnect tokens ----------------------------------------------------------


def test_fixture_token_cnaf_qfv2_is_accepted_and_its_identity_has_no_case(sandbox):
    # CNAF Georges: the fixtures written for him carry a nom d'usage, which siade never sends (REFERENCE §3.6).
    answer = call(sandbox, QF, "cnaf_qfv2")

    assert answer.status_code == 404
    assert answer.json() == NOT_FOUND_BODY


def test_fixture_token_cnaf_eaje_is_accepted_on_the_creche_endpoint(sandbox):
    answer = call(sandbox, EAJE, "cnaf_eaje")

    assert answer.status_code == 404
    assert codes(answer) == ["37003"]


# --- Faults ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [QF, EAJE], ids=["qf", "eaje"])
def test_an_armed_fault_applies_to_the_franceconnect_modality(sandbox, path):
    scope = QF_SCOPES if path == QF else EAJE_SCOPES
    access_token = tokens_for(sandbox, "test", scope=scope)["access_token"]
    sandbox.arm_fault("502")

    failed, then = call(sandbox, path, access_token), call(sandbox, path, access_token)

    assert (failed.status_code, codes(failed)) == (502, ["37999"])
    assert then.status_code == 200
