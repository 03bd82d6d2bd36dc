"""A family in chromium who logs in with FranceConnect (issue 13): the built-in FranceConnect sandbox's page to pick
a test identity, back to the app, its CAF/MSA data shown, the application sent and the FranceConnect session ended.
Counted like the other journeys (at most 8 pages and 1 typed field), axe on every new page, reflow at 320 px."""

import re

import pytest
from playwright.sync_api import expect

from .axe import Audit
from .test_accessibility import SMALL_SCREEN, assert_no_sideways_scroll
from .test_journey_counts import Family, cost
from .test_start_and_error_pages import PHONE, bottom

pytestmark = pytest.mark.browser

FC_BUTTON = "S’identifier avec FranceConnect"
DUPONT_FC = re.compile(r"^DUPONT Paul Louis \(sans_nom_dusage\)")


@pytest.fixture
def fc_server(other_live_server, sandbox):
    return other_live_server(
        FRANCECONNECT_URL=sandbox.franceconnect_issuer,
        FRANCECONNECT_CLIENT_ID="passfamille-bac-a-sable",
        FRANCECONNECT_CLIENT_SECRET="secret-public-du-bac-a-sable-franceconnect",
    )


def log_in(citizen: Family, identity=DUPONT_FC) -> Family:
    citizen.open("/").sees_heading(re.compile(r"^Demander le "))
    citizen.choose("Le Pass Famille")
    citizen.press(FC_BUTTON).sees_heading("Bac à sable FranceConnect")
    citizen.page.get_by_label(identity).check()
    return citizen.press("Continuer").sees_heading("Vous")


def test_a_family_through_franceconnect_types_nothing_in_8_pages(new_page_on, fc_server, request):
    page = new_page_on(fc_server)
    citizen, audit = Family(page), Audit()
    citizen.open("/").sees_heading(re.compile(r"^Demander le "))
    audit.scan(page, "accueil avec FranceConnect")
    expect(page.get_by_role("link", name="Qu’est-ce que FranceConnect ?")).to_have_attribute(
        "href", "https://franceconnect.gouv.fr/"
    )
    citizen.choose("Le Pass Famille")
    citizen.press(FC_BUTTON).sees_heading("Bac à sable FranceConnect")
    page.get_by_label(DUPONT_FC).check()
    citizen.press("Continuer").sees_heading("Vous")
    audit.scan(page, "vous, identité certifiée")
    expect(page.get_by_label("Adresse électronique", exact=True)).to_have_value("etabage-0159@yopmail.com")
    citizen.press("Continuer").sees_heading("Vérifiez les informations de la CAF/MSA")
    audit.scan(page, "vérification CAF/MSA avec FranceConnect")
    assert "RUE MONTORGUEIL" in citizen.main_text()
    citizen.choose("Oui, elles sont correctes").press("Continuer").sees_heading("Votre foyer")
    citizen.press("Continuer").sees_heading("Votre résultat")
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    audit.scan(page, "récapitulatif avec FranceConnect")
    citizen.press("Envoyer ma demande").sees_heading("Votre demande est envoyée")
    # Back from FranceConnect's logout: the header has no « Se déconnecter » left.
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    audit.assert_clean()
    cost(citizen, request.config, "Pass Famille avec FranceConnect", pages=8, fields=1)


def test_the_failure_and_cancel_pages_have_no_axe_violation(new_page_on, fc_server):
    page = new_page_on(fc_server)
    citizen, audit = Family(page), Audit()
    citizen.open("/").choose("Le Pass Famille").press(FC_BUTTON).sees_heading("Bac à sable FranceConnect")
    citizen.press("Annuler").sees_heading(re.compile(r"^Demander le "))
    expect(page.get_by_text("Vous avez annulé la connexion avec FranceConnect")).to_be_visible()
    audit.scan(page, "accueil après annulation")
    citizen.open("/franceconnect/retour?state=inconnu&code=x").sees_heading(
        "La connexion avec FranceConnect n'a pas abouti"
    )
    audit.scan(page, "échec de la connexion")
    audit.assert_clean()


def test_the_new_pages_do_not_scroll_sideways_at_320_px(new_page_on, fc_server, tmp_path):
    page = new_page_on(fc_server, viewport=SMALL_SCREEN)
    citizen = Family(page)
    citizen.open("/").sees_heading(re.compile(r"^Demander le "))
    assert_no_sideways_scroll(page, tmp_path, "accueil avec FranceConnect")
    log_in(citizen)
    assert_no_sideways_scroll(page, tmp_path, "vous avec FranceConnect")


def test_se_deconnecter_forgets_the_application_under_way(new_page_on, fc_server):
    page = new_page_on(fc_server)
    citizen = log_in(Family(page))
    citizen.press("Se déconnecter").sees_heading(re.compile(r"^Demander le "))
    expect(page.get_by_text("Vous êtes déconnecté")).to_be_visible()
    expect(page.get_by_role("button", name=FC_BUTTON)).to_be_visible()


def test_on_a_phone_franceconnect_and_the_alternative_are_in_the_first_screen(new_page_on, fc_server):
    page = new_page_on(fc_server, viewport=PHONE)
    Family(page).open("/").sees_heading(re.compile(r"^Demander le "))
    fc_button = page.get_by_role("button", name=FC_BUTTON)
    without = page.get_by_role("button", name="Continuer sans FranceConnect", exact=True)
    assert page.evaluate("window.scrollY") == 0
    # FranceConnect first, as its charter asks, and the equal alternative in the same first screen.
    assert bottom(fc_button) < bottom(without) <= PHONE["height"], (
        f"« Continuer sans FranceConnect » en bas à {bottom(without):.0f} px pour un écran de {PHONE['height']} px"
    )
