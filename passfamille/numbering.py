"""Numbers a person reads and quotes: references of applications (PF-2026-000001, CR-2026-000001) and pass
numbers (PASS-2026-000001). Each series counts from 1 every year, without gaps and without repeats: the counter
is incremented in the transaction that uses the number, so a rolled-back transaction gives it back, and two
concurrent transactions wait for each other on the counter's row.

The references of every démarche share one counter (REF-2026): the two applications a family sends together (the
Pass Famille and a crèche place) carry the same number, PF-2026-000042 and CR-2026-000042, instead of two numbers
that look unrelated. A prefix's own series then skips the numbers the other démarche took; no number is given twice."""

from sqlalchemy import func, literal, select
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db
from .models import NumberSequence

REFERENCE_SERIES = "REF"
# The prefixes that counted on their own before they shared REF: its first number of a year follows theirs.
FORMER_REFERENCE_SERIES = ("PF", "CR")


def _insert():
    return postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert


def next_value(series: str) -> int:
    """The next number of `series`, taken in the session's transaction (committed or rolled back with it)."""
    statement = (
        _insert()(NumberSequence)
        .values(name=series, last=1)
        .on_conflict_do_update(index_elements=["name"], set_={"last": NumberSequence.last + 1})
        .returning(NumberSequence.last)
    )
    return db.session.execute(statement).scalar_one()


def next_number(prefix: str, year: int) -> str:
    """E.g. next_number("PASS", 2026) -> "PASS-2026-000042"."""
    return f"{prefix}-{year}-{next_value(f'{prefix}-{year}'):06d}"


def next_reference_value(year: int) -> int:
    """The next number of the references shared by every démarche, in the session's transaction. The year's first
    one follows the last number of the former per-démarche series (a database whose PF-2026-000005 was given
    before the counter was shared goes on with 6, never reusing a reference): one statement, so that two first
    submissions at once still wait for each other on the row."""
    names = [f"{prefix}-{year}" for prefix in FORMER_REFERENCE_SERIES]
    first = select(literal(f"{REFERENCE_SERIES}-{year}"), func.coalesce(func.max(NumberSequence.last), 0) + 1).where(
        NumberSequence.name.in_(names)
    )
    statement = (
        _insert()(NumberSequence)
        .from_select(["name", "last"], first)
        .on_conflict_do_update(index_elements=["name"], set_={"last": NumberSequence.last + 1})
        .returning(NumberSequence.last)
    )
    return db.session.execute(statement).scalar_one()


def reference(prefix: str, year: int, value: int) -> str:
    """E.g. reference("CR", 2026, 42) -> "CR-2026-000042"."""
    return f"{prefix}-{year}-{value:06d}"
