"""SQLite as a small commune runs it: WAL, so that reading never waits for a submission being written; a writer
waits for the one before it instead of failing; commits not synced one by one."""

import sqlite3
import threading

from sqlalchemy import text

from passfamille.extensions import db


def pragma(name: str):
    return db.session.execute(text(f"PRAGMA {name}")).scalar()


def test_every_connection_is_in_wal_waits_for_other_writers_and_syncs_at_checkpoints(app):
    with app.app_context():
        assert pragma("journal_mode") == "wal"
        assert pragma("busy_timeout") == 10_000
        db.session.rollback()
        with db.engine.connect() as fresh:  # what `flask … adhesions purge` or another worker opens
            assert fresh.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert fresh.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_a_new_database_file_gets_normal_sync(tmp_path):
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{tmp_path / 'neuve.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    engine.dispose()


def test_the_agents_list_reads_while_a_submission_is_being_written(app):
    """A write transaction left open (a submission in progress, another worker): the list still opens at once."""
    with app.app_context():
        path = db.engine.url.database
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    writer.execute("BEGIN EXCLUSIVE")  # what a commit takes: in a rollback journal, readers wait for it
    writer.execute("UPDATE number_sequence SET last = last")
    try:
        done = threading.Event()

        def read():
            with app.app_context():
                db.session.execute(text("SELECT count(*) FROM application")).scalar()
                done.set()

        reader = threading.Thread(target=read)
        reader.start()
        assert done.wait(5), "reading waited for the writer"
        reader.join()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
