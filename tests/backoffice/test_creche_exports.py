"""Exports of the crèche requests: `flask creche export` (JSON and CSV) and the commission's downloads, with the
wishes in order, their current rank and the points."""

import csv
import io
import json
from datetime import date, datetime, timedelta

from sqlalchemy import select

from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application

from ..creche_factory import make_request


def recorded(app):
    """Three requests: two on the Pioupious' bébés list (one of them second wish), one elsewhere, one offered."""
    ahead = make_request(app, criteria=["residence", "parent-seul"], created_at=datetime(2026, 9, 1, 9))
    two_wishes = make_request(
        app,
        wishes=[("coquelicots", "bebes"), ("pioupious", "bebes")],
        criteria=["residence", "fratrie"],
        birth_name="=HYPERLINK(1)",
        email="deux@example.org",
        created_at=datetime(2026, 9, 2, 9),
    )
    elsewhere = make_request(app, wishes=[("petits-loups", "tous-ages")], psu=None, child_due_date=date(2026, 11, 1))
    with app.app_context():
        application = db.session.get(Application, elsewhere)
        start = date.today() + timedelta(days=40)
        statemachine.change_status(application, "offered", None, offer=("petits-loups", "tous-ages", start))
        return [db.session.get(Application, i).reference for i in (ahead, two_wishes, elsewhere)], start


def test_cli_json_has_wishes_with_rank_points_and_offer(app):
    (ahead, two_wishes, elsewhere), start = recorded(app)
    result = app.test_cli_runner().invoke(args=["creche", "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["reference"]: row for row in json.loads(result.output)}
    assert list(rows) == [ahead, two_wishes, elsewhere]
    row = rows[two_wishes]
    assert row["souhaits"] == [
        {"choix": 1, "structure": "coquelicots", "section": "bebes", "rang": 1},
        {"choix": 2, "structure": "pioupious", "section": "bebes", "rang": 2},
    ]
    assert row["criteres"] == ["residence", "fratrie"] and row["points"] == 55
    assert row["statut"] == "waiting" and row["courriel"] == "deux@example.org"
    assert row["ressources_annuelles"] == 40923 and row["psu_source"] == "api"
    assert row["enfant_prenom"] == "Léo" and row["date_entree"] == "2027-01-04"
    offered = rows[elsewhere]
    assert offered["statut"] == "offered" and offered["enfant_terme"] == "2026-11-01"
    assert offered["souhaits"][0]["rang"] is None  # no longer on the list
    assert (offered["offre_structure"], offered["offre_section"]) == ("petits-loups", "tous-ages")
    assert offered["offre_entree"] == start.isoformat() and offered["psu_source"] == ""


def test_cli_csv_is_what_an_agent_reads_in_a_french_spreadsheet(app):
    (ahead, two_wishes, elsewhere), start = recorded(app)
    with app.app_context():
        request = db.session.get(Application, db.session.scalar(select(Application.id).filter_by(reference=ahead)))
        request.creche.estimate = {"on": "2026-09-01", "tables": {"collective": {"hourly": "1.76"}}}
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["creche", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    # French column titles, ";" and a BOM: opened by Excel or LibreOffice in French without an import dialog.
    assert result.output.startswith("\ufeffRéférence;Référence liée (Pass Famille);Statut;Déposée le (heure de Paris);")
    rows = {row["Référence"]: row for row in csv.DictReader(io.StringIO(result.output[1:]), delimiter=";")}
    row = rows[two_wishes]
    assert row["Statut"] == "En attente"
    assert row["Déposée le (heure de Paris)"] == "02/09/2026 11:00"  # 9:00 UTC, summer time in Paris
    assert row["Souhaits (rang sur la liste d'attente)"] == (
        "1. Crèche familiale Les Coquelicots – Bébés (rang 1) ; 2. Multi-accueil Les Pioupious – Bébés (rang 2)"
    )
    assert row["Critères déclarés"] == (
        "La famille habite Val-Fleuri ; Un frère ou une sœur est déjà accueilli dans la structure demandée"
    )
    assert row["Points"] == "55" and row["Source des ressources"] == "CAF/MSA (API Particulier)"
    assert row["Date de naissance de l'enfant"] == "01/06/2026" and row["Entrée souhaitée le"] == "04/01/2027"
    assert row["Enfant connu par"] == "Déclaré par la famille"
    assert row["Nom de naissance"] == "'=HYPERLINK(1)"  # never run as a formula
    assert rows[ahead]["Tarif horaire estimé"] == "accueil collectif : 1,76 €" and rows[ahead]["Points"] == "60"
    offered = rows[elsewhere]
    assert offered["Statut"] == "Place proposée" and offered["Enfant connu par"] == "Enfant à naître"
    assert offered["Naissance prévue le"] == "01/11/2026"
    assert offered["Source des ressources"] == "Aucune donnée (pas d'estimation)"
    assert offered["Place proposée : structure"] == "Micro-crèche Les Petits Loups"
    assert offered["Place proposée : section"] == "De 2 mois à 4 ans"
    assert offered["Place proposée : entrée le"] == start.strftime("%d/%m/%Y")
    assert "pioupious" not in result.output and "waiting" not in result.output and "2026-09-02" not in result.output


def test_downloads_from_the_commission_pages(app, agent_browser):
    (ahead, two_wishes, elsewhere), _ = recorded(app)
    page = agent_browser.get("/agents/creche")
    link = page.soup.find("a", string="Télécharger toutes les demandes de crèche (CSV)")
    response = agent_browser.client.get(link["href"])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="demandes-creche-')
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffRéférence;") and all(ref in body for ref in (ahead, two_wishes, elsewhere))
    section = agent_browser.get("/agents/creche/pioupious/bebes")
    link = section.soup.find("a", string="Télécharger les demandes de cette section (JSON)")
    response = agent_browser.client.get(link["href"])
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert [row["reference"] for row in json.loads(response.get_data(as_text=True))] == [ahead, two_wishes]


def test_the_applications_export_lists_creche_requests_without_a_pass_famille_decision(app):
    make_request(app)
    result = app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "json"])
    (row,) = json.loads(result.output)
    assert (row["demarche"], row["statut"]) == ("creche", "waiting")
    assert row["eligible"] == "" and row["tranche"] == "" and row["tarif"] == ""
