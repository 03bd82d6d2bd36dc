"""`make bench`, crèche part: the "both démarches" journey page by page, then the pages that rank the waiting
lists (family link, commission list, export) as the lists grow.

Speed is measured here and never asserted in a test. Server time in-process (Flask test client), SQLite on disk,
sandbox on loopback HTTP. The waiting lists are ranked in Python from the database on each request
(creche/waiting_list.py): this shows up to which size that stays comfortable for a small commune.
"""

import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask_migrate import upgrade  # noqa: E402

from passfamille import create_app  # noqa: E402
from passfamille.demarches import statemachine  # noqa: E402
from passfamille.extensions import db  # noqa: E402
from passfamille.models import Application  # noqa: E402
from passfamille.sandbox.server import start_in_thread  # noqa: E402
from tests.backoffice.agents import logged_in, make_agent  # noqa: E402
from tests.bench.bench_journey import NO_LIMITS, TimedClient  # noqa: E402
from tests.conftest import edited_example_settings  # noqa: E402
from tests.creche_factory import make_request  # noqa: E402
from tests.formclient import Browser  # noqa: E402
from tests.functional.journeys import BOTH  # noqa: E402
from tests.functional.test_creche_journeys import fill_wishes, to_wishes  # noqa: E402

JOURNEYS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
LIST_SIZES = (100, 500, 2000)
REPEATS = 15
CRITERIA = ("parents-actifs", "parent-seul", "fratrie", "handicap", "residence")
WISHES = (("pioupious", "bebes"), ("petits-loups", "tous-ages"), ("coquelicots", "bebes"))


def median_ms(values) -> str:
    return f"{statistics.median(values) * 1000:8.1f}"


def p95_ms(values) -> str:
    values = sorted(values)
    return f"{values[min(len(values) - 1, int(0.95 * len(values)))] * 1000:8.1f}"


def journeys(app) -> None:
    timings, totals = defaultdict(list), []
    for _ in range(JOURNEYS):
        browser = Browser(TimedClient(app.test_client(), timings))
        started = time.perf_counter()
        page = fill_wishes(to_wishes(browser, BOTH)).submit("Continuer").submit("Continuer")
        page = page.click("Continuer").click("Continuer").submit("Envoyer ma demande")
        assert page.h1 == "Vos demandes sont envoyées", page.h1
        totals.append(time.perf_counter() - started)
    print(f"Parcours « Les deux » (LEFEBVRE, Pioupious), {JOURNEYS} parcours, temps serveur par requête (ms) :")
    print(f"{'requête':45} {'médiane':>8} {'p95':>8}")
    for key, values in timings.items():
        print(f"{key:45} {median_ms(values)} {p95_ms(values)}")
    print(f"Parcours complet : médiane {statistics.median(totals) * 1000:.0f} ms, max {max(totals) * 1000:.0f} ms")


def fill_lists(app, count: int, already: int) -> int:
    """Waiting requests until `count`, with random criteria and one to three wishes; returns the last id."""
    rng = random.Random(count)
    last = None
    for index in range(already, count):
        last = make_request(
            app,
            wishes=rng.sample(WISHES, rng.randint(1, 3)),
            criteria=rng.sample(CRITERIA, rng.randint(0, 3)),
            email=f"famille{index}@example.org",
            created_at=datetime(2026, 1, 1) + timedelta(minutes=index),
            today=date(2026, 1, 1),
        )
    return last


def lists(app) -> None:
    make_agent(app)
    agent = logged_in(app)
    print()
    print(f"Listes d'attente (temps serveur, médiane et p95 sur {REPEATS} requêtes, ms) :")
    print(f"{'demandes en attente':>20} {'page famille':>14} {'liste commission':>17} {'export CSV':>12}")
    already = 0
    for size in LIST_SIZES:
        last = fill_lists(app, size, already)
        already = size
        with app.app_context():
            family = "/creche/suivi/" + statemachine.family_token(db.session.get(Application, last))
        columns = []
        for url in (family, "/agents/creche/pioupious/bebes", "/agents/creche/demandes.csv"):
            client = agent.client if url.startswith("/agents") else app.test_client()
            times = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                response = client.get(url)
                response.get_data()
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
            columns.append(f"{median_ms(times).strip()} / {p95_ms(times).strip()}")
        print(f"{size:>20} {columns[0]:>14} {columns[1]:>17} {columns[2]:>12}")


def main():
    sandbox = start_in_thread()
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "API_PARTICULIER_URL": sandbox.url,
            "MAIL_FOLDER": str(folder / "mails"),
            "DOCUMENTS_FOLDER": str(folder / "documents"),
            # The journeys confirm the CAF/MSA facts they read: a commune that identifies its families.
            "PASSFAMILLE_COMMUNE": str(edited_example_settings(folder / "commune", lambda text: text)),
            **NO_LIMITS,
        }
    )
    with app.app_context():
        upgrade()
    journeys(app)
    sandbox.stop()
    lists(app)


if __name__ == "__main__":
    main()
