"""Finding one's way in the wizard: « Retour » on every step, a step total that holds for a démarche and a route,
a warning before a change of démarches (which keeps what still holds), what « Réessayer » did, and the ways on
when no CAF/MSA file is found."""

import re

import pytest

from passfamille import create_app

from ..concurrency.families import DOCUMENT_ROUTE, both_recap
from ..formclient import Browser, path_of
from .journeys import (
    BOTH,
    CAF_MODE,
    CRECHE,
    DUPONT,
    LEFEBVRE,
    PASS_FAMILLE,
    UNKNOWN,
    add_child,
    begin,
    fault_identity,
    fill_identity,
    through_api,
)

RECAP = "Vérifiez votre demande"
PDF = b"%PDF-1.4 x"
STEP = re.compile(r"Étape (\d+) sur (\d+)")


def stepper(page) -> tuple[int, int]:
    found = STEP.search(page.soup.select_one(".stepper__state").get_text())
    return int(found[1]), int(found[2])


def back(page) -> str:
    link = page.soup.select_one(".back-link a")
    assert link is not None and link.get_text(strip=True) == "Retour", page.h1
    # A link above the heading, not a button that posts the form.
    assert link.find_next("h1") is not None and link.find_parent("form") is None
    return path_of(link["href"])


class Walk:
    """A journey that records, for each page, its path, heading, stepper and « Retour » link."""

    def __init__(self):
        self.pages = []

    def see(self, page):
        if page.soup.select_one(".stepper__state"):
            self.pages.append((path_of(page.url), page.h1, stepper(page), back(page)))
        return page


# --- « Retour » ------------------------------------------------------------------------------------------------


def test_every_step_has_a_retour_link_to_the_previous_page(browser):
    walk = Walk()
    page = walk.see(begin(browser, PASS_FAMILLE))
    page = walk.see(page.choose(CAF_MODE).submit("Continuer"))
    page = walk.see(fill_identity(page, DUPONT).submit("Continuer"))
    page = walk.see(page.choose("Oui, elles sont correctes").submit("Continuer"))
    page = walk.see(page.submit("Continuer"))
    page = walk.see(page.click("Continuer"))
    assert page.h1 == RECAP
    visited = [where for where, *_ in walk.pages]
    assert visited == [
        "/demande/information",
        "/demande/demandeur",
        "/demande/verification-caf",
        "/demande/foyer",
        "/demande/resultat",
        "/demande/recapitulatif",
    ]
    assert [link for *_, link in walk.pages] == ["/", *visited[:-1]]
    # Following « Retour » opens the previous page with what was answered on it.
    page = browser.get("/demande/demandeur").click("Retour")
    assert page.h1.startswith("Votre quotient familial") and page.value(CAF_MODE) == "checked"


# --- a total that holds ------------------------------------------------------------------------------------------


def totals(walk) -> tuple[set[int], list[int]]:
    return {count for *_, (number, count), _ in walk.pages}, [number for *_, (number, _), _ in walk.pages]


def test_the_step_total_holds_when_the_caf_facts_are_said_wrong_and_a_proof_is_sent(browser):
    walk = Walk()
    page = walk.see(through_api(browser, DUPONT))
    page = walk.see(page.choose("Non, elles ne sont pas correctes").submit("Continuer"))
    assert page.h1 == "Votre justificatif de quotient familial"
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = walk.see(page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = walk.see(page.submit("Continuer"))
    walk.see(page.click("Continuer"))
    counts, numbers = totals(walk)
    assert counts == {6}, walk.pages  # was « sur 6 », then « sur 7 » once the proof was asked
    assert numbers == [3, 3, 4, 5, 6]  # the proof stands where the CAF/MSA's facts stood


def test_the_step_total_of_both_demarches_holds_from_the_first_page(browser):
    walk = Walk()
    page = walk.see(begin(browser, BOTH))
    page = walk.see(page.choose(CAF_MODE).submit("Continuer"))
    page = walk.see(fill_identity(page, LEFEBVRE).submit("Continuer"))
    page = walk.see(page.choose("Non, elles ne sont pas correctes").submit("Continuer"))
    assert page.h1 == "Votre justificatif de quotient familial"
    counts, numbers = totals(walk)
    assert counts == {10} and numbers == [1, 2, 3, 3]


def test_the_step_total_of_a_creche_request_alone_holds_from_the_first_page(browser):
    walk = Walk()
    page = walk.see(begin(browser, CRECHE))
    page = walk.see(page.choose(CAF_MODE).submit("Continuer"))
    page = walk.see(fill_identity(page, LEFEBVRE).submit("Continuer"))
    page = walk.see(add_child(page.choose("Oui, elles sont correctes").submit("Continuer")))
    walk.see(page.submit("Continuer"))
    counts, numbers = totals(walk)
    assert counts == {9} and numbers == [1, 2, 3, 4, 5]


# --- a change of démarches -----------------------------------------------------------------------------------


def test_changing_demarches_from_the_recap_warns_first_and_changes_nothing_until_confirmed(browser):
    recap = both_recap(browser)
    page = recap.click("Modifier vos démarches")
    assert page.h1 == "Modifier vos démarches"
    assert path_of(page.soup.select_one(".back-link a")["href"]) == "/demande/recapitulatif"
    assert page.value(BOTH) == "checked"
    page = page.choose(PASS_FAMILLE).submit("Continuer")
    assert page.h1 == "Confirmez le changement de démarche"
    warning = page.soup.select_one(".alert").get_text(" ", strip=True)
    for dropped in ("Votre enfant", "Vos souhaits d'accueil", "Votre situation"):
        assert dropped in warning
    assert "Vous : vos réponses sont gardées" in warning and "Vérifiez les informations de la CAF/MSA" in warning
    # Nothing is applied yet: leaving keeps both démarches and every answer.
    page = page.click("Garder ma demande actuelle")
    assert page.h1 == RECAP and "Vos souhaits d'accueil" in page.text and "Les Pioupious" in page.text


def test_a_confirmed_change_of_demarches_keeps_what_holds_and_asks_the_caf_again(app, browser):
    recap = both_recap(browser)
    confirm = recap.click("Modifier vos démarches").choose(PASS_FAMILLE).submit("Continuer")
    page = confirm.submit("Confirmer le changement")
    # The identity is kept, confirmed for a new CAF/MSA lookup (other démarche, other data).
    assert page.h1 == "Vous"
    assert "La mairie doit interroger à nouveau la CAF ou la MSA" in page.text
    assert page.value("Nom de naissance") == "LEFEBVRE" and page.value("Adresse électronique")
    page = page.submit("Continuer")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    assert page.h1 == RECAP, page.error_summary() or page.h1  # the household (Léa) still holds
    assert "Léa" in page.text and "Vos souhaits d'accueil" not in page.text
    assert "Le Pass Famille" in page.text and "Quotient familial" in page.text
    # The confirmation sent again (a double click, another tab) changes nothing more.
    again = confirm.submit("Confirmer le changement")
    assert again.h1 == RECAP and "Léa" in again.text


def test_an_unchanged_demarche_goes_back_to_the_recap(browser):
    recap = both_recap(browser)
    page = recap.click("Modifier vos démarches").submit("Continuer")
    assert page.h1 == RECAP and "Vos souhaits d'accueil" in page.text


def test_another_demarche_chosen_on_the_start_page_is_confirmed_first(browser):
    both_recap(browser)
    page = browser.get("/").choose(PASS_FAMILLE).submit("Reprendre ma demande")
    assert page.h1 == "Confirmez le changement de démarche"
    assert browser.get("/demande/recapitulatif").h1 == RECAP
    assert "Vos souhaits d'accueil" in browser.get("/demande/recapitulatif").text


# --- « Réessayer » ---------------------------------------------------------------------------------------------

RETRIED = re.compile(r"Nouvel essai à (\d{1,2}) h (\d{2}) : ")


def test_retry_says_when_it_was_made_and_that_the_service_still_does_not_answer(browser):
    page = through_api(browser, fault_identity("DESFOUIN", "René"))
    assert page.h1 == "Le service de la CAF et de la MSA ne répond pas"
    assert not page.soup.select('[role="status"]')  # nothing retried yet
    page = page.choose("Réessayer maintenant").submit("Continuer")
    assert page.h1 == "Le service de la CAF et de la MSA ne répond pas"
    (status,) = page.soup.select('[role="status"]')
    text = status.get_text(" ", strip=True)
    found = RETRIED.search(text)
    assert found and 0 <= int(found[1]) < 24, text
    assert text.endswith("le service de la CAF et de la MSA ne répond toujours pas.")


def test_a_retry_that_succeeds_says_so(browser, sandbox):
    sandbox.arm_fault("503", times=2)  # the client retries once by itself
    page = through_api(browser, LEFEBVRE)
    page = page.choose("Réessayer maintenant").submit("Continuer")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    status = page.soup.select_one('[role="status"]').get_text(" ", strip=True)
    assert RETRIED.search(status) and "a répondu" in status


# --- no file found -----------------------------------------------------------------------------------------------


def options(page) -> list[str]:
    return [label.get_text(strip=True) for label in page.soup.select("fieldset .choice label")]


def test_no_file_found_offers_first_to_check_what_was_typed_and_keeps_it(app, browser):
    page = through_api(browser, UNKNOWN)
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé"
    assert options(page)[0] == "Vérifier ce que j'ai saisi"
    page = page.choose("Vérifier ce que j'ai saisi").submit("Continuer")
    assert page.h1 == "Vous"
    assert "Aucun dossier CAF ou MSA n'a été trouvé avec ces informations" in page.text
    assert page.value("Nom de naissance") == "INCONNU" and page.value("Premier prénom") == "PERSONNE"
    assert page.value("Année") == "1982" and page.value("Commune de naissance") == "Villers-Semeuse"
    # The typo corrected, the CAF finds the file.
    page = page.fill("Nom de naissance", "LEFEBVRE").fill("Premier prénom", "ALEXIS")
    page = page.fill("Deuxième prénom (facultatif)", "GÉRÔME").fill("Troisième prénom (facultatif)", "JEAN-PHILIPPE")
    assert page.submit("Continuer").h1 == "Vérifiez les informations de la CAF/MSA"


def test_no_file_found_for_a_creche_request_speaks_of_the_creche(browser):
    page = fill_identity(begin(browser, CRECHE).choose(CAF_MODE).submit("Continuer"), UNKNOWN).submit("Continuer")
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé"
    main = page.soup.find("main").get_text(" ", strip=True)
    assert "quotient familial" not in main and "tarif de la crèche" in main
    assert options(page) == ["Vérifier ce que j'ai saisi", "Continuer sans les informations de la CAF ou de la MSA"]


@pytest.fixture
def refused_app(app_config):
    """API Particulier refuses the commune's token (expired): the family cannot fix it."""
    return create_app({**app_config, "API_PARTICULIER_TOKEN": "bac-a-sable-expire"})


def test_a_single_way_on_is_a_button_not_a_group_of_one_radio(refused_app):
    browser = Browser(refused_app.test_client())
    page = fill_identity(begin(browser, CRECHE).choose(CAF_MODE).submit("Continuer"), LEFEBVRE).submit("Continuer")
    assert page.h1 == "Vos informations n'ont pas pu être obtenues"
    assert not page.soup.select('input[type="radio"]')
    page = page.submit("Continuer sans les informations de la CAF ou de la MSA")
    assert page.h1 == "Votre foyer"


def test_documents_route_total_is_the_caf_routes(browser):
    walk = Walk()
    page = walk.see(begin(browser, PASS_FAMILLE))
    page = walk.see(page.choose(DOCUMENT_ROUTE).submit("Continuer"))
    walk.see(fill_identity(page, DUPONT).submit("Continuer"))
    counts, numbers = totals(walk)
    assert counts == {6} and numbers == [1, 2, 3]


def test_a_child_removed_on_a_page_opened_from_the_recap_still_comes_back_to_it(browser):
    page = add_child(through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer"))
    page = page.submit("Continuer").click("Continuer")
    assert page.h1 == RECAP
    page = page.click("Modifier les enfants du foyer").submit("Retirer Léa")
    assert page.h1 == "Votre foyer" and "Léa, né ou née" not in page.text
    assert back(page) == "/demande/recapitulatif"
    assert page.submit("Continuer").h1 == RECAP
