"""The back-office in chromium, as people use it: a family applies with its own proof, an agent finds, checks and
accepts the application, and the family opens its attestation from the mail; then a request for a document
answered through the family's link. By labels, button and link names; the mails come to the local SMTP server."""

import re

import pytest
from playwright.sync_api import expect

from ..formclient import path_of
from ..functional.journeys import DUPONT
from .agent import PDF, PNG, Agent, agent_account, file_application, mails_to, region
from .journey import DOCUMENTS_MODE, Citizen, add_child, fill_identity, start

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"PF-\d{4}-\d{6}")
PASS_NUMBER = re.compile(r"PASS-\d{4}-\d{6}")
LINK = re.compile(r"https?://\S+/demande/suivi/\S+")
FAMILY_EMAIL = "sophie.dupont@example.org"
REQUEST = "Votre attestation de quotient familial de moins de 3 mois, ou votre dernier avis d'imposition."


def apply_with_a_proof(citizen: Citizen) -> str:
    """The DOCUMENTS route: no birth data, a PDF and the QF read on it, the address typed, one child; the reference."""
    start(citizen, mode=DOCUMENTS_MODE)
    citizen.press("Continuer").sees_heading("Vous")
    expect(citizen.page.get_by_label("Jour", exact=True)).to_have_count(0)
    fill_identity(citizen, DUPONT, FAMILY_EMAIL).press("Continuer").sees_heading(
        "Votre justificatif de quotient familial"
    )
    citizen.choose("Attestation de quotient familial de la CAF ou de la MSA")
    citizen.page.get_by_label("Votre justificatif", exact=True).set_input_files(PDF)
    citizen.type("Quotient familial indiqué sur le document, en euros", "800")
    citizen.press("Continuer").sees_heading("Votre foyer")
    add_child(citizen, "Lou", ("01", "02", "2019")).sees_heading("Votre foyer")
    citizen.type("Numéro et voie", "8 rue Paradis").type("Code postal", "13006").type("Commune", "Marseille")
    citizen.press("Continuer").sees_heading("Votre résultat")
    expect(citizen.page.get_by_role("heading", name="Vous pouvez bénéficier du Pass Famille")).to_be_visible()
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    assert "8 rue Paradis" in citizen.main_text() and "Lou" in citizen.main_text()
    citizen.press("Envoyer ma demande").sees_heading("Votre demande est envoyée")
    reference = REFERENCE.search(citizen.main_text())
    assert reference, citizen.main_text()
    return reference.group()


def status_tag(page):
    return page.locator(".lead .tag--status")


def test_an_agent_checks_and_accepts_a_proof_and_the_family_opens_its_attestation_from_the_mail(
    new_page, live_server, mailbox
):
    reference = apply_with_a_proof(Citizen(new_page()))

    agent = Agent(new_page()).log_in(agent_account(live_server.app))
    page = agent.page
    agent.type("Référence, nom, courriel ou adresse", reference).press("Rechercher").sees_heading("Demandes")
    expect(page.get_by_role("heading", name="Résultats de la recherche")).to_be_visible()
    expect(page.get_by_text(f"1 demande pour « {reference} ».")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text("DUPONT SOPHIE")
    expect(row).to_contain_text("Déposée, à vérifier")

    agent.follow(reference).sees_heading(f"Demande {reference}")
    expect(status_tag(page)).to_have_text("Déposée, à vérifier")
    quotient = region(page, "Quotient familial et données certifiées")
    expect(quotient).to_contain_text("indiqué par la famille d'après son justificatif à vérifier")
    expect(region(page, "Pièces").get_by_role("link", name=re.compile(r"^Télécharger : Attestation"))).to_be_visible()
    expect(region(page, "Décision selon les règles")).to_contain_text("Éligible : Tranche B, pass à 10")
    expect(page.get_by_role("button", name="Accepter")).to_have_count(0)  # not before someone takes it

    agent.press("Prendre en charge").press("Confirmer et envoyer le courriel").sees_heading(f"Demande {reference}")
    expect(page.get_by_role("status")).to_have_text("Demande prise en charge. La famille en est informée par courriel.")
    expect(status_tag(page)).to_have_text("En instruction")
    expect(page.get_by_text("Accepter : Vérifiez d'abord le quotient familial sur le justificatif.")).to_be_visible()
    expect(page.get_by_role("button", name="Accepter")).to_have_count(0)

    # The family typed 800 €; the agent reads 1 500 € on the document: the same rules decide again.
    expect(page.get_by_label("Quotient familial lu sur le document", exact=True)).to_have_value("800")
    agent.type("Quotient familial lu sur le document", "1 500").press("Enregistrer la vérification")
    expect(page.get_by_role("status")).to_contain_text("Quotient familial vérifié")
    expect(quotient).to_contain_text("Vérifié par agent.navigateur@val-fleuri.example")
    expect(region(page, "Décision selon les règles")).to_contain_text("Éligible : Tranche D, pass à 30")
    expect(region(page, "Pièces")).to_contain_text("le justificatif a été supprimé après vérification")
    expect(region(page, "Historique")).to_contain_text("corrigé de 800")

    agent.press("Accepter").press("Confirmer et envoyer le courriel").sees_heading(f"Demande {reference}")
    expect(page.get_by_role("status")).to_have_text(
        "Demande acceptée : le pass est attribué. La famille en est informée par courriel."
    )
    expect(status_tag(page)).to_have_text("Acceptée")
    granted = region(page, "Pass attribué")
    expect(granted).to_contain_text(PASS_NUMBER)
    pass_number = PASS_NUMBER.search(granted.inner_text()).group()
    expect(page.get_by_role("button", name="Accepter")).to_have_count(0)  # closed: no more actions
    agent.follow("Voir l'attestation à imprimer").sees_heading("Attestation Pass Famille")
    expect(page.get_by_role("main")).to_contain_text(pass_number)

    receipt, taken, accepted = mails_to(mailbox, FAMILY_EMAIL, count=3)
    assert reference in receipt.subject and "reçue" in receipt.subject
    assert "en cours d'examen" in taken.body
    assert reference in accepted.subject
    assert reference in accepted.body and pass_number in accepted.body, accepted.body
    assert "Prix du pass : 30" in accepted.body, accepted.body
    link = LINK.search(accepted.body)
    assert link, accepted.body

    family = Citizen(new_page())  # another browser context: no agent's cookie, only the link
    family.open(path_of(link.group())).sees_heading("Attestation Pass Famille")
    shown = family.main_text()
    assert "SOPHIE DUPONT" in shown and pass_number in shown and reference in shown, shown
    assert "Tranche D : pass à 30" in shown, shown
    expect(family.page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def test_the_family_answers_a_request_for_a_document_with_a_photo_and_the_agent_sees_it(new_page, live_server, mailbox):
    family_email = "famille.photo@example.org"
    filed = file_application(live_server.app, birth_name="MARTIN", first_names="PIERRE", address=family_email)
    agent = Agent(new_page()).log_in(agent_account(live_server.app))
    page = agent.page
    agent.open(f"/agents/demandes/{filed.id}").sees_heading(f"Demande {filed.reference}")
    agent.press("Prendre en charge").press("Confirmer et envoyer le courriel").sees_heading(
        f"Demande {filed.reference}"
    )
    agent.type("Pièce demandée à la famille", REQUEST).press("Demander une pièce").press(
        "Confirmer et envoyer le courriel"
    )
    expect(page.get_by_role("status")).to_have_text("Pièce demandée. La famille en est informée par courriel.")
    expect(status_tag(page)).to_have_text("Pièce demandée")

    _, request = mails_to(mailbox, family_email, count=2)
    assert REQUEST in request.body and filed.reference in request.body, request.body
    link = LINK.search(request.body)
    assert link, request.body

    family = Citizen(new_page())
    family.open(path_of(link.group())).sees_heading("Envoyer le document demandé")
    assert REQUEST in family.main_text() and filed.reference in family.main_text()
    family.page.get_by_label("Votre document", exact=True).set_input_files(PNG)
    family.press("Envoyer le document").sees_heading("Votre demande de Pass Famille")
    expect(family.page.get_by_role("status")).to_have_text(
        "Merci : votre document est bien envoyé à la mairie. Un courriel vous le confirme."
    )
    expect(family.page.get_by_text("Un agent de la mairie examine votre demande.", exact=False)).to_be_visible()
    assert "bien reçu le document demandé" in mails_to(mailbox, family_email, count=3)[-1].body

    page.reload()
    agent.sees_heading(f"Demande {filed.reference}")
    expect(status_tag(page)).to_have_text("En instruction")
    expect(region(page, "Pièces").get_by_role("link").first).to_have_text(
        re.compile(r"^Télécharger : Pièce envoyée par la famille \(PNG, 1 Ko\)")
    )
    # The photo opens in the browser too, not only as a download.
    preview = region(page, "Pièces").get_by_role("link", name=re.compile(r"^Voir dans le navigateur"))
    response = page.request.get(preview.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("inline")
    expect(region(page, "Historique")).to_contain_text("pièce envoyée par la famille")
    expect(page.get_by_role("button", name="Accepter")).to_be_visible()
