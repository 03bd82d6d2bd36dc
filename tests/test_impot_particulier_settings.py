"""API Impôt particulier settings: the sandbox by default only where API Particulier is the sandbox too, nothing
(no habilitation, no client) elsewhere unless set; the client in app.extensions, its quota shared by every worker."""

from datetime import date, timedelta

import pytest

from passfamille import config, create_app, ratelimit
from passfamille.impot_particulier import FiscalUnavailable, ImpotParticulierClient

NAMES = (
    "IMPOT_PARTICULIER_URL",
    "IMPOT_PARTICULIER_TOKEN_URL",
    "IMPOT_PARTICULIER_CLIENT_ID",
    "IMPOT_PARTICULIER_CLIENT_SECRET",
    "IMPOT_PARTICULIER_ID_TELESERVICE",
    "IMPOT_PARTICULIER_CERT",
    "IMPOT_PARTICULIER_KEY",
    "IMPOT_PARTICULIER_CALLS_PER_MINUTE",
    "IMPOT_PARTICULIER_SCOPE",
    "API_PARTICULIER_URL",
)


@pytest.fixture
def environment(monkeypatch, tmp_path):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    return lambda: config.from_environment(tmp_path)


def test_the_sandbox_and_its_public_credentials_by_default(environment):
    settings = environment()
    assert settings["IMPOT_PARTICULIER_URL"] == "http://127.0.0.1:5001/impotparticulier/1.0"
    assert settings["IMPOT_PARTICULIER_TOKEN_URL"] == "http://127.0.0.1:5001/impotparticulier/token"
    assert settings["IMPOT_PARTICULIER_CLIENT_ID"] == "bac-a-sable-passfamille"
    assert settings["IMPOT_PARTICULIER_CLIENT_SECRET"] == "bac-a-sable-passfamille-secret"
    assert settings["IMPOT_PARTICULIER_CALLS_PER_MINUTE"] == 50
    assert (settings["IMPOT_PARTICULIER_CERT"], settings["IMPOT_PARTICULIER_KEY"]) == ("", "")


def test_no_habilitation_in_production_unless_set(environment, monkeypatch):
    monkeypatch.setenv("API_PARTICULIER_URL", "https://particulier.api.gouv.fr")
    settings = environment()
    assert all(settings[name] == "" for name in NAMES[:7])


def test_production_settings_are_read_from_the_environment(environment, monkeypatch):
    monkeypatch.setenv("API_PARTICULIER_URL", "https://particulier.api.gouv.fr")
    values = {
        "IMPOT_PARTICULIER_URL": "https://passerelle.example/impotparticulier/1.0/",
        "IMPOT_PARTICULIER_TOKEN_URL": "https://passerelle.example/token",
        "IMPOT_PARTICULIER_CLIENT_ID": "id",
        "IMPOT_PARTICULIER_CLIENT_SECRET": "secret",
        "IMPOT_PARTICULIER_ID_TELESERVICE": "ts",
        "IMPOT_PARTICULIER_CERT": "/etc/passfamille/dgfip.crt",
        "IMPOT_PARTICULIER_KEY": "/etc/passfamille/dgfip.key",
        "IMPOT_PARTICULIER_CALLS_PER_MINUTE": "120",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = environment()
    assert settings["IMPOT_PARTICULIER_URL"] == "https://passerelle.example/impotparticulier/1.0"
    assert settings["IMPOT_PARTICULIER_CALLS_PER_MINUTE"] == 120
    assert settings["IMPOT_PARTICULIER_KEY"] == "/etc/passfamille/dgfip.key"


def impot_config(sandbox, **changes) -> dict:
    return {
        "IMPOT_PARTICULIER_URL": f"{sandbox.url}/impotparticulier/1.0",
        "IMPOT_PARTICULIER_TOKEN_URL": f"{sandbox.url}/impotparticulier/token",
        "IMPOT_PARTICULIER_CLIENT_ID": "bac-a-sable-passfamille",
        "IMPOT_PARTICULIER_CLIENT_SECRET": "bac-a-sable-passfamille-secret",
        "IMPOT_PARTICULIER_ID_TELESERVICE": "bac-a-sable-passfamille",
        **changes,
    }


def test_without_habilitation_the_app_has_no_client(app_config, sandbox):
    app = create_app({**app_config, **impot_config(sandbox, IMPOT_PARTICULIER_URL="")})
    assert app.extensions["impot_particulier"] is None


def test_the_client_gets_the_certificate_pair(app_config, sandbox):
    app = create_app({**app_config, **impot_config(sandbox, IMPOT_PARTICULIER_CERT="c.pem", IMPOT_PARTICULIER_KEY="k")})
    client = app.extensions["impot_particulier"]
    assert isinstance(client, ImpotParticulierClient)
    assert client.cert == ("c.pem", "k")
    assert "secret" not in repr(client)


def test_the_quota_is_counted_where_every_worker_sees_it(app_config, sandbox):
    app = create_app({**app_config, **impot_config(sandbox, IMPOT_PARTICULIER_CALLS_PER_MINUTE=2)})
    client = app.extensions["impot_particulier"]
    with app.app_context():
        for _ in range(2):
            assert client.avis("3999999930262", date.today()).rfr == 28678
        with pytest.raises(FiscalUnavailable) as error:
            client.avis("3999999930262", date.today())
        assert error.value.code == "busy" and 0 < error.value.retry_after <= 60
        assert ratelimit.current("dgfip-calls-minute", "*", timedelta(minutes=1)) == 3
