"""The DGFiP's avis d'imposition pages (issue 14) on a phone of 320 px: « Votre numéro fiscal » (with its drawing, and
with an error at the field) and « Vérifiez les informations des impôts » (the facts, and no avis found) — no axe
violation, no sideways scroll (RGAA 10.11)."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application

from ..conftest import edited_example_settings
from ..fiscal import ERIC, NOT_FOUND, impot_settings
from ..functional.journeys import UNKNOWN
from ..functional.test_fiscal_journey import USE_AVIS
from ..municipal_quotient import with_municipal_quotient
from .agent import Agent, agent_account
from .axe import Audit
from .journey import Citizen, add_child, fill_identity, start
from .test_accessibility import SMALL_SCREEN, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def municipal_commune(tmp_path):
    return edited_example_settings(tmp_path / "commune-quotient-municipal", with_municipal_quotient)


def test_numero_fiscal_and_dgfip_check_pages_are_accessible_at_320_px(
    new_page_on, other_live_server, municipal_commune, sandbox, tmp_path
):
    server = other_live_server(PASSFAMILLE_COMMUNE=str(municipal_commune), **impot_settings(sandbox.url))
    page = new_page_on(server, SMALL_SCREEN)
    citizen, audit = Citizen(page), Audit()
    start(citizen)
    citizen.press("Continuer").sees_heading("Vous")
    fill_identity(citizen, UNKNOWN).press("Continuer").sees_heading("Aucun dossier CAF ou MSA trouvé")
    citizen.choose(USE_AVIS).press("Continuer").sees_heading("Votre numéro fiscal")
    drawing = page.get_by_role("img", name="Dessin du haut de la première page d'un avis d'imposition", exact=False)
    expect(drawing).to_be_visible()
    assert_no_sideways_scroll(page, tmp_path, "numéro fiscal")
    audit.scan(page, "numéro fiscal")
    citizen.type("Numéro fiscal", "12345").press("Continuer")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_no_sideways_scroll(page, tmp_path, "numéro fiscal avec erreur")
    audit.scan(page, "numéro fiscal : erreur au champ")
    citizen.type("Numéro fiscal", NOT_FOUND).press("Continuer").sees_heading("Aucun avis d'imposition trouvé")
    assert_no_sideways_scroll(page, tmp_path, "aucun avis")
    audit.scan(page, "aucun avis d'imposition trouvé")
    citizen.choose("Vérifier le numéro saisi").press("Continuer").sees_heading("Votre numéro fiscal")
    citizen.type("Numéro fiscal", ERIC).press("Continuer").sees_heading("Vérifiez les informations des impôts")
    expect(page.get_by_text("Ces informations sont-elles correctes ?")).to_be_visible()
    assert_no_sideways_scroll(page, tmp_path, "vérification impôts")
    audit.scan(page, "vérifiez les informations des impôts")
    # On to the application, and the agent's page with the avis's provenance.
    citizen.choose("Oui, elles sont correctes").press("Continuer").sees_heading("Votre foyer")
    citizen.type("Numéro et voie", "8 rue Paradis").type("Code postal", "13006").type("Commune", "Marseille")
    add_child(citizen).press("Continuer").sees_heading("Votre résultat")
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    citizen.press("Envoyer ma demande").sees_heading("Votre demande est envoyée")
    with server.app.app_context():
        application_id = db.session.scalars(select(Application.id)).one()
    agent = Agent(new_page_on(server, SMALL_SCREEN))
    agent.log_in(agent_account(server.app))
    agent.open(f"/agents/demandes/{application_id}")
    expect(agent.page.get_by_text(re.compile(r"Avis d'imposition \(DGFiP, revenus \d{4}, obtenu le "))).to_be_visible()
    assert_no_sideways_scroll(agent.page, tmp_path, "demande avec l'avis de la DGFiP")
    audit.scan(agent.page, "page d'une demande : avis de la DGFiP")
    audit.assert_clean()
