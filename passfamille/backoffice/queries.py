"""Queries over recorded applications, shared by the queue, the export download and the dashboard:
filter, sort, paginate, search, count. No Flask request here: views turn query parameters into `Filters`."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, case, func, or_, select, text
from sqlalchemy.orm import contains_eager, selectinload

from .. import exports, tally
from ..demarches import DEMARCHES, STATUS_LABELS, creche
from ..extensions import db
from ..folding import fold
from ..models import (
    DECIDED_SQL,
    DECIDED_STATUSES,
    DECISION_DELAY,
    DECISION_INTERVAL,
    Application,
    CrecheRequest,
    PassFamilleRequest,
)

PAGE_SIZE = 50
SEARCH_LIMIT = 100
STATUS_ORDER = tuple(STATUS_LABELS)  # the workflow's order, not the alphabet
CRECHE_STATUSES = tuple(creche.STATUSES)
PASS_FAMILLE_STATUSES = tuple(s for s in STATUS_ORDER if s not in CRECHE_STATUSES)
DECIDED = DECIDED_STATUSES
NO_BRACKET = "aucune"
NO_QF = "aucune"
NO_DEMARCHE = "aucune"  # an agent of no service: no application has this démarche
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
    assigned_agent_id: int | None = None  # « Mes dossiers »: the agent's own (an agent's id, not a family's data)
    unassigned: bool = False  # the applications nobody follows yet

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
        if self.assigned_agent_id is not None:
            conditions.append(Application.assigned_agent_id == self.assigned_agent_id)
        elif self.unassigned:
            conditions.append(Application.assigned_agent_id.is_(None))
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


def _joined_if_read(query: Select, filters: Filters) -> Select:
    """The Pass Famille's facts joined only when the filters read them: a count or a page by status, démarche or
    date stays on the application table and its indexes alone."""
    return with_pass_famille(query) if filters.reads_pass_famille() else query


@dataclass(frozen=True)
class Counts:
    """How many applications per status: from the tally, or counted in one GROUP BY when other filters apply."""

    found: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.found.values())  # every application has a status

    def of(self, status: str | None) -> int:
        return self.found.get(status, 0) if status else self.total

    def by_status(self, statuses: tuple[str, ...] = STATUS_ORDER) -> dict[str, int]:
        """Every status of `statuses` in workflow order, zeros included."""
        return {status: self.found.get(status, 0) for status in statuses}


def count_by_status(filters: Filters) -> Counts:
    """Filtered by démarche at most (the queue as it opens, or per démarche): the database's tally; otherwise a
    GROUP BY over the filtered applications."""
    if filters.without_status() == Filters(demarche=filters.demarche):
        found: dict[str, int] = {}
        for (_, status), n in tally.counts(filters.demarche).items():
            if filters.status in (None, status):
                found[status] = found.get(status, 0) + n
        return Counts(found)
    query = _joined_if_read(select(Application.status, func.count()), filters)
    return Counts(dict(db.session.execute(query.where(*filters.conditions()).group_by(Application.status)).all()))


# What a row of the list shows besides the Pass Famille's facts: who follows it, the crèche request and its wishes,
# each read for the whole page in one query.
ROW_LOADS = (
    selectinload(Application.assigned_agent),
    selectinload(Application.creche).selectinload(CrecheRequest.wishes),
)


@dataclass(frozen=True)
class Page:
    items: list[Application]
    number: int
    pages: int
    total: int


def page(filters: Filters, sort: str, number: int, size: int = PAGE_SIZE, counts: Counts | None = None) -> Page:
    """One page of the filtered list; a page number out of range lands on the nearest page. `counts` are those of
    the filters but the status, when the caller has them already.

    The page's ids are found first, in the order of an index and without reading the rows they skip; only those
    50 rows are then read with their Pass Famille facts (page 1,900 costs a walk along an index, not 95,000 rows
    read and joined)."""
    counts = count_by_status(filters.without_status()) if counts is None else counts
    total = counts.of(filters.status)
    pages = max(1, -(-total // size))
    number = min(max(1, number), pages)
    start = (number - 1) * size
    order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    if sort == "statut" and not filters.status:
        ids = _ids_by_status(filters, counts, start, size)
    else:
        query = _joined_if_read(select(Application.id), filters).where(*filters.conditions()).order_by(*order)
        ids = query.limit(size).offset(start).scalar_subquery()
    query = with_pass_famille(select(Application)).options(contains_eager(Application.pass_famille), *ROW_LOADS)
    items = db.session.scalars(query.where(Application.id.in_(ids)).order_by(*order)).all()
    return Page(items=list(items), number=number, pages=pages, total=total)


def _ids_by_status(filters: Filters, counts: Counts, start: int, size: int) -> list[int]:
    """A page of the list sorted by status: the counts say which statuses it spans and from which row of the
    first one; each status is then read newest first along its index (a sort of every row costs 0.3 s at 100,000).
    Statuses outside the workflow come last, as in SORTS["statut"]."""
    others = sum(n for status, n in counts.found.items() if status not in STATUS_ORDER)
    segments = [(Application.status == status, counts.found.get(status, 0)) for status in STATUS_ORDER]
    segments.append((Application.status.not_in(STATUS_ORDER), others))
    ids: list[int] = []
    for condition, found in segments:
        if start >= found:
            start -= found
            continue
        query = _joined_if_read(select(Application.id), filters).where(*filters.conditions(), condition)
        query = query.order_by(*SORTS[DEFAULT_SORT]).limit(size - len(ids)).offset(start)
        ids += db.session.scalars(query)
        start = 0
        if len(ids) >= size:
            break
    return ids


def for_export(filters: Filters, sort: str = DEFAULT_SORT, batch: int = 1000) -> Iterator:
    """Rows of exports.FLAT for every filtered application, fetched `batch` at a time so that memory does not
    grow with the list. A generator: the query runs when the first row is asked for, i.e. inside the streamed
    response's own context (the view's session is closed by then)."""
    query = with_pass_famille(select(*exports.FLAT)).where(*filters.conditions())
    query = query.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    # Core rather than the ORM: no object per application, a third of the time for 100,000 of them.
    yield from db.session.connection().execute(query.execution_options(yield_per=batch))


@dataclass(frozen=True)
class Overview:
    """The dashboard's counts: démarche and status from the database's tally, bracket and QF source in a GROUP BY over
    the Pass Famille's facts (an application without them counts as "no bracket", "no QF")."""

    by_demarche_status: dict[tuple[str, str], int]
    by_bracket_source: dict[tuple[str | None, str | None], int]

    @property
    def total(self) -> int:
        return sum(self.by_demarche_status.values())

    def by_status(self, statuses: tuple[str, ...]) -> dict[str, int]:
        return {s: sum(n for (_, status), n in self.by_demarche_status.items() if status == s) for s in statuses}

    def by_demarche(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for (demarche, _), n in self.by_demarche_status.items():
            found[demarche] = found.get(demarche, 0) + n
        return found

    def _by(self, index: int) -> dict:
        found: dict = {}
        for key, n in self.by_bracket_source.items():
            found[key[index]] = found.get(key[index], 0) + n
        found[None] = self.total - sum(n for key, n in found.items() if key is not None)
        return found

    def by_bracket(self) -> dict[str | None, int]:
        return self._by(0)

    def by_qf_source(self) -> dict[str | None, int]:
        return self._by(1)


def overview(demarche: str | None = None) -> Overview:
    """Every application's counts, or those of one démarche (an agent of one service)."""
    by_bracket = select(PassFamilleRequest.bracket_code, PassFamilleRequest.qf_source, func.count())
    if demarche:
        by_bracket = by_bracket.join(Application, Application.id == PassFamilleRequest.application_id)
        by_bracket = by_bracket.where(Application.demarche == demarche)
    by_bracket = by_bracket.group_by(PassFamilleRequest.bracket_code, PassFamilleRequest.qf_source)
    return Overview(
        by_demarche_status=tally.counts(demarche),
        by_bracket_source={(b, q): n for b, q, n in db.session.execute(by_bracket)},
    )


def decision_delays(demarche: str | None = None) -> tuple[int, timedelta | None]:
    """How many applications were decided (accepted or refused, with a decision date) and the median time from
    submission to decision: the middle row (or the two middle rows, averaged) of the decisions in the order of
    their delay, found by walking half of an index in that order (ix_application_decision_delay on SQLite,
    ix_application_decision_interval on PostgreSQL) rather than by sorting every decision."""
    decided = text(DECIDED_SQL)  # literals: see the index
    if demarche:
        decided = and_(decided, Application.demarche == demarche)
    decisions = db.session.scalar(select(func.count()).select_from(Application).where(decided)) or 0
    if not decisions:
        return 0, None
    wanted = 2 - decisions % 2
    middle = select(Application.created_at, Application.decided_at).where(decided)
    if db.session.get_bind().dialect.name == "postgresql":
        middle = middle.order_by(DECISION_INTERVAL, Application.id).offset((decisions - 1) // 2).limit(wanted)
    else:
        # No LIMIT: with one, SQLite would rather sort them all. A Core result, read one row at a time (the ORM's
        # would fetch the rest of the list).
        middle = middle.order_by(DECISION_DELAY, Application.id).offset((decisions - 1) // 2)
    rows = db.session.connection().execute(middle)
    # The delays are computed in Python, to the microsecond.
    delays = [decided_at - created_at for created_at, decided_at in rows.fetchmany(wanted)]
    rows.close()
    return decisions, sum(delays, timedelta()) / len(delays)


# --- search by reference or name ----------------------------------------------------------------------------

# What a reference looks like (numbering.next_number: PF-2026-000042), whole or its beginning: a term like this is
# looked up on the reference alone, along its unique index, and never among the names.
_PREFIXES = "|".join(sorted(re.escape(d.prefix) for d in DEMARCHES.values()))
REFERENCE_START = re.compile(rf"(?:{_PREFIXES})-[0-9-]*")
WHOLE_REFERENCE = re.compile(rf"(?:{_PREFIXES})-[0-9]{{4}}-[0-9]{{6}}")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _by_reference(reference: str):
    """The application with this reference, or those whose reference starts with it, by the reference's index."""
    if WHOLE_REFERENCE.fullmatch(reference):
        return Application.reference == reference
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite's LIKE ignores case, so it cannot use the index; a range over the (binary) index is a prefix.
        return and_(
            Application.reference >= reference, Application.reference < reference[:-1] + chr(ord(reference[-1]) + 1)
        )
    return Application.reference.like(reference + "%")  # only capitals, digits and hyphens: nothing to escape


def _starts_a_word(column, word: str):
    """`word` starts a word of the folded `column`: its first one, or one after a space."""
    return or_(
        column.like(f"{_escape_like(word)}%", escape="\\"),
        column.like(f"% {_escape_like(word)}%", escape="\\"),
    )


def _by_names(words: list[str]):
    """Each word starts a word of the folded names or of the folded details (children's first names, e-mail,
    address): « dupont laura », « rue des lilas », « sophie.dupont@ » all find the family."""
    return and_(
        *(
            or_(_starts_a_word(Application.folded_names, w), _starts_a_word(Application.folded_details, w))
            for w in words
        )
    )


def search(term: str, limit: int = SEARCH_LIMIT, demarche: str | None = None) -> tuple[list[Application], bool]:
    """Applications whose reference starts with `term` when it looks like a reference, otherwise those whose names,
    children's first names, e-mail or address hold a word starting with each word of `term` (case and accents
    ignored). Returns at most `limit` of them, newest first, and whether there were more; of one démarche if given."""
    reference = term.strip().upper()
    if REFERENCE_START.fullmatch(reference):
        condition = _by_reference(reference)
    elif words := fold(term).split():
        condition = _by_names(words)
    else:
        return [], False
    if demarche:
        condition = and_(condition, Application.demarche == demarche)
    query = select(Application).options(*ROW_LOADS).where(condition).order_by(*SORTS[DEFAULT_SORT]).limit(limit + 1)
    found = list(db.session.scalars(query))
    return found[:limit], len(found) > limit
