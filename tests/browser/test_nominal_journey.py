"""The nominal CAF/MSA journey in chromium, as a family does it: by labels, button and link names."""

import email
import email.policy
import re
import time

import pytest
from playwright.sync_api import expect

from ..functional.journeys import EMAIL
from .journey import FIGURES_KEY, Citizen, add_child, describe, fill_identity, start

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"PF-\d{4}-\d{6}")
# Babel groups thousands with U+202F; the template may put a plain or no-break space before "€".
QF_2550 = re.compile(r"2\u202f550[ \u00a0]€")


def wait_for_mail(mailbox, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not mailbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mailbox.messages, "aucun accusé de réception n'est arrivé au serveur SMTP local"
    return mailbox.messages[-1]


def test_family_gets_a_reference_and_a_receipt_through_the_caf_journey(page, mailbox, request):
    citizen = Citizen(page)

    start(citizen)
    citizen.sees_step(1, 6)  # the total counts the CAF/MSA step before the route is chosen: it holds
    citizen.press("Continuer").sees_heading("Vous").sees_step(2, 6)
    expect(page).to_have_title(re.compile(r"^Vous – Étape 2 sur 6 – "))

    fill_identity(citizen)
    citizen.press("Continuer").sees_heading("Vérifiez les informations de la CAF/MSA").sees_step(3, 6)
    shown = citizen.main_text()
    assert QF_2550.search(shown), shown
    assert "Calculé par la CAF pour le mois de juin 2023." in shown
    assert "ALEXIS GÉRÔME JEAN-PHILIPPE LEFEBVRE, née le 27/12/1982" in shown

    citizen.choose("Oui, elles sont correctes")
    citizen.press("Continuer").sees_heading("Votre foyer").sees_step(4, 6)
    expect(page.get_by_text("Aucun enfant n'est connu pour votre foyer.")).to_be_visible()

    add_child(citizen).sees_heading("Votre foyer")
    expect(page.get_by_role("listitem").filter(has_text="Léa, né ou née le 14/07/2024")).to_be_visible()

    citizen.press("Continuer").sees_heading("Votre résultat").sees_step(5, 6)
    expect(page.get_by_role("heading", name="Vous pouvez bénéficier du Pass Famille")).to_be_visible()
    shown = citizen.main_text()
    assert "Tranche E : le pass coûte 40\u00a0€ et vous donne 10 % de réduction" in shown, shown
    assert QF_2550.search(shown), shown

    citizen.follow("Continuer").sees_heading("Vérifiez votre demande").sees_step(6, 6)
    shown = citizen.main_text()
    for answer in ("LEFEBVRE", "ALEXIS, GÉRÔME, JEAN-PHILIPPE", "27/12/1982", "Villers-Semeuse (Ardennes)", EMAIL):
        assert answer in shown, f"« {answer} » absent du récapitulatif :\n{shown}"
    assert QF_2550.search(shown), shown
    assert "Tranche E : 40\u00a0€, 10 % de réduction." in shown, shown

    citizen.press("Envoyer ma demande").sees_heading("Votre demande est envoyée")
    expect(page).to_have_url(re.compile(r"/demande/confirmation$"))
    reference = REFERENCE.search(citizen.main_text())
    assert reference, citizen.main_text()

    envelope = wait_for_mail(mailbox)
    assert envelope.rcpt_tos == [EMAIL]
    receipt = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert reference.group() in receipt["Subject"]
    assert reference.group() in receipt.get_body(preferencelist=("plain",)).get_content()

    figures = citizen.figures()
    request.config.stash[FIGURES_KEY] = figures
    request.node.user_properties.extend(figures.items())
    print(f"\nParcours nominal (chromium) : {describe(figures)}")
