"""The back-office part of `make bench`: 100,000 applications in the database, then an agent's pages over HTTP
through gunicorn (filtered list, a late page, search by reference and by name, dashboard) and the full CSV
export, with the workers' memory watched while it streams.

The seeding belongs to tests/bench/bench_backoffice.py (`seed(url, n)`) when that module is there; until then, rows
are inserted here in bulk as the back-office tests insert them (tests/backoffice/queue_rows.py)."""

import random
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import func, select

from passfamille.extensions import db
from passfamille.models import Application

from ..backoffice import queue_rows
from ..backoffice.agents import PASSWORD, make_agent
from ..formclient import Browser
from .load import TimedClient, percentile
from .servers import rss_mib

AGENT = "agent.bench@val-fleuri.example"
STATUSES = ("submitted", "to_verify", "in_review", "documents_requested", "accepted", "refused")
BATCH = 5_000
REPEATS = 30


def seed(app, count: int) -> None:
    """`count` Pass Famille applications of 2024 (references PF-2024-…, apart from this year's journeys), with
    varied statuses, QF, sources and days, after the rows already there."""
    rng = random.Random(count)
    with app.app_context():
        first = (db.session.scalar(select(func.max(Application.id))) or 0) + 1
        db.session.remove()
    for start in range(first, first + count, BATCH):
        rows = []
        for number in range(start, min(start + BATCH, first + count)):
            source = rng.choice(("api", "api", "api", "document"))
            rows.append(
                queue_rows.values(
                    number,
                    created_at=datetime(2024, 1, 1, 8) + timedelta(minutes=5 * (number - first)),
                    qf=rng.randint(300, 3200),
                    qf_source=source,
                    status=rng.choice(STATUSES),
                )
            )
            # values() names the reference after the row's year; make it independent of where the ids start.
            rows[-1]["reference"] = f"PF-2024-{number - first + 1:06d}"
        queue_rows.add(app, *rows)


def login(base_url: str) -> Browser:
    """The bench's agent (an account made as `flask agents create` does) logged in through the log-in page."""
    browser = Browser(TimedClient(base_url, lambda *_: None))
    page = browser.get("/agents/connexion").fill("Adresse électronique", AGENT).fill("Mot de passe", PASSWORD)
    page = page.submit("Se connecter")
    assert page.h1 != "Connexion à l'espace agents", page.error_summary()
    return browser


def measure_pages(app, base_url: str, count: int) -> dict:
    """p50/p95 (ms) of each back-office page, `REPEATS` times each after one warm-up, one agent at a time."""
    timings: dict[str, list[float]] = {}
    make_agent(app, AGENT)
    browser = login(base_url)
    queue = browser.get("/agents/")
    csrf = queue.soup.find("input", attrs={"name": "csrf_token"})["value"]
    session = browser.client.session
    late_page = max(1, count // 50 - 1)
    pages = {
        "Liste filtrée (déposées, tranche B)": ("GET", "/agents/?statut=submitted&tranche=B", None),
        f"Page lointaine ({late_page})": ("GET", f"/agents/?page={late_page}", None),
        "Recherche par référence": ("POST", "/agents/recherche", {"csrf_token": csrf, "term": "PF-2024-050000"}),
        "Recherche par nom (Dupont)": ("POST", "/agents/recherche", {"csrf_token": csrf, "term": "Dupont"}),
        "Tableau de bord": ("GET", "/agents/tableau-de-bord", None),
    }
    statuses = {}
    for name, (method, path, data) in pages.items():
        values = []
        for _ in range(REPEATS + 1):
            started = time.perf_counter()
            response = session.request(method, base_url + path, data=data, allow_redirects=False, timeout=120)
            response.content  # noqa: B018 - the whole page
            values.append(time.perf_counter() - started)
            statuses[name] = response.status_code
        timings[name] = values[1:]
    session.close()
    return {
        name: {
            "status": statuses[name],
            "p50_ms": round(percentile(values, 0.5) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        }
        for name, values in timings.items()
    }


def measure_export(base_url: str, workers: list[int]) -> dict:
    """The full CSV export streamed to the client; each worker's RSS sampled before and while it runs."""
    browser = login(base_url)
    before = {pid: rss_mib(pid) for pid in workers}
    peaks, stop = dict(before), threading.Event()

    def watch():
        while not stop.is_set():
            for pid in workers:
                peaks[pid] = max(peaks[pid], rss_mib(pid))
            stop.wait(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started, size, lines = time.perf_counter(), 0, 0
    first_byte = None
    with browser.client.session.get(base_url + "/agents/demandes.csv", stream=True, timeout=600) as response:
        status = response.status_code
        for chunk in response.iter_content(64 * 1024):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    stop.set()
    watcher.join()
    growth = {pid: peaks[pid] - before[pid] for pid in workers}
    return {
        "status": status,
        "rows": max(0, lines - 1),  # the header line
        "megabytes": round(size / 1e6, 1),
        "seconds": round(elapsed, 2),
        "first_byte_ms": round((first_byte or 0) * 1000),
        "rss_before_mib": {str(pid): round(v, 1) for pid, v in before.items()},
        "rss_growth_mib": round(max(growth.values()), 1),
    }
