"""What a family reads names the pass as the commune titles it (settings: pass_famille.title), never « Pass
Famille » written in the code."""

import pytest

from passfamille import create_app

from ..conftest import edited_example_settings
from ..formclient import Browser
from .journeys import BOTH, CAF_MODE, UNKNOWN, begin, fill_identity

TITLE = "Pass Loisirs"


@pytest.fixture
def titled(app_config, tmp_path):
    settings = edited_example_settings(
        tmp_path / "pass-loisirs", lambda text: text.replace('title: "Pass Famille"', f'title: "{TITLE}"', 1)
    )
    app = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings)})
    assert app.extensions["commune"].pass_famille.title == TITLE
    return Browser(app.test_client())


def test_the_start_page_offers_the_pass_under_the_communes_title(titled):
    page = titled.get("/")

    assert page.has_label(f"Le {TITLE}") and not page.has_label("Le Pass Famille")
    page = page.choose(f"Le {TITLE}").submit("Commencer ma demande")
    assert page.h1.startswith("Votre quotient familial"), page.h1


def test_going_on_at_full_price_and_changing_demarches_name_the_communes_pass(titled):
    page = begin(titled, BOTH).choose(CAF_MODE).submit("Continuer")
    page = fill_identity(page, UNKNOWN).submit("Continuer")

    assert page.has_label(f"Continuer sans justificatif : le {TITLE} sera au plein tarif"), page.text
    assert "Pass Famille" not in page.text

    page = titled.get("/demande/demarches")
    assert page.has_label(f"Le {TITLE}")
    page = page.choose(f"Le {TITLE}").submit("Continuer")
    assert page.h1 == "Confirmez le changement de démarche"
    assert f"Vous demandiez : Le {TITLE} et une place en crèche (préinscription) ." in page.text
    assert f"Vous souhaitez demander : Le {TITLE} ." in page.text


def test_the_lost_link_page_names_the_communes_pass(titled):
    page = titled.get("/demande/lien-perdu")

    assert f"({TITLE} ou place en crèche)" in page.text and "Pass Famille" not in page.text
