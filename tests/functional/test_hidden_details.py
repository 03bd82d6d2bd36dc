"""A commune that cannot identify families (no FranceConnect) may choose not to show them the CAF/MSA figures
(API Particulier's CGU): the family sees that its file was found, agents get every fact."""

import shutil

import pytest
from sqlalchemy import select

from passfamille import create_app
from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.extensions import db
from passfamille.models import Application

from ..formclient import Browser
from .journeys import DUPONT, through_api

# What DUPONT's CAF file holds: none of it may be shown to whoever typed the identity.
CERTIFIED = ["900", "LOUISE", "LAURA", "INES", "MAXIME", "MARSEILLE", "13006", "SOPHIE DUPONT", "juin 2023"]


@pytest.fixture
def hidden_app(app_config, tmp_path):
    settings = DEFAULT_COMMUNE_FILE.read_text(encoding="utf-8").replace("  show_details: true", "  show_details: false")
    shutil.copy(DEFAULT_COMMUNE_FILE.parent / "logo-val-fleuri.svg", tmp_path)
    path = tmp_path / "commune.yaml"
    path.write_text(settings, encoding="utf-8")
    return create_app({**app_config, "PASSFAMILLE_COMMUNE": str(path)})


def assert_nothing_certified_shown(page):
    main = page.soup.find("main")
    for table in main.select("table.table:not(.recap)"):
        table.decompose()  # the commune's public bracket table, the same for everyone
    main = main.get_text(" ")
    for fact in CERTIFIED:
        assert fact not in main, f"« {fact} » affiché sur « {page.h1} »"


def test_family_sees_only_that_its_file_was_found_and_agents_get_the_facts(hidden_app):
    page = through_api(Browser(hidden_app.test_client()), DUPONT)
    assert "Votre dossier CAF ou MSA a été trouvé" in page.text
    assert_nothing_certified_shown(page)
    page = page.choose("Oui, elle est à jour").submit("Continuer")
    assert page.h1 == "Votre foyer" and "4 enfants connus de la CAF ou de la MSA" in page.text
    assert_nothing_certified_shown(page)
    page = page.submit("Continuer")
    assert "La mairie calculera votre tarif" in page.text
    assert page.soup.select_one(".table__row--current") is None
    assert_nothing_certified_shown(page)
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    assert_nothing_certified_shown(page)
    assert finish_from_recap(page).h1 == "Votre demande est envoyée"
    with hidden_app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert (application.qf_value, application.bracket_code, len(application.children)) == (900, "B", 4)


def finish_from_recap(page):
    return page.submit("Envoyer ma demande")


def test_the_example_settings_show_the_details(app):
    assert app.extensions["commune"].api_particulier.show_details is True
