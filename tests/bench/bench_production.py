"""`make bench`: what a commune would run, measured. The API Particulier sandbox and gunicorn with the project's
gunicorn.conf.py (preload, gthread) on a fresh migrated database, SQLite then PostgreSQL (when its Debian binaries
are there); a bare Flask page on the same gunicorn configuration as the ceiling; then simultaneous families on
loopback doing whole Pass Famille and « les deux » journeys for a bounded time; then 100,000 applications and the
agents' pages and the full CSV export. Prints measured against target and writes bench/results.json.

Speed is measured here and never asserted in a test. Environment: BENCH_SECONDS (per scenario, 60), BENCH_USERS
(32), BENCH_APPLICATIONS (100000), BENCH_DATABASES (sqlite,postgresql), BENCH_WORKERS and BENCH_THREADS (else
gunicorn.conf.py's defaults). Client and server share the machine's cores: the client's parsing of every page
takes CPU from the server, which the results report (CPU seconds of each side)."""

import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from passfamille import create_app  # noqa: E402
from passfamille.extensions import db  # noqa: E402
from passfamille.models import Application, Draft  # noqa: E402
from tests import postgres  # noqa: E402
from tests.bench import backoffice_load, load, servers  # noqa: E402
from tests.conftest import edited_example_settings  # noqa: E402

try:  # the back-office bench of its own (seed(url, n), measure(app)), when it is there
    from tests.bench import bench_backoffice
except ImportError:
    bench_backoffice = None

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results.json"
SECONDS = float(os.environ.get("BENCH_SECONDS") or 60)
USERS = int(os.environ.get("BENCH_USERS") or 32)
APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS") or 100_000)
DATABASES = (os.environ.get("BENCH_DATABASES") or "sqlite,postgresql").split(",")
WORKERS = int(os.environ.get("BENCH_WORKERS") or 0) or None
THREADS = int(os.environ.get("BENCH_THREADS") or 0) or None
CLIENT_PROCESSES = min(USERS, max(2, os.cpu_count() or 1))
# A bench measures speed, not the limits that protect API Particulier and the drafts table from one address.
UNLIMITED = {
    name: "1000000"
    for name in (
        "PASSFAMILLE_LOOKUPS_PER_ADDRESS_HOUR",
        "PASSFAMILLE_DRAFTS_PER_ADDRESS_HOUR",
        "PASSFAMILLE_API_CALLS_PER_SECOND",
        "PASSFAMILLE_API_CALLS_PER_MINUTE",
        "PASSFAMILLE_LOGIN_ATTEMPTS_PER_ADDRESS",
    )
}
# The pages that read the COG's list of communes: the applicant's page (its departments) and its POST.
COMMUNE_LIST_PAGES = ("GET /demande/demandeur", "POST /demande/demandeur")
# A worker's first request for such a page may cost a little more (a template compiled once), not the list's loading.
FIRST_REQUEST_FACTOR = 2
TARGETS = {"ratio": 0.5, "p95_ratio": 3.0, "rss_mib": 100, "backoffice_p95_ms": 100, "export_growth_mib": 20}


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    memory_kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    bindir = postgres.binaries()
    pg_version = None
    if bindir is not None:
        pg_version = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True).stdout
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gib": round(memory_kib / 1024 / 1024, 1),
        "load_average_at_start": [round(v, 2) for v in os.getloadavg()],
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": version.group(0) if (version := re.search(r"\d+\.\d+", pg_version or "")) else None,
    }


def database_url(kind: str, folder: Path, stack) -> str | None:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'passfamille.db'}"
    if postgres.binaries() is None:
        print("PostgreSQL absent (paquet Debian postgresql) : mesures sur SQLite seulement.")
        return None
    # Not under a folder private to root: the server runs as `postgres`.
    server = postgres.TemporaryPostgres(Path(tempfile.mkdtemp(prefix="passfamille-bench-pg-")))
    stack.append(lambda: (server.stop(), shutil.rmtree(server.folder, ignore_errors=True)))
    return server.start()


def counts(app) -> dict:
    """Applications per démarche, and drafts submitted, as recorded in the database."""
    with app.app_context():
        rows = db.session.execute(select(Application.demarche, func.count()).group_by(Application.demarche)).all()
        submitted = db.session.scalar(select(func.count()).select_from(Draft).where(Draft.submitted_at.is_not(None)))
        db.session.remove()
    return {**{demarche: n for demarche, n in rows}, "drafts_submitted": submitted}


def add_server_times(pages: dict, entries: list) -> None:
    """Each page's p50/p95 as gunicorn timed it (its access log): without the client's own waits (its threads share
    a process and the machine's cores), which the client's figures include."""
    durations: dict[str, list[float]] = {}
    for _, seconds, _, key in entries:
        durations.setdefault(key, []).append(seconds)
    for key, page in pages.items():
        if values := durations.get(key):
            page["server_count"] = len(values)
            page["server_p50_ms"] = round(load.percentile(values, 0.5) * 1000, 1)
            page["server_p95_ms"] = round(load.percentile(values, 0.95) * 1000, 1)


def first_requests(server: servers.Gunicorn) -> list[dict]:
    """Each worker's first request for a page that reads the list of communes, against that page's median once the
    server runs steadily (the second half of its requests: every user starts at once, and the first requests that
    wait for whatever a worker does once would make the median too), as gunicorn timed them (its access log)."""
    entries = server.access_log()
    found = []
    for key in COMMUNE_LIST_PAGES:
        durations = [seconds for _, seconds, _, k in entries if k == key]
        if not durations:
            continue
        steady = durations[len(durations) // 2 :]
        median, p95 = statistics.median(steady), load.percentile(steady, 0.95)
        for pid in sorted({pid for pid, *_ in entries}):
            first = next((seconds for p, seconds, _, k in entries if p == pid and k == key), None)
            if first is not None:
                found.append(
                    {
                        "worker": pid,
                        "page": key,
                        "first_ms": round(first * 1000, 1),
                        "median_ms": round(median * 1000, 1),
                        "p95_ms": round(p95 * 1000, 1),
                    }
                )
    return found


def seed(app, url: str) -> str:
    """APPLICATIONS more applications: by tests/bench/bench_backoffice.py's seed(url, n) when it is there and works,
    else by our own bulk insert. Returns which one did it."""
    if bench_backoffice is not None:
        with app.app_context():
            before = db.session.scalar(select(func.count()).select_from(Application))
            db.session.remove()
        try:
            bench_backoffice.seed(url, APPLICATIONS)
            return "tests/bench/bench_backoffice.py"
        except Exception as error:
            print(f"bench_backoffice.seed({APPLICATIONS}) a échoué ({error!r}) : insertion par backoffice_load.seed")
            with app.app_context():
                if db.session.scalar(select(func.count()).select_from(Application)) > before:
                    raise
                db.session.remove()
    backoffice_load.seed(app, APPLICATIONS)
    return "tests/bench/backoffice_load.py"


def bench_database(kind: str, url: str, folder: Path, sandbox_url: str, settings: Path) -> dict:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "API_PARTICULIER_URL": sandbox_url,
            "PASSFAMILLE_COMMUNE": str(settings),
            "SECRET_KEY": "bench",
            "MAIL_FOLDER": str(folder / "mails"),
            "DOCUMENTS_FOLDER": str(folder / "documents"),
        }
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    env = {
        **UNLIMITED,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + os.urandom(8).hex(),
        "API_PARTICULIER_URL": sandbox_url,
        "API_PARTICULIER_TOKEN": servers.SANDBOX_TOKEN,
        "PASSFAMILLE_COMMUNE": str(settings),
        "BENCH_FOLDER": str(folder),
    }
    result: dict = {"database": url.split(":", 1)[0]}
    log = folder / "gunicorn.log"
    with servers.gunicorn("tests.bench.served_app:app", env, log, WORKERS, THREADS) as server:
        workers = server.workers()
        result["workers"] = len(workers)
        recorded_before = counts(app)
        for scenario in ("pass_famille", "both"):
            print(f"[{kind}] {scenario} : {USERS} utilisateurs pendant {SECONDS:.0f} s…", flush=True)
            cpu_before, logged = sum(servers.cpu_seconds(pid) for pid in workers), len(server.access_log())
            result[scenario] = load.summary(load.run(server.url, scenario, USERS, SECONDS, CLIENT_PROCESSES))
            cpu = sum(servers.cpu_seconds(pid) for pid in workers) - cpu_before
            add_server_times(result[scenario]["pages"], server.access_log()[logged:])
            result[scenario]["server_cpu_seconds"] = round(cpu, 1)
            result[scenario]["server_cpu_ms_per_request"] = round(1000 * cpu / max(1, result[scenario]["requests"]), 1)
            recorded = counts(app)
            result[scenario]["recorded"] = {k: v - recorded_before.get(k, 0) for k, v in recorded.items()}
            recorded_before = recorded
        result["rss_mib_after_journeys"] = {str(pid): round(servers.rss_mib(pid), 1) for pid in workers}
        result["private_mib_after_journeys"] = {str(pid): round(servers.private_mib(pid), 1) for pid in workers}
        result["first_requests"] = first_requests(server)

        print(f"[{kind}] {APPLICATIONS} demandes en base…", flush=True)
        started = time.monotonic()
        result["seeded_by"] = seed(app, url)
        result["seed_seconds"] = round(time.monotonic() - started, 1)
        with app.app_context():
            result["applications_in_database"] = db.session.scalar(select(func.count()).select_from(Application))
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("ANALYZE"))  # as autovacuum would after such an insert
                db.session.commit()
            db.session.remove()
        print(f"[{kind}] espace agents…", flush=True)
        result["backoffice"] = backoffice_load.measure_pages(app, server.url, result["applications_in_database"])
        result["export"] = backoffice_load.measure_export(server.url, workers)
        result["rss_mib_at_end"] = {str(pid): round(servers.rss_mib(pid), 1) for pid in workers}
        if bench_backoffice is not None and hasattr(bench_backoffice, "measure"):
            with app.app_context():
                try:
                    result["backoffice_in_process"] = bench_backoffice.measure(app)
                except Exception as error:  # its interface is not settled yet: the HTTP figures stand alone
                    result["backoffice_in_process"] = f"bench_backoffice.measure(app) : {error!r}"
        server_errors = [line for line in log.read_text(errors="replace").splitlines() if "Traceback" in line]
        result["server_tracebacks"] = len(server_errors)
    with app.app_context():
        db.engine.dispose()
    return result


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def verdicts(results: dict) -> list[tuple[str, str, str, bool]]:
    """(measure, measured, target, met) for every target of issue 11."""
    bare = results["bare"]
    rows = [
        (
            "Page nue (plafond) : req/s, p95 ; CPU serveur / client",
            f"{bare['requests_per_second']:.0f} req/s, {bare['p95_ms']:.1f} ms ; "
            f"{bare['server_cpu_seconds']:.0f} s / {bare['client_cpu_seconds']:.0f} s",
            "",
            True,
        )
    ]
    for kind, result in results["databases"].items():
        for scenario, label in (("pass_famille", "Pass Famille"), ("both", "« Les deux »")):
            s = result[scenario]
            ratio = s["requests_per_second"] / bare["requests_per_second"]
            rows.append(
                (
                    f"[{kind}] {label} : parcours/s, req/s ÷ page nue",
                    f"{s['journeys_per_second']:.2f} parcours/s, {s['requests_per_second']:.0f} req/s → {ratio:.2f}",
                    f"≥ {TARGETS['ratio']}",
                    ratio >= TARGETS["ratio"],
                )
            )
            worst_key, worst = max(s["pages"].items(), key=lambda item: item[1]["p95_ms"])
            factor = worst["p95_ms"] / bare["p95_ms"]
            rows.append(
                (
                    f"[{kind}] {label} : pire p95 ÷ p95 page nue",
                    f"{worst_key} {worst['p95_ms']:.0f} ms → ×{factor:.1f}",
                    f"≤ ×{TARGETS['p95_ratio']:.0f}",
                    factor <= TARGETS["p95_ratio"],
                )
            )
            shown = s["journeys"]
            recorded = s["recorded"].get("creche" if scenario == "both" else "pass_famille", 0)
            rows.append(
                (
                    f"[{kind}] {label} : confirmations affichées = demandes en base",
                    f"{shown} = {recorded} (brouillons envoyés {s['recorded'].get('drafts_submitted', 0)})",
                    "égalité",
                    shown == recorded == s["recorded"].get("drafts_submitted", 0),
                )
            )
            errors = sum(s["error_statuses"].values())
            rows.append(
                (
                    f"[{kind}] {label} : erreurs",
                    f"{errors} réponses 4xx/5xx, {s['failures']} parcours interrompus",
                    "0",
                    errors == 0 and s["failures"] == 0,
                )
            )
        rss = max(result["rss_mib_after_journeys"].values())
        rows.append(
            (
                f"[{kind}] RSS par worker après les parcours (dont privée)",
                " / ".join(
                    f"{rss:.0f} ({private:.0f})"
                    for rss, private in zip(
                        result["rss_mib_after_journeys"].values(),
                        result["private_mib_after_journeys"].values(),
                        strict=True,
                    )
                )
                + " Mio",
                f"≤ {TARGETS['rss_mib']} Mio",
                rss <= TARGETS["rss_mib"],
            )
        )
        for first in result["first_requests"]:
            rows.append(
                (
                    f"[{kind}] 1re requête du worker {first['worker']} : {first['page']}",
                    f"{first['first_ms']:.0f} ms (ensuite médiane {first['median_ms']:.0f}, p95 {first['p95_ms']:.0f})",
                    f"≤ ×{FIRST_REQUEST_FACTOR} la médiane",
                    first["first_ms"] <= FIRST_REQUEST_FACTOR * first["median_ms"],
                )
            )
        count = result["applications_in_database"]
        for page, measured in result["backoffice"].items():
            rows.append(
                (
                    f"[{kind}] {count} demandes : {page}",
                    f"p95 {measured['p95_ms']:.0f} ms (p50 {measured['p50_ms']:.0f}, {measured['status']})",
                    f"≤ {TARGETS['backoffice_p95_ms']} ms",
                    measured["p95_ms"] <= TARGETS["backoffice_p95_ms"] and measured["status"] == 200,
                )
            )
        export = result["export"]
        rows.append(
            (
                f"[{kind}] Export CSV de {export['rows']} lignes",
                f"{export['seconds']:.1f} s, {export['megabytes']} Mo, RSS +{export['rss_growth_mib']:.1f} Mio",
                f"{count} lignes, RSS + ≤ {TARGETS['export_growth_mib']} Mio",
                export["rows"] == count and export["rss_growth_mib"] <= TARGETS["export_growth_mib"],
            )
        )
    return rows


def print_table(results: dict) -> None:
    print("\nPar page (ms ; client : de l'envoi au dernier octet, redirections à part ; serveur : gunicorn) :")
    bare_p95 = results["bare"]["p95_ms"]
    for kind, result in results["databases"].items():
        for scenario in ("pass_famille", "both"):
            s = result[scenario]
            print(
                f"  [{kind}] {scenario} — {s['journeys']} parcours, médiane d'un parcours {s['journey_p50_ms']} ms ; "
                f"CPU serveur {s['server_cpu_seconds']} s ({s['server_cpu_ms_per_request']} ms/requête), "
                f"client {s['client_cpu_seconds']} s"
            )
            print(f"    {'page':32} {'n':>5} {'p50':>7} {'p95':>7} {'÷ nue':>6}   serveur : {'p50':>7} {'p95':>7}")
            for key, page in sorted(s["pages"].items(), key=lambda item: -item[1]["p95_ms"]):
                ratio = page["p95_ms"] / bare_p95
                print(
                    f"    {key:32} {page['count']:5} {page['p50_ms']:7.1f} {page['p95_ms']:7.1f} {ratio:6.1f}"
                    f"             {page.get('server_p50_ms', 0):7.1f} {page.get('server_p95_ms', 0):7.1f}"
                )
            for status, number in s["error_statuses"].items():
                print(f"    ! {number} × {status}")
            for example in s["failure_examples"]:
                print(f"    ! {example}")
    rows = verdicts(results)
    width = max(len(r[0]) for r in rows)
    measured_width = max(len(r[1]) for r in rows)
    print(f"\n{'mesure':{width}}  {'mesuré':{measured_width}}  {'cible':28}")
    for label, measured, target, ok in rows:
        print(f"{label:{width}}  {measured:{measured_width}}  {target:28} {mark(ok) if target else ''}")
    m = results["machine"]
    print(
        f"\nMachine : {m['cpu']}, {m['cores']} cœurs, {m['ram_gib']} Gio, Python {m['python']}, SQLite {m['sqlite']}, "
        f"PostgreSQL {m['postgresql']} ; charge {m['load_average_at_start']} au départ, "
        f"{m['load_average_at_end']} à la fin. "
        f"Résultats : {RESULTS.relative_to(ROOT)}"
    )


def main() -> None:
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "seconds_per_scenario": SECONDS,
            "users": USERS,
            "client_processes": CLIENT_PROCESSES,
            "gunicorn_workers": WORKERS or "gunicorn.conf.py",
            "gunicorn_threads": THREADS or "gunicorn.conf.py",
            "applications": APPLICATIONS,
        },
        "targets": TARGETS,
        "databases": {},
    }
    folder = Path(tempfile.mkdtemp(prefix="passfamille-bench-"))
    cleanup = []
    try:
        with servers.sandbox(folder / "sandbox.log") as sandbox:
            print(f"Page nue : {USERS} utilisateurs pendant {SECONDS:.0f} s…", flush=True)
            with servers.gunicorn("tests.bench.bare_app:app", {}, folder / "bare.log", WORKERS, THREADS) as bare:
                workers = bare.workers()
                cpu_before = sum(servers.cpu_seconds(pid) for pid in workers)
                results["bare"] = load.summary(load.run(bare.url, "bare", USERS, SECONDS, CLIENT_PROCESSES))
                results["bare"]["server_cpu_seconds"] = round(
                    sum(servers.cpu_seconds(pid) for pid in workers) - cpu_before, 1
                )
            for kind in DATABASES:
                here = folder / kind
                here.mkdir()
                url = database_url(kind, here, cleanup)
                if url is None:
                    continue
                settings = edited_example_settings(here / "commune", lambda text: text)
                results["databases"][kind] = bench_database(kind, url, here, sandbox.url, settings)
    finally:
        for stop in reversed(cleanup):
            stop()
    # The machine may be shared: what else ran during the bench shows in the load at its end.
    results["machine"]["load_average_at_end"] = [round(v, 2) for v in os.getloadavg()]
    results["verdicts"] = [
        {"measure": label, "measured": measured, "target": target, "met": ok}
        for label, measured, target, ok in verdicts(results)
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print_table(results)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
