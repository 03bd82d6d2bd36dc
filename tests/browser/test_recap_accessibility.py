"""« Vérifiez votre demande » on a phone (390 px) and the wizard's new page states, with axe (0 violations) and the
320 px reflow check: the « les deux » recap with one « Modifier » per section, the page that changes the démarches
and its confirmation, no CAF/MSA file found (and « Vérifier ce que j'ai saisi »), a retry that still fails."""

import re

import pytest
from playwright.sync_api import expect

from ..functional.journeys import UNKNOWN, fault_identity
from .creche import BOTH, RESIDENCE, RESIDENCE_PROOF, Inspection, fill_wishes, to_child
from .journey import CAF_MODE, Citizen, fill_identity, start

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
RECAP = "Vérifiez votre demande"


def both_to_recap(citizen: Citizen) -> Citizen:
    to_child(citizen, BOTH).choose("Léa, né ou née le 14/07/2024").press("Continuer")
    fill_wishes(citizen.sees_heading("Vos souhaits d'accueil")).press("Continuer").sees_heading("Votre situation")
    # Ticked from the CAF/MSA address, which is in the commune: no proof to send.
    expect(citizen.page.get_by_label(RESIDENCE, exact=True)).to_be_checked()
    expect(citizen.page.get_by_label(RESIDENCE_PROOF, exact=True)).to_have_count(0)
    citizen.press("Continuer").sees_heading("Estimation du tarif")
    citizen.follow("Continuer").sees_heading("Votre résultat")
    return citizen.follow("Continuer").sees_heading(RECAP)


def test_the_recap_of_both_demarches_on_a_phone_has_one_modifier_per_section(new_page):
    page = new_page(viewport=PHONE)
    citizen, checks = Citizen(page), Inspection()
    both_to_recap(citizen)
    checks.check(page, "récapitulatif des deux démarches (390 px)")

    changes = page.get_by_role("link", name=re.compile(r"^Modifier"))
    names = [changes.nth(i).text_content().strip() for i in range(changes.count())]
    assert len(names) <= 9 and len(set(names)) == len(names), names  # was 21, some with the same name
    for name in names:
        assert re.fullmatch(r"Modifier (les |le |la |l'|vos |votre ).+", name), name
    # What is worked out from the answers (the crèche estimate, the Pass Famille's result) has no « Modifier ».
    estimate = page.get_by_role("region", name="Estimation du tarif de la crèche")
    expect(estimate).to_be_visible()
    expect(estimate.get_by_role("link")).to_have_count(0)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"récapitulatif de {height} px à 390 px"  # measured at 3 700 px before

    # Each section's « Modifier » is reached by name and opens its page, whose « Retour » leads back.
    citizen.follow("Modifier vos souhaits d'accueil").sees_heading("Vos souhaits d'accueil")
    checks.check(page, "souhaits ouverts depuis le récapitulatif")
    citizen.follow("Retour").sees_heading(RECAP)
    checks.assert_clean()


def test_changing_demarches_warns_first_and_every_state_is_accessible(new_page):
    page = new_page(viewport=PHONE)
    citizen, checks = Citizen(page), Inspection()
    both_to_recap(citizen)
    citizen.follow("Modifier vos démarches").sees_heading("Modifier vos démarches")
    checks.check(page, "modifier vos démarches")
    citizen.choose("Le Pass Famille").press("Continuer").sees_heading("Confirmez le changement de démarche")
    expect(page.get_by_text("Vos réponses à ces pages ne serviront plus et seront effacées")).to_be_visible()
    checks.check(page, "confirmation du changement de démarche")
    citizen.press("Confirmer le changement").sees_heading("Vous")
    expect(page.get_by_role("status")).to_contain_text("La mairie doit interroger à nouveau la CAF ou la MSA")
    checks.check(page, "vous, à confirmer pour la nouvelle démarche")
    checks.assert_clean()


def test_no_file_found_and_a_failed_retry_are_accessible(page):
    citizen, checks = Citizen(page), Inspection()
    start(citizen).press("Continuer").sees_heading("Vous")
    fill_identity(citizen, UNKNOWN).press("Continuer").sees_heading("Aucun dossier CAF ou MSA trouvé")
    checks.check(page, "aucun dossier trouvé (Vérifier ce que j'ai saisi en premier)")
    citizen.choose("Vérifier ce que j'ai saisi").press("Continuer").sees_heading("Vous")
    expect(page.get_by_label("Nom de naissance", exact=True)).to_have_value("INCONNU")
    checks.check(page, "vous, après aucun dossier trouvé")

    citizen.open("/").choose("Le Pass Famille").press("Reprendre ma demande")
    citizen.sees_heading(re.compile(r"^Votre quotient familial")).choose(CAF_MODE).press("Continuer")
    citizen.sees_heading("Vous")
    fill_identity(citizen, fault_identity("DESFOUIN", "René")).press("Continuer")
    citizen.sees_heading("Le service de la CAF et de la MSA ne répond pas")
    citizen.choose("Réessayer maintenant").press("Continuer")
    citizen.sees_heading("Le service de la CAF et de la MSA ne répond pas")
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Nouvel essai à \d{1,2} h \d{2} : .*toujours pas"))
    checks.check(page, "réessayer : le service ne répond toujours pas")
    checks.assert_clean()
