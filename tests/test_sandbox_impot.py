"""The API Impôt particulier sandbox's contract (REFERENCE §1.2–1.6), called with plain requests: the token endpoint,
the resources in both modalities, their media types, the DGFiP error bodies, years, quota, faults and fixtures."""

import base64
import hashlib
import logging
import re
import uuid
from datetime import date

import pytest
import requests

from passfamille.sandbox.fixtures import FIXTURES_DIR
from passfamille.sandbox.impot import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

from .impot_particulier_cases import (  # noqa: F401 (fixtures)
    BAD_KEY,
    ERIC,
    FORBIDDEN,
    LATE,
    NO_CONTENT,
    NOT_FOUND,
    TECHNICAL,
    UNKNOWN,
    VINCENT,
    fresh_impot_sandbox,
    running_impot_sandbox,
)

DEUXANS = "/dernieresituation/ir/assiettes/deuxans"
SITUATIONS = "/situations/ir/assiettes/annrev/{}"
DERNIERE = "/dernieresituation/ir/assiettes/annrev/{}"
ALL_SCOPES = "RessourceIR RessourceIRDerniere RessourceIRDerniere2"


def get_token(sandbox, scope=ALL_SCOPES, client_id=SANDBOX_CLIENT_ID, secret=SANDBOX_CLIENT_SECRET, **extra):
    form = {"grant_type": "client_credentials", "scope": scope, "client_id": client_id, "client_secret": secret}
    return requests.post(f"{sandbox.url}/impotparticulier/token", data={**form, **extra}, timeout=5)


def call(sandbox, path, *, spi=ERIC, token=None, headers=None, france_connect=None):
    token = token if token is not None else get_token(sandbox).json()["access_token"]
    sent = {"Authorization": f"Bearer {token}", "X-Correlation-ID": str(uuid.uuid4()), "ID_Teleservice": "essai"}
    if france_connect is not None:
        sent["X-FranceConnect-OAuth"] = france_connect
    sent.update(headers or {})
    prefix = "" if france_connect is not None else f"/spi/{spi}"
    return requests.get(f"{sandbox.url}/impotparticulier/1.0{prefix}{path}", headers=sent, timeout=5)


def erreur(response) -> tuple[int, int | None, str]:
    body = response.json()["erreur"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body["horodatage"])
    return response.status_code, body.get("code"), body["message"]


def test_client_credentials_in_the_form_give_a_bearer_token_that_expires(sandbox):
    response = get_token(sandbox, scope="RessourceIRDerniere2")
    body = response.json()
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, "RessourceIRDerniere2")
    assert call(sandbox, DEUXANS, token=body["access_token"]).status_code == 200
    sandbox.clock.advance(3600)
    expired = call(sandbox, DEUXANS, token=body["access_token"])
    assert erreur(expired)[0] == 401 and expired.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_client_credentials_in_http_basic_are_accepted_too(sandbox):
    basic = base64.b64encode(f"{SANDBOX_CLIENT_ID}:{SANDBOX_CLIENT_SECRET}".encode()).decode()
    response = requests.post(
        f"{sandbox.url}/impotparticulier/token",
        data={"grant_type": "client_credentials", "scope": "RessourceIR"},
        headers={"Authorization": f"Basic {basic}"},
        timeout=5,
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("changes", "status", "error"),
    [
        ({"client_secret": "faux"}, 401, "invalid_client"),
        ({"client_id": "inconnu"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"scope": "RessourceLEP"}, 400, "invalid_scope"),
    ],
)
def test_the_token_endpoint_refuses_as_oauth_says(sandbox, changes, status, error):
    response = requests.post(
        f"{sandbox.url}/impotparticulier/token",
        data={
            "grant_type": "client_credentials",
            "scope": "RessourceIR",
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
            **changes,
        },
        timeout=5,
    )
    assert (response.status_code, response.json()["error"]) == (status, error)


def test_expire_impot_tokens_makes_every_issued_token_answer_401(sandbox):
    token = get_token(sandbox).json()["access_token"]
    sandbox.expire_impot_tokens()
    assert call(sandbox, DEUXANS, token=token).status_code == 401


@pytest.mark.parametrize(
    ("path", "media_type", "year"),
    [
        (DEUXANS, "application/prs.dgfip.part.derniere.situations.ir.assiettes.v1+json", 2025),
        (DERNIERE.format(2024), "application/prs.dgfip.part.derniere.situations.ir.assiettes.v1+json", 2024),
        (SITUATIONS.format(2025), "application/prs.dgfip.part.situations.ir.assiettes.v1+json", None),
    ],
)
def test_each_resource_answers_with_its_media_type(sandbox, path, media_type, year):
    response = call(sandbox, path)
    assert response.status_code == 200 and response.headers["Content-Type"] == media_type
    body = response.json()
    assert body.get("annRevenu") == year  # only the `dernieresituation` answers name their year
    assert (body["rfr"], body["sitFam"], body["nbPart"], body["pac"]) == (28678, "C", 1, {"nbPac": 0})
    assert body["aftDetail"] == {"voie": "42 RUE ABBE DE L EPEE", "codePostal": "13005 MARSEILLE"}


def test_the_correlation_id_is_required_and_echoed(sandbox):
    correlation_id = str(uuid.uuid4())
    assert call(sandbox, DEUXANS, headers={"X-Correlation-ID": correlation_id}).headers["X-Correlation-ID"] == (
        correlation_id
    )
    assert erreur(call(sandbox, DEUXANS, headers={"X-Correlation-ID": "pas-un-uuid"}))[0] == 400
    assert sandbox.impot.last_call["id_teleservice"] == "essai"


def test_a_token_for_another_resource_is_refused(sandbox):
    token = get_token(sandbox, scope="RessourceIR").json()["access_token"]
    assert erreur(call(sandbox, DEUXANS, token=token)) == (403, 4031, "L'utilisateur n'a pas accès à la ressource")


@pytest.mark.parametrize(
    ("path", "spi", "expected"),
    [
        (DEUXANS, BAD_KEY, (400, 4001, "format SPI incorrect")),
        (DEUXANS, "123", (400, 4001, "format SPI incorrect")),
        (SITUATIONS.format("20x5"), ERIC, (400, 4002, "mauvais format d'année (annrev ou bareme)")),
        (DEUXANS, UNKNOWN, (410, 4102, "Le spi envoyé ne correspond à aucun usager")),
        (SITUATIONS.format(2026), ERIC, (410, 4101, "La requête avec le spi et l'année ne renvoie aucun résultat")),
        (SITUATIONS.format(2022), ERIC, (410, 4101, "La requête avec le spi et l'année ne renvoie aucun résultat")),
        (SITUATIONS.format(2025), LATE, (410, 4101, "La requête avec le spi et l'année ne renvoie aucun résultat")),
        (DEUXANS, FORBIDDEN, (403, 4031, "L'utilisateur n'a pas accès à la ressource")),
        (DEUXANS, TECHNICAL, (500, None, "Erreur technique")),
    ],
)
def test_dgfip_error_bodies(sandbox, path, spi, expected):
    assert erreur(call(sandbox, path, spi=spi)) == expected


def test_the_no_answer_cases(sandbox):
    response = call(sandbox, DEUXANS, spi=NO_CONTENT)
    assert (response.status_code, response.content) == (204, b"")
    assert call(sandbox, DEUXANS, spi=NOT_FOUND).status_code == 404


def test_years_follow_the_changeover_date(sandbox):
    sandbox.days.today = date(2026, 7, 21)
    assert call(sandbox, DEUXANS).json()["annRevenu"] == 2024
    assert call(sandbox, SITUATIONS.format(2025)).status_code == 410
    sandbox.days.today = date(2026, 7, 22)
    assert call(sandbox, DEUXANS).json()["annRevenu"] == 2025
    assert call(sandbox, DEUXANS, spi=LATE).json()["annRevenu"] == 2024  # deuxans: the avis before the missing one


def test_the_siade_case_carries_the_tax_amount(sandbox):
    body = call(sandbox, DEUXANS, spi=VINCENT).json()
    assert (body["rfr"], body["montTotIr"], body["nbPart"]) == (48583, 2982, 2)


def test_a_client_habilitated_for_some_fields_gets_only_those(sandbox):
    token = get_token(sandbox, client_id="bac-a-sable-rfr-parts", secret="bac-a-sable-rfr-parts-secret")
    body = call(sandbox, DEUXANS, token=token.json()["access_token"]).json()
    assert body == {"annRevenu": 2025, "rfr": 28678, "nbPart": 1}


def test_the_france_connect_variant_finds_the_numero_fiscal_from_the_identity(sandbox):
    assert call(sandbox, DEUXANS, france_connect="bac-a-sable-fc-dgfip-57").json()["rfr"] == 89500
    assert call(sandbox, SITUATIONS.format(2025), france_connect="bac-a-sable-fc-dgfif-47").json()["nbPart"] == 2.5
    assert sandbox.impot.last_call["france_connect"] is True
    assert erreur(call(sandbox, DEUXANS, france_connect="inconnu"))[:2] == (403, 4031)
    assert erreur(call(sandbox, DEUXANS, france_connect=""))[:2] == (403, 4031)


def test_fc_identity_to_spi_matches_names_and_birth_date_whatever_the_case(sandbox):
    from passfamille.sandbox.impot import fc_identity_to_spi

    claims = {"family_name": "cis quarantesix", "given_name": "Pnm Emma", "birthdate": "1976-11-17"}
    assert fc_identity_to_spi(claims, sandbox.impot.taxpayers) == "3999999931263"
    assert fc_identity_to_spi({**claims, "birthdate": "1976-11-18"}, sandbox.impot.taxpayers) is None


def test_a_quota_of_50_calls_a_minute_per_client_is_announced_and_enforced(sandbox):
    token = get_token(sandbox).json()["access_token"]
    first = call(sandbox, DEUXANS, token=token)
    assert (first.headers["RateLimit-Limit"], first.headers["RateLimit-Remaining"]) == ("50", "49")
    for _ in range(49):
        assert call(sandbox, DEUXANS, token=token).status_code == 200
    refused = call(sandbox, DEUXANS, token=token)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "55"
    other = get_token(sandbox, client_id="bac-a-sable-rfr-parts", secret="bac-a-sable-rfr-parts-secret")
    assert call(sandbox, DEUXANS, token=other.json()["access_token"]).status_code == 200  # per client
    sandbox.clock.advance(55)
    assert call(sandbox, DEUXANS, token=token).status_code == 200


def test_the_quota_limit_can_be_changed_for_tests(sandbox):
    sandbox.impot.calls_per_minute = 1
    token = get_token(sandbox).json()["access_token"]
    assert [call(sandbox, DEUXANS, token=token).status_code for _ in range(2)] == [200, 429]


@pytest.mark.parametrize(("kind", "status"), [("500", 500), ("502", 502), ("503", 503), ("504", 504), ("429", 429)])
def test_armed_faults_apply_to_the_resources_with_dgfip_bodies(sandbox, kind, status):
    token = get_token(sandbox).json()["access_token"]  # faults never touch the token endpoint
    sandbox.arm_fault(kind)
    response = call(sandbox, DEUXANS, token=token)
    assert erreur(response)[0] == status
    assert call(sandbox, DEUXANS, token=token).status_code == 200


def test_a_malformed_fault_answers_broken_json(sandbox):
    token = get_token(sandbox).json()["access_token"]
    sandbox.arm_fault("malformed")
    with pytest.raises(ValueError):
        call(sandbox, DEUXANS, token=token).json()


def test_the_access_log_masks_the_numero_fiscal(sandbox, caplog):
    with caplog.at_level(logging.INFO, logger="passfamille.sandbox.access"):
        call(sandbox, DEUXANS)
    assert "GET /impotparticulier/1.0/spi/[masqué]/dernieresituation/ir/assiettes/deuxans 200" in caplog.text
    assert ERIC not in caplog.text


def _git_blob_id(path) -> str:
    content = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def test_the_public_data_sets_are_the_verbatim_upstream_files():
    provenance = (FIXTURES_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `(impot_particulier/[^`]+\.csv)` \| `([0-9a-f]{12})` \|$", provenance, re.MULTILINE))
    assert sorted(listed) == sorted(
        f"impot_particulier/{p.name}" for p in (FIXTURES_DIR / "impot_particulier").glob("*.csv")
    )
    for name, blob in listed.items():
        assert _git_blob_id(FIXTURES_DIR / name).startswith(blob), name
