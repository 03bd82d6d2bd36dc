"""Log-in throttling: attempts counted before the password is checked, per account and per address for unknown
browsers, per device for a browser trusted by its `pf_appareil` cookie (OWASP's device cookies); the link mailed to
a locked-out agent; password links that revoke each other; the warning about X-Forwarded-For without
PASSFAMILLE_PROXIES; and 40 simultaneous wrong passwords against a real threaded server."""

import base64
import json
import logging
import re
import threading
import time

import pytest
import requests
from bs4 import BeautifulSoup
from sqlalchemy import update
from werkzeug.serving import make_server

from passfamille import config, create_app
from passfamille.backoffice import accounts, auth
from passfamille.extensions import db
from passfamille.models import Agent

from ..formclient import Browser, path_of
from .agents import PASSWORD, logged_in, make_agent

AGENT = "agent@val-fleuri.example"
DEVICE_COOKIE = "pf_appareil"
SESSION_COOKIE = "pf_agent"
LOCKED = "Trop de tentatives de connexion à ce compte depuis un navigateur inconnu"


class Counter:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()


@pytest.fixture
def password_checks(monkeypatch) -> Counter:
    """How many passwords the app has checked (calls of werkzeug's check_password_hash, from any thread)."""
    counter = Counter()
    original = auth.check_password_hash

    def counted(*args, **kwargs):
        with counter.lock:
            counter.count += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(auth, "check_password_hash", counted)
    return counter


def stranger(app) -> Browser:
    """A browser the app has never seen (no device cookie)."""
    return Browser(app.test_client())


def attempt(browser: Browser, email: str, password: str):
    page = browser.get("/agents/connexion").fill("Adresse électronique", email).fill("Mot de passe", password)
    page = page.submit("Se connecter")
    # A WSGI server closes every response once sent, which sends the lock's mail; the test client leaves it to us.
    page.response.close()
    return page


def is_logged_in(page) -> bool:
    return page.status == 200 and path_of(page.url) == "/agents/"


def log_out(browser: Browser) -> None:
    assert browser.get("/agents/").submit("Se déconnecter").h1 == "Connexion à l'espace agents"


def device_cookie(browser: Browser):
    return browser.client.get_cookie(DEVICE_COOKIE, path="/agents")


def mailed_link(mailbox, email: str, wait_seconds: float = 5) -> list[str]:
    """The device links mailed to `email` so far (the mail leaves once the page is answered: wait a little)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        bodies = [message.get_content() for message in mailbox.received(email)]
        if bodies or time.monotonic() > deadline:
            return [re.search(r"http://\S+/agents/appareil/\S+", body).group(0) for body in bodies]
        time.sleep(0.05)


def test_the_sixth_attempt_is_refused_without_checking_the_password(app, password_checks):
    make_agent(app)
    for _ in range(5):
        assert attempt(stranger(app), AGENT, "mauvais mot de passe").status == 400
    assert password_checks.count == 5
    browser = stranger(app)
    page = attempt(browser, AGENT, PASSWORD)  # the right password, from an unknown browser
    assert page.status == 429 and password_checks.count == 5  # refused, and the password was not even checked
    assert page.h1 == "Connexion à l'espace agents" and page.title.startswith("Erreur : ")
    assert page.error_summary() == [
        f"{LOCKED} : réessayez dans 15 minutes. "
        "Si ce compte existe, son agent a reçu par courriel un lien pour se connecter depuis ce navigateur."
    ]
    assert page.value("Adresse électronique") == AGENT and page.value("Mot de passe") == ""
    assert browser.client.get_cookie(SESSION_COOKIE) is None and device_cookie(browser) is None


def test_the_agents_usual_browser_still_logs_in_after_an_attackers_failures(app, password_checks):
    make_agent(app)
    usual = logged_in(app)
    assert device_cookie(usual) is not None
    log_out(usual)
    statuses = [attempt(stranger(app), AGENT, f"essai {n}").status for n in range(20)]
    assert statuses == [400] * 5 + [429] * 15
    checks = password_checks.count
    assert is_logged_in(attempt(usual, AGENT, PASSWORD))
    assert password_checks.count == checks + 1
    assert attempt(stranger(app), AGENT, PASSWORD).status == 429  # unknown browsers stay locked out


def test_a_trusted_browser_is_counted_on_its_own(app):
    make_agent(app)
    usual = logged_in(app)
    log_out(usual)
    pages = [attempt(usual, AGENT, "mauvais mot de passe") for _ in range(6)]
    assert [page.status for page in pages] == [400] * 5 + [429]
    assert "Trop de tentatives de connexion depuis ce navigateur" in pages[-1].field_error("Mot de passe")
    # Its failures did not lock the account for its agent's other browsers.
    assert is_logged_in(attempt(stranger(app), AGENT, PASSWORD))


def test_a_device_cookie_of_another_account_does_not_count(app):
    make_agent(app)
    make_agent(app, "autre@val-fleuri.example")
    other = logged_in(app, "autre@val-fleuri.example")
    log_out(other)
    for _ in range(5):
        assert attempt(stranger(app), AGENT, "mauvais mot de passe").status == 400
    assert attempt(other, AGENT, PASSWORD).status == 429


def test_a_mailed_link_trusts_a_new_browser_and_only_once(app, mailbox, caplog):
    caplog.set_level(logging.INFO)
    make_agent(app)
    for _ in range(5):
        assert attempt(stranger(app), AGENT, "mauvais mot de passe").status == 400
    assert mailbox.received(AGENT) == []  # nothing before the lock
    new = stranger(app)
    assert LOCKED in attempt(new, AGENT, PASSWORD).field_error("Mot de passe")
    for _ in range(3):
        assert attempt(stranger(app), AGENT, "mauvais mot de passe").status == 429
    links = mailed_link(mailbox, AGENT)
    assert len(links) == 1  # once per lock window
    message = mailbox.received(AGENT)[0]
    assert message["Subject"] == "Espace agents : connexion bloquée depuis un navigateur inconnu"
    assert "pendant 60 minutes" in message.get_content()
    link = links[0]
    assert link.startswith("http://127.0.0.1:5000/agents/appareil/")
    token = link.rsplit("/", 1)[1]
    assert not any(token in record.getMessage() for record in caplog.records)

    # Opening the link (as a mail scanner does) does not use it: the button does.
    assert new.get(path_of(link)).h1 == "Reconnaître ce navigateur"
    page = new.get(path_of(link))
    assert "agent@val-fleuri.example" in page.text and device_cookie(new) is None
    page = page.submit("Reconnaître ce navigateur")
    assert path_of(page.url) == "/agents/connexion" and device_cookie(new) is not None
    assert is_logged_in(attempt(new, AGENT, PASSWORD))

    # Once only: neither opened nor pressed again, from any browser.
    late = stranger(app)
    page = late.get(path_of(link))
    assert page.status == 404 and page.h1 == "Ce lien ne fonctionne plus"
    csrf_token = late.get("/agents/connexion").soup.select_one("input[name=csrf_token]")["value"]
    assert late.post(path_of(link), {"csrf_token": csrf_token}).status == 404
    assert device_cookie(late) is None
    assert attempt(late, AGENT, PASSWORD).status == 429


def test_a_tampered_or_expired_device_link_does_not_work(app, mailbox, monkeypatch):
    make_agent(app)
    for _ in range(6):
        attempt(stranger(app), AGENT, "mauvais mot de passe")
    (link,) = mailed_link(mailbox, AGENT)
    assert stranger(app).get(path_of(link)[:-2] + "xx").status == 404
    monkeypatch.setattr(auth, "DEVICE_LINK_MAX_AGE", -1)  # as if an hour had passed
    assert stranger(app).get(path_of(link)).status == 404


def test_a_lock_reads_the_same_whether_the_account_exists_and_mails_only_an_active_one(app, mailbox):
    make_agent(app)
    make_agent(app, "inactif@val-fleuri.example")
    with app.app_context():
        accounts.disable("inactif@val-fleuri.example")
    messages = []
    for email in (AGENT, "inconnu@val-fleuri.example", "inactif@val-fleuri.example"):
        pages = [attempt(stranger(app), email, "mauvais mot de passe") for _ in range(6)]
        assert [page.status for page in pages] == [400] * 5 + [429]
        messages.append(pages[-1].field_error("Mot de passe"))
    assert messages[0] == messages[1] == messages[2]
    assert len(mailed_link(mailbox, AGENT)) == 1
    time.sleep(0.2)
    assert [message["To"] for message in mailbox.received()] == [AGENT]


def test_the_per_address_limit_spares_trusted_browsers(app):
    make_agent(app)
    usual = logged_in(app)  # one attempt from this address
    log_out(usual)
    for n in range(29):
        assert attempt(stranger(app), f"essai{n}@x.fr", "x").status == 400
    page = attempt(stranger(app), "encore@x.fr", "x")
    assert page.status == 429
    assert page.field_error("Mot de passe") == (
        "Erreur : Trop de tentatives de connexion depuis votre réseau : réessayez dans 15 minutes."
    )
    assert attempt(stranger(app), AGENT, PASSWORD).status == 429  # the right password, from an unknown browser
    assert is_logged_in(attempt(usual, AGENT, PASSWORD))


def test_a_success_forgets_the_accounts_count(app):
    make_agent(app)
    for _ in range(4):
        assert attempt(stranger(app), AGENT, "mauvais mot de passe").status == 400
    assert is_logged_in(attempt(stranger(app), AGENT, PASSWORD))
    statuses = [attempt(stranger(app), AGENT, "mauvais mot de passe").status for _ in range(6)]
    assert statuses == [400] * 5 + [429]


def test_the_limits_come_from_the_environment(app_config, monkeypatch, tmp_path):
    assert config.from_environment(tmp_path)["LOGIN_ATTEMPTS"] == 5
    assert config.from_environment(tmp_path)["LOGIN_ATTEMPTS_PER_ADDRESS"] == 30
    monkeypatch.setenv("PASSFAMILLE_LOGIN_ATTEMPTS", "2")
    monkeypatch.setenv("PASSFAMILLE_LOGIN_ATTEMPTS_PER_ADDRESS", "4")
    app = create_app(app_config)
    assert [attempt(stranger(app), AGENT, "x").status for _ in range(3)] == [400, 400, 429]
    assert [attempt(stranger(app), f"n{n}@x.fr", "x").status for n in range(2)] == [400, 429]


def test_an_earlier_password_link_stops_working_once_a_new_one_is_sent(app, admin_browser):
    result = app.test_cli_runner().invoke(args=["agents", "create", AGENT])
    first = re.search(r"http://\S+/agents/mot-de-passe/\S+", result.output).group(0)
    with app.app_context():
        second = accounts.new_password_link(AGENT)
    page = admin_browser.get("/agents/comptes").submit(f"Nouveau lien de mot de passe pour {AGENT}")
    third = page.soup.select_one(".one-time-link code").get_text(strip=True)
    for link in (first, second):
        page = stranger(app).get(path_of(link))
        assert page.status == 404 and page.h1 == "Ce lien ne fonctionne plus"
    page = stranger(app).get(path_of(third))
    page = page.fill("Nouveau mot de passe", PASSWORD).fill("Confirmez le mot de passe", PASSWORD)
    assert is_logged_in(page.submit("Enregistrer le mot de passe"))
    assert stranger(app).get(path_of(third)).status == 404  # used once
    with app.app_context():
        assert auth.find_agent(AGENT).link_nonce is None


def test_a_password_link_is_used_once_even_by_two_tabs(app):
    result = app.test_cli_runner().invoke(args=["agents", "create", AGENT])
    link = path_of(re.search(r"http://\S+/agents/mot-de-passe/\S+", result.output).group(0))
    tabs = []
    for password in (PASSWORD, "une autre phrase de passe longue"):
        page = stranger(app).get(link)
        tabs.append(page.fill("Nouveau mot de passe", password).fill("Confirmez le mot de passe", password))
    assert is_logged_in(tabs[0].submit("Enregistrer le mot de passe"))
    assert tabs[1].submit("Enregistrer le mot de passe").status == 404
    # Two submissions at once: each read the link as valid, the first to write uses it up, the second gets False.
    with app.app_context():
        accounts.new_password_link(AGENT)
        agent = auth.find_agent(AGENT)
        with db.engine.begin() as connection:
            connection.execute(update(Agent).values(link_nonce=None, password_hash="écrit par l'autre onglet"))
        assert not auth.choose_password(agent, PASSWORD)
        assert db.session.get(Agent, agent.id).password_hash == "écrit par l'autre onglet"


def test_the_device_cookie_is_signed_opaque_and_flagged(app, app_config):
    make_agent(app)
    page = attempt(stranger(app), AGENT, PASSWORD)
    (redirect,) = page.response.history
    (cookie,) = [c for c in redirect.headers.getlist("Set-Cookie") if c.startswith(f"{DEVICE_COOKIE}=")]
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    flags = [flag.strip().lower() for flag in cookie.split(";")[1:]]
    assert "httponly" in flags and "samesite=strict" in flags and "path=/agents" in flags
    assert "secure" not in flags and any(flag.startswith("max-age=") for flag in flags)
    payload = json.loads(base64.urlsafe_b64decode(value.split(".")[0] + "=="))
    assert set(payload) == {"agent", "nonce"} and "val-fleuri" not in value
    # A value changed by hand (its signature kept) is not trusted.
    forged = base64.urlsafe_b64encode(json.dumps({"agent": 1, "nonce": "0" * 32}).encode()).decode().rstrip("=")
    browser = stranger(app)
    browser.client.set_cookie(DEVICE_COOKIE, forged + "." + value.split(".", 1)[1], path="/agents")
    for _ in range(5):
        attempt(stranger(app), AGENT, "mauvais mot de passe")
    assert attempt(browser, AGENT, PASSWORD).status == 429

    secure = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    make_agent(secure, "securise@val-fleuri.example")
    page = attempt(stranger(secure), "securise@val-fleuri.example", PASSWORD)
    cookies = page.response.history[0].headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} >= {DEVICE_COOKIE, SESSION_COOKIE}
    assert all("; Secure" in c for c in cookies if c.startswith((DEVICE_COOKIE, SESSION_COOKIE)))


def test_x_forwarded_for_without_proxies_is_warned_once(app_config, caplog):
    caplog.set_level(logging.WARNING, logger="passfamille")
    app = create_app(app_config)
    client = app.test_client()
    client.get("/agents/connexion")
    assert not [r for r in caplog.records if "PASSFAMILLE_PROXIES" in r.getMessage()]
    for address in ("203.0.113.7", "198.51.100.9"):
        client.get("/agents/connexion", headers={"X-Forwarded-For": address})
    warnings = [r for r in caplog.records if "PASSFAMILLE_PROXIES" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "203.0.113.7" not in caplog.text and "198.51.100.9" not in caplog.text


def test_with_proxies_the_forwarded_address_is_counted_and_nothing_is_warned(app_config, caplog):
    caplog.set_level(logging.WARNING, logger="passfamille")
    app = create_app({**app_config, "PROXIES": 1, "LOGIN_ATTEMPTS_PER_ADDRESS": 2})

    def from_address(address: str) -> int:
        client = app.test_client()
        page = client.get("/agents/connexion", headers={"X-Forwarded-For": address})
        token = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one("input[name=csrf_token]")
        data = {"csrf_token": token["value"], "email": f"{address}@x.fr", "password": "x"}
        return client.post("/agents/connexion", data=data, headers={"X-Forwarded-For": address}).status_code

    assert [from_address("203.0.113.7") for _ in range(3)] == [400, 400, 429]
    assert from_address("198.51.100.9") == 400  # another client behind the same proxy
    assert not [r for r in caplog.records if "PASSFAMILLE_PROXIES" in r.getMessage()]


# --- against a real server ---------------------------------------------------------------------------------------


@pytest.fixture
def live_url(app):
    """The app served by werkzeug's threaded server (one thread per request) on the test's database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_forty_simultaneous_wrong_passwords_are_checked_at_most_five_times(app, live_url, password_checks, mailbox):
    make_agent(app)
    # All 40 come from 127.0.0.1: the per-address limit (30) would refuse some of the first five as well.
    app.config["LOGIN_ATTEMPTS_PER_ADDRESS"] = 1000
    sessions = []
    for _ in range(40):
        session = requests.Session()
        page = session.get(f"{live_url}/agents/connexion", timeout=30)
        # The CSRF token's secret lives in Flask's session cookie, kept by this requests.Session.
        token = BeautifulSoup(page.text, "html.parser").select_one("input[name=csrf_token]")["value"]
        sessions.append((session, token))
    barrier = threading.Barrier(len(sessions))
    answers: list[tuple[int, str] | str] = [""] * len(sessions)

    def send(index: int, session: requests.Session, token: str) -> None:
        try:
            barrier.wait(timeout=30)
            data = {"csrf_token": token, "email": AGENT, "password": f"mauvais {index}"}
            response = session.post(f"{live_url}/agents/connexion", data=data, allow_redirects=False, timeout=60)
            answers[index] = (response.status_code, response.text)
        except (requests.RequestException, threading.BrokenBarrierError) as error:
            answers[index] = f"{type(error).__name__}: {error}"

    threads = [threading.Thread(target=send, args=(i, *pair)) for i, pair in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = [answer[0] if isinstance(answer, tuple) else answer for answer in answers]
    incorrect = [a for a in answers if isinstance(a, tuple) and a[0] == 400 and "mot de passe incorrect" in a[1]]
    too_many = [a for a in answers if isinstance(a, tuple) and a[0] == 429 and "Trop de tentatives" in a[1]]
    assert len(incorrect) + len(too_many) == 40, statuses
    assert len(incorrect) == 5 and password_checks.count == 5, (len(incorrect), password_checks.count)
    assert len(mailed_link(mailbox, AGENT)) == 1  # one mail for the lock, however many requests met it
    # The right password, now, from an unknown browser: refused unchecked.
    session, token = sessions[0]
    data = {"csrf_token": token, "email": AGENT, "password": PASSWORD}
    assert session.post(f"{live_url}/agents/connexion", data=data, allow_redirects=False, timeout=30).status_code == 429
    assert password_checks.count == 5
