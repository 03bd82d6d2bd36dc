"""A commune whose rules compute a municipal quotient from the avis d'imposition: the proof page with the revenu
fiscal de référence and the nombre de parts, and the result page explaining the municipal quotient, on a phone of
320 px — no axe violation, no sideways scroll (RGAA 10.11)."""

import re

import pytest
from playwright.sync_api import expect

from ..conftest import edited_example_settings
from ..municipal_quotient import with_municipal_quotient
from .axe import Audit
from .journey import DOCUMENTS_MODE, Citizen, add_child, fill_identity, start
from .test_accessibility import PDF, SMALL_SCREEN, assert_no_sideways_scroll

pytestmark = pytest.mark.browser

RFR = "Revenu fiscal de référence, en euros"
PARTS = "Nombre de parts"


@pytest.fixture
def municipal_commune(tmp_path):
    return edited_example_settings(tmp_path / "commune-quotient-municipal", with_municipal_quotient)


def test_proof_with_rfr_and_parts_and_the_municipal_quotient_result_are_accessible_at_320_px(
    new_page_on,
    other_live_server,
    municipal_commune,
    tmp_path,
):
    server = other_live_server(PASSFAMILLE_COMMUNE=str(municipal_commune))
    page = new_page_on(server, SMALL_SCREEN)
    citizen, audit = Citizen(page), Audit()
    start(citizen, mode=DOCUMENTS_MODE)
    citizen.press("Continuer").sees_heading("Vous")
    fill_identity(citizen).press("Continuer").sees_heading("Votre justificatif de quotient familial")
    citizen.choose("Dernier avis d'imposition")
    # The avis's figures are shown once it is chosen; the QF of an attestation is hidden.
    expect(page.get_by_label(RFR, exact=True)).to_be_visible()
    expect(page.get_by_label("Quotient familial indiqué sur le document, en euros", exact=True)).to_be_hidden()
    page.get_by_label("Votre justificatif", exact=True).set_input_files(PDF)
    citizen.press("Continuer")
    expect(page.locator(".error-summary")).to_be_visible()  # RFR and parts are asked
    assert_no_sideways_scroll(page, tmp_path, "justificatif avec erreurs")
    audit.scan(page, "justificatif : avis sans ses chiffres")
    citizen.type(RFR, "32 400").type(PARTS, "2,5")
    assert_no_sideways_scroll(page, tmp_path, "justificatif : revenu fiscal et parts")
    audit.scan(page, "justificatif : revenu fiscal et parts")
    citizen.press("Continuer").sees_heading("Votre foyer")
    citizen.type("Numéro et voie", "8 rue Paradis").type("Code postal", "13006").type("Commune", "Marseille")
    add_child(citizen).press("Continuer").sees_heading("Votre résultat")
    expect(
        page.get_by_text(re.compile(r"Votre quotient municipal : 32\s400\s€ ÷ 12 ÷ 2,5 parts = 1\s080\s€"))
    ).to_be_visible()
    assert_no_sideways_scroll(page, tmp_path, "résultat quotient municipal")
    audit.scan(page, "résultat avec un quotient municipal")
    audit.assert_clean()
