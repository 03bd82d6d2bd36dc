"""Queries over recorded applications, shared by the queue, the export download and the dashboard:
filter, sort, paginate, search, count. No Flask request here: views turn query parameters into `Filters`."""

import sqlite3
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, Select, String, and_, case, event, func, literal_column, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import contains_eager
from sqlalchemy.sql.functions import FunctionElement

from .. import exports
from ..demarches import STATUS_LABELS, creche
from ..extensions import db
from ..models import Application, PassFamilleRequest

PAGE_SIZE = 50
SEARCH_LIMIT = 100
STATUS_ORDER = tuple(STATUS_LABELS)  # the workflow's order, not the alphabet
CRECHE_STATUSES = tuple(creche.STATUSES)
PASS_FAMILLE_STATUSES = tuple(s for s in STATUS_ORDER if s not in CRECHE_STATUSES)
DECIDED = ("accepted", "refused")
NO_BRACKET = "aucune"
NO_QF = "aucune"
QF_SOURCES = ("api", "document", "declared")

SORTS = {
    "recentes": (Application.created_at.desc(), Application.id.desc()),
    "anciennes": (Application.created_at.asc(), Application.id.asc()),
    "reference": (Application.reference.asc(), Application.id.asc()),
    "statut": (
        case({status: rank for rank, status in enumerate(STATUS_ORDER)}, value=Application.status, else_=99),
        Application.created_at.desc(),
        Application.id.desc(),
    ),
}
DEFAULT_SORT = "recentes"


@dataclass(frozen=True)
class Filters:
    """What the agent filters on. None means "all"; every value holds no personal data (it may go in a URL)."""

    status: str | None = None
    demarche: str | None = None
    bracket: str | None = None  # a bracket code, or NO_BRACKET
    qf_source: str | None = None  # one of QF_SOURCES, or NO_QF
    submitted_from: date | None = None
    submitted_to: date | None = None

    def reads_pass_famille(self) -> bool:
        return bool(self.bracket or self.qf_source)

    def without_status(self) -> "Filters":
        return Filters(**{f.name: getattr(self, f.name) for f in fields(self) if f.name != "status"})

    def conditions(self) -> list:
        conditions = []
        if self.status:
            conditions.append(Application.status == self.status)
        if self.demarche:
            conditions.append(Application.demarche == self.demarche)
        if self.bracket == NO_BRACKET:
            conditions.append(PassFamilleRequest.bracket_code.is_(None))
        elif self.bracket:
            conditions.append(PassFamilleRequest.bracket_code == self.bracket)
        if self.qf_source == NO_QF:
            conditions.append(PassFamilleRequest.qf_source.is_(None))
        elif self.qf_source:
            conditions.append(PassFamilleRequest.qf_source == self.qf_source)
        # Both bounds are whole days: "au 14/07" includes the whole of 14 July.
        if self.submitted_from:
            conditions.append(Application.created_at >= datetime.combine(self.submitted_from, time.min))
        if self.submitted_to:
            conditions.append(
                Application.created_at < datetime.combine(self.submitted_to + timedelta(days=1), time.min)
            )
        return conditions


def with_pass_famille(query: Select) -> Select:
    """Every application, with its Pass Famille facts when it has them (what the filters and counts read)."""
    return query.select_from(Application).outerjoin(
        PassFamilleRequest, PassFamilleRequest.application_id == Application.id
    )


def filtered(filters: Filters, sort: str = DEFAULT_SORT) -> Select:
    query = with_pass_famille(select(Application)).options(contains_eager(Application.pass_famille))
    return query.where(*filters.conditions()).order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def _joined_if_read(query: Select, filters: Filters | None, column=None) -> Select:
    """The Pass Famille's facts joined only when the filters or the counted column read them: a count by status
    or démarche stays on the application table alone."""
    reads = (filters is not None and filters.reads_pass_famille()) or (
        getattr(column, "table", None) is PassFamilleRequest.__table__
    )
    return with_pass_famille(query) if reads else query


def count(filters: Filters) -> int:
    query = _joined_if_read(select(func.count(Application.id)), filters).where(*filters.conditions())
    return db.session.scalar(query) or 0


@dataclass(frozen=True)
class Page:
    items: list[Application]
    number: int
    pages: int
    total: int


def page(filters: Filters, sort: str, number: int, size: int = PAGE_SIZE) -> Page:
    """One page of the filtered list; a page number out of range lands on the nearest page."""
    total = count(filters)
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    items = db.session.scalars(filtered(filters, sort).limit(size).offset((number - 1) * size)).all()
    return Page(items=list(items), number=number, pages=pages, total=total)


def for_export(filters: Filters, sort: str = DEFAULT_SORT, batch: int = 1000) -> Iterator:
    """Rows of exports.FLAT for every filtered application, fetched `batch` at a time so that memory does not
    grow with the list. A generator: the query runs when the first row is asked for, i.e. inside the streamed
    response's own context (the view's session is closed by then)."""
    query = with_pass_famille(select(*exports.FLAT)).where(*filters.conditions())
    query = query.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    # Core rather than the ORM: no object per application, a third of the time for 100,000 of them.
    yield from db.session.connection().execute(query.execution_options(yield_per=batch))


def counts_by(column, filters: Filters | None = None) -> dict:
    query = _joined_if_read(select(column, func.count(Application.id)), filters, column).group_by(column)
    if filters is not None:
        query = query.where(*filters.conditions())
    return dict(db.session.execute(query).all())


def counts_by_status(filters: Filters | None = None, statuses: tuple[str, ...] = STATUS_ORDER) -> dict[str, int]:
    """Every status of `statuses` in workflow order, zeros included."""
    found = counts_by(Application.status, filters)
    return {status: found.get(status, 0) for status in statuses}


def decision_delays() -> list[timedelta]:
    query = select(Application.created_at, Application.decided_at).where(
        Application.status.in_(DECIDED), Application.decided_at.is_not(None)
    )
    return [decided - created for created, decided in db.session.execute(query)]


def median_delay(delays: list[timedelta]) -> timedelta | None:
    if not delays:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in delays))


# --- search by reference or name ----------------------------------------------------------------------------

# Names hold letters of Latin-1 (the wizard's NAME_PATTERN), hyphens and apostrophes. One table folds them in
# Python and in SQL alike; SQLite's lower() only knows ASCII, hence both cases of every accented letter.
_FOLDS = {
    "a": "àáâãäåÀÁÂÃÄÅ",
    "c": "çÇ",
    "e": "èéêëÈÉÊË",
    "i": "ìíîïÌÍÎÏ",
    "n": "ñÑ",
    "o": "òóôõöøÒÓÔÕÖØ",
    "u": "ùúûüÙÚÛÜ",
    "y": "ýÿÝŸ",
    "ae": "æÆ",
    "oe": "œŒ",
    " ": "-'\u2019",
}
_FOLD_TABLE = str.maketrans({accented: plain for plain, chars in _FOLDS.items() for accented in chars})


def fold(text: str | None) -> str:
    """'Gérôme-Élodie' -> 'gerome elodie': what the search compares."""
    return " ".join((text or "").translate(_FOLD_TABLE).lower().split())


class folded(FunctionElement):  # noqa: N801 (an SQL function's name)
    """fold() in SQL: the Python function itself on SQLite, translate() on PostgreSQL."""

    type = String()
    inherit_cache = True


@event.listens_for(Engine, "connect")
def _register_fold(dbapi_connection, _record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("pf_fold", 1, fold, deterministic=True)


@compiles(folded, "sqlite")
def _fold_sqlite(element, compiler, **kw):
    return f"pf_fold({compiler.process(element.clauses, **kw)})"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@compiles(folded, "postgresql")
def _fold_postgresql(element, compiler, **kw):
    single = [(accented, plain) for plain, chars in _FOLDS.items() if len(plain) == 1 for accented in chars]
    sql = (
        f"translate({compiler.process(element.clauses, **kw)}, "
        f"{_sql_string(''.join(a for a, _ in single))}, {_sql_string(''.join(p for _, p in single))})"
    )
    for plain, chars in _FOLDS.items():
        if len(plain) > 1:
            for accented in chars:
                sql = f"replace({sql}, {_sql_string(accented)}, {_sql_string(plain)})"
    return f"lower({sql})"


@compiles(folded)
def _fold_other(element, compiler, **kw):
    # Another database: case ignored, accents not (SQLite and PostgreSQL are the two the README supports).
    return f"lower({compiler.process(element.clauses, **kw)})"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(term: str, limit: int = SEARCH_LIMIT) -> tuple[list[Application], bool]:
    """Applications whose reference starts with `term`, or whose names hold a word starting with each word of
    `term` (case and accents ignored). Returns at most `limit` of them, newest first, and whether there were more."""
    words = fold(term).split()
    if not words:
        return [], False
    space = literal_column("' '", String)
    names = (
        func.coalesce(Application.birth_name, "")
        + space
        + func.coalesce(Application.usage_name, "")
        + space
        + func.coalesce(Application.first_names, "")
    )
    haystack = space + folded(names)  # a word starts after a space, the first one too
    by_name = [haystack.like(f"% {_escape_like(word)}%", escape="\\") for word in words]
    by_reference = Application.reference.like(_escape_like(term.strip().upper()) + "%", escape="\\")
    query = select(Application).where(or_(by_reference, and_(*by_name))).order_by(*SORTS[DEFAULT_SORT]).limit(limit + 1)
    found = list(db.session.scalars(query))
    return found[:limit], len(found) > limit
