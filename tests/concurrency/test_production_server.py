"""The production server as a commune runs it (gunicorn.conf.py): no software version announced, and no token of a
family's or an agent's link in its access log, whether in the path or in the page it was followed from."""

import time

import pytest
import requests

TOKENS = {
    "/demande/suivi/eyJhIjoxfQ.Zz.famille": "eyJhIjoxfQ.Zz.famille",
    "/creche/suivi/eyJjcmVjaGUiOjF9.Zz.creche": "eyJjcmVjaGUiOjF9.Zz.creche",
    "/agents/mot-de-passe/eyJ.a.agent": "eyJ.a.agent",
}


@pytest.mark.parametrize("live_config", ["sqlite"], indirect=True)
def test_the_server_names_no_version(live):
    for path in ("/", "/agents/connexion", "/page-qui-n-existe-pas"):
        response = requests.get(live.url + path, timeout=10)
        banner = response.headers.get("Server", "")
        assert "Werkzeug" not in banner and "Python" not in banner, banner
        assert not any(ch.isdigit() for ch in banner), f"{path}: {banner}"


@pytest.mark.parametrize("live_config", ["sqlite"], indirect=True)
def test_link_tokens_never_reach_gunicorns_access_log(live):
    for path in TOKENS:
        response = requests.get(live.url + path, timeout=10, headers={"Referer": live.url + path})
        assert response.status_code == 404, path  # a forged link is « lien invalide »
    time.sleep(0.5)  # the access line is written once the response has gone
    logged = live.log(tail=20_000)
    assert '"GET /demande/suivi/[jeton] HTTP/1.1" 404' in logged, logged
    assert '"GET /creche/suivi/[jeton] HTTP/1.1" 404' in logged, logged
    for token in TOKENS.values():
        assert token not in logged, logged
