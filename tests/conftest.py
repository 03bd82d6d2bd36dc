"""Shared real parts for the whole run: one sandbox server, one SMTP server, one migrated database template."""

import email
import email.policy
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from passfamille import create_app
from passfamille.sandbox.server import start_in_thread

from .formclient import Browser
from .postgres import TemporaryPostgres


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
    }


@pytest.fixture
def app_config(tmp_path, sandbox, smtp_server, migrated_template):
    return config_for(tmp_path, sandbox, smtp_server, migrated_template)


@pytest.fixture
def app(app_config, sandbox):
    sandbox.clear_faults()
    application = create_app(app_config)
    yield application
    sandbox.clear_faults()


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def documents_folder(app) -> Path:
    return Path(app.config["DOCUMENTS_FOLDER"])


def identifying(text: str) -> str:
    """The example settings of a commune that identifies families (FranceConnect) and may therefore show them
    their CAF/MSA facts. Most tests check what a family reads and use it; the shipped example hides the facts
    (API Particulier's CGU), which tests/functional/test_hidden_details.py checks on the example as shipped."""
    assert "  show_details: false" in text
    return text.replace("  show_details: false", "  show_details: true")


def edited_example_settings(folder: Path, edit) -> Path:
    """A copy of the example settings (and its logo, named relative to the file) of a commune that identifies
    families, changed by edit(text) -> text."""
    from passfamille.config import DEFAULT_COMMUNE_FILE

    folder.mkdir()
    shutil.copy(DEFAULT_COMMUNE_FILE.parent / "logo-val-fleuri.svg", folder)
    settings_file = folder / "commune.yaml"
    settings_file.write_text(edit(identifying(DEFAULT_COMMUNE_FILE.read_text(encoding="utf-8"))), encoding="utf-8")
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
