"""How the app talks to SQLite: the settings every connection gets, whatever opened it (a worker, a command, a
migration). PostgreSQL needs none.

- WAL journal: the agents' pages and the families' pages read while a submission is being written, instead of
  waiting for it; one writer at a time, as before.
- synchronous=NORMAL: in WAL, a commit is not synced to disk until the next checkpoint. A power cut can lose the
  last commits, never corrupt the file (SQLite's documentation); a crash of the app loses nothing.
- busy_timeout: a writer waits up to BUSY_TIMEOUT_MS for the one before it rather than failing with
  « database is locked ».
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 10_000


@event.listens_for(Engine, "connect")
def _sqlite_settings(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.split(".")[0] != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")  # kept in the file; a no-op once set (":memory:" stays "memory")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()
