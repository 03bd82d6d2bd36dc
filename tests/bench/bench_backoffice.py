"""The agents' back-office at 100,000 applications (issue 11): list filtered, a late page, search by reference and
by name, dashboard, CSV download, on SQLite and on a throwaway PostgreSQL.

Speed is measured here and never asserted in a test. Server time in-process (Flask test client). Importable by
`make bench` (tests/bench/bench_production.py):

    seed(url, n)   migrates the database at `url` and bulk-inserts `n` applications (a realistic mix)
    measure(app)   logs an agent in and returns {label: {"p50": ms, "p95": ms}}, and {"total": ms} for the CSV

Run alone: `.venv/bin/python tests/bench/bench_backoffice.py [N] [sqlite|postgresql ...]`.
"""

import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from passfamille import create_app  # noqa: E402
from passfamille.extensions import db  # noqa: E402
from passfamille.models import Application, PassFamilleRequest  # noqa: E402
from tests.backoffice.agents import logged_in, make_agent  # noqa: E402
from tests.conftest import edited_example_settings  # noqa: E402
from tests.postgres import TemporaryPostgres  # noqa: E402

N = 100_000
REPEATS = 20
BATCH = 5_000
START = datetime(2024, 9, 1, 8, 0)
BIRTH_NAMES = (
    "DUPONT", "MARTIN", "LÉGER", "N'DIAYE", "GARCIA-LÓPEZ", "BERNARD", "ŒUVRARD", "PETIT", "ROUX", "LEFÈBVRE",
    "FAURÉ", "MÜLLER", "COMTÉ", "DA SILVA", "NGUYEN", "BENOÎT", "CHÂTEAU", "GIRAUD", "MOREAU", "LAURENT",
)  # fmt: skip
FIRST_NAMES = (
    "Sophie", "Gérôme", "Élodie", "Aïssatou", "Inès", "Julien", "Chloé", "Lucas", "Emma", "Noël", "Zoé",
    "François", "Anaïs", "Maëlys", "Jérémy", "Hélène", "Karim", "Léa", "Loïc", "Céline",
)  # fmt: skip
# Most applications are decided or waiting: the long tail of a few years of a commune, not today's inbox.
PF_STATUSES = (("accepted", 50), ("refused", 12), ("submitted", 10), ("to_verify", 8), ("in_review", 10))
PF_STATUSES += (("documents_requested", 6), ("awaiting_recheck", 4))
CR_STATUSES = (("waiting", 55), ("offered", 5), ("offer_accepted", 5), ("admitted", 20), ("closed", 10))
CR_STATUSES += (("withdrawn", 5),)
BRACKETS = (("A", "0"), ("B", "10"), ("C", "20"), ("D", "30"), ("E", "40"))
QF_SOURCES = (("api", 70), ("document", 15), ("declared", 5), (None, 10))
RULES = "2026-01-01 / délibération n° 2025-112 du 15/12/2025"


def _pick(rng, weighted):
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def _rows(n: int, rng: random.Random, after: int = 0, numbers: dict | None = None):
    """(application, pass famille facts or None) for n applications, oldest first, numbered per prefix and year;
    their ids follow `after` and their numbers those in `numbers` (the rows already there: `make bench` seeds after
    its journeys)."""
    numbers = dict(numbers or {})
    for number in range(after + 1, after + n + 1):
        created = START + timedelta(minutes=number * 11 + rng.randrange(10))  # ~2 years for 100,000
        is_creche = rng.random() < 0.2
        prefix = "CR" if is_creche else "PF"
        numbers[(prefix, created.year)] = numbers.get((prefix, created.year), 0) + 1
        status = _pick(rng, CR_STATUSES if is_creche else PF_STATUSES)
        decided = status in ("accepted", "refused")
        first_names = " ".join(rng.sample(FIRST_NAMES, rng.choice((1, 1, 2, 3))))
        application = {
            "id": number,
            "reference": f"{prefix}-{created.year}-{numbers[(prefix, created.year)]:06d}",
            "demarche": "creche" if is_creche else "pass_famille",
            "status": status,
            "created_at": created,
            "updated_at": created,
            "birth_name": rng.choice(BIRTH_NAMES),
            "usage_name": rng.choice(BIRTH_NAMES) if rng.random() < 0.2 else None,
            "first_names": first_names,
            "email": f"famille.{number}@example.org",
            "children": [],
            "decided_at": created + timedelta(hours=rng.randrange(2, 24 * 30)) if decided else None,
        }
        facts = None
        if not is_creche:
            source = _pick(rng, QF_SOURCES)
            bracket = rng.choice(BRACKETS) if source and status != "refused" else (None, None)
            facts = {
                "application_id": number,
                "qf_value": rng.randrange(200, 3000) if source else None,
                "qf_source": source,
                "eligible": bracket[0] is not None,
                "bracket_code": bracket[0],
                "tariff": bracket[1],
                "decision": {"eligible": bracket[0] is not None, "reasons": []},
                "rules_version": RULES,
            }
        yield application, facts


def seed(url: str, n: int = N, random_seed: int = 11) -> None:
    """Migrate the database at `url` and insert `n` applications in batches, after those already there, through Core
    inserts (what the models declare as column defaults is applied, as for any insert)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(random_seed)
    with app.app_context():
        upgrade()
        after = db.session.scalar(select(func.max(Application.id))) or 0
        numbers = {}
        for reference in db.session.scalars(select(Application.reference).where(Application.reference.is_not(None))):
            prefix, year, number = reference.split("-")
            numbers[(prefix, int(year))] = max(numbers.get((prefix, int(year)), 0), int(number))
        applications, facts = [], []
        for application, fact in _rows(n, rng, after, numbers):
            applications.append(application)
            if fact:
                facts.append(fact)
            if len(applications) == BATCH:
                _insert(applications, facts)
        _insert(applications, facts)
        db.session.commit()
        # The planner's statistics (and PostgreSQL's visibility map), as autovacuum leaves them after such a load.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"))
        db.engine.dispose()


def _insert(applications: list, facts: list) -> None:
    # Core inserts of the tables: one executemany per batch (the ORM's bulk insert would split a batch wherever the
    # columns left empty change from one row to the next).
    connection = db.session.connection()
    if applications:
        connection.execute(insert(Application.__table__), applications)
    if facts:
        connection.execute(insert(PassFamilleRequest.__table__), facts)
    db.session.commit()
    applications.clear()
    facts.clear()


def _timed(timings: dict, label: str, call) -> None:
    started = time.perf_counter()
    response = call()
    body = response.get_data()
    timings.setdefault(label, []).append(time.perf_counter() - started)
    assert response.status_code == 200, (label, response.status_code, body[:300])


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000,
    }


FILTERS = (
    "?demarche=pass_famille&statut=to_verify",
    "?demarche=creche&statut=waiting&tri=anciennes",
    "?statut=accepted&tri=reference",
    "?tranche=B&source=document",
    "?demarche=pass_famille&du=2025-03-01&au=2025-06-30",
    "?tri=statut",
)


def measure(app, repeats: int = REPEATS, random_seed: int = 12) -> dict[str, dict[str, float]]:
    """Time the agents' pages on the app's (seeded) database. An agent account is made if there is none."""
    rng = random.Random(random_seed)
    with app.app_context():
        if not db.session.scalar(text("SELECT count(*) FROM agent WHERE email = 'agent@val-fleuri.example'")):
            make_agent(app)
        references = list(db.session.scalars(select(Application.reference).order_by(func.random()).limit(repeats)))
        pages = -(-db.session.scalar(select(func.count(Application.id))) // 50)
    browser = logged_in(app)
    client = browser.client
    token = browser.get("/agents/").soup.find("input", {"name": "csrf_token"})["value"]
    names = [rng.choice(BIRTH_NAMES).lower() for _ in range(repeats // 2)]
    names += [f"{rng.choice(FIRST_NAMES)} {rng.choice(BIRTH_NAMES)}" for _ in range(repeats - len(names))]
    timings: dict[str, list[float]] = {}
    for i in range(repeats):
        _timed(timings, "liste filtrée", lambda i=i: client.get(f"/agents/{FILTERS[i % len(FILTERS)]}"))
        _timed(timings, "page lointaine", lambda: client.get(f"/agents/?page={pages - rng.randrange(1, 50)}"))
        term = references[i % len(references)]
        _timed(timings, "recherche par référence", lambda t=term: client.post("/agents/recherche", data=_s(token, t)))
        _timed(timings, "recherche par nom", lambda i=i: client.post("/agents/recherche", data=_s(token, names[i])))
        _timed(timings, "tableau de bord", lambda: client.get("/agents/tableau-de-bord"))
    result = {label: _percentiles(values) for label, values in timings.items()}
    started = time.perf_counter()
    response = client.get("/agents/demandes.csv")
    size = len(response.get_data())
    result["export CSV (total)"] = {"total": (time.perf_counter() - started) * 1000, "bytes": size}
    return result


def _s(token: str, term: str) -> dict:
    return {"csrf_token": token, "term": term}


def _app(url: str, folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "WEAK_PASSWORD_HASH_FOR_TESTS": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_FOLDER": str(folder / "mails"),
            "DOCUMENTS_FOLDER": str(folder / "documents"),
            "PASSFAMILLE_COMMUNE": str(edited_example_settings(folder / "commune", lambda t: t)),
        }
    )


def report(engine: str, n: int, result: dict) -> None:
    print(f"\n{engine}, {n} demandes, temps serveur (ms) :")
    for label, figures in result.items():
        print(f"  {label:<26}" + "  ".join(f"{k} {v:9.1f}" for k, v in figures.items() if k != "bytes"))


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else N
    engines = [a for a in sys.argv[1:] if not a.isdigit()] or ["sqlite", "postgresql"]
    folder = Path(tempfile.mkdtemp(prefix="passfamille-bench-"))
    try:
        for engine in engines:
            server = None
            if engine == "postgresql":
                # Its own folder, not under `folder`: the server runs as `postgres` (see tests/postgres.py).
                server = TemporaryPostgres(Path(tempfile.mkdtemp(prefix="passfamille-bench-pg-")))
                url = server.start()
            else:
                url = f"sqlite:///{folder / 'bench.db'}"
            try:
                started = time.perf_counter()
                seed(url, n)
                print(f"{engine} : {n} demandes insérées en {time.perf_counter() - started:.1f} s")
                report(engine, n, measure(_app(url, folder / engine)))
            finally:
                if server is not None:
                    server.stop()
                    shutil.rmtree(server.folder, ignore_errors=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
