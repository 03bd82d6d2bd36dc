"""The agents' queue with its démarche column and one status filter per démarche, « Suivre ce dossier », « Mes
dossiers » and internal notes, in a real browser: each page state scanned by axe (0 violations) and laid out at
320 px without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from .agent import Agent, agent_account, file_application
from .creche import Inspection, waiting_request

pytestmark = pytest.mark.browser


def row_of(page, reference: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))


def test_queue_with_demarches_follow_and_notes_has_no_axe_violation_nor_sideways_scroll(new_page, live_server):
    app = live_server.app
    pass_famille = file_application(app, birth_name="ROUX", first_names="EMMA")
    file_application(app, birth_name="Roux", first_names="Emma")  # the same family, a second time
    creche = waiting_request(app, child_first_name="Nour")
    agent, inspection = Agent(new_page()).log_in(agent_account(app)), Inspection()
    page = agent.page

    agent.open("/agents/").sees_heading("Demandes")
    expect(page.get_by_role("columnheader", name="Démarche", exact=True)).to_be_visible()
    expect(row_of(page, creche.reference)).to_contain_text("Préinscription en crèche")
    expect(row_of(page, creche.reference)).to_contain_text("Nour")
    expect(row_of(page, creche.reference)).not_to_contain_text("En attente de la CAF")
    expect(row_of(page, pass_famille.reference)).to_contain_text("Pass Famille")
    inspection.check(page, "liste avec la colonne démarche")

    page.get_by_text("Filtrer et trier la liste", exact=True).click()
    agent.select("Statut (crèche)", "En attente").press("Filtrer").sees_heading("Demandes")
    expect(row_of(page, creche.reference)).to_be_visible()
    expect(row_of(page, pass_famille.reference)).to_have_count(0)
    expect(page.get_by_role("columnheader", name="Source du QF")).to_have_count(0)
    inspection.check(page, "liste filtrée sur un statut de crèche")

    agent.open(f"/agents/demandes/{pass_famille.id}").sees_heading(f"Demande {pass_famille.reference}")
    expect(page.get_by_role("heading", name="Doublon probable")).to_be_visible()
    agent.press("Suivre ce dossier").sees_heading(f"Demande {pass_famille.reference}")
    expect(page.get_by_role("status")).to_contain_text("Vous avez pris en charge cette demande")
    agent.type("Note interne", "Rappeler la famille jeudi.").press("Enregistrer la note")
    expect(page.get_by_role("status")).to_contain_text("Note enregistrée")
    expect(page.get_by_text("Rappeler la famille jeudi.", exact=True)).to_be_visible()
    inspection.check(page, "demande suivie, avec une note")
    agent.type("Note interne", "").press("Enregistrer la note")
    expect(page.get_by_role("alert").first).to_contain_text("Écrivez la note avant de l'enregistrer")
    inspection.check(page, "note vide en erreur")

    agent.press("Prendre en charge").sees_heading("Confirmer : Prendre en charge")
    expect(page.get_by_text("Un courriel sera envoyé à la famille", exact=False)).to_be_visible()
    inspection.check(page, "confirmation avant le courriel à la famille")
    agent.press("Confirmer et envoyer le courriel").sees_heading(f"Demande {pass_famille.reference}")
    expect(page.get_by_role("status").first).to_contain_text("La famille en est informée par courriel")

    agent.follow("Mes dossiers").sees_heading("Demandes")
    expect(row_of(page, pass_famille.reference)).to_contain_text(agent_account(app))
    expect(row_of(page, creche.reference)).to_have_count(0)
    inspection.check(page, "mes dossiers")

    inspection.assert_clean()
