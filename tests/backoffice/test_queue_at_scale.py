"""What keeps the back-office fast at 100,000 applications (issue 11), checked for what an agent sees, on SQLite and
PostgreSQL: the counts of the list in one query, late pages read through the index, the folded names kept with the
names, the median time to decision computed by the database."""

import random
import statistics
from datetime import datetime, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from passfamille import create_app
from passfamille.backoffice import queries
from passfamille.backoffice.viewmodels_queue import duration
from passfamille.extensions import db
from passfamille.folding import fold_names
from passfamille.models import Application

from .agents import logged_in, make_agent
from .queue_pages import references, search
from .queue_rows import add, values, varied_applications  # noqa: F401 (fixture)
from .test_queue_search import REFERENCE_CASES, crampon_and_a_creche_request


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request, app, app_config):
    """The suite's SQLite app, or the same configuration on the run's PostgreSQL server, freshly migrated."""
    if request.param == "sqlite":
        yield app
        return
    pg_app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": request.getfixturevalue("postgres_url")})
    with pg_app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
    yield pg_app
    with pg_app.app_context():
        db.engine.dispose()


def status_counts(page) -> list[str]:
    return [a.get_text(" ", strip=True) for a in page.soup.select(".status-counts a")]


def mixed(app) -> None:
    """Pass Famille applications over three brackets and statuses, and crèche requests."""
    rows = []
    for n in range(1, 41):
        status = ("submitted", "in_review", "accepted", "refused")[n % 4]
        rows.append(values(n, qf=(400, 850, 1250)[n % 3], status=status))
    for n in range(41, 51):
        rows.append(values(n, demarche="creche", reference=f"CR-2026-{n:06d}", status=("waiting", "offered")[n % 2]))
    add(app, *rows)


def test_counts_per_status_follow_the_filters_on_both_databases(any_app):
    mixed(any_app)
    make_agent(any_app)
    browser = logged_in(any_app)
    page = browser.get("/agents/?tranche=B&statut=accepted")
    # Tranche B is n % 3 == 1: 1, 4, …, 40 (14 of them), of which accepted (n % 4 == 2): 10, 22, 34.
    assert references(page) == ["PF-2026-000034", "PF-2026-000022", "PF-2026-000010"]
    # The counts leave the status filter out: 4, 16, 28, 40 submitted; 1, 13, 25, 37 in review; 7, 19, 31 refused.
    assert status_counts(page) == [
        "Toutes : 14",
        "Déposée : 4",
        "Déposée, à vérifier : 0",
        "En attente de la CAF/MSA : 0",
        "En instruction : 4",
        "Pièce demandée : 0",
        "Acceptée : 3",
        "Refusée : 3",
    ]
    page = browser.get("/agents/")
    assert status_counts(page)[0] == "Toutes : 50"
    assert "En attente : 5" in status_counts(page) and "Place proposée : 5" in status_counts(page)
    page = browser.get("/agents/?demarche=creche&statut=offered")
    assert status_counts(page)[:3] == ["Toutes : 10", "En attente : 5", "Place proposée : 5"]
    assert len(references(page)) == 5


def test_the_list_counts_its_statuses_and_total_in_one_query(app, varied, agent_browser):
    statements = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = agent_browser.get("/agents/?tranche=B")
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", record)
    assert status_counts(page)[0] == "Toutes : 3" and len(references(page)) == 3
    counting = [s for s in statements if "count(" in s.lower() and "from application" in s.lower()]
    assert len(counting) == 1, counting


def test_a_late_page_lists_the_same_rows_as_the_whole_list_in_order(any_app):
    rows = [
        values(n, qf=(400, 850)[n % 2], created_at=datetime(2026, 3, 1) + timedelta(hours=n % 97))
        for n in range(1, 261)
    ]
    add(any_app, *rows)
    make_agent(any_app)
    browser = logged_in(any_app)
    # Many applications share a date: the order falls back on the id, newest first, the same on every page.
    expected = sorted((r for r in rows if r["qf_value"] == 850), key=lambda r: (r["created_at"], r["id"]), reverse=True)
    listed = []
    for number in (1, 2, 3):
        listed += references(browser.get(f"/agents/?tranche=B&page={number}"))
    assert listed == [r["reference"] for r in expected]


def test_pages_sorted_by_status_follow_the_workflow_across_statuses(any_app):
    statuses = ("refused", "submitted", "in_review", "accepted", "documents_requested", "unknown")
    rows = [
        values(n, status=statuses[n % 6], created_at=datetime(2026, 3, 1) + timedelta(hours=n % 37))
        for n in range(1, 131)
    ]
    add(any_app, *rows)
    make_agent(any_app)
    browser = logged_in(any_app)
    rank = {status: index for index, status in enumerate(queries.STATUS_ORDER)}
    expected = sorted(rows, key=lambda r: (rank.get(r["status"], 99), -r["created_at"].timestamp(), -r["id"]))
    listed = []
    for number in (1, 2, 3):
        listed += references(browser.get(f"/agents/?tri=statut&tranche=B&page={number}"))
    assert listed == [r["reference"] for r in expected]  # a status outside the workflow comes last


def test_a_reference_is_looked_up_by_itself_on_both_databases(any_app):
    # SQLite reads a beginning of reference as a range of its index, PostgreSQL as a LIKE: the same answers.
    add(any_app, *[values(n) for n in range(1, 9)])
    crampon_and_a_creche_request(any_app)
    make_agent(any_app)
    browser = logged_in(any_app)
    for term, expected in REFERENCE_CASES:
        assert references(search(browser, term)) == expected, term
    assert references(search(browser, "ŒUVRARD chloé")) == ["PF-2026-000005"]


def test_a_family_whose_names_change_is_found_by_its_new_names_only(app, varied, agent_browser):
    with app.app_context():
        application = db.session.get(Application, 1)
        application.birth_name, application.first_names = "ÉMERY", "Noël"
        db.session.commit()
        assert db.session.get(Application, 1).folded_names == "emery martin noel"
    assert references(search(agent_browser, "Emery noel")) == ["PF-2026-000001"]
    assert references(search(agent_browser, "martin")) == ["PF-2026-000001"]  # the usage name, unchanged
    assert references(search(agent_browser, "léger")) == []


def test_names_are_folded_as_they_are_recorded(any_app):
    add(any_app, values(1), values(2), values(3))
    with any_app.app_context():
        db.session.add(
            Application(id=4, status="submitted", birth_name="ŒUVRÉ-D'ARC", first_names="Maëlys", email="a@b.fr")
        )
        db.session.commit()
        folded = dict(db.session.execute(text("SELECT id, folded_names FROM application ORDER BY id")).all())
    assert folded == {
        1: "leger martin gerome elodie",
        2: "n diaye aissatou",
        3: "garcia lopez ines",
        4: "oeuvre d arc maelys",
    }


# --- median time to decision -------------------------------------------------------------------------------------


def python_median(delays: list[timedelta]) -> timedelta:
    """What the dashboard computed in Python before (statistics.median over every decision)."""
    return timedelta(seconds=statistics.median(d.total_seconds() for d in delays))


def decided_rows(count: int, seed: int) -> tuple[list[dict], list[timedelta]]:
    rng = random.Random(seed)
    rows, delays = [], []
    for n in range(1, count + 1):
        created = datetime(2026, 1, 5, 8, 0) + timedelta(minutes=37 * n, microseconds=rng.randrange(10**6))
        delay = timedelta(seconds=rng.randrange(60, 40 * 24 * 3600), microseconds=rng.randrange(10**6))
        status = rng.choice(("accepted", "refused", "in_review"))
        if status != "in_review":
            delays.append(delay)
        rows.append(values(n, status=status, created_at=created, decided_at=created + delay))
    return rows, delays


@pytest.mark.parametrize("count", [41, 60])  # odd and even numbers of rows (whatever the decisions' number)
def test_the_median_time_to_decision_is_the_one_computed_in_python(any_app, count):
    rows, delays = decided_rows(count, seed=count)
    add(any_app, *rows)
    with any_app.app_context():
        decisions, median = queries.decision_delays()
    assert decisions == len(delays)
    assert abs(median - python_median(delays)) <= timedelta(microseconds=1)
    assert duration(median) == duration(python_median(delays))


def test_an_even_number_of_decisions_takes_the_mean_of_the_middle_two(any_app):
    start = datetime(2026, 3, 2, 9, 0)
    delays = [timedelta(hours=3), timedelta(days=1), timedelta(days=2, hours=4), timedelta(days=10)]
    add(
        any_app,
        *[values(n, status="accepted", decided_at=start + d, created_at=start) for n, d in enumerate(delays, 1)],
    )
    make_agent(any_app)
    page = logged_in(any_app).get("/agents/tableau-de-bord")
    median = page.soup.find("h2", string="Délai médian de décision").find_next_sibling("p").get_text(" ", strip=True)
    assert median == "1 jour et 14 heures"  # (1 day + 2 days 4 h) / 2
    assert "sur 4 décisions" in page.text


def test_no_decision_has_no_median(any_app):
    add(any_app, values(1, status="in_review", decided_at=datetime(2026, 3, 3)))
    with any_app.app_context():
        assert queries.decision_delays() == (0, None)


def test_fold_names_is_what_the_search_compares():
    assert fold_names("LÉGER", "MARTIN", "Gérôme Élodie") == "leger martin gerome elodie"
    assert fold_names("N'DIAYE", None, None) == "n diaye"
    assert fold_names("GARCIA-LÓPEZ", "", "Inès") == "garcia lopez ines"
