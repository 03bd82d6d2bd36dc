"""A commune with the DGFiP's habilitation (API Impôt particulier, served by the tests' sandbox) whose rules read
« the QF when the CAF/MSA answers, else the avis » (tests/municipal_quotient.py): what the fiscal tests share."""

import pytest

from .municipal_quotient import municipal_settings  # noqa: F401 (the commune's rules)

ERIC = "3999999930262"  # CIS QUARANTECINQ PRENOM ERIC: célibataire, RFR 28 678, 1 part (FranceConnect data set)
ERIC_TYPED = "39 9999 9930 262"  # as printed on an avis, in groups
NOT_FOUND = "3999990404445"  # our own sandbox case: 404
BAD_KEY = "3999999930263"  # 13 digits, wrong key: the sandbox answers 400 « format SPI incorrect »


def impot_settings(sandbox_url: str) -> dict:
    return {
        "IMPOT_PARTICULIER_URL": f"{sandbox_url}/impotparticulier/1.0",
        "IMPOT_PARTICULIER_TOKEN_URL": f"{sandbox_url}/impotparticulier/token",
        "IMPOT_PARTICULIER_CLIENT_ID": "bac-a-sable-passfamille",
        "IMPOT_PARTICULIER_CLIENT_SECRET": "bac-a-sable-passfamille-secret",
        "IMPOT_PARTICULIER_ID_TELESERVICE": "bac-a-sable-passfamille",
    }


@pytest.fixture
def app_config(app_config, municipal_settings, sandbox):  # noqa: F811
    """Imported by a test module: the commune with the municipal quotient and the DGFiP's habilitation."""
    return {**app_config, "PASSFAMILLE_COMMUNE": str(municipal_settings), **impot_settings(sandbox.url)}
