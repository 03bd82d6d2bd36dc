"""« Vérifiez votre demande » for each démarche and each route: every « Modifier » opens its page, which leads back
to the recap (by « Retour », or by « Continuer » when nothing is changed); one link per section, none on what is
worked out from the answers; and a change made from the recap comes back to it through the pages it voids."""

import pytest
from sqlalchemy import func, select

from passfamille import create_app
from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.extensions import db
from passfamille.models import ApiEvent

from ..concurrency.families import both_recap, pass_famille_recap
from ..formclient import Browser, path_of
from .journeys import BOTH, CAF_MODE, CRECHE, DUPONT, LEFEBVRE, UNKNOWN, add_child, begin, fill_identity, through_api
from .test_creche_journeys import fill_wishes, to_wishes
from .test_journeys import to_result_for_later_check
from .test_step_registry import pass_famille_through_caf

RECAP = "Vérifiez votre demande"
PDF = b"%PDF-1.4 x"


def to_recap(page):
    """From the result page (or the crèche's estimate) to the recap."""
    while page.h1 != RECAP:
        assert page.h1 in ("Votre résultat", "Estimation du tarif"), page.error_summary() or page.h1
        page = page.click("Continuer")
    return page


def pass_famille_caf_no_then_proof(browser):
    page = through_api(browser, DUPONT).choose("Non, elles ne sont pas correctes").submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    return to_recap(page.submit("Continuer"))


def pass_famille_not_found_full_price(browser):
    page = through_api(browser, UNKNOWN)
    page = page.choose("Continuer sans justificatif : le Pass Famille sera au plein tarif").submit("Continuer")
    page = add_child(page).fill("Numéro et voie", "3 rue du Four").fill("Code postal", "13006")
    return to_recap(page.fill("Commune", "Marseille").submit("Continuer"))


def pass_famille_not_found_then_proof(browser):
    page = through_api(browser, UNKNOWN).choose("Fournir un justificatif de quotient familial").submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    return to_recap(page.submit("Continuer"))


def pass_famille_unavailable_later(browser, sandbox):
    return to_recap(to_result_for_later_check(browser, sandbox))


def creche_caf(browser):
    page = fill_wishes(to_wishes(browser)).submit("Continuer").submit("Continuer")
    return to_recap(page)


def creche_not_found(browser):
    page = fill_identity(begin(browser, CRECHE).choose(CAF_MODE).submit("Continuer"), UNKNOWN).submit("Continuer")
    page = page.choose("Continuer sans les informations de la CAF ou de la MSA").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = add_child(page).submit("Continuer").choose("Léa, né ou née le 14/07/2024").submit("Continuer")
    page = fill_wishes(page).submit("Continuer")
    # The typed address in Val-Fleuri ticks the residence, whose proof this family does not send.
    page = page.check("La famille habite Val-Fleuri (40 points)", checked=False).submit("Continuer")
    return to_recap(page.choose("Continuer sans estimation").submit("Continuer"))


def both_documents(browser):
    page = begin(browser, BOTH)
    page = page.choose("Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page.submit("Continuer"), DUPONT).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    page = add_child(page).fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006")
    page = page.fill("Commune", "Marseille").submit("Continuer")
    page = fill_wishes(page.choose("Léa, né ou née le 14/07/2024").submit("Continuer")).submit("Continuer")
    # The typed address in Val-Fleuri ticks the residence: its proof is sent.
    page = page.attach("Justificatif de domicile de moins de 3 mois", "domicile.pdf", PDF)
    page = page.submit("Continuer").choose("Continuer sans estimation").submit("Continuer")
    return to_recap(page)


def hidden_details_pass_famille(browser):
    page = through_api(browser, DUPONT).choose("Oui, elle est à jour").submit("Continuer")
    return to_recap(page.submit("Continuer"))


def hidden_details_creche(browser):
    page = fill_identity(begin(browser, CRECHE).choose(CAF_MODE).submit("Continuer"), LEFEBVRE).submit("Continuer")
    page = add_child(page.choose("Oui, elle est à jour").submit("Continuer")).submit("Continuer")
    page = fill_wishes(page.choose("Léa, né ou née le 14/07/2024").submit("Continuer")).submit("Continuer")
    return to_recap(page.submit("Continuer"))


# (journey, whether the commune hides the CAF/MSA details, the sections that must have no « Modifier »)
JOURNEYS = {
    "pass_famille_caf": (pass_famille_through_caf, False, ()),
    "pass_famille_document": (pass_famille_recap, False, ()),
    "pass_famille_caf_no_then_proof": (pass_famille_caf_no_then_proof, False, ()),
    "pass_famille_not_found_full_price": (pass_famille_not_found_full_price, False, ()),
    "pass_famille_not_found_then_proof": (pass_famille_not_found_then_proof, False, ()),
    "pass_famille_unavailable_later": (pass_famille_unavailable_later, False, ()),
    "pass_famille_hidden_details": (hidden_details_pass_famille, True, ()),
    "creche_caf": (creche_caf, False, ("Estimation du tarif de la crèche",)),
    "creche_not_found": (creche_not_found, False, ()),
    "creche_hidden_details": (hidden_details_creche, True, ("Estimation du tarif de la crèche",)),
    "both_caf": (both_recap, False, ("Estimation du tarif de la crèche",)),
    "both_documents": (both_documents, False, ()),
}


@pytest.fixture
def hidden_app(app_config):
    """The example commune as shipped: it hides the CAF/MSA facts from the family."""
    return create_app({**app_config, "PASSFAMILLE_COMMUNE": str(DEFAULT_COMMUNE_FILE)})


def recap_of(name, browser, sandbox):
    journey = JOURNEYS[name][0]
    page = journey(browser, sandbox) if journey is pass_famille_unavailable_later else journey(browser)
    assert page.h1 == RECAP, page.h1
    return page


def sections(recap) -> dict:
    """{section title: its « Modifier » link (None when it has none)}"""
    found = {}
    for section in recap.soup.select(".recap-section"):
        link = section.select_one("a")
        found[section.find("h2").get_text(strip=True)] = link
    return found


@pytest.mark.parametrize("name", list(JOURNEYS))
def test_every_modifier_of_every_recap_opens_its_page_and_comes_back(request, app, sandbox, name):
    hidden = JOURNEYS[name][1]
    browser = Browser((request.getfixturevalue("hidden_app") if hidden else app).test_client())
    recap = recap_of(name, browser, sandbox)
    found = sections(recap)
    links = [link for link in found.values() if link is not None]
    assert links, name
    # One « Modifier » per section, each named for screen readers after its section (RGAA 6.1).
    names = [link.get_text(" ", strip=True) for link in links]
    assert all(n.startswith("Modifier ") and n[len("Modifier ")] == n[len("Modifier ")].lower() for n in names), names
    assert len(set(names)) == len(names), names
    for title in JOURNEYS[name][2]:
        assert found[title] is None, f"« Modifier » on « {title} », worked out from other answers"
    assert not recap.soup.select(".recap-section a[href] ~ a[href]")  # never two links in a section
    for link in links:
        page = browser.get(link["href"])
        label = link.get_text(" ", strip=True)
        assert page.status == 200 and page.h1 not in ("Page introuvable", RECAP), (label, page.status, page.h1)
        back = page.soup.select_one(".back-link a")
        assert back is not None and back.get_text(strip=True) == "Retour", label
        assert path_of(back["href"]) == "/demande/recapitulatif", (label, back["href"])
        # Nothing changed: « Continuer » comes straight back to the recap, the answers unchanged.
        again = page.submit("Continuer")
        assert again.h1 == RECAP, (label, again.h1, again.error_summary())
        assert sections(again).keys() == found.keys(), label


def test_quotient_familial_changed_from_the_recap_asks_the_proof_then_comes_back(browser):
    recap = pass_famille_through_caf(browser)
    page = recap.click("Modifier le quotient familial")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    page = page.choose("Non, elles ne sont pas correctes").submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial"  # the page the new answer needs, then the recap
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    # Facts said to be wrong are not used: the address the CAF gave is asked too, then back to the recap.
    assert page.h1 == "Votre foyer", page.error_summary() or page.h1
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert page.h1 == RECAP, page.error_summary() or page.h1
    assert "Quotient familial déclaré 800\u00a0€" in page.text


def test_a_changed_identity_is_confirmed_with_the_caf_then_comes_back_to_the_recap(browser):
    recap = pass_famille_through_caf(browser)
    page = recap.click("Modifier les informations vous concernant")
    page = fill_identity(page, LEFEBVRE).submit("Continuer")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    # The household belongs to the identity that fetched it: shown again with the new facts, then back to the recap
    # (not on to the result page and every step after it).
    assert page.h1 == "Votre foyer", page.h1
    assert path_of(page.soup.select_one(".back-link a")["href"]) == "/demande/recapitulatif"
    page = page.submit("Continuer")
    assert page.h1 == RECAP, page.h1
    assert "LEFEBVRE" in page.text and "DUPONT" not in page.text


def api_calls(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ApiEvent.id)))


def test_an_unchanged_identity_after_no_file_was_found_is_not_looked_up_again(app, browser):
    recap = pass_famille_not_found_full_price(browser)
    calls = api_calls(app)
    page = recap.click("Modifier les informations vous concernant")
    page = page.fill("Adresse électronique", "autre@example.org").submit("Continuer")
    assert page.h1 == RECAP, page.h1  # not « Aucun dossier trouvé » again, and no lookup spent
    assert "autre@example.org" in page.text
    assert api_calls(app) == calls
