"""Every official sandbox fixture, replayed over real HTTP against the built-in sandbox.

Each case sends the fixture's params as a real query string (one `prenoms[]` per first name) with a valid
recipient SIRET and the all-scopes token, and expects the fixture's status and exact payload.
"""

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest
import requests
import yaml

from passfamille.sandbox.fixtures import FIXTURES_DIR
from passfamille.sandbox.server import start_in_thread

# A fixed "today" keeps the year/month rules (N, N-1, N-2; no future month) and "born before yesterday" stable.
TODAY = date(2026, 11, 24)
TOKEN = "bac-a-sable-passfamille"
RECIPIENT = "13002526500013"  # DINUM's SIRET, the docs' example: Luhn-valid
QF_FOLDER = "api_particulier_v3_cnav_quotient_familial_with_civility"
EAJE_FOLDER = "api_particulier_v3_cnav_participation_familiale_eaje_with_civility"
ENDPOINT_BY_FOLDER = {
    QF_FOLDER: "/v3/dss/quotient_familial/identite",
    EAJE_FOLDER: "/v3/dss/participation_familiale_eaje/identite",
}
FIXTURE_FILES = sorted(path for folder in ENDPOINT_BY_FOLDER for path in (FIXTURES_DIR / folder).glob("*.yaml"))

# Which fixtures does production-like validation reject at TODAY? None, checked one by one:
# - `404.yaml` has no `prenoms`: production's CNAV::ValidatePrenoms returns early on an absent parameter (only a
#   plain string or an empty array is refused), so it passes validation and answers its own 404 37003.
# - `200-couple-2_enfants-qf_msa_150_mai26.yaml` asks annee=2026&mois=5: at TODAY that is N and a past month, so it
#   is accepted; before May 2026 (00354) or from 2029 on (00356) it is refused, see the last test of this file.
# - every birth date lies in 1900-01-01..yesterday, every name and COG code matches production's patterns.


@pytest.fixture(scope="module")
def sandbox():
    running = start_in_thread(today=TODAY)
    yield running
    running.stop()


def _query(params: dict) -> list[tuple[str, str]]:
    pairs = [("recipient", RECIPIENT)]
    for name, value in params.items():
        if isinstance(value, list):
            pairs += [(f"{name}[]", str(item)) for item in value]
        else:
            pairs.append((name, str(value)))
    return pairs


def _call(base_url: str, path: Path) -> tuple[requests.Response, dict]:
    fixture = yaml.safe_load(path.read_text(encoding="utf-8"))
    response = requests.get(
        base_url + ENDPOINT_BY_FOLDER[path.parent.name],
        params=_query(fixture["params"]),
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    return response, fixture


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda path: f"{path.parent.name.split('_')[4]}/{path.name}")
def test_fixture_params_give_the_fixture_answer(sandbox, path):
    response, fixture = _call(sandbox.url, path)

    assert response.status_code == fixture["status"]
    assert response.json() == json.loads(fixture["payload"])
    assert response.headers["Content-Type"].startswith("application/vnd.api+json")
    if fixture["status"] == 429:
        assert int(response.headers["Retry-After"]) > 0


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES_DIR / QF_FOLDER / "200-identite-cas-nominal.yaml",
        FIXTURES_DIR / QF_FOLDER / "404.yaml",
        FIXTURES_DIR / QF_FOLDER / "502.yaml",
        FIXTURES_DIR / EAJE_FOLDER / "200-identite-cas-nominal.yaml",
        FIXTURES_DIR / EAJE_FOLDER / "429.yaml",
    ],
    ids=lambda path: f"{path.parent.name.split('_')[4]}/{path.name}",
)
def test_a_trickled_answer_is_the_fixture_answer(sandbox, path):
    sandbox.arm_fault("trickle", seconds=0.2)
    response, fixture = _call(sandbox.url, path)

    assert response.status_code == fixture["status"]
    assert response.json() == json.loads(fixture["payload"])
    assert response.headers["Content-Type"].startswith("application/vnd.api+json")
    assert response.headers["Content-Length"] == str(len(response.content))
    if fixture["status"] == 429:
        assert int(response.headers["Retry-After"]) > 0
    assert response.elapsed.total_seconds() < 0.2  # requests' elapsed stops at the headers, which are not delayed


def test_every_fixture_folder_has_its_cases():
    counts = {folder: len(list((FIXTURES_DIR / folder).glob("*.yaml"))) for folder in ENDPOINT_BY_FOLDER}
    assert counts == {QF_FOLDER: 30, EAJE_FOLDER: 6}


def _git_blob_id(path: Path) -> str:
    content = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def test_fixtures_are_the_verbatim_upstream_files():
    provenance = (FIXTURES_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `([^`]+\.ya?ml)` \| `([0-9a-f]{12})` \|$", provenance, flags=re.MULTILINE))
    # Every YAML of every folder: the identity modality's, the FranceConnect modality's and the fake FC tokens.
    # (impot_particulier/cas-bac-a-sable.yaml is our own, not an upstream file: its folder's test checks the CSVs
    # copied from upstream, tests/test_sandbox_impot.py.)
    every_yaml = [
        path
        for path in [*FIXTURES_DIR.glob("*/*.yaml"), *FIXTURES_DIR.glob("*/*.yml")]
        if path.parent.name != "impot_particulier"
    ]

    assert sorted(listed) == sorted(f"{path.parent.name}/{path.name}" for path in every_yaml)
    for name, blob in listed.items():
        assert _git_blob_id(FIXTURES_DIR / name).startswith(blob), name


MAI26 = FIXTURES_DIR / QF_FOLDER / "200-couple-2_enfants-qf_msa_150_mai26.yaml"


@pytest.mark.parametrize(
    ("today", "code"),
    [
        # In April 2026, May 2026 is a future month: "Le mois demandé est incorrect ou est dans le futur."
        (date(2026, 4, 30), "00354"),
        # In 2029, 2026 is N-3: "L'année demandée doit être l'année en cours (N), N-1 ou N-2."
        (date(2029, 1, 15), "00356"),
    ],
)
def test_mai26_fixture_is_rejected_when_its_period_is_out_of_range(today, code):
    running = start_in_thread(today=today)
    try:
        response, _ = _call(running.url, MAI26)
    finally:
        running.stop()

    assert response.status_code == 422
    assert [error["code"] for error in response.json()["errors"]] == [code]
