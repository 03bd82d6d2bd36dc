"""The installer's and agents' commands: export, purge."""

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import func, select

from passfamille import ratelimit
from passfamille.exports import COLUMNS, TITLES
from passfamille.extensions import db
from passfamille.models import Application, Document, Draft, RateBucket, utcnow

from .journeys import DUPONT, LEFEBVRE, add_child, fill_identity, finish, start, through_api


def submit_two(browser_factory):
    page = through_api(browser_factory(), DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    finish(page.submit("Continuer"))
    page = through_api(browser_factory(), LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    finish(add_child(page).submit("Continuer"))


def browsers(app):
    from ..formclient import Browser

    return lambda: Browser(app.test_client())


def test_export_json_lists_every_application_with_the_documented_columns(app):
    submit_two(browsers(app))
    result = app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["nom_naissance"] for r in rows] == ["DUPONT", "LEFEBVRE"]
    assert list(rows[0]) == list(COLUMNS)
    assert (rows[0]["qf"], rows[0]["tranche"], rows[0]["tarif"], rows[0]["eligible"]) == (900, "B", "10", "oui")
    assert rows[0]["enfants_couverts"] == "LAURA 2013-11-15; INES 2016-12-03; MAXIME 2015-09-01"
    assert rows[1]["reference"].startswith("PF-") and rows[1]["qf_mois"] == "2023-06"


def test_export_csv_is_the_agents_readable_csv_for_a_french_spreadsheet(app):
    submit_two(browsers(app))
    result = app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "csv"])
    assert result.output.startswith("\ufeffRéférence;")
    rows = list(csv.DictReader(io.StringIO(result.output.removeprefix("\ufeff")), delimiter=";"))
    assert [r["Nom de naissance"] for r in rows] == ["DUPONT", "LEFEBVRE"]
    assert rows[1]["Prénoms"] == "ALEXIS GÉRÔME JEAN-PHILIPPE" and rows[1]["Tranche"] == "E"
    assert rows[1]["Statut"] == "Déposée, à vérifier" and rows[0]["Mois du QF"] == "06/2023"


def test_export_of_an_empty_database_is_valid(app):
    assert json.loads(app.test_cli_runner().invoke(args=["adhesions", "export"]).output) == []
    output = app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "csv"]).output
    assert output.strip() == "\ufeff" + ";".join(TITLES)


def test_purge_removes_expired_drafts_and_their_files_and_applications_past_retention(app, browser, stored_proofs):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page.choose("Dernier avis d'imposition").attach("Votre justificatif", "a.pdf", b"%PDF-1.4 x").fill(
        "Quotient familial indiqué sur le document, en euros", "800"
    ).submit("Continuer")
    assert len(stored_proofs()) == 1
    submit_two(browsers(app))
    with app.app_context():
        for draft in db.session.scalars(select(Draft)):
            if draft.application_id is None:
                draft.expires_at = utcnow() - timedelta(minutes=1)
        old = db.session.scalars(select(Application).order_by(Application.id)).first()
        old.purge_after = utcnow() - timedelta(days=1)
        db.session.commit()

    result = app.test_cli_runner().invoke(args=["adhesions", "purge"])
    assert "1 brouillon(s), 1 demande(s) et 1 justificatif(s) supprimés." in result.output, result.output
    assert stored_proofs() == {}
    with app.app_context():
        assert db.session.scalar(select(func.count(Application.id))) == 1
        assert db.session.scalar(select(func.count(Document.id))) == 0


def test_purge_dry_run_lists_by_category_what_the_purge_then_deletes_and_deletes_nothing(app, browser, stored_proofs):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page.choose("Dernier avis d'imposition").attach("Votre justificatif", "a.pdf", b"%PDF-1.4 x").fill(
        "Quotient familial indiqué sur le document, en euros", "800"
    ).submit("Continuer")
    submit_two(browsers(app))
    with app.app_context():
        for draft in db.session.scalars(select(Draft)):
            if draft.application_id is None:
                draft.expires_at = utcnow() - timedelta(minutes=1)
        old, kept = db.session.scalars(select(Application).order_by(Application.id)).all()
        old.purge_after = utcnow() - timedelta(days=1)
        old_reference, kept_reference = old.reference, kept.reference
        db.session.commit()
        ratelimit.count("lookup-address", "203.0.113.7", timedelta(hours=1), now=utcnow() - timedelta(hours=2))

    listed = app.test_cli_runner().invoke(args=["adhesions", "purge", "--dry-run"]).output
    assert "Simulation : rien n'a été supprimé" in listed
    assert "- brouillons expirés : 1" in listed
    assert "- demandes arrivées au terme de leur conservation : 1" in listed
    assert old_reference in listed and kept_reference not in listed
    assert "- justificatifs : 1\n    brouillon — PDF, brouillon expiré" in listed, listed
    assert "- compteurs de tentatives échus : 1" in listed
    assert "DUPONT" not in listed and "LEFEBVRE" not in listed  # references and dates, never a family's data
    # Nothing was deleted, and the listing said what the purge now deletes.
    assert len(stored_proofs()) == 1
    result = app.test_cli_runner().invoke(args=["adhesions", "purge"]).output
    assert "1 brouillon(s), 1 demande(s) et 1 justificatif(s) supprimés." in result
    assert "1 compteur(s) de tentatives échu(s) supprimé(s)." in result
    after = app.test_cli_runner().invoke(args=["adhesions", "purge", "--dry-run"]).output
    assert "- brouillons expirés : 0" in after and "- demandes arrivées au terme de leur conservation : 0" in after


def test_purge_removes_proofs_once_the_appeal_period_after_a_decision_is_over(app, browser, stored_proofs):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Dernier avis d'imposition").attach("Votre justificatif", "a.pdf", b"%PDF-1.4 x")
    page = page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    finish(add_child(page).submit("Continuer"))
    days = app.extensions["commune"].retention.documents_days_after_decision
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        application.decided_at = utcnow() - timedelta(days=days - 1)
        db.session.commit()
    assert "0 justificatif(s)" in app.test_cli_runner().invoke(args=["adhesions", "purge"]).output
    assert len(stored_proofs()) == 1  # still within the appeal period
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        application.decided_at = utcnow() - timedelta(days=days + 1)
        db.session.commit()
    assert "1 justificatif(s)" in app.test_cli_runner().invoke(args=["adhesions", "purge"]).output
    assert stored_proofs() == {}
    with app.app_context():
        assert db.session.scalar(select(func.count(Application.id))) == 1  # the application itself stays


def test_purge_removes_the_counters_of_windows_that_are_over_and_keeps_the_current_ones(app):
    hour = timedelta(hours=1)
    with app.app_context():
        ratelimit.count("lookup-address", "203.0.113.7", hour, now=utcnow() - timedelta(hours=2))
        ratelimit.count("lookup-address", "203.0.113.8", hour, now=utcnow() - timedelta(hours=2))
        ratelimit.count("lookup-address", "203.0.113.7", hour)

    result = app.test_cli_runner().invoke(args=["adhesions", "purge"])

    assert "2 compteur(s) de tentatives échu(s) supprimé(s)." in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(RateBucket.key))) == 1
        assert ratelimit.current("lookup-address", "203.0.113.7", hour) == 1
