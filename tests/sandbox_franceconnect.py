"""What the FranceConnect sandbox tests share: a sandbox with a clock the test moves, and a citizen's way through
FranceConnect (authorize, the mire, the token) over real HTTP, as a browser and the app would go."""

import re
import secrets
import time
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from passfamille.sandbox.franceconnect import FS_CLIENT_ID, FS_CLIENT_SECRET
from passfamille.sandbox.server import start_in_thread

from .sandbox_http import TODAY

APP = "http://127.0.0.1:5000"
REDIRECT_URI = APP + "/franceconnect/retour"
POST_LOGOUT_REDIRECT_URI = APP + "/franceconnect/deconnexion/retour"
# What the app asks for a Pass Famille (the lead's default).
QF_SCOPES = "openid identite_pivot email cnaf_quotient_familial cnaf_allocataires cnaf_enfants cnaf_adresse"


class Clock:
    """Seconds since the epoch, starting at the real time (signed tokens carry real dates) and moved by hand."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module", name="clock")
def module_clock():
    return Clock()


@pytest.fixture(scope="module", name="sandbox")
def franceconnect_sandbox(clock):
    running = start_in_thread(today=TODAY, clock=clock)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def no_faults_left(sandbox):
    yield
    sandbox.clear_faults()


def authorize_params(**changes) -> dict:
    params = {
        "response_type": "code",
        "client_id": FS_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": QF_SCOPES,
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "acr_values": "eidas1",
    }
    params.update(changes)
    return {key: value for key, value in params.items() if value is not None}


def form_action(html: str) -> str:
    return unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@dataclass
class Login:
    """A citizen back from the mire: the callback's query and what was sent."""

    params: dict
    callback: dict
    browser: requests.Session


def log_in(sandbox, login: str = "test", browser: requests.Session | None = None, **changes) -> Login:
    """authorize -> mire -> « Continuer » with `login`; returns the callback's query (code, state, iss)."""
    browser = browser or requests.Session()
    params = authorize_params(**changes)
    mire = browser.get(sandbox.franceconnect_issuer + "/authorize", params=params, timeout=5)
    assert mire.status_code == 200, mire.text
    back = browser.post(
        sandbox.url + form_action(mire.text), data={"login": login, "action": "continuer"}, allow_redirects=False
    )
    assert back.status_code == 303, back.text
    assert back.headers["Location"].startswith(params["redirect_uri"] + "?")
    return Login(params, query_of(back.headers["Location"]), browser)


def exchange(sandbox, code: str, redirect_uri: str = REDIRECT_URI, **changes) -> requests.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": FS_CLIENT_ID,
        "client_secret": FS_CLIENT_SECRET,
    }
    form.update(changes)
    form = {key: value for key, value in form.items() if value is not None}
    return requests.post(sandbox.franceconnect_issuer + "/token", data=form, timeout=5)


def tokens_for(sandbox, login: str = "test", **changes) -> dict:
    """A citizen's tokens, straight away: authorize, mire, token."""
    done = log_in(sandbox, login, **changes)
    answer = exchange(sandbox, done.callback["code"], done.params["redirect_uri"])
    assert answer.status_code == 200, answer.text
    return answer.json()


def key_set(sandbox) -> KeySet:
    return KeySet.import_key_set(requests.get(sandbox.franceconnect_issuer + "/jwks", timeout=5).json())


def verified(sandbox, token: str) -> jwt.Token:
    return jwt.decode(token, key_set(sandbox), algorithms=["ES256", "RS256"])
