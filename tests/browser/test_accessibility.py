"""axe-core (WCAG 2.1 A/AA + best practices) on every page a family can meet, error states included,
reflow at 320 px (RGAA 10.11), and a negative control proving the scanner really reports problems."""

import re

import pytest
from playwright.sync_api import expect

from .axe import Audit, report, rule_ids, scan
from .journey import CAF_MODE, DOCUMENTS_MODE, Citizen, add_child, fill_identity, start

pytestmark = pytest.mark.browser

SMALL_SCREEN = {"width": 320, "height": 640}
# Smallest valid PDF header is enough: the app checks the file's first bytes, not its inside.
PDF = {"name": "attestation-qf.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}


def submit_empty_applicant_page(citizen: Citizen) -> Citizen:
    start(citizen)
    citizen.press("Continuer").sees_heading("Vous")
    citizen.press("Continuer").sees_heading("Vous")
    return citizen


def test_every_page_of_the_caf_journey_has_no_axe_violation(page):
    citizen, audit = Citizen(page), Audit()

    citizen.open("/").sees_heading(re.compile(r"^Demander le "))
    audit.scan(page, "accueil")
    citizen.choose("Le Pass Famille").press("Commencer ma demande").sees_heading(
        re.compile(r"^Votre quotient familial")
    )
    audit.scan(page, "information")
    citizen.choose(CAF_MODE).press("Continuer").sees_heading("Vous")
    audit.scan(page, "demandeur")
    fill_identity(citizen).press("Continuer").sees_heading("Vérifiez les informations de la CAF/MSA")
    audit.scan(page, "vérification CAF/MSA")
    citizen.choose("Oui, elles sont correctes").press("Continuer").sees_heading("Votre foyer")
    audit.scan(page, "foyer")
    add_child(citizen).sees_heading("Votre foyer")
    audit.scan(page, "foyer avec un enfant ajouté")
    citizen.press("Continuer").sees_heading("Votre résultat")
    audit.scan(page, "résultat")
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    audit.scan(page, "récapitulatif")
    citizen.press("Envoyer ma demande").sees_heading("Votre demande est envoyée")
    audit.scan(page, "confirmation")

    audit.assert_clean()


def test_pages_of_the_document_route_have_no_axe_violation(page):
    citizen, audit = Citizen(page), Audit()

    start(citizen, mode=DOCUMENTS_MODE)
    audit.scan(page, "information (justificatif choisi)")
    citizen.press("Continuer").sees_heading("Vous")
    expect(page.get_by_label("Jour", exact=True)).to_have_count(0)  # no birth data without the CAF/MSA call
    audit.scan(page, "demandeur sans état civil de naissance")
    fill_identity(citizen).press("Continuer").sees_heading("Votre justificatif de quotient familial")
    audit.scan(page, "justificatif")
    citizen.press("Continuer").sees_heading("Votre justificatif de quotient familial")
    expect(page).to_have_title(re.compile(r"^Erreur : "))
    audit.scan(page, "justificatif en erreur")
    citizen.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page.get_by_label("Votre justificatif", exact=True).set_input_files(PDF)
    citizen.type("Quotient familial indiqué sur le document, en euros", "850")
    citizen.press("Continuer").sees_heading("Votre foyer")
    expect(page.get_by_label("Code postal", exact=True)).to_be_visible()  # no CAF address: the family types it
    audit.scan(page, "foyer avec adresse à saisir")

    audit.assert_clean()


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/donnees-personnelles", "Vos données personnelles"), ("/accessibilite", "Déclaration d'accessibilité")],
)
def test_information_page_has_no_axe_violation(page, path, heading):
    citizen, audit = Citizen(page), Audit()
    citizen.open(path).sees_heading(heading)
    audit.scan(page, path)
    audit.assert_clean()


def test_not_found_page_during_an_application_has_no_axe_violation(page):
    citizen, audit = Citizen(page), Audit()
    start(citizen)
    response = page.goto("/demande/inexistante")
    assert response.status == 404
    citizen.sees_heading("Page introuvable")
    audit.scan(page, "404")
    audit.assert_clean()


def test_applicant_page_with_errors_has_no_axe_violation(page):
    citizen, audit = Citizen(page), Audit()
    submit_empty_applicant_page(citizen)

    expect(page).to_have_title(re.compile(r"^Erreur : Vous – Étape 2 sur 6 – "))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(re.compile(r"Le formulaire contient \d+ erreurs?"))
    expect(summary.get_by_role("link", name="Saisissez votre nom de naissance")).to_be_visible()
    expect(page.get_by_label("Nom de naissance", exact=True)).to_have_attribute("aria-invalid", "true")
    audit.scan(page, "demandeur en erreur")
    audit.assert_clean()


def test_applicant_page_with_errors_does_not_scroll_sideways_at_320_px(new_page, tmp_path):
    page = new_page(viewport=SMALL_SCREEN)
    submit_empty_applicant_page(Citizen(page))
    expect(page).to_have_title(re.compile(r"^Erreur : "))

    width = page.evaluate("document.documentElement.scrollWidth")
    if width > SMALL_SCREEN["width"]:
        picture = tmp_path / "demandeur-erreurs-320.png"
        page.screenshot(path=str(picture), full_page=True)
        pytest.fail(f"la page défile horizontalement à 320 px : scrollWidth = {width} (capture : {picture})")


def assert_no_sideways_scroll(page, tmp_path, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > SMALL_SCREEN["width"]:
        picture = tmp_path / f"{name}-320.png"
        page.screenshot(path=str(picture), full_page=True)
        pytest.fail(f"la page « {name} » défile horizontalement à 320 px : scrollWidth = {width} (capture : {picture})")


def test_result_page_with_its_tariff_table_does_not_scroll_sideways_at_320_px(new_page, tmp_path):
    page = new_page(viewport=SMALL_SCREEN)
    citizen, audit = Citizen(page), Audit()
    start(citizen)
    citizen.press("Continuer").sees_heading("Vous")
    fill_identity(citizen).press("Continuer").sees_heading("Vérifiez les informations de la CAF/MSA")
    citizen.choose("Oui, elles sont correctes").press("Continuer").sees_heading("Votre foyer")
    add_child(citizen).press("Continuer").sees_heading("Votre résultat")

    # The table scrolls inside its own region, named by its caption and reachable by keyboard; the page does not.
    assert_no_sideways_scroll(page, tmp_path, "résultat")
    region = page.get_by_role("region", name=re.compile(r"^Tarifs du "))
    expect(region).to_have_attribute("tabindex", "0")
    expect(region.get_by_role("table")).to_be_visible()
    audit.scan(page, "résultat à 320 px")
    audit.assert_clean()


def test_result_page_after_a_tax_notice_is_provisional_and_accessible_at_320_px(new_page, tmp_path):
    page = new_page(viewport=SMALL_SCREEN)
    citizen, audit = Citizen(page), Audit()
    start(citizen, mode=DOCUMENTS_MODE)
    citizen.press("Continuer").sees_heading("Vous")
    fill_identity(citizen).press("Continuer").sees_heading("Votre justificatif de quotient familial")
    citizen.choose("Dernier avis d'imposition")
    # Asked only with a CAF/MSA attestation: hidden once the tax notice is chosen.
    expect(page.get_by_label("Quotient familial indiqué sur le document, en euros", exact=True)).to_be_hidden()
    page.get_by_label("Votre justificatif", exact=True).set_input_files(PDF)
    audit.scan(page, "justificatif : avis d'imposition")
    citizen.press("Continuer").sees_heading("Votre foyer")
    citizen.type("Numéro et voie", "8 rue Paradis").type("Code postal", "13006").type("Commune", "Marseille")
    add_child(citizen).press("Continuer").sees_heading("Votre résultat")
    expect(page.get_by_role("heading", name="Résultat provisoire : la mairie calculera votre tarif")).to_be_visible()
    assert_no_sideways_scroll(page, tmp_path, "résultat provisoire")
    audit.scan(page, "résultat provisoire (avis d'imposition)")
    audit.assert_clean()


def test_confirmation_prints_its_summary_and_the_lost_link_pages_are_accessible_at_320_px(new_page, tmp_path):
    page = new_page(viewport=SMALL_SCREEN)
    citizen, audit = Citizen(page), Audit()
    start(citizen)
    citizen.press("Continuer").sees_heading("Vous")
    fill_identity(citizen).press("Continuer").sees_heading("Vérifiez les informations de la CAF/MSA")
    citizen.choose("Oui, elles sont correctes").press("Continuer").sees_heading("Votre foyer")
    add_child(citizen).press("Continuer").sees_heading("Votre résultat")
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    citizen.press("Envoyer ma demande").sees_heading("Votre demande est envoyée")
    print_button = page.get_by_role("button", name="Imprimer ou enregistrer en PDF")
    expect(print_button).to_be_visible()  # shown by the script, which calls window.print()
    assert_no_sideways_scroll(page, tmp_path, "confirmation")
    audit.scan(page, "confirmation à 320 px")
    page.emulate_media(media="print")
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("link", name=re.compile(r"^Suivre ma demande"))).to_be_hidden()
    expect(page.locator(".confirmation__summary")).to_be_visible()
    page.emulate_media(media="screen")

    citizen.follow("recevez de nouveau le lien de suivi").sees_heading("Vous avez perdu le lien de suivi ?")
    audit.scan(page, "lien perdu")
    citizen.type("Numéro de demande", "PF 2026")
    citizen.press("Recevoir le lien par courriel").sees_heading("Vous avez perdu le lien de suivi ?")
    expect(page).to_have_title(re.compile(r"^Erreur : "))
    assert_no_sideways_scroll(page, tmp_path, "lien perdu en erreur")
    audit.scan(page, "lien perdu en erreur")
    citizen.type("Numéro de demande", "PF-2026-999999").type("Adresse électronique donnée dans la demande", "a@b.fr")
    citizen.press("Recevoir le lien par courriel").sees_heading("Demande de lien reçue")
    audit.scan(page, "lien perdu : demande reçue")
    audit.assert_clean()


def test_axe_reports_violations_on_a_page_built_to_fail(page):
    """Negative control: a green scan above means something only if the scanner finds these."""
    page.set_content('<html><body><input type=text><img src="x.png"></body></html>')

    results = scan(page)

    # page-has-heading-one is a best-practice rule: finding it proves that tag is switched on too.
    expected = {"label", "image-alt", "html-has-lang", "page-has-heading-one"}
    assert expected <= rule_ids(results), rule_ids(results)
    readable = report(results, "page de contrôle")
    assert "image-alt [critical]" in readable and "cible img" in readable, readable
