"""Security headers and cookie flags on every kind of answer: an HTML page, a redirect, a 404, a 500 and a
download; HSTS only when the service says it is behind HTTPS; link tokens masked in the access log."""

import contextlib
import logging
import threading
import urllib.request

import pytest
from werkzeug.serving import make_server

from passfamille import create_app
from passfamille.logs import mask_tokens

from .agents import logged_in, make_agent

BASE = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def answers(app) -> dict:
    """One answer of each kind, keyed by kind."""

    @app.get("/_test/panne")
    def broken():  # a 500 as production gives it (not TESTING: the error page, not the exception)
        raise RuntimeError("panne de test")

    app.testing = False
    make_agent(app)
    agent = logged_in(app)
    client = app.test_client()
    download = agent.client.get("/agents/demandes.csv")
    download.get_data()  # a streamed answer: read it whole before the next request
    return {
        "page": client.get("/"),
        "redirect": client.get("/agents/"),
        "404": client.get("/nulle-part"),
        "500": client.get("/_test/panne"),
        "download": download,
    }


def test_every_answer_carries_the_security_headers_and_no_hsts_over_plain_http(app):
    found = answers(app)
    assert [(kind, r.status_code) for kind, r in found.items()] == [
        ("page", 200),
        ("redirect", 303),
        ("404", 404),
        ("500", 500),
        ("download", 200),
    ]
    for kind, response in found.items():
        for name, value in BASE.items():
            assert response.headers.get(name) == value, (kind, name)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], kind
        assert "Strict-Transport-Security" not in response.headers, kind
    assert "attachment" in found["download"].headers["Content-Disposition"]


def test_behind_https_every_answer_has_hsts_and_every_cookie_is_secure_and_samesite(app_config):
    app = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    found = answers(app)
    for kind, response in found.items():
        assert response.headers.get("Strict-Transport-Security") == "max-age=63072000", kind
    client = app.test_client()
    page = client.get("/")  # sets Flask's session cookie (CSRF secret)
    started = client.post("/demande/commencer", data={"choice": "pass_famille", "csrf_token": csrf(page)})
    cookies = page.headers.getlist("Set-Cookie") + started.headers.getlist("Set-Cookie")
    names = {c.split("=", 1)[0] for c in cookies}
    assert {"session", "pf_brouillon"} <= names
    for cookie in cookies:
        flags = cookie.lower()
        assert "; secure" in flags and "; httponly" in flags and "samesite=" in flags, cookie


def csrf(response) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize(
    "path",
    ["/demande/suivi/eyJhIjoxfQ.Zz.abc", "/creche/suivi/eyJjcmVjaGUiOjF9.Zz.x/relance", "/agents/mot-de-passe/eyJ.a.b"],
)
def test_link_tokens_never_reach_the_access_log(app, caplog, path):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # An invalid link is a 404 page.
        with caplog.at_level(logging.INFO, logger="werkzeug"), contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}", timeout=5)  # noqa: S310
    finally:
        server.shutdown()
        thread.join(timeout=5)
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "werkzeug")
    token = path.split("/")[3]
    assert "[jeton]" in logged and token not in logged, logged


def test_the_mask_keeps_the_path_and_hides_only_the_token():
    assert mask_tokens('"GET /creche/suivi/abc.def/proposition HTTP/1.1" 303') == (
        '"GET /creche/suivi/[jeton]/proposition HTTP/1.1" 303'
    )
    assert mask_tokens("GET /demande/recapitulatif") == "GET /demande/recapitulatif"
