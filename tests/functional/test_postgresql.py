"""The same migrations, journeys and export on PostgreSQL (DATABASE_URL=postgresql+psycopg://…)."""

import json
import subprocess
import sys
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from passfamille import create_app
from passfamille.creche import waiting_list
from passfamille.extensions import db
from passfamille.models import Application, utcnow

from ..formclient import Browser
from .journeys import BOTH, DUPONT, LEFEBVRE, add_child, fill_identity, finish, start, through_api
from .test_creche_journeys import fill_wishes, to_wishes


@pytest.fixture
def pg_app(app_config, postgres_url):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": postgres_url})
    with app.app_context():
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
    return app


def test_migrations_match_the_models_on_postgresql(pg_app, postgres_url, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "check"],
        env={"DATABASE_URL": postgres_url, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert "No new upgrade operations detected" in result.stdout + result.stderr, result.stderr


def test_journeys_and_export_work_on_postgresql(pg_app):
    page = through_api(Browser(pg_app.test_client()), LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    assert finish(add_child(page).submit("Continuer")).h1 == "Votre demande est envoyée"

    page = start(
        Browser(pg_app.test_client()),
        "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)",
    )
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "a.pdf", b"%PDF-1.4 x")
    page = page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    assert finish(add_child(page).submit("Continuer")).h1 == "Votre demande est envoyée"

    with pg_app.app_context():
        references = db.session.scalars(select(Application.reference).order_by(Application.id)).all()
    year = date.today().year
    assert references == [f"PF-{year}-000001", f"PF-{year}-000002"]
    rows = json.loads(pg_app.test_cli_runner().invoke(args=["adhesions", "export"]).output)
    assert [(r["nom_naissance"], r["qf_source"], r["qf"]) for r in rows] == [
        ("LEFEBVRE", "api", 2550),
        ("DUPONT", "document", 800),
    ]


def test_both_demarches_waiting_list_export_and_purge_work_on_postgresql(pg_app):
    page = fill_wishes(to_wishes(Browser(pg_app.test_client()), BOTH)).submit("Continuer")
    page = page.check("Parent qui élève seul son enfant (20 points)")  # the residence is ticked from the CAF address
    page = page.attach(
        "Attestation de paiement de la CAF ou jugement fixant la résidence de l'enfant", "parent.pdf", b"%PDF-1.4 x"
    )
    page = page.submit("Continuer").click("Continuer").click("Continuer").submit("Envoyer ma demande")
    assert page.h1 == "Vos demandes sont envoyées", page.h1
    with pg_app.app_context():
        pass_famille, creche = db.session.scalars(select(Application).order_by(Application.id)).all()
        year = date.today().year  # one number for the submission (numbering.next_reference_value)
        assert (pass_famille.reference, creche.reference) == (f"PF-{year}-000001", f"CR-{year}-000001")
        assert pass_famille.linked_application_id == creche.id and creche.linked_application_id == pass_famille.id
        (entry,) = waiting_list.waiting_list("pioupious", "grands")
        assert entry.request.application_id == creche.id and entry.points.total == 60
        assert [d.kind for d in creche.documents] == ["critere-parent-seul"]
    rows = json.loads(pg_app.test_cli_runner().invoke(args=["creche", "export"]).output)
    assert [(r["reference"][:3], r["points"], r["souhaits"][0]["rang"]) for r in rows] == [("CR-", 60, 1)]

    # The database enforces ON DELETE SET NULL too: purging the Pass Famille leaves the crèche request alone.
    with pg_app.app_context():
        db.session.get(Application, pass_famille.id).purge_after = utcnow()
        db.session.commit()
    assert "1 demande(s)" in pg_app.test_cli_runner().invoke(args=["adhesions", "purge"]).output
    with pg_app.app_context():
        remaining = db.session.scalars(select(Application)).one()
        assert remaining.demarche == "creche" and remaining.linked_application_id is None


def test_franceconnect_and_the_dgfip_journeys_work_on_postgresql(pg_app, app_config, sandbox, postgres_url):
    """Issues 13 and 14 on PostgreSQL: a family through FranceConnect (the draft's login, the modality recorded), then
    a family with no CAF file through the DGFiP with the example commune as shipped (the avis's figures recorded)."""
    from passfamille.config import DEFAULT_COMMUNE_FILE
    from passfamille.models import Draft

    from ..fiscal import impot_settings
    from .journeys import UNKNOWN
    from .test_example_commune import JOSEPH
    from .test_fiscal_journey import SPI, USE_AVIS, to_household
    from .test_franceconnect import DUPONT_FC, Family, fc_config
    from .test_franceconnect import submit as submit_through_franceconnect

    config = {
        **fc_config(app_config, sandbox),
        "SQLALCHEMY_DATABASE_URI": postgres_url,
        "PASSFAMILLE_COMMUNE": str(DEFAULT_COMMUNE_FILE),
        **impot_settings(sandbox.url),
    }
    app = create_app(config)
    family = Family(app, sandbox)
    page = family.log_in(DUPONT_FC).submit("Continuer").choose("Oui, elles sont correctes").submit("Continuer")
    page = page.submit("Continuer").click("Continuer")
    assert submit_through_franceconnect(page, family).h1 == "Votre demande est envoyée"

    without_franceconnect = create_app({**config, "FRANCECONNECT_URL": ""})  # « Commencer ma demande », as before
    page = through_api(Browser(without_franceconnect.test_client()), UNKNOWN).choose(USE_AVIS).submit("Continuer")
    page = page.fill(SPI, JOSEPH).submit("Continuer").choose("Non, cet avis est à jour").submit("Continuer")
    assert finish(to_household(page)).h1 == "Votre demande est envoyée"
    with app.app_context():
        franceconnect, fiscal = db.session.scalars(select(Application).order_by(Application.id)).all()
        assert franceconnect.identity_modality == "franceconnect"
        assert (fiscal.pass_famille.fiscal_source, fiscal.pass_famille.fiscal_rfr) == ("api", 11600)
        assert all(draft.franceconnect is None for draft in db.session.scalars(select(Draft)))
