"""On a phone (390 × 844) the start page shows the choice and the button without scrolling; a form back with errors
puts the focus on its error summary; axe finds nothing on the start page (details opened too), the accessibility
statement and the error pages (page not found, CAF/MSA unavailable, page expired)."""

import re

import pytest
from playwright.sync_api import expect

from ..functional.journeys import fault_identity
from .axe import Audit
from .creche import START_HEADING, Inspection
from .journey import Citizen, fill_identity, start

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def bottom(locator) -> float:
    box = locator.bounding_box()
    return box["y"] + box["height"]


def test_on_a_phone_the_choice_and_the_button_are_in_the_first_screen(new_page):
    page = new_page(viewport=PHONE)
    Citizen(page).open("/").sees_heading(START_HEADING)

    choice = page.get_by_role("group", name="Que souhaitez-vous demander ?")
    button = page.get_by_role("button", name="Commencer ma demande", exact=True)
    expect(choice).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    assert bottom(choice) <= PHONE["height"] and bottom(button) <= PHONE["height"], (
        f"bouton en bas à {bottom(button):.0f} px pour un écran de {PHONE['height']} px"
    )
    # The details are there, closed: a tap opens one.
    page.get_by_text("Ce qu'il vous faut", exact=True).click()
    expect(page.get_by_text("Une adresse électronique pour recevoir l'accusé de réception.")).to_be_visible()


def test_start_page_closed_and_opened_has_no_axe_violation_and_reflows(new_page):
    page = new_page(viewport=PHONE)
    checks = Inspection()
    Citizen(page).open("/").sees_heading(START_HEADING)
    checks.check(page, "accueil, sections fermées")
    page.evaluate("document.querySelectorAll('details').forEach(function (d) { d.open = true; })")
    checks.check(page, "accueil, toutes les sections et définitions ouvertes")
    checks.assert_clean()


def test_information_step_with_its_definitions_opened_has_no_axe_violation(page):
    citizen, checks = Citizen(page), Inspection()
    citizen.open("/").choose("Les deux").press("Commencer ma demande")
    citizen.sees_heading(re.compile(r"ce que la mairie demande à la CAF ou à la MSA$"))
    page.evaluate("document.querySelectorAll('details').forEach(function (d) { d.open = true; })")
    expect(page.get_by_text(re.compile(r"L114-8"))).to_be_visible()
    checks.check(page, "information, définitions et cadre légal ouverts")
    checks.assert_clean()


def test_after_a_failed_submit_the_error_summary_has_the_focus_and_leads_to_the_field(page):
    citizen = Citizen(page)
    citizen.open("/").press("Commencer ma demande").sees_heading(START_HEADING)
    expect(page).to_have_title(re.compile(r"^Erreur : Demander le "))
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()

    # The keyboard goes from the summary to its link, and the link to the field.
    page.keyboard.press("Tab")
    link = summary.get_by_role("link", name="Choisissez ce que vous souhaitez demander")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Le Pass Famille", exact=True)).to_be_focused()


def test_on_a_step_the_error_summary_has_the_focus_too(page):
    citizen = Citizen(page)
    start(citizen).press("Continuer").sees_heading("Vous")
    citizen.press("Continuer").sees_heading("Vous")
    expect(page).to_have_title(re.compile(r"^Erreur : Vous – "))
    expect(page.get_by_role("alert")).to_be_focused()


def test_error_pages_have_no_axe_violation_and_their_title_names_their_h1(page):
    citizen, audit = Citizen(page), Audit()

    assert page.goto("/demande/inexistante").status == 404
    citizen.sees_heading("Page introuvable")
    expect(page).to_have_title(re.compile(r"^Page introuvable – "))
    audit.scan(page, "404")

    # The official sandbox's identity that answers 504.
    start(citizen).press("Continuer").sees_heading("Vous")
    fill_identity(citizen, fault_identity("SITUDI", "Clément")).press("Continuer")
    citizen.sees_heading("Le service de la CAF et de la MSA ne répond pas")
    expect(page).to_have_title(re.compile(r"^Le service de la CAF et de la MSA ne répond pas – Étape "))
    audit.scan(page, "CAF/MSA indisponible (504)")

    # A form whose protection token is gone, as after a very long pause.
    citizen.open("/").choose("Le Pass Famille")
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    citizen.press("Reprendre ma demande").sees_heading("La page a expiré")
    expect(page).to_have_title(re.compile(r"^La page a expiré – "))
    audit.scan(page, "page expirée")

    citizen.open("/accessibilite").sees_heading("Déclaration d'accessibilité")
    expect(page).to_have_title(re.compile(r"^Déclaration d'accessibilité – "))
    audit.scan(page, "déclaration d'accessibilité")

    audit.assert_clean()


def test_creche_grid_with_its_definitions_opened_has_no_axe_violation_and_reflows(page):
    checks = Inspection()
    Citizen(page).open("/creche/grille").sees_heading("Places en crèche : la grille de points et les structures")
    page.get_by_text("Qu'est-ce qu'une section ?", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Un groupe d'enfants d'âges proches"))).to_be_visible()
    page.evaluate("document.querySelectorAll('details').forEach(function (d) { d.open = true; })")
    checks.check(page, "grille d'attribution, définitions ouvertes")
    checks.assert_clean()
