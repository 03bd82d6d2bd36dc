"""Issue 5 in chromium, end to end: a family asks for the Pass Famille and a crèche place in one journey (CAF
route, LEFEBVRE), gets one receipt with both references and its crèche link, follows its rank; the commission
offers a place, the family accepts it through its link, the agent pronounces the admission."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .agent import PNG, Agent, agent_account, mails_to
from .creche import (
    ALONE,
    ALONE_PROOF,
    BOTH,
    COQUELICOTS,
    CR_REFERENCE,
    PF_REFERENCE,
    PIOUPIOUS,
    RESIDENCE,
    RESIDENCE_PROOF,
    link_in,
    to_child,
    to_situation,
)
from .journey import Citizen, describe

pytestmark = pytest.mark.browser

FAMILY = "famille.creche.navigateur@example.org"  # its own address: the session's SMTP server is shared
RANK = re.compile(r"^Rang : \d+ sur \d+ familles? en attente$")


def plain(text: str) -> str:
    """Babel's narrow and plain no-break spaces read as spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def rows_of(table) -> list[list[str]]:
    return [
        [plain(c).strip() for c in row.locator("th, td").all_inner_texts()] for row in table.locator("tbody tr").all()
    ]


def table_captioned(page, caption: str):
    return page.locator("table").filter(has=page.locator("caption", has_text=caption))


def test_family_asks_for_both_then_the_commission_offers_and_the_family_accepts(
    new_page, live_server, mailbox, request
):
    family = Citizen(new_page())
    page = family.page

    # --- the wizard: both démarches, Léa added at the foyer step, two ordered structures, two criteria -----------
    to_child(family, BOTH, email=FAMILY)
    to_situation(family, second=COQUELICOTS)
    # LEFEBVRE's CAF address is in Val-Fleuri: the residence is ticked for the family, and no proof is asked.
    expect(page.get_by_label(RESIDENCE, exact=True)).to_be_checked()
    expect(page.get_by_label(RESIDENCE_PROOF, exact=True)).to_have_count(0)
    expect(page.get_by_label(ALONE_PROOF, exact=True)).to_be_hidden()  # shown once its box is ticked
    family.choose(ALONE)
    page.get_by_label(ALONE_PROOF, exact=True).set_input_files(PNG)
    family.press("Continuer").sees_heading("Estimation du tarif")
    shown = plain(family.main_text())
    # LEFEBVRE: 40 923 € a year, 2 children counted (1 + 1 AEEH); collective 0,0516 % of 3 410,25 € = 1,76 €/h;
    # 32 h × 52 / 12 = 138,67 h a month → about 244,05 €. The crèche familiale has its own table.
    assert "1,76 € de l'heure" in shown, shown
    assert "environ 244,05 € par mois" in shown, shown
    expect(page.get_by_role("heading", name="Crèche collective, multi-accueil ou micro-crèche")).to_be_visible()
    expect(page.get_by_role("heading", name="Crèche familiale", exact=True)).to_be_visible()

    family.follow("Continuer").sees_heading("Votre résultat")
    expect(page.get_by_role("heading", name="Vous pouvez bénéficier du Pass Famille")).to_be_visible()
    family.follow("Continuer").sees_heading("Vérifiez votre demande")
    shown = plain(family.main_text())
    for answer in ("LEFEBVRE", FAMILY, "Quotient familial", "Tranche E : 40 €, 10 % de réduction.", "Léa"):
        assert answer in shown, f"« {answer} » absent du récapitulatif :\n{shown}"
    for answer in ("Vos souhaits d'accueil", PIOUPIOUS, COQUELICOTS, "La famille habite Val-Fleuri"):
        assert answer in shown, f"« {answer} » absent du récapitulatif (crèche) :\n{shown}"
    assert shown.index(PIOUPIOUS) < shown.index(COQUELICOTS), "l'ordre des souhaits est perdu"

    family.press("Envoyer ma demande").sees_heading("Vos demandes sont envoyées")
    references = page.locator(".reference").all_inner_texts()
    assert len(references) == 2 and PF_REFERENCE.fullmatch(references[0]) and CR_REFERENCE.fullmatch(references[1])
    pass_famille, creche = references
    figures = family.figures()

    # --- one receipt for both, with the crèche link --------------------------------------------------------------
    (receipt,) = mails_to(mailbox, FAMILY)
    assert pass_famille in receipt.body and creche in receipt.body, receipt.body
    link = link_in(receipt.body)

    # --- the family opens its link later, in another browser ------------------------------------------------------
    follower = Citizen(new_page())
    follower.open(link).sees_heading("Votre demande de place en crèche")
    expect(follower.page.get_by_text("Statut : En attente")).to_be_visible()
    expect(follower.page.get_by_text(creche, exact=True)).to_be_visible()
    ranks = rows_of(table_captioned(follower.page, "Rang de votre demande"))
    assert [row[:3] for row in ranks] == [["1", PIOUPIOUS, "Grands"], ["2", COQUELICOTS, "Grands"]], ranks
    assert all(RANK.match(row[3]) for row in ranks), ranks
    points = rows_of(table_captioned(follower.page, "Critères que vous avez déclarés"))
    assert points == [["Parent qui élève seul son enfant", "20"], ["La famille habite Val-Fleuri", "40"]], points
    expect(table_captioned(follower.page, "Critères que vous avez déclarés").locator("tfoot")).to_contain_text("60")

    # --- the commission offers a place in the first wished structure and section ----------------------------------
    agent = Agent(new_page()).log_in(agent_account(live_server.app))
    agent.follow("Crèches").sees_heading("Commission des crèches")
    agent.follow(f"Grands – {PIOUPIOUS}").sees_heading(f"{PIOUPIOUS} : Grands")
    row = agent.page.get_by_role("row").filter(has=agent.page.get_by_role("link", name=creche, exact=True))
    expect(row).to_contain_text("60 points")
    expect(row).to_contain_text("1er choix")
    start = (date.today() + timedelta(days=40)).strftime("%d/%m/%Y")
    agent.type(f"Date d'entrée proposée pour {creche}", start).press(f"Proposer une place à la demande {creche}")
    agent.sees_heading("Confirmer : Proposer une place")  # the offer mails the family: the agent confirms first
    expect(agent.page.get_by_text(f"Date d'entrée proposée : {start}")).to_be_visible()
    agent.press("Confirmer et envoyer le courriel")
    expect(agent.page.get_by_role("status")).to_contain_text(
        f"Place proposée pour la demande {creche}, entrée le {start}"
    )

    offered = mails_to(mailbox, FAMILY, count=2)[-1]
    assert creche in offered.subject and f"Date d'entrée proposée : {start}" in offered.body, offered.body
    follower.open(link_in(offered.body)).sees_heading("Votre demande de place en crèche")
    offer = follower.page.get_by_role("region", name="Une place vous est proposée")
    expect(offer).to_contain_text(PIOUPIOUS)
    expect(offer).to_contain_text("Grands")
    buttons = [offer.get_by_role("button", name=n, exact=True) for n in ("J'accepte la place", "Je refuse la place")]
    first, second = (button.bounding_box() for button in buttons)
    assert min(first["height"], second["height"]) >= 44, (first, second)
    apart = max(second["x"] - (first["x"] + first["width"]), second["y"] - (first["y"] + first["height"]))
    assert apart >= 8, f"les boutons se touchent : {first}, {second}"
    follower.press("J'accepte la place").sees_heading("Votre demande de place en crèche")
    expect(follower.page.get_by_text("Statut : Place acceptée")).to_be_visible()
    assert "Vous avez accepté la place proposée" in mails_to(mailbox, FAMILY, count=3)[-1].body

    # --- the agent pronounces the admission on the request's page ------------------------------------------------
    agent.open(agent.page.url)
    agent.follow(creche).sees_heading(f"Demande {creche}")
    expect(agent.page.get_by_text("Place acceptée").first).to_be_visible()
    agent.press("Prononcer l'admission").press("Confirmer et envoyer le courriel").sees_heading(f"Demande {creche}")
    expect(agent.page.locator(".tag--status")).to_have_text("Admis")
    assert creche in mails_to(mailbox, FAMILY, count=4)[-1].subject
    follower.open(link).sees_heading("Votre demande de place en crèche")
    expect(follower.page.get_by_text("Statut : Admis")).to_be_visible()

    request.node.user_properties.extend(figures.items())
    print(f"\nParcours « Les deux » avec préinscription en crèche (chromium) : {describe(figures)}")
