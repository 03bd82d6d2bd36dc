"""The queue's selection in a real browser: « Tout sélectionner sur cette page » ticks every row (JavaScript), a
row unticked unticks it; « Suivre ces dossiers » and « Passer en instruction » (confirmation first) on the rows
ticked. Each page state scanned by axe (0 violations) and laid out at 320 px without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from .agent import Agent, agent_account, file_application
from .creche import Inspection

pytestmark = pytest.mark.browser


def test_selecting_rows_and_acting_on_them_has_no_axe_violation_nor_sideways_scroll(new_page, live_server):
    app = live_server.app
    first = file_application(app, birth_name="MOREAU", first_names="CLAIRE")
    second = file_application(app, birth_name="FAURE", first_names="PAUL")
    agent, inspection = Agent(new_page()).log_in(agent_account(app)), Inspection()
    page = agent.page

    agent.open("/agents/").sees_heading("Demandes")
    every_row = page.locator('input[name="dossier"]')
    select_all = page.get_by_label("Tout sélectionner sur cette page", exact=True)
    select_all.check()
    for index in range(every_row.count()):
        expect(every_row.nth(index)).to_be_checked()
    page.get_by_label(first.reference, exact=True).uncheck()
    expect(select_all).not_to_be_checked()
    inspection.check(page, "liste avec des demandes cochées")
    select_all.check()
    select_all.uncheck()
    for index in range(every_row.count()):
        expect(every_row.nth(index)).not_to_be_checked()

    page.get_by_label(first.reference, exact=True).check()
    page.get_by_label(second.reference, exact=True).check()
    agent.press("Passer en instruction").sees_heading("Confirmer : passer en instruction")
    expect(page.get_by_text("2 familles recevront un courriel", exact=False)).to_be_visible()
    inspection.check(page, "confirmation avant les courriels aux familles")
    agent.press("Confirmer et envoyer les courriels").sees_heading("Demandes")
    expect(page.get_by_role("status").first).to_contain_text("2 dossiers mis à jour")
    inspection.check(page, "résultat d'une action sur la sélection")

    page.get_by_label(first.reference, exact=True).check()
    page.get_by_label(second.reference, exact=True).check()
    agent.press("Suivre ces dossiers").sees_heading("Demandes")
    expect(page.get_by_role("status").first).to_contain_text("2 dossiers mis à jour")
    agent.press("Suivre ces dossiers").sees_heading("Demandes")  # nothing ticked
    expect(page.get_by_role("status").first).to_contain_text("Cochez au moins une demande dans la liste")
    inspection.check(page, "sélection vide")

    inspection.assert_clean()
