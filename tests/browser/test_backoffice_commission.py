"""The crèche commission as an agent uses it in a real browser: free places out of the section's places, a waiting
list printed for the meeting (no menu, links or buttons on paper, the table kept whole on an A4 width), and an
offer confirmed before the family's mail. Each page state scanned by axe (0 violations) and laid out at 320 px."""

import re

import pytest
from playwright.sync_api import expect

from .agent import Agent, agent_account
from .creche import Inspection, waiting_request

pytestmark = pytest.mark.browser

PETITS_LOUPS = "Micro-crèche Les Petits Loups"
SECTION = "De 2 mois à 4 ans"
FREE = re.compile(r"^(\d+ places? libres? sur 12|aucune place libre sur 12)$")
# A4 is 210 mm wide; with the print stylesheet's 12 mm margins, 186 mm are printed: 703 CSS pixels at 96 dpi.
A4_PRINTED_WIDTH = 703


def count(free: str) -> int:
    return 0 if free.startswith("aucune") else int(free.split()[0])


def free_places(page) -> str:
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=re.compile(f"^{SECTION}")))
    return row.get_by_role("cell").first.inner_text().strip()


def test_commission_shows_free_places_prints_its_list_and_confirms_an_offer(new_page, live_server):
    app, inspection = live_server.app, Inspection()
    wish = [("petits-loups", "tous-ages")]
    first = waiting_request(app, wishes=wish, criteria=["residence", "parent-seul"], child_first_name="Inès")
    waiting_request(app, wishes=wish, criteria=["fratrie"], child_first_name="Malo")
    agent = Agent(new_page()).log_in(agent_account(app))
    page = agent.page

    agent.follow("Crèches").sees_heading("Commission des crèches")
    expect(page.get_by_role("columnheader", name="Places libres").first).to_be_visible()
    before = free_places(page)
    assert FREE.match(before), before
    inspection.check(page, "commission : places libres par section")

    page.get_by_role("link", name=re.compile(f"^{SECTION}")).filter(has_text=SECTION).first.click()
    agent.sees_heading(f"{PETITS_LOUPS} : {SECTION}")
    print_button = page.get_by_role("button", name="Imprimer la liste", exact=True)
    expect(print_button).to_be_visible()  # shown by the script, which calls window.print()
    offer_button = page.get_by_role("button", name=f"Proposer une place à la demande {first.reference}")
    expect(offer_button).to_be_visible()
    inspection.check(page, "commission : liste d'attente avec le bouton d'impression")

    page.emulate_media(media="print")
    try:
        expect(print_button).to_be_hidden()
        expect(offer_button).to_be_hidden()
        expect(page.get_by_role("columnheader", name="Proposer une place")).to_be_hidden()
        expect(page.get_by_role("navigation", name="Espace agents")).to_be_hidden()
        expect(page.get_by_role("link", name="Retour à la commission des crèches")).to_be_hidden()
        downloads = page.locator("a", has_text=re.compile("^Télécharger"))
        expect(downloads).to_have_count(2)
        for link in downloads.all():
            expect(link).to_be_hidden()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        waiting = page.get_by_role("table", name=re.compile("^Demandes en attente"))
        expect(waiting.get_by_role("link", name=first.reference, exact=True)).to_be_visible()
        expect(waiting.get_by_role("columnheader", name="Points")).to_be_visible()
        # The column headings are repeated on each printed page, and a row is never cut between two pages.
        assert waiting.locator("thead").evaluate("e => getComputedStyle(e).display") == "table-header-group"
        assert waiting.locator("tbody tr").first.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
        # On an A4 width the whole table fits: nothing scrolls or is cut on the right.
        page.set_viewport_size({"width": A4_PRINTED_WIDTH, "height": 1000})
        overflow = waiting.evaluate("t => t.getBoundingClientRect().right - document.documentElement.clientWidth")
        assert overflow <= 0, f"le tableau dépasse de {overflow} px sur une largeur A4"
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1280, "height": 900})

    agent.press(f"Proposer une place à la demande {first.reference}").sees_heading("Confirmer : Proposer une place")
    expect(page.get_by_text("Un courriel sera envoyé à la famille", exact=False)).to_be_visible()
    expect(page.locator(".text-message")).to_contain_text(f"{PETITS_LOUPS}, {SECTION}")
    inspection.check(page, "commission : confirmation avant de proposer une place")
    agent.press("Confirmer et envoyer le courriel").sees_heading(f"{PETITS_LOUPS} : {SECTION}")
    expect(page.get_by_role("status").first).to_contain_text(f"Place proposée pour la demande {first.reference}")

    agent.follow("Retour à la commission des crèches").sees_heading("Commission des crèches")
    after = free_places(page)
    assert count(after) == count(before) - 1, (before, after)  # the offer not yet answered holds its place
    inspection.assert_clean()
