"""The example commune as shipped, which `make run` serves: a family with no CAF/MSA file finishes its Pass Famille
with its certified avis d'imposition from the DGFiP (issue 14), its figures hidden from an anonymous form as the
example hides the CAF's."""

import pytest
from sqlalchemy import select

from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.extensions import db
from passfamille.models import Application

from ..fiscal import impot_settings
from .journeys import UNKNOWN, finish, through_api
from .test_fiscal_journey import SPI, USE_AVIS, plain, to_household

JOSEPH = "3999999943275"  # CIS CINQUANTEHUIT Prénom Joseph: pacsé, RFR 11 600 €, 2,5 parts


@pytest.fixture
def app_config(app_config, sandbox):
    return {**app_config, "PASSFAMILLE_COMMUNE": str(DEFAULT_COMMUNE_FILE), **impot_settings(sandbox.url)}


def test_a_family_without_a_caf_file_finishes_with_the_dgfips_avis(app, browser):
    page = through_api(browser, UNKNOWN)
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé"
    page = page.choose(USE_AVIS).submit("Continuer").fill(SPI, JOSEPH).submit("Continuer")
    # The example hides the figures from a form anyone can fill in: the family reads that its avis was found.
    assert page.h1 == "Votre avis d'imposition a été trouvé" and "11 600" not in plain(page.text)
    page = to_household(page.choose("Non, cet avis est à jour").submit("Continuer"))
    assert page.h1 == "Votre résultat"
    assert "Tranche A" in page.text
    assert finish(page).h1 == "Votre demande est envoyée"
    with app.app_context():
        pf = db.session.scalars(select(Application)).one().pass_famille
        assert (pf.fiscal_source, pf.fiscal_rfr, pf.bracket_code, pf.decision["basis"]) == (
            "api",
            11600,
            "A",
            "municipal_quotient",
        )
