"""How many applications per démarche and status, read from the rows of +1 and -1 that the database's triggers
add to `application_tally` (models.ApplicationTally) rather than by counting every application: the queue and the
dashboard ask on every page, and a count of 100,000 rows is most of such a page's time.

compact() folds the rows into one per pair. It runs when a count finds many rows, and with `adhesions purge`."""

from sqlalchemy import delete, func, insert, select

from .extensions import db
from .models import ApplicationTally

# Past this many rows, a count folds them (in its own transaction): a count never adds up more than about this.
COMPACT_ABOVE = 500


def counts(demarche: str | None = None) -> dict[tuple[str, str], int]:
    """{(démarche, status): number of applications}, for every pair that has some (of one démarche if given)."""
    query = select(ApplicationTally.demarche, ApplicationTally.status, func.sum(ApplicationTally.n), func.count())
    if demarche:
        query = query.where(ApplicationTally.demarche == demarche)
    found, rows = {}, 0
    for row_demarche, status, n, added in db.session.execute(
        query.group_by(ApplicationTally.demarche, ApplicationTally.status)
    ):
        rows += added
        if n:
            found[(row_demarche, status)] = int(n)
    if rows > COMPACT_ABOVE:
        compact()
    return found


def compact() -> None:
    """One row per (démarche, status) for the rows there now, in one transaction: the DELETE … RETURNING gives
    exactly the rows it removes, whose sums go back in. A row another transaction adds meanwhile is not removed
    (PostgreSQL: not in the DELETE's snapshot; SQLite: writers take turns) and stays as it is."""
    table = ApplicationTally.__table__
    with db.engine.begin() as connection:
        removed = connection.execute(delete(table).returning(table.c.demarche, table.c.status, table.c.n))
        sums: dict[tuple[str, str], int] = {}
        for demarche, status, n in removed:
            sums[(demarche, status)] = sums.get((demarche, status), 0) + n
        rows = [{"demarche": d, "status": s, "n": n} for (d, s), n in sums.items() if n]
        if rows:
            connection.execute(insert(table), rows)
