"""The OpenID Connect client against the FranceConnect sandbox: what a forged or replayed answer meets."""

from urllib.parse import parse_qs, urlsplit

import pytest

from passfamille.franceconnect.client import FranceConnectClient, FranceConnectError
from passfamille.sandbox.franceconnect import FS_CLIENT_ID, FS_CLIENT_SECRET

from .sandbox_franceconnect import QF_SCOPES, REDIRECT_URI, franceconnect_sandbox, log_in, module_clock  # noqa: F401


@pytest.fixture
def client(sandbox):
    return FranceConnectClient(sandbox.franceconnect_issuer, FS_CLIENT_ID, FS_CLIENT_SECRET, QF_SCOPES)


def authorized(client, sandbox, login="test"):
    """The client's own authorization URL, followed through the mire: (authorization, callback query)."""
    authorization = client.authorization(REDIRECT_URI)
    params = {key: values[0] for key, values in parse_qs(urlsplit(authorization.url).query).items()}
    assert params["acr_values"] == "eidas1" and len(params["nonce"]) >= 22 and params["state"] == authorization.state
    done = log_in(sandbox, login, state=params["state"], nonce=params["nonce"])
    return authorization, done.callback


def test_a_login_gives_the_certified_claims_and_a_60_second_token(client, sandbox):
    authorization, callback = authorized(client, sandbox)
    login = client.login(callback["code"], REDIRECT_URI, authorization.nonce)
    assert login.claims["family_name"] == "DUBOIS" and login.claims["birthcountry"] == "99100"
    assert login.access_token and login.id_token


def test_an_id_token_for_another_nonce_is_refused(client, sandbox):
    _, callback = authorized(client, sandbox)
    with pytest.raises(FranceConnectError) as refused:
        client.login(callback["code"], REDIRECT_URI, "un-autre-nonce-que-celui-envoye-0123456789")
    assert refused.value.step == "id_token"


def test_a_code_used_twice_is_refused(client, sandbox):
    authorization, callback = authorized(client, sandbox)
    client.login(callback["code"], REDIRECT_URI, authorization.nonce)
    with pytest.raises(FranceConnectError) as refused:
        client.login(callback["code"], REDIRECT_URI, authorization.nonce)
    assert refused.value.step == "token"


def test_an_unreachable_franceconnect_is_an_error_not_a_crash():
    client = FranceConnectClient("http://127.0.0.1:9/franceconnect/api/v2", "x", "y", QF_SCOPES, timeout=1)
    with pytest.raises(FranceConnectError) as refused:
        client.authorization(REDIRECT_URI)
    assert refused.value.step == "discovery"


def test_the_logout_url_names_the_id_token_and_where_to_come_back(client, sandbox):
    authorization, callback = authorized(client, sandbox)
    login = client.login(callback["code"], REDIRECT_URI, authorization.nonce)
    url = client.logout_url(login.id_token, "http://127.0.0.1:5000/franceconnect/deconnexion/retour", "etat")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(sandbox.franceconnect_issuer + "/session/end?")
    assert query["id_token_hint"] == [login.id_token] and query["state"] == ["etat"]
