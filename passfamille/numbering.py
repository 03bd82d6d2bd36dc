"""Numbers a person reads and quotes: references of applications (PF-2026-000001, CR-2026-000001) and pass
numbers (PASS-2026-000001). Each series counts from 1 every year, without gaps and without repeats: the counter
is incremented in the transaction that uses the number, so a rolled-back transaction gives it back, and two
concurrent transactions wait for each other on the counter's row."""

from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db
from .models import NumberSequence


def next_value(series: str) -> int:
    """The next number of `series`, taken in the session's transaction (committed or rolled back with it)."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(NumberSequence)
        .values(name=series, last=1)
        .on_conflict_do_update(index_elements=["name"], set_={"last": NumberSequence.last + 1})
        .returning(NumberSequence.last)
    )
    return db.session.execute(statement).scalar_one()


def next_number(prefix: str, year: int) -> str:
    """E.g. next_number("PF", 2026) -> "PF-2026-000042"."""
    return f"{prefix}-{year}-{next_value(f'{prefix}-{year}'):06d}"
