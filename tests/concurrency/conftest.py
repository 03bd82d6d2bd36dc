"""A real server for each test: gunicorn (2 processes × 16 threads) on a fresh database, SQLite then PostgreSQL,
with the run's sandbox and SMTP server. The in-process `app` on the same database sets up what a test needs
(agents, crèche requests) and reads what the requests left behind."""

import time

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from passfamille import create_app
from passfamille.extensions import db
from passfamille.models import OutboxMessage

from ..backoffice.agents import PASSWORD, make_agent
from ..conftest import config_for
from . import browsers
from .server import LiveServer

# The per-address and per-second limits guard API Particulier and the drafts table against one client; here one
# address sends hundreds of requests on purpose. A test about the limits themselves overrides `limits`.
UNLIMITED = 10**6
LIMIT_KEYS = (
    "LOOKUPS_PER_ADDRESS_HOUR",
    "DRAFTS_PER_ADDRESS_HOUR",
    "API_CALLS_PER_SECOND",
    "API_CALLS_PER_MINUTE",
    "LOGIN_ATTEMPTS_PER_ADDRESS",
)


@pytest.fixture
def limits() -> dict:
    return dict.fromkeys(LIMIT_KEYS, UNLIMITED)


@pytest.fixture(params=["sqlite", "postgresql"])
def live_config(request, tmp_path, sandbox, smtp_server, migrated_template, limits) -> dict:
    config = {**config_for(tmp_path, sandbox, smtp_server, migrated_template), **limits}
    config["TESTING"] = False  # errors as in production: the app's 500 page, the traceback in the server's log
    # Passwords as in production too: create_app refuses the tests' cheap hash without TESTING.
    config["WEAK_PASSWORD_HASH_FOR_TESTS"] = False
    if request.param == "postgresql":
        config["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("postgres_url")
    return config


@pytest.fixture
def app(live_config, sandbox):
    """The app in this process, on the live server's database (overrides the suite's `app`)."""
    sandbox.clear_faults()
    application = create_app(live_config)
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            # The server is shared by the run: each test starts on an empty schema, migrated for real.
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()
    sandbox.clear_faults()


@pytest.fixture
def live(app, live_config, tmp_path):
    server = LiveServer(live_config, tmp_path / "gunicorn.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def new_browser(live):
    """A fresh browser (no cookie) on the live server, driven by label like tests/formclient.Browser."""
    return lambda: browsers.browser(live.url)


AGENT = "agent@val-fleuri.example"


@pytest.fixture
def agent_browser(app, new_browser):
    """An agent logged in through the live server's log-in page (account made as `flask agents create` does)."""
    make_agent(app, AGENT)
    browser = new_browser()
    page = browser.get("/agents/connexion").fill("Adresse électronique", AGENT).fill("Mot de passe", PASSWORD)
    page = page.submit("Se connecter")
    assert page.h1 != "Connexion à l'espace agents", page.error_summary()
    return browser


class SentMailbox:
    """The run's mailbox, read once the outbox is empty: the live server sends a mail just after the response that
    queued it (passfamille/outbox.py), so a test reading right after its last response could miss it. A message
    leaves the outbox once the SMTP server has accepted it, so an empty outbox means the mailbox holds every mail
    sent (a duplicate included). Cleared the same way: a late mail of the set-up must not count for the test."""

    def __init__(self, mailbox, app):
        self.mailbox, self.app = mailbox, app

    def _sent(self, seconds: float = 30.0) -> None:
        deadline = time.monotonic() + seconds
        waiting = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.given_up_at.is_(None))
        with self.app.app_context():
            while db.session.scalar(waiting) and time.monotonic() < deadline:
                db.session.rollback()  # a fresh snapshot for the next look
                time.sleep(0.05)

    def received(self, address: str | None = None):
        self._sent()
        return self.mailbox.received(address)

    def clear(self) -> None:
        self._sent()
        self.mailbox.clear()


@pytest.fixture
def mailbox(mailbox, app):
    """The suite's mailbox, read once the live server has sent what it queued (overrides the suite's `mailbox`)."""
    return SentMailbox(mailbox, app)
