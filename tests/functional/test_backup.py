"""`flask --app wsgi backup create|restore`: what an installer relies on. A backup taken while the service writes
is a sound database; restoring it brings back the same applications and their proofs, on SQLite and on PostgreSQL;
a backup made when the proofs were files still restores, with its proofs; a restore does nothing until it is
confirmed."""

import json
import sqlite3
import tarfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from passfamille import backup, create_app
from passfamille.extensions import db
from passfamille.models import Application, utcnow

from ..backoffice.agents import logged_in, make_agent
from ..conftest import proofs_in_database
from ..database_apps import DATABASES, app_at
from ..formclient import Browser
from .journeys import DUPONT, LEFEBVRE, add_child, fill_identity, finish, start, through_api

PROOF = b"%PDF-1.4 avis d'imposition"
# Made by `backup create` of the version before the proofs' bytes moved into the database (format 1: the proofs
# as files in documents/): two applications, DUPONT's with PROOF (document 1) and LEFEBVRE's through the API.
FILES_FORMAT_BACKUPS = Path(__file__).parent / "data"


@pytest.fixture(params=DATABASES)
def any_app(request, app_config):
    yield from app_at(request, app_config)


def submit_with_a_proof(app, proof=PROOF):
    page = start(
        Browser(app.test_client()),
        "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)",
    )
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Dernier avis d'imposition").attach("Votre justificatif", "avis.pdf", proof)
    page = page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    assert finish(add_child(page).submit("Continuer")).h1 == "Votre demande est envoyée"


def submit_through_the_api(app):
    page = through_api(Browser(app.test_client()), LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    assert finish(add_child(page).submit("Continuer")).h1 == "Votre demande est envoyée"


def flask(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def exported(app) -> list[tuple[str, str]]:
    result = flask(app, "adhesions", "export", "--format", "json")
    assert result.exit_code == 0, result.output
    return [(row["reference"], row["nom_naissance"]) for row in json.loads(result.output)]


def proofs(app) -> dict[int, bytes]:
    """The proofs' bytes, by document number; nothing of them on the app's disk."""
    folder = Path(app.config["DOCUMENTS_FOLDER"])
    assert not folder.exists() or list(folder.iterdir()) == []
    return proofs_in_database(app)


def test_restore_brings_back_the_applications_and_their_proofs(any_app, tmp_path):
    submit_with_a_proof(any_app)
    submit_through_the_api(any_app)
    before, proofs_before = exported(any_app), proofs(any_app)
    assert len(before) == 2 and list(proofs_before.values()) == [PROOF]

    created = flask(any_app, "backup", "create", str(tmp_path / "sauvegarde.tar.gz"))
    assert created.exit_code == 0, created.output
    assert "2 demande(s), 1 justificatif(s)" in created.output
    assert (tmp_path / "sauvegarde.tar.gz").stat().st_mode & 0o077 == 0  # personal data: its owner only
    with tarfile.open(tmp_path / "sauvegarde.tar.gz") as archive:  # the proofs are in the database
        assert sorted(archive.getnames()) == sorted(["sauvegarde.json", backup.MEMBERS[any_app_dialect(any_app)]])

    # Life goes on, then goes wrong: the first application purged with its proof, another one with a new proof, and
    # a table from a later migration that points at the applications.
    with any_app.app_context():
        db.session.scalars(select(Application).order_by(Application.id)).first().purge_after = utcnow() - timedelta(1)
        db.session.commit()
    assert "1 demande(s) et 1 justificatif(s)" in flask(any_app, "adhesions", "purge").output
    submit_with_a_proof(any_app, proof=b"%PDF-1.4 un autre")
    with any_app.app_context():
        db.session.execute(text("CREATE TABLE plus_tard (id INTEGER PRIMARY KEY REFERENCES application(id))"))
        db.session.commit()
    assert exported(any_app) != before and proofs(any_app) != proofs_before

    restored = flask(any_app, "backup", "restore", "--yes", str(tmp_path / "sauvegarde.tar.gz"))

    assert restored.exit_code == 0, restored.output
    assert "Restauration terminée : " in restored.output and "2 demande(s), 1 justificatif(s)" in restored.output
    assert exported(any_app) == before
    assert proofs(any_app) == proofs_before  # the proof is back, the one sent after the backup is gone
    with any_app.app_context():
        assert "plus_tard" not in db.inspect(db.engine).get_table_names()
    # The restored service keeps working: a new application is recorded next to the restored ones.
    submit_through_the_api(any_app)
    assert exported(any_app)[:2] == before and len(exported(any_app)) == 3


def test_restore_into_an_empty_database_as_on_a_new_server(any_app, tmp_path):
    submit_with_a_proof(any_app)
    before, proofs_before = exported(any_app), proofs(any_app)
    assert flask(any_app, "backup", "create", str(tmp_path / "sauvegarde.tar.gz")).exit_code == 0
    with any_app.app_context():
        db.engine.dispose()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        else:
            Path(db.engine.url.database).unlink()

    restored = flask(any_app, "backup", "restore", "--yes", str(tmp_path / "sauvegarde.tar.gz"))

    assert restored.exit_code == 0, restored.output
    assert exported(any_app) == before and proofs(any_app) == proofs_before


def any_app_dialect(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def test_a_backup_made_when_proofs_were_files_restores_them_into_the_database(any_app, tmp_path):
    old = FILES_FORMAT_BACKUPS / f"sauvegarde-format-1-{any_app_dialect(any_app)}.tar.gz"
    submit_through_the_api(any_app)  # what the restore replaces

    restored = flask(any_app, "backup", "restore", "--yes", str(old))

    assert restored.exit_code == 0, restored.output
    assert "une version qui gardait les justificatifs en fichiers" in restored.output
    assert "Restauration terminée : " in restored.output and "2 demande(s), 1 justificatif(s)" in restored.output
    assert [name for _, name in exported(any_app)] == ["DUPONT", "LEFEBVRE"]
    assert proofs(any_app) == {1: PROOF}  # in the database, and no file left behind
    with any_app.app_context():
        assert "document_content" in db.inspect(db.engine).get_table_names()
    make_agent(any_app)
    agent = logged_in(any_app)
    assert agent.get("/agents/demandes/1").status == 200
    assert agent.client.get("/agents/documents/1").data == PROOF
    # The restored service keeps working, and its next backup holds the restored proof.
    submit_with_a_proof(any_app, proof=b"%PDF-1.4 un autre")
    assert flask(any_app, "backup", "create", str(tmp_path / "apres.tar.gz")).exit_code == 0
    with any_app.app_context():
        assert backup.read_manifest(tmp_path / "apres.tar.gz").documents == 2


def test_restore_without_yes_refuses_and_changes_nothing(app, tmp_path):
    submit_with_a_proof(app)
    assert flask(app, "backup", "create", str(tmp_path / "sauvegarde.tar.gz")).exit_code == 0
    submit_through_the_api(app)
    before, proofs_before = exported(app), proofs(app)

    refused = flask(app, "backup", "restore", str(tmp_path / "sauvegarde.tar.gz"))

    assert refused.exit_code != 0
    assert "1 demande(s), 1 justificatif(s)" in refused.output  # what the backup holds
    assert "Relancez avec --yes pour confirmer. Rien n'a été modifié." in refused.output
    assert exported(app) == before and len(before) == 2
    assert proofs(app) == proofs_before


def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    submit_through_the_api(app)
    (tmp_path / "autre.tar.gz").write_bytes(b"pas une archive")

    for path in (tmp_path / "autre.tar.gz", tmp_path / "absente.tar.gz"):
        result = flask(app, "backup", "restore", "--yes", str(path))
        assert result.exit_code != 0
        assert "n'est pas une sauvegarde de Pass Famille lisible" in result.output or "n'existe pas" in result.output
    assert len(exported(app)) == 1


def test_a_backup_never_replaces_an_existing_file(app, tmp_path):
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    (folder / "sauvegarde.tar.gz").write_bytes(b"la sauvegarde d'hier")
    result = flask(app, "backup", "create", str(folder / "sauvegarde.tar.gz"))
    assert result.exit_code != 0 and "existe déjà" in result.output
    assert (folder / "sauvegarde.tar.gz").read_bytes() == b"la sauvegarde d'hier"
    assert [p.name for p in folder.iterdir()] == ["sauvegarde.tar.gz"]  # no leftover partial file


def test_a_sqlite_backup_taken_while_another_connection_writes_is_whole_and_sound(app, tmp_path):
    """A worker keeps committing batches of ten rows while the backup runs: it is never stopped, and the copy is a
    sound database holding whole batches only."""
    with app.app_context():
        path = db.engine.url.database
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("CREATE TABLE ecriture (lot INTEGER, n INTEGER, contenu BLOB)")
    # Some volume, so that the copy takes a while.
    writer.execute(
        "INSERT INTO ecriture WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 1999) "
        "SELECT -1, n, randomblob(4096) FROM i"
    )
    commits, stop, errors = [], threading.Event(), []

    def write():
        lot = 0
        try:
            while not stop.is_set():
                writer.execute("BEGIN IMMEDIATE")
                writer.executemany("INSERT INTO ecriture VALUES (?, ?, randomblob(512))", [(lot, n) for n in range(10)])
                writer.execute("COMMIT")
                commits.append(time.monotonic())
                lot += 1
        except sqlite3.Error as error:
            errors.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while len(commits) < 20:
            time.sleep(0.01)
        started = time.monotonic()
        result = flask(app, "backup", "create", str(tmp_path / "sauvegarde.tar.gz"))
        ended = time.monotonic()
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert result.exit_code == 0, result.output
    assert errors == []
    assert any(started < moment < ended for moment in commits), "the writer waited for the whole backup"

    with tarfile.open(tmp_path / "sauvegarde.tar.gz") as archive:
        archive.extract("base.sqlite", tmp_path, filter="data")
    copy = sqlite3.connect(tmp_path / "base.sqlite")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file, no -wal beside it
        torn = copy.execute("SELECT lot FROM ecriture WHERE lot >= 0 GROUP BY lot HAVING count(*) != 10").fetchall()
        assert torn == []
        assert copy.execute("SELECT count(*) FROM ecriture WHERE lot >= 0").fetchone()[0] >= 200
    finally:
        copy.close()


def test_a_backup_into_a_folder_is_dated_and_keeps_the_newest(app, tmp_path):
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    for old in ("passfamille-2020-01-01-020000.tar.gz", "passfamille-2020-01-02-020000.tar.gz"):
        (folder / old).write_bytes(b"ancienne")
    (folder / "notes.txt").write_text("à garder")

    result = flask(app, "backup", "create", "--keep", "2", str(folder))

    assert result.exit_code == 0, result.output
    assert f"Ancienne sauvegarde supprimée : {folder / 'passfamille-2020-01-01-020000.tar.gz'}" in result.output
    names = sorted(p.name for p in folder.iterdir())
    assert names[0] == "notes.txt" and names[1] == "passfamille-2020-01-02-020000.tar.gz"
    assert len(names) == 3 and backup.DATED_PATTERN.fullmatch(names[2])
    with app.app_context():  # the dated file is a real backup
        assert backup.read_manifest(folder / names[2]).applications == 0


def test_the_postgresql_password_never_reaches_a_command_line_nor_a_message(app_config):
    url = "postgresql+psycopg://passfamille:s3cr%40t@127.0.0.1:1/passfamille?sslmode=disable&connect_timeout=2"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        conninfo, environment = backup._postgres_connection()
    assert conninfo == "postgresql://passfamille@127.0.0.1:1/passfamille?connect_timeout=2&sslmode=disable"
    assert environment["PGPASSWORD"] == "s3cr@t"

    result = flask(app, "backup", "create", str(Path(app_config["DOCUMENTS_FOLDER"]).parent / "s.tar.gz"))
    assert result.exit_code != 0
    assert "La base configurée (DATABASE_URL) ne répond pas" in result.output
    assert "s3cr" not in result.output
