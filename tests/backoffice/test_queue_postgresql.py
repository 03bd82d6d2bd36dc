"""The agents' queue on PostgreSQL: filters, search and download."""

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from passfamille import create_app
from passfamille.extensions import db

from ..postgres import TemporaryPostgres
from .agents import logged_in, make_agent
from .queue_pages import apply_filters, references, search
from .queue_rows import add, values


@pytest.fixture(scope="module")
def postgres_url():
    folder = Path(tempfile.mkdtemp(prefix="passfamille-pg-"))  # not tmp_path: the server runs as `postgres`
    server = TemporaryPostgres(folder)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_filters_search_and_download_work_on_postgresql(app_config, postgres_url):
    # The search folds accents with translate() there, and the download reads JSON values with ->>.
    pg_app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": postgres_url})
    with pg_app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
    add(pg_app, *[values(n, qf=qf) for n, qf in enumerate([400, 850, 1250, 870, 3100, 900, 300, 950], start=1)])
    make_agent(pg_app)
    browser = logged_in(pg_app)
    page = apply_filters(browser.get("/agents/").select("Tranche", "Tranche B").select("Trier par", "Statut"))
    assert references(page) == ["PF-2026-000006", "PF-2026-000004", "PF-2026-000002"]
    for term, expected in [("ŒUVRARD chloé", [5]), ("n'diaye AÏSSATOU", [2]), ("pf-2026-00000", list(range(8, 0, -1)))]:
        assert references(search(browser, term)) == [f"PF-2026-{n:06d}" for n in expected], term
    body = browser.client.get("/agents/demandes.csv?tranche=B").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert [(r["Référence"], r["Code postal"], r["Commune"], r["Enfants couverts"]) for r in rows][0] == (
        "PF-2026-000006",
        "13990",
        "Val-Fleuri",
        "LAURA 15/11/2016",
    )
    refused = json.loads(browser.client.get("/agents/demandes.json?tranche=aucune").get_data())
    assert [(r["reference"], r["eligible"], r["motifs"], r["enfants_couverts"]) for r in refused] == [
        ("PF-2026-000005", "non", "QF_ABOVE_CEILING", "")
    ]
