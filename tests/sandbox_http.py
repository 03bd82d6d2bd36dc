"""What the sandbox contract tests share: the sandbox they start, the official nominal identity, the tokens, and
how they call it."""

from datetime import date

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


# Imported by each sandbox contract test module: one sandbox per module, no fault left armed after a test.
@pytest.fixture(scope="module", name="sandbox")
def contract_sandbox():
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
