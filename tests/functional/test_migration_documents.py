"""The migration that moves the proofs into the database, up and down, on SQLite and PostgreSQL: files under
instance/documents before, bytes in the database after and the same files back on a downgrade; a file missing on
the disk is named by its document's number, and its application still opens (its download answers 404)."""

import re
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from passfamille.extensions import db
from passfamille.models import Document

from ..backoffice.agents import logged_in, make_agent
from ..conftest import proofs_in_database
from ..database_apps import DATABASES, app_at
from .test_documents_storage import apply

BEFORE = "5d2a8c0e41b7"  # the last revision with the proofs' bytes in files
FIRST = b"%PDF-1.4 attestation de la CAF"
SECOND = b"\xff\xd8\xff avis d'imposition photographie"


@pytest.fixture(params=DATABASES)
def migration_app(request, app_config):
    yield from app_at(request, app_config)


def files(app) -> dict[str, bytes]:
    folder = Path(app.config["DOCUMENTS_FOLDER"])
    return {path.name: path.read_bytes() for path in folder.iterdir()} if folder.exists() else {}


def stored_names(app) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(text("SELECT id, stored_name FROM document")).all())


def test_the_proofs_move_into_the_database_and_back(migration_app, capsys):
    app = migration_app
    first, second = apply(app, FIRST), apply(app, SECOND)
    with app.app_context():
        first_id, second_id = db.session.scalars(select(Document.id).order_by(Document.id)).all()
        assert db.session.scalars(select(Document.stored_name)).all() == [None, None]

    with app.app_context():
        downgrade(revision=BEFORE)
        assert "document_content" not in inspect(db.engine).get_table_names()
    names = stored_names(app)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", names[first_id]) and names[second_id].endswith(".jpg")
    assert files(app) == {names[first_id]: FIRST, names[second_id]: SECOND}

    # A file lost before the upgrade (a disk restored from an older copy, a hand's slip): it is named, the rest moves.
    (Path(app.config["DOCUMENTS_FOLDER"]) / names[second_id]).unlink()
    capsys.readouterr()
    with app.app_context():
        upgrade()
    said = capsys.readouterr().err  # Alembic's log, where `flask db upgrade` writes it
    assert f"Justificatif n° {second_id} : fichier {names[second_id]} absent" in said, said
    assert f"Justificatif n° {first_id} " not in said
    assert "1 justificatif(s) sur 2 copié(s) dans la base" in said
    assert proofs_in_database(app) == {first_id: FIRST}
    assert stored_names(app) == names

    make_agent(app)
    agent = logged_in(app)
    for application_id, document_id, expected in ((first, first_id, 200), (second, second_id, 404)):
        page = agent.get(f"/agents/demandes/{application_id}")
        assert page.status == 200 and f"/agents/documents/{document_id}" in page.html
        assert agent.client.get(f"/agents/documents/{document_id}").status_code == expected
    assert agent.client.get(f"/agents/documents/{first_id}").data == FIRST

    # The file stays until `adhesions purge`, after the upgrade was committed; then only the missing one's row is left.
    assert files(app) == {names[first_id]: FIRST}
    purged = app.test_cli_runner().invoke(args=["adhesions", "purge"])
    assert "1 ancien(s) fichier(s) de justificatif supprimé(s)" in purged.output, purged.output
    assert files(app) == {}
    assert proofs_in_database(app) == {first_id: FIRST}

    # Down again: the moved proof is a file again, under its name.
    with app.app_context():
        downgrade(revision=BEFORE)
    assert files(app) == {names[first_id]: FIRST}
    assert stored_names(app) == names
