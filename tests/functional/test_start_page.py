"""The start page is short: the choice and the button first, the details closed below; the administration's words
are explained where a family first meets them; the accessibility statement says what the RGAA model asks."""

import re

import pytest

from .journeys import BOTH, CRECHE, PASS_FAMILLE, begin
from .test_creche_journeys import fill_wishes, to_wishes


def closed_sections(page) -> dict[str, str]:
    """Each <details> of the page, by the text of its <summary>: what is inside, unread until opened."""
    found = {}
    for details in page.soup.find_all("details"):
        assert not details.has_attr("open"), "une section dépliée d'avance"
        summary = details.find("summary").get_text(" ", strip=True)
        found[summary] = details.get_text(" ", strip=True).removeprefix(summary).strip()
    return found


def test_the_choice_and_the_button_come_before_the_details_which_stay_closed(browser):
    page = browser.get("/")
    main = page.soup.find("main")
    order = [element.name for element in main.find_all(["h1", "fieldset", "button", "details"])]
    assert order[:3] == ["h1", "fieldset", "button"], order
    assert set(order[3:]) == {"details"}, order
    sections = closed_sections(page)
    for summary in (
        "Ce que le Pass Famille vous apporte",
        "La préinscription en crèche",
        "Ce qu'il vous faut",
        "Les informations utilisées",
        "Qui voit vos informations ?",
    ):
        assert summary in sections, sorted(sections)
    assert "Tarifs réduits à la piscine municipale" in sections["Ce que le Pass Famille vous apporte"]
    assert "avis d'imposition" in sections["Ce qu'il vous faut"]
    assert "Données personnelles" not in page.h1
    # What a family reads before the button: a few lines, no lists of conditions.
    assert not main.find("form").find_all_previous("li")


def test_the_start_page_tells_how_long_before_the_button(browser):
    page = browser.get("/")
    time = page.soup.select_one(".start__time").get_text(" ", strip=True)
    assert re.search(r"Environ 5 minutes pour le Pass Famille, 15 minutes pour une place en crèche", time), time


@pytest.mark.parametrize("demarche", [PASS_FAMILLE, CRECHE, BOTH])
def test_each_demarche_still_starts_from_the_short_page(browser, demarche):
    page = begin(browser, demarche)
    assert page.status == 200 and page.h1.endswith("ce que la mairie demande à la CAF ou à la MSA"), page.h1


def test_a_missing_choice_says_erreur_once_and_the_title_names_the_h1(browser):
    page = browser.get("/").submit("Commencer ma demande")
    assert page.status == 400
    assert page.title == f"Erreur : {page.h1} – Pass Famille – Ville de Val-Fleuri", page.title
    assert page.soup.select_one(".error-summary")["tabindex"] == "-1"


def test_the_quotient_familial_is_explained_with_where_to_find_it(browser):
    sections = closed_sections(browser.get("/"))
    answer = sections["Qu'est-ce que le quotient familial ?"]
    assert "attestation de quotient familial" in answer and "caf.fr" in answer and "Mon Compte" in answer, answer


def test_the_information_step_explains_its_words_and_puts_the_legal_articles_behind_en_savoir_plus(browser):
    page = begin(browser, BOTH)
    sections = closed_sections(page)
    for question in (
        "Qu'est-ce que le quotient familial ?",
        "Qu'est-ce qu'un barème ?",
        "Qu'est-ce que la CNAF ?",
        "Qu'est-ce que la MSA ?",
        "Qu'est-ce qu'un allocataire ?",
        "Qu'est-ce que l'AEEH ?",
    ):
        assert sections.get(question), (question, sorted(sections))
    assert "L114-8" in sections["En savoir plus sur le cadre légal"]
    why = page.soup.find("dt", string="Pourquoi").find_next_sibling("dd")
    plain = why.find(string=True, recursive=False).strip()
    assert plain.startswith("Pour calculer votre tarif") and "L114-8" not in plain, plain


def test_the_accessibility_statement_has_what_the_rgaa_model_asks(browser):
    page = browser.get("/accessibilite")
    text = page.text
    assert page.h1 == "Déclaration d'accessibilité"
    assert "non conforme" in text and "aucun audit complet" in text and "aucun taux de conformité" in text
    headings = [h.get_text(" ", strip=True) for h in page.soup.find("main").find_all(["h2", "h3"])]
    for heading in (
        "État de conformité",
        "Résultats de l'auto-contrôle",
        "Contenus non accessibles",
        "Dérogations pour charge disproportionnée",
        "Établissement de cette déclaration",
        "Technologies utilisées",
        "Environnement de test",
        "Pages vérifiées",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert heading in headings, (heading, headings)
    assert re.search(r"établie le \d{1,2}(er)? \w+ 20\d\d", text)
    assert "Chromium" in text and "axe-core" in text and "aucun test avec un lecteur d'écran" in text
    assert page.soup.select_one('main a[href^="mailto:"]'), "un contact pour signaler un défaut"
    # The Défenseur des droits' three ways.
    assert "formulaire en ligne" in text and "délégué du Défenseur des droits" in text
    assert "Libre réponse 71120, 75342 Paris CEDEX 07" in text


def test_the_creche_grid_explains_section_multi_accueil_and_mdph(browser):
    sections = closed_sections(browser.get("/creche/grille"))
    assert "groupe d'enfants d'âges proches" in sections["Qu'est-ce qu'une section ?"]
    assert "temps plein" in sections["Qu'est-ce qu'un multi-accueil ?"]
    assert "maison départementale des personnes handicapées" in sections["Qu'est-ce que la MDPH ?"]


def test_the_creche_estimate_explains_the_taux_d_effort(browser):
    page = to_wishes(browser)
    page = fill_wishes(page).submit("Continuer").submit("Continuer")
    assert page.h1 == "Estimation du tarif", page.error_summary()
    assert "part de vos ressources" in closed_sections(page)["Qu'est-ce que le taux d'effort ?"]
