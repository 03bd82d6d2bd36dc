"""axe-core (WCAG 2.1 A/AA + best practices) on every page and state that the crèche pre-registration adds, error
states included, and reflow at 320 px (RGAA 10.11) of each: the wizard's new steps, the family's link, the
public grid, the commission and a crèche request's page for agents.

Where the citizen's journey is not the point, waiting requests are filed straight into the live server's database
through the real registration code (tests/creche_factory.py), and their states made by the crèche workflow."""

import re

import pytest
from playwright.sync_api import expect

from ..creche_factory import with_proof
from ..functional.journeys import UNKNOWN
from .agent import PDF, Agent, agent_account
from .creche import (
    ALONE,
    ALONE_PROOF,
    BOTH,
    CRECHE,
    LEA,
    PIOUPIOUS,
    RESIDENCE,
    START_HEADING,
    Inspection,
    ask_to_confirm,
    begin,
    family_path,
    fill_wishes,
    offer_place,
    to_child,
    to_child_without_caf,
    waiting_request,
)
from .journey import Citizen

pytestmark = pytest.mark.browser

ERROR_TITLE = re.compile(r"^Erreur : ")
FAMILY_PAGE = "Votre demande de place en crèche"


def sees_error(page, message: str) -> None:
    expect(page).to_have_title(ERROR_TITLE)
    expect(page.get_by_role("alert")).to_contain_text(message)


def test_start_page_and_the_creche_steps_of_the_wizard_have_no_axe_violation_and_reflow(page):
    citizen, checks = Citizen(page), Inspection()

    citizen.open("/").sees_heading(START_HEADING)
    checks.check(page, "accueil avec le choix de la démarche")
    citizen.press("Commencer ma demande").sees_heading(START_HEADING)
    sees_error(page, "Choisissez ce que vous souhaitez demander")
    checks.check(page, "accueil en erreur (aucune démarche choisie)")

    to_child(citizen, BOTH)
    # Only the chosen option's fields show (passfamille.js): none before a choice.
    expect(page.get_by_label("Prénom de l'enfant", exact=True)).to_be_hidden()
    expect(page.get_by_label("Jour prévu", exact=True)).to_be_hidden()
    checks.check(page, "votre enfant")
    citizen.press("Continuer").sees_heading("Votre enfant")
    sees_error(page, "Choisissez l'enfant pour lequel vous demandez une place")
    checks.check(page, "votre enfant en erreur (aucun enfant choisi)")
    citizen.choose("Un enfant à naître")
    expect(page.get_by_label("Jour prévu", exact=True)).to_be_visible()
    expect(page.get_by_label("Prénom de l'enfant", exact=True)).to_be_hidden()
    citizen.type("Jour prévu", "12").press("Continuer").sees_heading("Votre enfant")
    sees_error(page, "Saisissez la date prévue d'accouchement complète")
    expect(page.get_by_label("Jour prévu", exact=True)).to_be_visible()  # the chosen option stays open
    checks.check(page, "votre enfant en erreur (enfant à naître, date incomplète)")
    citizen.choose("Un autre enfant")
    expect(page.get_by_label("Prénom de l'enfant", exact=True)).to_be_visible()
    expect(page.get_by_label("Jour prévu", exact=True)).to_be_hidden()
    checks.check(page, "votre enfant : un autre enfant choisi")

    citizen.choose(LEA).press("Continuer").sees_heading("Vos souhaits d'accueil")
    checks.check(page, "vos souhaits d'accueil (structures et leurs sections)")
    citizen.press("Continuer").sees_heading("Vos souhaits d'accueil")
    sees_error(page, "Choisissez la structure de votre premier choix")
    checks.check(page, "vos souhaits d'accueil en erreur (rien de saisi)")

    fill_wishes(citizen).press("Continuer").sees_heading("Votre situation")
    expect(page.get_by_label(RESIDENCE, exact=True)).to_be_checked()  # from the CAF/MSA address, without proof
    expect(page.get_by_label(ALONE_PROOF, exact=True)).to_be_hidden()
    checks.check(page, "votre situation (résidence cochée d'après l'adresse de la CAF)")
    citizen.choose(ALONE)
    expect(page.get_by_label(ALONE_PROOF, exact=True)).to_be_visible()
    citizen.press("Continuer").sees_heading("Votre situation")
    sees_error(page, "Joignez le justificatif")
    checks.check(page, "votre situation en erreur (justificatif manquant)")
    page.get_by_label(ALONE_PROOF, exact=True).set_input_files(PDF)
    citizen.press("Continuer").sees_heading("Estimation du tarif")
    expect(page.get_by_text(re.compile(r"de l'heure$")).first).to_be_visible()
    checks.check(page, "estimation du tarif (ressources de la CAF)")

    citizen.follow("Continuer").sees_heading("Votre résultat")
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    expect(page.get_by_role("region", name="Vos souhaits d'accueil")).to_be_visible()
    checks.check(page, "récapitulatif des deux démarches")
    citizen.press("Envoyer ma demande").sees_heading("Vos demandes sont envoyées")
    expect(page.locator(".reference")).to_have_count(2)
    checks.check(page, "confirmation des deux démarches")

    checks.assert_clean()


def test_household_added_children_have_no_axe_violation_and_reflow(page):
    citizen, checks = Citizen(page), Inspection()

    begin(citizen, CRECHE)
    to_child_without_caf(citizen, UNKNOWN)  # the address typed, Léa added, then « Votre enfant »
    citizen.open("/demande/foyer").sees_heading("Votre foyer")
    expect(page.get_by_role("link", name="Modifier Léa")).to_be_visible()
    checks.check(page, "votre foyer avec un enfant ajouté (Modifier, Retirer)")
    citizen.follow("Modifier Léa").sees_heading("Votre foyer")
    expect(page.get_by_label("Prénom de l'enfant", exact=True)).to_have_value("Léa")
    checks.check(page, "votre foyer : modifier un enfant ajouté")
    citizen.type("Mois", "13").press("Enregistrer cet enfant").sees_heading("Votre foyer")
    sees_error(page, "Cette date n'existe pas")
    checks.check(page, "votre foyer : modification en erreur")
    citizen.type("Mois", "07").type("Prénom de l'enfant", "Léna").press("Enregistrer cet enfant")
    expect(page.get_by_text("Léna, né ou née le 14/07/2024")).to_be_visible()
    expect(page.get_by_label("Numéro et voie", exact=True)).to_have_value("8 rue Paradis")

    checks.assert_clean()


def test_estimate_without_the_caf_data_has_no_axe_violation_and_reflows(page):
    citizen, checks = Citizen(page), Inspection()

    begin(citizen, CRECHE).sees_heading("Vos ressources : ce que la mairie demande à la CAF ou à la MSA")
    checks.check(page, "vos ressources (crèche seule)")

    to_child_without_caf(citizen, UNKNOWN)  # 404 at the sandbox: the family goes on without the CAF
    citizen.choose(LEA).press("Continuer").sees_heading("Vos souhaits d'accueil")
    fill_wishes(citizen).press("Continuer").sees_heading("Votre situation")
    # The typed address is in Val-Fleuri: the residence is ticked, its proof asked; this family has none.
    page.get_by_label(RESIDENCE, exact=True).uncheck()
    citizen.press("Continuer").sees_heading("Estimation du tarif")
    expect(page.get_by_text("La CAF et la MSA n'ont pas transmis vos ressources")).to_be_visible()
    checks.check(page, "estimation sans les données de la CAF (choix de la suite)")
    citizen.choose("Fournir un justificatif de ressources").press("Continuer").sees_heading("Estimation du tarif")
    sees_error(page, "Joignez votre justificatif de ressources")
    checks.check(page, "estimation sans les données de la CAF en erreur (justificatif manquant)")
    citizen.choose("Continuer sans estimation").press("Continuer").sees_heading("Vérifiez votre demande")
    checks.check(page, "récapitulatif de la crèche seule, sans estimation")

    checks.assert_clean()


def test_family_link_and_public_grid_have_no_axe_violation_and_reflow(page, live_server):
    app, family, checks = live_server.app, Citizen(page), Inspection()

    waiting = waiting_request(
        app, wishes=[("pioupious", "bebes"), ("coquelicots", "bebes")], criteria=["residence", "fratrie"]
    )
    family.open(family_path(app, waiting)).sees_heading(FAMILY_PAGE)
    expect(page.get_by_role("table", name=re.compile("^Rang de votre demande"))).to_contain_text("Rang : ")
    checks.check(page, "suivi : en attente, rang sur chaque liste")

    asked = waiting_request(app, criteria=["parent-seul"])
    ask_to_confirm(app, asked)
    family.open(family_path(app, asked)).sees_heading(FAMILY_PAGE)
    expect(page.get_by_role("region", name="Maintenez-vous votre demande ?")).to_be_visible()
    checks.check(page, "suivi : relance en attente de réponse")
    family.press("Oui, je maintiens ma demande").sees_heading(FAMILY_PAGE)
    expect(page.get_by_role("status")).to_contain_text("votre demande est maintenue")
    checks.check(page, "suivi : merci, demande maintenue")

    offered = waiting_request(app)
    offer_place(app, offered)
    family.open(family_path(app, offered)).sees_heading(FAMILY_PAGE)
    expect(page.get_by_role("region", name="Une place vous est proposée")).to_contain_text(PIOUPIOUS)
    checks.check(page, "suivi : place proposée")
    family.press("J'accepte la place").sees_heading(FAMILY_PAGE)
    expect(page.get_by_text("Statut : Place acceptée")).to_be_visible()
    checks.check(page, "suivi : place acceptée")

    refused = waiting_request(app)
    offer_place(app, refused)
    family.open(family_path(app, refused)).sees_heading(FAMILY_PAGE)
    family.press("Je refuse la place").sees_heading("Êtes-vous sûr·e de refuser la place ?")
    expect(page.get_by_text("La place sera proposée à une autre famille")).to_be_visible()
    checks.check(page, "suivi : confirmation du refus de la place")
    family.follow("Non, revenir à la proposition").sees_heading(FAMILY_PAGE)
    expect(page.get_by_role("button", name="J'accepte la place")).to_be_visible()
    family.press("Je refuse la place").press("Oui, je refuse la place").sees_heading(FAMILY_PAGE)
    expect(page.get_by_role("status")).to_contain_text("Vous avez refusé la place")
    checks.check(page, "suivi : place refusée")

    assert page.goto("/creche/suivi/lien-abime").status == 404
    family.sees_heading("Ce lien est invalide ou expiré")
    checks.check(page, "suivi : lien invalide")

    family.follow("Voir la grille de points des crèches")
    family.sees_heading("Places en crèche : la grille de points et les structures")
    checks.check(page, "grille de points publique")

    checks.assert_clean()


def test_commission_and_creche_request_pages_have_no_axe_violation_and_reflow(new_page, live_server):
    app, checks = live_server.app, Inspection()
    first = waiting_request(app, criteria=["residence", "parent-seul"], birth_name="N'DIAYE", first_names="Aïssatou")
    waiting_request(app, criteria=["fratrie"], child_first_name="Maël")
    agent = Agent(new_page()).log_in(agent_account(app))
    page = agent.page

    agent.follow("Crèches").sees_heading("Commission des crèches")
    checks.check(page, "commission : vue d'ensemble")
    agent.follow(f"Bébés – {PIOUPIOUS}").sees_heading(f"{PIOUPIOUS} : Bébés")
    expect(page.get_by_role("button", name=f"Proposer une place à la demande {first.reference}")).to_be_visible()
    checks.check(page, "commission : liste d'attente et formulaires de proposition")

    label = f"Date d'entrée proposée pour {first.reference}"
    agent.type(label, "").press(f"Proposer une place à la demande {first.reference}")
    agent.sees_heading(f"{PIOUPIOUS} : Bébés")
    sees_error(page, "Indiquez la date d'entrée proposée")
    expect(page.get_by_label(label, exact=True)).to_have_attribute("aria-invalid", "true")
    checks.check(page, "commission : proposition en erreur (date vide)")

    agent.open(f"/agents/demandes/{first.id}").sees_heading(f"Demande {first.reference}")
    expect(page.get_by_role("button", name="Retirer la demande")).to_be_visible()
    checks.check(page, "demande de crèche (agents) : en attente")
    agent.press("Retirer la demande").sees_heading(f"Demande {first.reference}")
    sees_error(page, "Indiquez en quelques mots pourquoi la demande est retirée")
    checks.check(page, "demande de crèche (agents) : retrait sans motif en erreur")

    offer_place(app, first)
    agent.open(f"/agents/demandes/{first.id}").sees_heading(f"Demande {first.reference}")
    expect(page.get_by_text("Une place est proposée")).to_be_visible()
    checks.check(page, "demande de crèche (agents) : place proposée")

    # A family that sent a resources proof: the agent reads it and enters the figures of the estimate.
    with_proof_id = with_proof(app)
    agent.open(f"/agents/demandes/{with_proof_id}").sees_heading(re.compile(r"^Demande CR-"))
    checks.check(page, "demande de crèche (agents) : ressources à lire sur le justificatif")
    agent.press("Enregistrer les ressources")
    sees_error(page, "Saisissez les ressources annuelles lues sur le justificatif")
    checks.check(page, "demande de crèche (agents) : ressources en erreur")
    agent.type("Ressources annuelles, en euros", "30000").type("Nombre d'enfants à charge", "2")
    agent.type("Enfants bénéficiaires de l'AEEH", "0").press("Enregistrer les ressources")
    expect(page.get_by_text("1,29 € de l'heure").first).to_be_visible()
    checks.check(page, "demande de crèche (agents) : ressources lues et estimation")

    checks.assert_clean()


def test_checking_the_criteria_of_a_creche_request_has_no_axe_violation_and_reflows(new_page, live_server):
    """« Vérifié » / « Refusé » on each declared criterion: pending, a refusal without reason, refused, verified."""
    app, checks = live_server.app, Inspection()
    request_id = with_proof(app, criteria=["residence", "parent-seul"])
    agent = Agent(new_page()).log_in(agent_account(app))
    page = agent.page
    home, alone = "La famille habite Val-Fleuri", "Parent qui élève seul son enfant"

    agent.open(f"/agents/demandes/{request_id}").sees_heading(re.compile(r"^Demande CR-"))
    expect(page.get_by_text("Total : 60 points")).to_be_visible()
    checks.check(page, "demande de crèche (agents) : critères à vérifier")
    agent.press(f"Refusé : {home}")
    sees_error(page, "Indiquez pourquoi ce critère est refusé")
    expect(page.get_by_label(f"Motif du refus du critère « {home} »", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    checks.check(page, "demande de crèche (agents) : refus d'un critère sans motif en erreur")
    agent.type(f"Motif du refus du critère « {home} »", "Justificatif d'une autre commune.")
    agent.press(f"Refusé : {home}")
    expect(page.get_by_text("Total : 20 points")).to_be_visible()
    agent.press(f"Vérifié : {alone}")
    expect(page.get_by_text(re.compile(r"^Vérifié par "))).to_be_visible()
    checks.check(page, "demande de crèche (agents) : un critère refusé, un vérifié")

    checks.assert_clean()


def test_the_reflow_check_reports_an_element_too_wide_for_320_px(page):
    """Negative control: a page of the app with one element wider than a phone is reported, with that element."""
    Citizen(page).open("/creche/grille").sees_heading("Places en crèche : la grille de points et les structures")
    page.evaluate(
        """() => { const wide = document.createElement("p"); wide.style.width = "600px";
            wide.textContent = "Paragraphe trop large"; document.querySelector("main").append(wide); }"""
    )
    checks = Inspection()

    checks.check(page, "grille avec un paragraphe de 600 px")

    assert len(checks.too_wide) == 1, checks.too_wide
    assert "de 600 px : « Paragraphe trop large »" in checks.too_wide[0], checks.too_wide
    assert page.viewport_size["width"] > 320  # the page is given back its own width
