"""The queue's and the dashboard's counts per démarche and status come from the tally the database keeps (triggers on
`application`, tally.py): whatever changes the applications — the ORM, a bulk UPDATE, a deletion, the migration over
applications recorded before it — the counts an agent sees are those of the table. On SQLite and PostgreSQL, at the
head of the migrations (a later migration that recreated the table without its triggers would fail here)."""

import threading
from datetime import datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, func, select, text, update

from passfamille import tally
from passfamille.backoffice import queries
from passfamille.extensions import db
from passfamille.models import Application, ApplicationTally

from ..database_apps import DATABASES, app_at

BEFORE = "e3b1c7a94f20"  # the last revision without the tally


@pytest.fixture(params=DATABASES)
def database_app(request, app_config):
    yield from app_at(request, app_config)


@pytest.fixture(params=DATABASES)
def app_before_tally(request, app_config):
    yield from app_at(request, app_config, BEFORE)


def insert(first: int, count: int, demarche: str = "pass_famille", status: str = "submitted") -> None:
    at = datetime(2026, 3, 2, 9, 0)
    db.session.execute(
        text(
            "INSERT INTO application (id, reference, demarche, status, created_at, updated_at, birth_name, first_names,"
            " folded_names, email, children) VALUES (:id, :reference, :demarche, :status, :at, :at, 'DUPONT', 'Léa',"
            " 'dupont lea', 'famille@example.org', '[]')"
        ),
        [
            {
                "id": n,
                "reference": f"{'PF' if demarche == 'pass_famille' else 'CR'}-2026-{n:06d}",
                "demarche": demarche,
                "status": status,
                "at": at + timedelta(minutes=n),
            }
            for n in range(first, first + count)
        ],
    )


def counted() -> dict[tuple[str, str], int]:
    """What the table holds, counted the slow way."""
    query = select(Application.demarche, Application.status, func.count()).group_by(
        Application.demarche, Application.status
    )
    return {(d, s): n for d, s, n in db.session.execute(query)}


def test_the_migration_counts_the_applications_already_recorded(app_before_tally):
    with app_before_tally.app_context():
        insert(1, 30)
        insert(31, 12, "creche", "waiting")
        db.session.commit()

        upgrade()

        assert tally.counts() == {("pass_famille", "submitted"): 30, ("creche", "waiting"): 12}
        assert queries.count_by_status(queries.Filters(demarche="creche")).by_status(("waiting",)) == {"waiting": 12}


def test_every_kind_of_change_is_counted_and_compacting_keeps_the_counts(database_app):
    with database_app.app_context():
        insert(1, 40)
        insert(41, 10, "creche", "waiting")
        db.session.commit()
        # An agent's change through the ORM.
        application = db.session.get(Application, 3)
        application.status = "accepted"
        db.session.commit()
        # A bulk change, a change of démarche, a deletion, a change to the same status (no change at all).
        db.session.execute(update(Application).where(Application.id.between(10, 19)).values(status="refused"))
        db.session.execute(update(Application).where(Application.id == 41).values(demarche="pass_famille"))
        db.session.execute(delete(Application).where(Application.id.in_([20, 21, 42])))
        db.session.execute(update(Application).where(Application.id == 30).values(status="submitted"))
        db.session.commit()

        expected = {
            ("pass_famille", "submitted"): 27,
            ("pass_famille", "accepted"): 1,
            ("pass_famille", "refused"): 10,
            ("pass_famille", "waiting"): 1,
            ("creche", "waiting"): 8,
        }
        assert counted() == expected
        assert tally.counts() == expected
        overview = queries.overview()
        assert overview.total == 47 and overview.by_demarche() == {"pass_famille": 39, "creche": 8}
        queue = queries.count_by_status(queries.Filters(demarche="pass_famille"))
        assert queue.total == 39 and queue.of("refused") == 10
        assert queries.count_by_status(queries.Filters(status="accepted")).of("accepted") == 1

        tally.compact()

        assert tally.counts() == expected
        assert db.session.scalar(select(func.count()).select_from(ApplicationTally)) == len(expected)


def test_a_count_over_many_rows_compacts_them(database_app):
    with database_app.app_context():
        insert(1, tally.COMPACT_ABOVE + 1)
        db.session.commit()

        assert tally.counts() == {("pass_famille", "submitted"): tally.COMPACT_ABOVE + 1}
        db.session.commit()

        assert db.session.scalar(select(func.count()).select_from(ApplicationTally)) == 1
        assert tally.counts() == {("pass_famille", "submitted"): tally.COMPACT_ABOVE + 1}


@pytest.mark.parametrize("database_app", ["postgresql"], indirect=True)
def test_two_agents_changing_statuses_both_ways_do_not_wait_for_one_another(database_app):
    """Counters updated in place would make the second transaction wait for the first's lock on the same counter
    (and two opposite changes in one transaction each could deadlock): rows only inserted never do."""
    with database_app.app_context():
        insert(1, 1, status="submitted")
        insert(2, 1, status="accepted")
        db.session.commit()
        engine = db.engine
        first = engine.connect()
        first.begin()
        first.execute(update(Application).where(Application.id == 1).values(status="accepted"))
        outcome = {}

        def second_agent():
            with engine.connect() as second:
                second.execute(text("SET lock_timeout = '3s'"))
                second.execute(update(Application).where(Application.id == 2).values(status="submitted"))
                second.commit()
                outcome["done"] = True

        thread = threading.Thread(target=second_agent)
        thread.start()
        thread.join(10)
        first.commit()
        first.close()

        assert outcome == {"done": True}
        assert tally.counts() == {("pass_famille", "submitted"): 1, ("pass_famille", "accepted"): 1}
