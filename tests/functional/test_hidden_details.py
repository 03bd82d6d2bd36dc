"""A commune that cannot identify families (no FranceConnect) may choose not to show them the CAF/MSA figures
(API Particulier's CGU): the family sees that its file was found, agents get every fact."""

import pytest
from sqlalchemy import select

from passfamille import create_app
from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.extensions import db
from passfamille.models import Application

from ..conftest import edited_example_settings
from ..creche.family_link import link_in
from ..formclient import Browser
from .journeys import CAF_MODE, CRECHE, DUPONT, LEFEBVRE, add_child, begin, fill_identity, through_api
from .test_creche_journeys import fill_wishes

# What DUPONT's CAF file holds: none of it may be shown to whoever typed the identity.
CERTIFIED = ["900", "LOUISE", "LAURA", "INES", "MAXIME", "MARSEILLE", "13006", "SOPHIE DUPONT", "juin 2023"]


@pytest.fixture
def hidden_app(app_config):
    """The example commune as shipped: it cannot identify families, so it hides their CAF/MSA facts."""
    return create_app({**app_config, "PASSFAMILLE_COMMUNE": str(DEFAULT_COMMUNE_FILE)})


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
    assert page.h1 == "Votre foyer" and "Les enfants connus de la CAF ou de la MSA ne sont pas affichés" in page.text
    assert "4 enfants" not in page.text  # not even how many: nothing but « found »
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
        assert (
            application.pass_famille.qf_value,
            application.pass_famille.bracket_code,
            len(application.children),
        ) == (900, "B", 4)


def finish_from_recap(page):
    return page.submit("Envoyer ma demande")


def test_the_example_settings_hide_the_details_and_so_does_a_commune_that_says_nothing(app_config, tmp_path):
    assert (
        create_app({**app_config, "PASSFAMILLE_COMMUNE": str(DEFAULT_COMMUNE_FILE)})
        .extensions["commune"]
        .api_particulier.show_details
        is False
    )
    silent = edited_example_settings(
        tmp_path / "commune-muette", lambda text: text.replace("api_particulier:\n  show_details: true\n", "")
    )
    assert "\napi_particulier:" not in silent.read_text(encoding="utf-8")
    assert (
        create_app({**app_config, "PASSFAMILLE_COMMUNE": str(silent)})
        .extensions["commune"]
        .api_particulier.show_details
        is False
    )


# What LEFEBVRE's EAJE file gives, and what an estimate would let one work out from it (AEEH is a disability
# benefit): none of it may be shown online when the commune hides the CAF/MSA details.
EAJE_FIGURES = ["40 923", "40\u202f923", "3 410", "3\u202f410", "AEEH", "1,76", "244,05"]


def assert_no_eaje_figure(page):
    text = page.soup.find("main").get_text(" ")
    for figure in EAJE_FIGURES:
        assert figure not in text, f"« {figure} » affiché sur « {page.h1} »"


def test_a_creche_estimate_drawn_from_the_caf_is_not_shown_online_but_kept_for_agents(hidden_app, mailbox):
    browser = Browser(hidden_app.test_client())
    page = fill_identity(begin(browser, CRECHE).choose(CAF_MODE).submit("Continuer"), LEFEBVRE).submit("Continuer")
    assert "Votre dossier CAF ou MSA a été trouvé" in page.text
    assert_no_eaje_figure(page)
    page = add_child(page.choose("Oui, elle est à jour").submit("Continuer")).submit("Continuer")
    page = fill_wishes(page.choose("Léa, né ou née le 14/07/2024").submit("Continuer")).submit("Continuer")
    page = page.submit("Continuer")
    assert page.h1 == "Estimation du tarif" and "n'est pas affichée ici" in page.text
    assert_no_eaje_figure(page)
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    assert "Estimé par la mairie" in page.text
    assert_no_eaje_figure(page)
    page = page.submit("Envoyer ma demande")
    assert_no_eaje_figure(page)
    with hidden_app.app_context():
        request = db.session.scalars(select(Application)).one().creche
        assert request.psu_annual_resources == 40923 and request.estimate["tables"]["collective"]["hourly"] == "1.76"
    (receipt,) = mailbox.received()
    assert not any(figure in receipt.get_content() for figure in EAJE_FIGURES)
    page = browser.get(link_in(receipt))
    assert page.h1 == "Votre demande de place en crèche"
    assert "n'est pas affichée en ligne" in page.text
    assert_no_eaje_figure(page)
