"""The agents' queue: filters, sort, pages, counts per status, and the search that keeps names out of URLs."""

import csv
import io
import json
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_migrate import upgrade
from sqlalchemy import insert, text

from passfamille import create_app
from passfamille.extensions import db
from passfamille.models import Application, PassFamilleRequest

from ..formclient import Browser
from ..functional.journeys import LEFEBVRE, add_child, finish, through_api
from ..postgres import TemporaryPostgres
from .agents import logged_in, make_agent

RULES_2026 = "2026-01-01 / délibération n° 2025-112 du 15/12/2025"
BRACKETS_2026 = [("A", 450, "0"), ("B", 900, "10"), ("C", 1300, "20"), ("D", 1700, "30"), ("E", 2800, "40")]
FAMILIES = [
    ("DUPONT", None, "SOPHIE"),
    ("LÉGER", "MARTIN", "Gérôme Élodie"),
    ("N'DIAYE", None, "Aïssatou"),
    ("GARCIA-LÓPEZ", None, "Inès"),
    ("BERNARD", None, "Julien Marc"),
    ("ŒUVRARD", None, "Chloé"),
    ("PETIT", None, "Lucas"),
    ("ROUX", None, "Emma"),
]


def values(number: int, **changes) -> dict:
    """One application row as the wizard records it (CAF route, Tranche B), with `changes` on top."""
    birth_name, usage_name, first_names = FAMILIES[number % len(FAMILIES)]
    qf = changes.pop("qf", 850)
    source = changes.pop("qf_source", "api")
    bracket = next(
        ((code, tariff) for code, ceiling, tariff in BRACKETS_2026 if qf is not None and qf <= ceiling), None
    )
    created_at = changes.pop("created_at", datetime(2026, 3, 2, 9, 30) + timedelta(minutes=number))
    eligible = changes.pop("eligible", bracket is not None if qf is not None else None)
    children = [{"first_names": "LAURA", "birth_date": "2016-11-15", "source": "api"}]
    row = {
        "id": number,
        "reference": f"PF-{created_at.year}-{number:06d}",
        "demarche": "pass_famille",
        "status": "submitted" if source == "api" else "to_verify",
        "created_at": created_at,
        "updated_at": created_at,
        "birth_name": birth_name,
        "usage_name": usage_name,
        "first_names": first_names,
        "email": f"famille.{number}@example.org",
        "qf_value": qf,
        "qf_provider": "CNAF" if source == "api" else None,
        "qf_year": 2026 if source == "api" else None,
        "qf_month": 1 if source == "api" else None,
        "qf_source": source if qf is not None else None,
        "qf_fetched_at": created_at - timedelta(minutes=3) if source == "api" else None,
        "api_request_id": f"req-{number:08d}" if source == "api" else None,
        "children": children,
        "address": {"lines": ["1 rue des Lilas"], "postal_code": "13990", "city": "Val-Fleuri", "country": None},
        "address_source": "api" if source == "api" else "declared",
        "eligible": eligible,
        "bracket_code": bracket[0] if bracket and eligible else None,
        "tariff": bracket[1] if bracket and eligible else None,
        "decision": {
            "eligible": eligible,
            "reasons": [] if eligible else ["QF_ABOVE_CEILING"],
            "covered_children": children if eligible else [],
            "rules_version": RULES_2026,
        },
        "rules_version": RULES_2026,
    }
    row.update(changes)
    return row


# The Pass Famille's facts live in their own table, one row per application.
PASS_FAMILLE_KEYS = {c.key for c in PassFamilleRequest.__table__.columns} - {"id", "application_id"}


def add(app, *rows: dict) -> None:
    with app.app_context():
        applications = [{k: v for k, v in row.items() if k not in PASS_FAMILLE_KEYS} for row in rows]
        facts = [
            {"application_id": row["id"], **{k: v for k, v in row.items() if k in PASS_FAMILLE_KEYS}}
            for row in rows
            if row["demarche"] != "creche"
        ]
        db.session.execute(insert(Application), applications)
        if facts:
            db.session.execute(insert(PassFamilleRequest), facts)
        db.session.commit()


def apply_filters(page, button="Filtrer"):
    """Submits the filter form as a browser does: a GET with every field in the query string."""
    form = next(b for b in page.soup.find_all("button") if b.get_text(strip=True) == button).find_parent("form")
    assert form.get("method") == "get"
    return page.submit(button)


def references(page) -> list[str]:
    table = page.soup.select_one("table.queue")
    return [th.get_text(strip=True) for th in table.select("tbody th")] if table else []


def query_of(page) -> dict:
    return {name: value[0] for name, value in parse_qs(urlsplit(page.url).query).items()}


@pytest.fixture
def varied(app):
    """Eight applications across statuses, sources, brackets and days."""
    add(
        app,
        values(1, created_at=datetime(2026, 3, 1, 8, 0), qf=400),
        values(2, created_at=datetime(2026, 3, 2, 23, 59), qf=850),
        values(3, created_at=datetime(2026, 3, 3, 0, 0), qf=1250, qf_source="document"),
        values(4, created_at=datetime(2026, 3, 4, 10, 0), qf=None, qf_source=None, status="awaiting_recheck"),
        values(5, created_at=datetime(2026, 3, 5, 10, 0), qf=3100, status="refused"),
        values(6, created_at=datetime(2026, 3, 6, 10, 0), qf=850, status="accepted"),
        values(7, created_at=datetime(2026, 3, 7, 10, 0), qf=1600, status="in_review", demarche="autre"),
        values(8, created_at=datetime(2026, 3, 8, 10, 0), qf=870, qf_source="document", status="documents_requested"),
    )


def test_queue_lists_the_newest_first_with_the_agreed_columns(app, varied, agent_browser):
    page = agent_browser.get("/agents/")
    assert page.status == 200 and page.h1 == "Demandes" and page.title.startswith("Demandes – ")
    assert references(page) == [f"PF-2026-{n:06d}" for n in range(8, 0, -1)]
    headers = [th.get_text(strip=True) for th in page.soup.select("table.queue thead th")]
    assert headers == [
        "Référence",
        "Déposée le",
        "Demandeur",
        "Statut",
        "Source du QF",
        "Tranche",
        "Tarif",
        "Éligible",
    ]
    cells = [td.get_text(" ", strip=True) for td in page.soup.select("table.queue tbody tr")[6].select("th, td")]
    assert cells == [
        "PF-2026-000002",
        "02/03/2026",
        "N'DIAYE Aïssatou",
        "Déposée",
        "CAF/MSA (API Particulier)",
        "B",
        "10\u00a0€",
        "Oui",
    ]
    first = [td.get_text(" ", strip=True) for td in page.soup.select("table.queue tbody tr")[7].select("td")]
    assert first[1:3] == ["MARTIN (naissance : LÉGER) Gérôme Élodie", "Déposée"] and first[5] == "0\u00a0€"
    refused = [td.get_text(" ", strip=True) for td in page.soup.select("table.queue tbody tr")[3].select("td")]
    assert refused[2:] == ["Refusée", "CAF/MSA (API Particulier)", "–", "–", "Non"]


def test_reference_links_to_the_detail_page(app, varied, agent_browser):
    link = agent_browser.get("/agents/").soup.find("a", string="PF-2026-000003")
    assert link["href"] == "/agents/demandes/3"


def test_counts_per_status_are_links_that_filter(app, varied, agent_browser):
    page = agent_browser.get("/agents/")
    counts = [a.get_text(" ", strip=True) for a in page.soup.select(".status-counts a")]
    assert counts == [
        "Toutes : 8",
        "Déposée : 2",
        "Déposée, à vérifier : 1",
        "En attente de la CAF/MSA : 1",
        "En instruction : 1",
        "Pièce demandée : 1",
        "Acceptée : 1",
        "Refusée : 1",
    ]
    page = page.click("Déposée : 2")
    assert query_of(page) == {"statut": "submitted"}
    assert references(page) == ["PF-2026-000002", "PF-2026-000001"]
    assert page.value("Statut") == "submitted"
    assert page.soup.select_one('.status-counts a[aria-current="true"]').get_text(" ", strip=True) == "Déposée : 2"


# Each case is a separate page load in one test: a logged-in agent costs two scrypt hashes per test.
FILTER_CASES = [
    ("Statut", "Acceptée", [6]),
    ("Statut", "Déposée, à vérifier", [3]),
    ("Démarche", "Pass Famille", [8, 6, 5, 4, 3, 2, 1]),
    ("Tranche", "Tranche B", [8, 6, 2]),
    ("Tranche", "Tranche A", [1]),
    ("Tranche", "Sans tranche", [5, 4]),
    ("Source du quotient familial", "CAF/MSA (API Particulier)", [7, 6, 5, 2, 1]),
    ("Source du quotient familial", "Justificatif", [8, 3]),
    ("Source du quotient familial", "Aucun", [4]),
]


def test_each_filter_narrows_the_list(app, varied, agent_browser):
    for label, option, expected in FILTER_CASES:
        page = apply_filters(agent_browser.get("/agents/").select(label, option))
        assert page.status == 200, (label, option)
        assert references(page) == [f"PF-2026-{n:06d}" for n in expected], (label, option)
        assert page.soup.select_one("#resultats").get_text(" ", strip=True).startswith(f"{len(expected)} demande")


def test_date_range_includes_both_whole_days(app, varied, agent_browser):
    page = apply_filters(
        agent_browser.get("/agents/").fill("Déposée du", "02/03/2026").fill("Déposée au", "2026-03-04")
    )
    assert references(page) == ["PF-2026-000004", "PF-2026-000003", "PF-2026-000002"]
    assert query_of(page) == {"du": "02/03/2026", "au": "2026-03-04", "tri": "recentes"}
    assert page.value("Déposée du") == "02/03/2026"


def test_filters_combine_and_counts_follow_the_other_filters(app, varied, agent_browser):
    page = agent_browser.get("/agents/").select("Tranche", "Tranche B").fill("Déposée au", "06/03/2026")
    page = apply_filters(page.select("Statut", "Acceptée"))
    assert references(page) == ["PF-2026-000006"]
    counts = {a.get_text(" ", strip=True) for a in page.soup.select(".status-counts a")}
    assert {"Toutes : 2", "Déposée : 1", "Acceptée : 1", "Refusée : 0"} <= counts
    # A count's link keeps the other filters and changes only the status.
    page = page.click("Déposée : 1")
    assert query_of(page) == {"tranche": "B", "au": "2026-03-06", "statut": "submitted"}
    assert references(page) == ["PF-2026-000002"]


def test_an_invalid_date_gets_a_french_message_and_the_other_filters_still_apply(app, varied, agent_browser):
    for typed in ["31/02/2026", "hier", "2026-13-01", "14/07/26"]:
        page = apply_filters(agent_browser.get("/agents/").select("Tranche", "Tranche B").fill("Déposée du", typed))
        assert page.status == 400 and page.title.startswith("Erreur : Demandes"), typed
        assert "n'existe pas ou n'est pas au format JJ/MM/AAAA" in page.field_error("Déposée du"), typed
        assert page.value("Déposée du") == typed and page.value("Tranche") == "B"
        assert references(page) == ["PF-2026-000008", "PF-2026-000006", "PF-2026-000002"], typed


def test_a_range_ending_before_it_starts_is_refused(app, varied, agent_browser):
    page = apply_filters(
        agent_browser.get("/agents/").fill("Déposée du", "05/03/2026").fill("Déposée au", "01/03/2026")
    )
    assert page.status == 400
    assert (
        page.field_error("Déposée au")
        == "Erreur : La date « déposée au » doit être le même jour ou après « déposée du »"
    )


def test_an_unknown_value_in_the_address_bar_is_a_message_not_a_500(app, varied, agent_browser):
    for query, label, message in [
        ("statut=perdue", "Statut", "Choisissez un statut de la liste"),
        ("tranche=Z", "Tranche", "Choisissez une tranche de la liste"),
        ("demarche=cantine", "Démarche", "Choisissez une démarche de la liste"),
        ("tri=taille", "Trier par", "Choisissez un tri de la liste"),
    ]:
        page = agent_browser.get(f"/agents/?{query}&source=document")
        assert page.status == 400, query
        assert message in page.field_error(label), query
        assert references(page) == ["PF-2026-000008", "PF-2026-000003"], query  # the valid filter still applies
    page = agent_browser.get("/agents/?source=ouidire&tranche=B")
    assert "Choisissez une source du quotient familial de la liste" in page.field_error("Source du quotient familial")
    assert references(page) == ["PF-2026-000008", "PF-2026-000006", "PF-2026-000002"]


def test_sorting(app, varied, agent_browser):
    for sort, expected in [
        ("Plus anciennes d'abord", [1, 2, 3, 4, 5, 6, 7, 8]),
        ("Référence", [1, 2, 3, 4, 5, 6, 7, 8]),
        # The workflow's order: déposée, à vérifier, en attente, en instruction, pièce demandée, acceptée, refusée.
        ("Statut", [2, 1, 3, 4, 7, 8, 6, 5]),
        ("Plus récentes d'abord", [8, 7, 6, 5, 4, 3, 2, 1]),
    ]:
        page = apply_filters(agent_browser.get("/agents/").select("Trier par", sort))
        assert references(page) == [f"PF-2026-{n:06d}" for n in expected], sort
        assert page.value("Trier par") in page.url


def test_sort_by_reference_is_not_by_date(app, agent_browser):
    add(app, values(2, created_at=datetime(2026, 1, 1)), values(1, created_at=datetime(2026, 2, 1)))
    assert references(agent_browser.get("/agents/?tri=reference")) == ["PF-2026-000001", "PF-2026-000002"]
    assert references(agent_browser.get("/agents/?tri=anciennes")) == ["PF-2026-000002", "PF-2026-000001"]


def test_pages_of_fifty_with_previous_and_next_links_that_keep_the_filters(app, agent_browser):
    add(app, *[values(n) for n in range(1, 131)], *[values(n, qf_source="document") for n in range(131, 141)])
    page = agent_browser.get("/agents/?source=api")
    assert len(references(page)) == 50 and references(page)[0] == "PF-2026-000130"
    assert page.soup.select_one(".pagination").get_text(" ", strip=True) == "Page 1 sur 3 Page suivante"
    assert "Page précédente" not in page.text
    page = page.click("Page suivante")
    assert query_of(page) == {"source": "api", "page": "2"}
    assert references(page)[0] == "PF-2026-000080" and references(page)[-1] == "PF-2026-000031"
    assert "Page 2 sur 3" in page.soup.select_one(".pagination").get_text(" ", strip=True)
    page = page.click("Page suivante")
    assert len(references(page)) == 30 and references(page)[-1] == "PF-2026-000001"
    assert "Page suivante" not in page.soup.select_one(".pagination").get_text(" ", strip=True)
    assert references(page.click("Page précédente"))[0] == "PF-2026-000080"
    # A page past the end shows the last one; a nonsense page the first.
    assert references(agent_browser.get("/agents/?source=api&page=99"))[-1] == "PF-2026-000001"
    assert references(agent_browser.get("/agents/?source=api&page=abc"))[0] == "PF-2026-000130"


def test_an_empty_queue_says_so(app, agent_browser):
    page = agent_browser.get("/agents/")
    assert page.status == 200 and "Aucune demande." in page.text
    assert page.soup.select_one(".pagination") is None


# --- search ---------------------------------------------------------------------------------------------------


def search(browser, term):
    return browser.get("/agents/").fill("Référence ou nom", term).submit("Rechercher")


SEARCH_CASES = [
    ("PF-2026-000003", [3]),
    ("pf-2026-00000", [8, 7, 6, 5, 4, 3, 2, 1]),
    ("dupont", [8]),
    ("léger", [1]),
    ("LEGER", [1]),
    ("martin", [1]),  # the usage name
    ("gerome", [1]),
    ("elodie leger", [1]),  # words in any order, each the start of a name
    ("ndiaye", []),
    ("n'diaye", [2]),
    ("n diaye aissatou", [2]),
    ("garcia lopez", [3]),
    ("oeuvrard", [5]),
    ("ŒUVRARD chloe", [5]),
    ("upont", []),  # names are matched from the start of a word
    ("%", []),
]


def test_search_by_reference_or_name_ignores_case_and_accents(app, varied, agent_browser):
    for term, expected in SEARCH_CASES:
        page = search(agent_browser, term)
        assert page.status == 200, (term, page.error_summary())
        assert page.title.startswith("Recherche d'une demande"), term
        assert references(page) == [f"PF-2026-{n:06d}" for n in expected], term
        assert page.value("Référence ou nom") == term


def test_search_finds_an_application_made_through_the_wizard(app, agent_browser):
    page = through_api(Browser(app.test_client()), LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    finish(add_child(page).submit("Continuer"))
    page = search(agent_browser, "Jean-Philippe Lefèbvre")
    assert len(references(page)) == 1 and references(page)[0].startswith("PF-")
    assert "LEFEBVRE ALEXIS GÉRÔME JEAN-PHILIPPE" in page.soup.select_one("table.queue").get_text(" ", strip=True)


def test_the_search_term_never_appears_in_a_url(app, varied, agent_browser):
    form = agent_browser.get("/agents/").soup.find("form", attrs={"role": "search"})
    assert form["method"] == "post" and form.find("input", {"name": "csrf_token"})  # a browser would obey a GET
    page = search(agent_browser, "Léger")
    assert references(page) == ["PF-2026-000001"]
    assert "Léger" in page.text  # shown in the page, which is the POST's response
    page = page.click("PF-2026-000001")
    page = agent_browser.get("/agents/recherche")  # a reload by hand lands on the list
    assert page.h1 == "Demandes"
    forms = ("léger", "leger", "l%c3%a9ger", "term=")
    for url in agent_browser.visited:
        assert not any(form in url.lower() for form in forms), url
    page = search(agent_browser, "Léger")
    for element in page.soup.find_all(attrs={"href": True}) + page.soup.find_all(attrs={"action": True}):
        assert not any(form in (element.get("href") or element["action"]).lower() for form in forms), element


def test_the_search_does_not_redirect(app, varied, agent_browser):
    page = agent_browser.get("/agents/")
    token = page.soup.find("input", {"name": "csrf_token"})["value"]
    response = agent_browser.client.post("/agents/recherche", data={"csrf_token": token, "term": "dupont"})
    assert response.status_code == 200 and "Location" not in response.headers


def test_an_empty_search_says_what_to_type(app, varied, agent_browser):
    page = search(agent_browser, "  ")
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert page.field_error("Référence ou nom") == "Erreur : Saisissez une référence ou un nom"
    assert page.error_summary() == ["Saisissez une référence ou un nom"]


def test_a_search_without_csrf_token_is_refused(app, varied, agent_browser):
    page = agent_browser.get("/agents/").fill("Référence ou nom", "dupont").submit("Rechercher", csrf=False)
    assert page.status == 400 and references(page) == []


def test_a_search_matching_too_many_shows_the_newest_hundred(app, agent_browser):
    add(app, *[values(n) for n in range(1, 131)])
    page = search(agent_browser, "PF-2026")
    assert len(references(page)) == 100 and references(page)[0] == "PF-2026-000130"
    assert "Seules les 100 demandes les plus récentes sont affichées : précisez la recherche." in page.text


# --- PostgreSQL ---------------------------------------------------------------------------------------------------


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
    assert [(r["reference"], r["code_postal"], r["commune"], r["enfants_couverts"]) for r in rows][0] == (
        "PF-2026-000006",
        "13990",
        "Val-Fleuri",
        "LAURA 2016-11-15",
    )
    refused = json.loads(browser.client.get("/agents/demandes.json?tranche=aucune").get_data())
    assert [(r["reference"], r["eligible"], r["motifs"], r["enfants_couverts"]) for r in refused] == [
        ("PF-2026-000005", "non", "QF_ABOVE_CEILING", "")
    ]
