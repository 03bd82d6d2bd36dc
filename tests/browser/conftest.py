"""Browser fixtures: one live app server and one Debian chromium per test session, a fresh context per test.

Playwright's sync API drives chromium from the main thread; the app is served by werkzeug in a daemon thread,
against the session's API Particulier sandbox and local SMTP server (tests/conftest.py).
"""

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import sync_playwright
from sqlalchemy import delete
from werkzeug.serving import WSGIRequestHandler, make_server

from passfamille import create_app
from passfamille.extensions import db
from passfamille.models import RateBucket

from ..conftest import config_for
from .journey import COUNTS_KEY, FIGURES_KEY, describe

# Debian's chromium, never a downloaded build: Playwright's own browser download is blocked here (ecosystem.md §2.3).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # required when running as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
ACTION_TIMEOUT_MS = 10_000  # a missing label should fail in seconds, not after Playwright's default 30 s


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (the -s output stays readable); errors are still logged."""

    def log_request(self, code="-", size="-"):
        pass


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, sandbox, smtp_server, migrated_template):
    folder = tmp_path_factory.mktemp("browser")
    app = create_app(config_for(folder, sandbox, smtp_server, migrated_template))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def fresh_limits_on_the_live_server(request):
    """Each browser test is a new family on the shared live server: the limits' counters (per connection address:
    every test comes from 127.0.0.1) start from zero, as they do for each test's own app, instead of adding up over
    the whole session until « Trop de vérifications depuis cette connexion »."""
    if "live_server" in request.fixturenames:
        app = request.getfixturevalue("live_server").app
        with app.app_context():
            db.session.execute(delete(RateBucket))
            db.session.commit()


@pytest.fixture
def other_live_server(tmp_path, sandbox, smtp_server, migrated_template):
    """Starts, on demand, another live server with its own database and `changes` to the configuration (e.g. another
    API Particulier token); each is stopped at the end of the test."""
    running = []

    def start(**changes) -> LiveServer:
        folder = tmp_path / f"serveur-{len(running) + 1}"
        folder.mkdir()
        app = create_app({**config_for(folder, sandbox, smtp_server, migrated_template), **changes})
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
        thread = threading.Thread(target=server.serve_forever, name=f"live-server-{len(running) + 1}", daemon=True)
        thread.start()
        running.append((server, thread))
        return LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)

    yield start
    for server, thread in running:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} est absent : apt-get install chromium (les tests navigateur l'utilisent)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def new_page_on(chromium):
    """Opens pages of a given server (the session's, or other_live_server) in fresh contexts, closed at the end."""
    contexts = []

    def open_page(server: LiveServer, viewport=DESKTOP):
        context = chromium.new_context(base_url=server.url, locale="fr-FR", viewport=viewport)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_page_on, live_server, sandbox):
    """Opens pages of the session's server in fresh browser contexts (own cookies), closed at the end of the test."""
    sandbox.clear_faults()

    def open_page(viewport=DESKTOP):
        return new_page_on(live_server, viewport)

    return open_page


@pytest.fixture
def page(new_page):
    return new_page()


def pytest_terminal_summary(terminalreporter, config):
    figures = config.stash.get(FIGURES_KEY, None)
    if figures:
        terminalreporter.write_line(f"Parcours nominal (chromium) : {describe(figures)}")
    for line in config.stash.get(COUNTS_KEY, []):
        terminalreporter.write_line(line)
