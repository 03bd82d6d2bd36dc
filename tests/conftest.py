"""Shared real parts for the whole run: one sandbox server, one SMTP server, one migrated database template.

Under pytest-xdist (`make test`) each worker process has its own of each; the markers `browser`, `postgres` and
`slow` are set here, from where a test lives and what it uses, so that `make test-fast` can leave them out."""

import email
import email.policy
import re
import shutil
import socket
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from jinja2 import BytecodeCache
from sqlalchemy import event, text

from passfamille import create_app, ratelimit
from passfamille.extensions import db
from passfamille.models import utcnow
from passfamille.sandbox.server import start_in_thread

from .formclient import Browser
from .postgres import TemporaryPostgres

TESTS = Path(__file__).resolve().parent
# Bench-sized data: the tests that build tens of thousands of rows to measure memory or ordering.
BENCH_SIZED = ("tests/backoffice/test_exports.py::test_a_hundred_thousand_rows_stream_in_the_memory_of_a_thousand",)


def pytest_collection_modifyitems(config, items):
    for item in items:
        folder = Path(item.path).relative_to(TESTS).parts[0]
        if folder == "browser":
            item.add_marker(pytest.mark.browser)
        params = getattr(item, "callspec", None)
        if "postgres_url" in item.fixturenames or (params and "postgresql" in params.params.values()):
            item.add_marker(pytest.mark.postgres)
        # Real gunicorn servers, and hypothesis runs of hundreds of examples per form.
        if folder in ("concurrency", "fuzz") or item.nodeid in BENCH_SIZED:
            item.add_marker(pytest.mark.slow)


def _properties(terminalreporter) -> list[dict]:
    """The user properties of every test of the run, from their teardown reports: under xdist these are the reports
    the workers sent, and the only place where what a test recorded reaches the process that prints the summary."""
    return [
        dict(report.user_properties)
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "teardown" and report.user_properties
    ]


def pytest_terminal_summary(terminalreporter, config):
    properties = _properties(terminalreporter)
    fuzzed = [p for p in properties if "fuzz_cases" in p]  # recorded by the `cases` fixture of tests/fuzz
    if fuzzed:
        cases = sum(p["fuzz_cases"] for p in fuzzed)
        seconds = sum(p["fuzz_seconds"] for p in fuzzed)
        terminalreporter.write_line(
            f"Entrées générées (hypothesis) : {cases} cas dans {len(fuzzed)} tests, {seconds:.0f} s"
        )
    journeys = [p for p in properties if "pages_loaded" in p]  # recorded by tests/browser/test_nominal_journey.py
    if journeys:
        from .browser.journey import FIGURES_KEY, describe

        # Without xdist, tests/browser/conftest.py prints this line itself; the xdist controller never loads it.
        if FIGURES_KEY not in config.stash:
            terminalreporter.write_line(f"Parcours nominal (chromium) : {describe(journeys[0])}")


@pytest.fixture(scope="session")
def sandbox():
    running = start_in_thread()
    yield running
    running.stop()


class Mailbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self.lock:
            self.messages.append(envelope)
        return "250 OK"

    def clear(self):
        with self.lock:
            self.messages.clear()

    def received(self, address: str | None = None) -> list[email.message.EmailMessage]:
        """The messages received so far (to `address` when given), parsed, oldest first."""
        with self.lock:
            envelopes = [e for e in self.messages if address is None or address in e.rcpt_tos]
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in envelopes]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    handler = Mailbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    _, handler = smtp_server
    handler.clear()
    return handler


@pytest.fixture(scope="session")
def postgres_url():
    """One throwaway PostgreSQL server for the whole run, started by the first test that asks for it; each suite
    gives each test a fresh schema (DROP SCHEMA public CASCADE, then the real migrations)."""
    # Not under pytest's tmp_path: that folder is private to root and the server runs as `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="passfamille-pg-"))
    server = TemporaryPostgres(folder)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory, sandbox):
    """A SQLite database migrated once with the real Alembic migrations; each test gets a copy."""
    from flask_migrate import upgrade

    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "API_PARTICULIER_URL": sandbox.url})
    with app.app_context():
        upgrade()
        # The last connection closed folds the WAL journal into the file: a copy of the file alone is the database.
        db.engine.dispose()
    assert not path.with_name(path.name + "-wal").exists()
    return path


def config_for(folder: Path, sandbox, smtp_server, migrated_template) -> dict:
    """An app configuration on a fresh copy of the migrated database, with the run's sandbox and SMTP server, for
    the example commune as one that identifies its families (see `edited_example_settings`)."""
    database = folder / "passfamille.db"
    shutil.copy(migrated_template, database)
    controller, _ = smtp_server
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "API_PARTICULIER_URL": sandbox.url,
        "API_PARTICULIER_TOKEN": "bac-a-sable-passfamille",
        "SMTP_URL": f"smtp://127.0.0.1:{controller.port}",
        "DOCUMENTS_FOLDER": str(folder / "documents"),
        "MAIL_FOLDER": str(folder / "mails"),
        "PASSFAMILLE_COMMUNE": str(edited_example_settings(folder / "commune-qui-identifie", lambda text: text)),
        # Agents' passwords hashed with cheap scrypt parameters (refused by create_app outside TESTING).
        "WEAK_PASSWORD_HASH_FOR_TESTS": True,
        # A commune without FranceConnect habilitation: test_franceconnect.py (functional and browser) turn it on.
        "FRANCECONNECT_URL": "",
    }


@pytest.fixture
def app_config(tmp_path, sandbox, smtp_server, migrated_template):
    return config_for(tmp_path, sandbox, smtp_server, migrated_template)


class SharedTemplates(BytecodeCache):
    """The templates compiled once per test process: each test builds its own app, whose Jinja environment would
    otherwise compile again every template the test renders (a quarter of the suite's time). A template whose source
    changed is compiled again (the bucket's checksum)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = SharedTemplates()


def _unsynced(dbapi_connection, _record):
    # Thousands of commits on throwaway databases: durability on power loss is not what is tested here.
    dbapi_connection.execute("PRAGMA synchronous = OFF")


@pytest.fixture(autouse=True)
def limit_windows_from_their_start(monkeypatch):
    """The rate limits count in fixed windows (this hour, this quarter of an hour, this minute): a test that made
    its attempts across 11:00 would see two windows and let one attempt too many through. Each test counts on a
    clock that starts a second into the next hour and runs at the real pace (less than an hour ahead of the real
    one, so that what a test counts now is not yet expired for `adhesions purge`)."""
    next_hour = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1, seconds=1)
    started, origin = time.monotonic(), next_hour
    monkeypatch.setattr(ratelimit, "utcnow", lambda: origin + timedelta(seconds=time.monotonic() - started))


@pytest.fixture
def app(app_config, sandbox):
    sandbox.clear_faults()
    application = create_app(app_config)
    application.jinja_env.bytecode_cache = TEMPLATES
    with application.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _unsynced)
            db.engine.dispose()
    yield application
    sandbox.clear_faults()


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


def proofs_in_database(app) -> dict[int, bytes]:
    """The bytes of every proof the database holds, by document number (read apart from the app's session)."""
    with app.app_context(), db.engine.connect() as connection:
        return dict(connection.execute(text("SELECT document_id, data FROM document_content")).all())


@pytest.fixture
def stored_proofs(app):
    """stored_proofs() -> the bytes of every stored proof, by document number. Nothing about a proof is ever
    written on the app's disk (an app machine may be any of several): the folder earlier versions used stays
    absent, which each call checks."""

    def read() -> dict[int, bytes]:
        assert not Path(app.config["DOCUMENTS_FOLDER"]).exists()
        return proofs_in_database(app)

    return read


def identifying(text: str) -> str:
    """The example settings of a commune that identifies families (FranceConnect) and may therefore show them
    their CAF/MSA facts. Most tests check what a family reads and use it; the shipped example hides the facts
    (API Particulier's CGU), which tests/functional/test_hidden_details.py checks on the example as shipped."""
    assert "  show_details: false" in text
    return text.replace("  show_details: false", "  show_details: true")


# The example's basis of its 2026 rule set (QF when the CAF/MSA answers, else the avis), from its comment to its
# délibération: tests/municipal_quotient.py puts it back where a test is about it.
EXAMPLE_BASIS = re.compile(
    r"      # À quoi les tranches s'appliquent.*?\n      municipal_quotient:\n(?:        [^\n]*\n)+", re.S
)


def on_the_caf_qf(text: str) -> str:
    """The example settings with the rules on the CAF/MSA quotient familial alone (the basis before issue 14):
    what most tests were written for; the avis's municipal quotient is tested with tests/municipal_quotient.py."""
    assert len(EXAMPLE_BASIS.findall(text)) == 1
    return EXAMPLE_BASIS.sub("", text)


def edited_example_settings(folder: Path, edit) -> Path:
    """A copy of the example settings (and its logo, named relative to the file) of a commune that identifies
    families, changed by edit(text) -> text."""
    from passfamille.config import DEFAULT_COMMUNE_FILE

    folder.mkdir()
    shutil.copy(DEFAULT_COMMUNE_FILE.parent / "logo-val-fleuri.svg", folder)
    settings_file = folder / "commune.yaml"
    example = on_the_caf_qf(identifying(DEFAULT_COMMUNE_FILE.read_text(encoding="utf-8")))
    settings_file.write_text(edit(example), encoding="utf-8")
    return settings_file


@pytest.fixture
def settings_without_creche(tmp_path) -> Path:
    """The example settings cut before their crèche section: a commune that offers only the Pass Famille."""
    return edited_example_settings(
        tmp_path / "commune-sans-creche", lambda text: text[: text.index("\n# Facultatif : préinscription en crèche")]
    )


@pytest.fixture
def settings_keeping_proofs(tmp_path) -> Path:
    """The example settings of a commune that keeps the proofs once an agent has checked them."""
    return edited_example_settings(
        tmp_path / "commune-garde-justificatifs",
        lambda text: text.replace("delete_documents_once_verified: true", "delete_documents_once_verified: false"),
    )
