"""`flask --app wsgi backup create|restore`: one file holds the database, and so the proofs (their bytes are in it).

A backup is a .tar.gz: `sauvegarde.json` (what it holds) and the database (`base.sqlite`, a copy made by SQLite's
online backup API; or `base.dump`, pg_dump's custom format). It is taken while the service runs: SQLite's copy and
pg_dump each read one consistent state of the database, proofs included. A restore makes the database exactly what
the backup holds. The password of PostgreSQL goes to pg_dump and pg_restore in their environment (PGPASSWORD), never
on a command line nor in a message.

A backup of format 1, made by the versions that kept the proofs as files under instance/documents, also holds
`documents/`: restoring it puts those files back in that folder, then migrates the restored database to this
version, which copies them into the database (the migration that moved the proofs), on the machine that has them.
"""

import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from . import documents, formatting
from .extensions import db
from .models import utcnow

FORMAT = 2
FILES_FORMAT = 1  # the proofs as files beside the database, before their bytes moved into it
MANIFEST = "sauvegarde.json"
MEMBERS = {"sqlite": "base.sqlite", "postgresql": "base.dump"}
DOCUMENTS = "documents/"
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The names the versions with files gave (random hex and an extension): nothing else was written into the folder.
STORED_NAME = re.compile(r"[A-Za-z0-9_-]{1,70}\.[a-z]{2,4}")
DATED_NAME = "passfamille-{:%Y-%m-%d-%H%M%S}.tar.gz"
DATED_PATTERN = re.compile(r"passfamille-\d{4}-\d\d-\d\d-\d{6}\.tar\.gz")
SQLITE_BUSY_SECONDS = 30


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message, in French, says why and what to do."""


@dataclass(frozen=True)
class Contents:
    """What a backup holds (its manifest), or what a database holds after a restore."""

    database: str
    created_at: datetime
    revision: str | None
    applications: int
    documents: int
    missing_documents: int = 0
    format: int = FORMAT

    def describe(self) -> str:
        missing = f", {self.missing_documents} justificatif(s) absent(s)" if self.missing_documents else ""
        return (
            f"base {LABELS[self.database]}, {self.applications} demande(s), {self.documents} justificatif(s){missing}"
        )


# --- Create --------------------------------------------------------------------------------------------------


def create(destination: Path) -> Contents:
    """Write a backup to `destination` (which must not exist), readable by its owner only."""
    dialect = _dialect()
    if destination.exists():
        raise BackupError(f"{destination} existe déjà : choisissez un autre nom (une sauvegarde n'est jamais écrasée).")
    if not destination.parent.is_dir():
        raise BackupError(f"Le dossier {destination.parent} n'existe pas.")
    if "document_content" not in inspect(db.engine).get_table_names():
        raise BackupError("La base n'est pas à jour : lancez `flask --app wsgi db upgrade`, puis la sauvegarde.")
    # Written beside its destination under a temporary name, then linked into place: a backup interrupted by a
    # full disk or a stop leaves no file that looks complete. mkstemp creates it readable by its owner only.
    handle, partial = tempfile.mkstemp(dir=destination.parent, prefix=".passfamille-", suffix=".partiel")
    os.close(handle)
    try:
        with (
            tempfile.TemporaryDirectory(dir=destination.parent, prefix=".passfamille-") as work,
            tarfile.open(partial, "w:gz") as archive,
        ):
            database_file = Path(work) / MEMBERS[dialect]
            revision, applications, stored, missing = (
                _sqlite_copy(database_file) if dialect == "sqlite" else _postgres_dump(database_file)
            )
            archive.add(database_file, arcname=MEMBERS[dialect])
            contents = Contents(dialect, utcnow(), revision, applications, stored, missing)
            _add_manifest(archive, contents)
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        _move_without_replacing(Path(partial), destination)
    finally:
        Path(partial).unlink(missing_ok=True)
    return contents


def _move_without_replacing(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)  # fails if a file appeared there meanwhile
    except FileExistsError:
        raise BackupError(f"{destination} existe déjà : choisissez un autre nom.") from None
    except OSError:  # a file system without hard links
        source.rename(destination)


def create_dated(folder: Path, keep: int | None) -> tuple[Path, Contents, list[Path]]:
    """A backup named after the time (UTC) in `folder`; then only the `keep` newest dated backups stay."""
    destination = folder / DATED_NAME.format(utcnow())
    contents = create(destination)
    removed = []
    if keep:
        dated = sorted(p for p in folder.iterdir() if DATED_PATTERN.fullmatch(p.name) and p.is_file())
        removed = dated[:-keep]
        for old in removed:
            old.unlink()
    return destination, contents, removed


def _sqlite_copy(copy: Path) -> tuple[str | None, int, int, int]:
    source = sqlite3.connect(_sqlite_path(), timeout=SQLITE_BUSY_SECONDS)
    target = sqlite3.connect(copy)
    try:
        # One step (pages=-1): one read transaction over the whole copy, so one committed state, whatever the
        # workers write meanwhile (in WAL they keep writing; otherwise they wait for the copy to end).
        source.backup(target)
        # The copy stands alone: no -wal file beside it.
        target.execute("PRAGMA journal_mode = DELETE")
        check = target.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"La copie de la base SQLite est invalide ({check}) : sauvegarde abandonnée.")
        return _facts(lambda sql: target.execute(sql).fetchall())
    finally:
        target.close()
        source.close()


def _postgres_dump(dump: Path) -> tuple[str | None, int, int, int]:
    conninfo, environment = _postgres_connection()
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection, connection.begin():
        # pg_dump reads the very state this transaction sees (an exported snapshot): the manifest's figures and the
        # dump agree, whatever is written meanwhile.
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        facts = _facts(lambda sql: connection.execute(text(sql)).all())
        _run(
            [_postgres_binary("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}", conninfo],
            environment,
            "pg_dump",
        )
    return facts


def _facts(query: Callable[[str], list]) -> tuple[str | None, int, int, int]:
    """The schema's revision, the number of applications, of proofs whose bytes the database holds, and of proofs
    whose bytes it lacks (files the migration into the database found missing)."""
    revision = query("SELECT version_num FROM alembic_version")
    applications = query("SELECT count(*) FROM application")[0][0]
    stored = query("SELECT count(*) FROM document_content")[0][0]
    documents_count = query("SELECT count(*) FROM document")[0][0]
    return (revision[0][0] if revision else None), applications, stored, documents_count - stored


def _stored_names(query: Callable[[str], list]) -> set[str]:
    """A database of the versions with files: the name of each proof's file."""
    return {name for (name,) in query("SELECT stored_name FROM document")}


def _add_manifest(archive: tarfile.TarFile, contents: Contents) -> None:
    payload = json.dumps(
        {
            "format": FORMAT,
            "database": contents.database,
            "created_at": contents.created_at.isoformat(timespec="seconds") + "Z",
            "revision": contents.revision,
            "applications": contents.applications,
            "documents": contents.documents,
            "missing_documents": contents.missing_documents,
        },
        indent=2,
    ).encode()
    member = tarfile.TarInfo(MANIFEST)
    member.size = len(payload)
    member.mtime = int(datetime.now().timestamp())
    member.mode = 0o600
    archive.addfile(member, BytesIO(payload))


# --- Restore -------------------------------------------------------------------------------------------------


def read_manifest(source: Path) -> Contents:
    """What a backup holds, checked against the configured database; changes nothing."""
    try:
        with tarfile.open(source, "r:*") as archive:
            manifest = json.load(archive.extractfile(MANIFEST))
    except FileNotFoundError:
        raise BackupError(f"{source} n'existe pas.") from None
    except (tarfile.TarError, KeyError, OSError, ValueError, TypeError):
        raise BackupError(f"{source} n'est pas une sauvegarde de Pass Famille lisible.") from None
    if manifest.get("format") not in (FORMAT, FILES_FORMAT) or manifest.get("database") not in MEMBERS:
        raise BackupError(f"{source} vient d'une version de Pass Famille que celle-ci ne sait pas restaurer.")
    contents = Contents(
        manifest["database"],
        datetime.fromisoformat(manifest["created_at"]).replace(tzinfo=None),  # UTC, as stored times are
        manifest.get("revision"),
        manifest["applications"],
        manifest["documents"],
        manifest.get("missing_documents", 0),
        manifest["format"],
    )
    dialect = _dialect()
    if contents.database != dialect:
        raise BackupError(
            f"Cette sauvegarde vient d'une base {LABELS[contents.database]} et la base configurée (DATABASE_URL) est "
            f"{LABELS[dialect]} : une sauvegarde se restaure dans une base du même type."
        )
    return contents


def restore(source: Path) -> Contents:
    """Replace the configured database by what the backup holds (and migrate it, for a backup of format 1)."""
    manifest = read_manifest(source)
    dialect = _dialect()
    with tarfile.open(source, "r:*") as archive, tempfile.TemporaryDirectory(prefix="passfamille-") as work:
        database_file = Path(work) / MEMBERS[dialect]
        try:
            with archive.extractfile(MEMBERS[dialect]) as stream, open(database_file, "wb") as out:
                shutil.copyfileobj(stream, out)
        except (KeyError, AttributeError, tarfile.TarError, OSError):
            raise BackupError(f"{source} ne contient pas de base lisible : rien n'a été modifié.") from None
        # The pooled connections of this process know the old tables.
        db.session.remove()
        db.engine.dispose()
        if dialect == "sqlite":
            _sqlite_restore(database_file)
        else:
            _postgres_restore(database_file)
        db.engine.dispose()
        if manifest.format == FILES_FORMAT:
            _restore_files_then_migrate(archive)
    with db.engine.connect() as connection:
        revision, applications, stored, missing = _facts(lambda sql: connection.execute(text(sql)).all())
    return Contents(dialect, utcnow(), revision, applications, stored, missing)


def _restore_files_then_migrate(archive: tarfile.TarFile) -> None:
    """A backup of format 1: its database points at files. They go back into the folder they were read from, then
    the database is migrated to this version, whose migration copies them into it (here, on the machine that has
    them, not on whichever starts first); the files the migration copied are then removed."""
    with db.engine.connect() as connection:
        names = _stored_names(lambda sql: connection.execute(text(sql)).all())
    _restore_documents(archive, names)
    from flask_migrate import upgrade  # here: the web workers never load Alembic (config MIGRATION_COMMANDS)

    upgrade()
    db.session.remove()
    db.engine.dispose()
    documents.forget_moved_files()


def _sqlite_restore(copy: Path) -> None:
    source = sqlite3.connect(copy)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"La base de la sauvegarde est invalide ({check}) : rien n'a été modifié.")
        target = sqlite3.connect(_sqlite_path(), timeout=SQLITE_BUSY_SECONDS)
        try:
            # The backup API the other way: one write transaction on the live file, which the workers see whole
            # at their next read; the file keeps its journal mode (WAL).
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _postgres_restore(dump: Path) -> None:
    """One transaction (psql --single-transaction): the tables and functions the database holds now are dropped, then
    the backup's are created and filled (pg_restore's script). A failure leaves the database as it was; what a later
    migration added and the backup does not know (a table, a foreign key on an old table) cannot stand in the way."""
    conninfo, environment = _postgres_connection()
    listing = _run([_postgres_binary("pg_restore"), "--list", str(dump)], environment, "pg_restore")
    if not re.search(r"^\d+; \d+ \d+ TABLE ", listing, flags=re.MULTILINE):
        raise BackupError("La sauvegarde ne contient aucune table : rien n'a été modifié.")
    with db.engine.connect() as connection:
        quote = connection.dialect.identifier_preparer.quote
        tables = [quote(table) for table in sorted(inspect(connection).get_table_names())]
        functions = connection.scalars(
            text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = current_schema()"
            )
        ).all()
    db.engine.dispose()
    script = dump.with_suffix(".sql")
    with script.open("w") as out:
        if tables:
            out.write(f"DROP TABLE IF EXISTS {', '.join(tables)} CASCADE;\n")
        out.writelines(f"DROP FUNCTION IF EXISTS {function} CASCADE;\n" for function in functions)
    with script.open("a") as out:
        restored = subprocess.run(  # noqa: S603
            [_postgres_binary("pg_restore"), "--no-owner", "--file=-", str(dump)],
            env=environment,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    if restored.returncode != 0:
        raise BackupError(f"pg_restore a échoué : {restored.stderr.strip() or restored.returncode}")
    _run(
        [
            _postgres_binary("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",  # all or nothing: a failed restore leaves the tables as they were
            "--set=ON_ERROR_STOP=1",
            f"--dbname={conninfo}",
            f"--file={script}",
        ],
        environment,
        "psql",
    )


def _restore_documents(archive: tarfile.TarFile, names: set[str]) -> None:
    """The legacy folder gets the files the restored database points at, and only those."""
    folder = documents.legacy_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in sorted(names):
        # Only the names the database holds are looked up in the archive: no path of the archive is trusted.
        try:
            stream = archive.extractfile(DOCUMENTS + name) if _is_stored_name(name) else None
        except KeyError:
            stream = None
        if stream is None:
            continue  # the migration names it
        partial = folder / f".{name}.partiel"
        with stream, open(partial, "wb") as out:
            shutil.copyfileobj(stream, out)
        partial.chmod(0o600)
        os.replace(partial, folder / name)
    # A file of no restored application would be copied by nobody and never purged.
    for path in _stored_files(folder):
        if path.name not in names:
            path.unlink()


# --- The configured database ---------------------------------------------------------------------------------


def _url() -> URL:
    return db.engine.url


def _dialect() -> str:
    backend = _url().get_backend_name()
    if backend not in MEMBERS:
        raise BackupError(f"Base {backend} : seules SQLite et PostgreSQL se sauvegardent ici.")
    return backend


def _sqlite_path() -> str:
    database = _url().database
    if not database or database == ":memory:":
        raise BackupError("La base SQLite est en mémoire : il n'y a rien à sauvegarder ni où restaurer.")
    return database


def _postgres_connection() -> tuple[str, dict]:
    """A libpq URL without the password, and the environment that carries it."""
    url = _url()
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    # Built anew: URL.set(password=None) would keep the password.
    conninfo = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return conninfo.render_as_string(hide_password=False), environment


def _postgres_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    # Debian's packages put them outside PATH when only the server (not postgresql-client) is installed.
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]))
    if not versions:
        raise BackupError(f"{name} est introuvable : installez le paquet postgresql-client (apt-get install).")
    return versions[-1]


def _run(command: list[str], environment: dict, label: str) -> str:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        # pg_dump and pg_restore never print the password; their own words say what went wrong.
        raise BackupError(f"{label} a échoué : {result.stderr.strip() or result.returncode}")
    return result.stdout


def _stored_files(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if _is_stored_name(path.name) and path.is_file()]


def _is_stored_name(name: str) -> bool:
    return bool(STORED_NAME.fullmatch(name))


def _unreachable(error: OperationalError) -> str:
    # The driver's own words (server, port, reason), never the URL, which may hold the password.
    return f"La base configurée (DATABASE_URL) ne répond pas : {str(error.orig).strip()}"


# --- Commands ------------------------------------------------------------------------------------------------

backup = AppGroup("backup", help="Sauvegarde et restauration de la base et des justificatifs.")


@backup.command(
    "create",
    help="Écrit une sauvegarde (base et justificatifs, fichier .tar.gz) pendant que le service tourne. PATH est un "
    "fichier à créer, ou un dossier existant où la sauvegarde prend un nom daté (heure UTC).",
)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--keep", type=click.IntRange(min=1), help="Avec un dossier : ne garder que les N sauvegardes datées.")
def create_command(path, keep):
    try:
        if path.is_dir():
            path, contents, removed = create_dated(path, keep)
        elif keep:
            raise BackupError("--keep ne s'emploie qu'avec un dossier.")
        else:
            contents, removed = create(path), []
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    except OperationalError as error:
        raise click.ClickException(_unreachable(error)) from None
    size = formatting.number(round(path.stat().st_size / 1024))
    click.echo(f"Sauvegarde écrite : {path} ({contents.describe()}, {size} Ko).")
    if contents.missing_documents:
        click.echo(
            f"Attention : {contents.missing_documents} justificatif(s) de la base n'y ont pas de contenu (fichiers "
            "déjà absents lors de leur copie dans la base) ; la sauvegarde ne les contient pas."
        )
    for old in removed:
        click.echo(f"Ancienne sauvegarde supprimée : {old}")
    click.echo("Elle contient des données personnelles : gardez-la dans un lieu à accès restreint.")


@backup.command(
    "restore",
    help="Remplace toute la base configurée et les justificatifs par ceux d'une sauvegarde. Arrêtez le service "
    "avant, relancez-le après (il applique les migrations à son démarrage).",
)
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Confirme le remplacement de toutes les données actuelles.")
def restore_command(path, yes):
    try:
        contents = read_manifest(path)
        when = formatting.date_time(contents.created_at)
        click.echo(f"Sauvegarde du {when} : {contents.describe()}.")
        if not yes:
            raise BackupError(
                "La restauration remplace toutes les demandes, tous les comptes et tous les justificatifs actuels "
                "par ceux de la sauvegarde. Relancez avec --yes pour confirmer. Rien n'a été modifié."
            )
        if contents.format == FILES_FORMAT:
            click.echo(
                "Sauvegarde d'une version qui gardait les justificatifs en fichiers : la base restaurée est mise à "
                "jour et ses justificatifs sont copiés dedans."
            )
        restored = restore(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    except OperationalError as error:
        raise click.ClickException(_unreachable(error)) from None
    click.echo(f"Restauration terminée : {restored.describe()}.")
    if restored.missing_documents:
        click.echo(
            f"Attention : {restored.missing_documents} justificatif(s) sans contenu ; leur demande s'ouvre, leur "
            "téléchargement répond « introuvable »."
        )
    click.echo(
        "Si le code est plus récent que la sauvegarde, `flask --app wsgi db upgrade` met la base à jour "
        "(le service le fait à son démarrage)."
    )
