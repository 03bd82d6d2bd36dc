"""Families brought to the recap over HTTP, as a person does it, by the labels they read."""

from ..functional.journeys import BOTH, DUPONT, EMAIL, add_child, fill_identity, finish, start, through_api
from ..functional.test_creche_journeys import fill_wishes, to_wishes

DOCUMENT_ROUTE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
PDF = b"%PDF-1.4 x"


def pass_famille_recap(browser, email=EMAIL):
    """DUPONT, without the CAF: a QF certificate (PDF), one child, an address in the commune; on the recap."""
    page = fill_identity(start(browser, DOCUMENT_ROUTE), DUPONT, email).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    page = add_child(page, "Lou", ("01", "02", "2019"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert page.h1 == "Votre résultat", page.error_summary() or page.h1
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande", page.h1
    return page


def both_recap(browser):
    """LEFEBVRE through the CAF, « Les deux »: Léa added, Les Pioupious wished, living in Val-Fleuri (ticked from
    the CAF/MSA address, without a proof); on the recap of both démarches."""
    page = fill_wishes(to_wishes(browser, BOTH)).submit("Continuer")
    assert page.value("La famille habite Val-Fleuri (40 points)") == "checked"
    page = page.submit("Continuer")
    assert page.h1 == "Estimation du tarif", page.error_summary() or page.h1
    page = page.click("Continuer")
    assert page.h1 == "Votre résultat", page.h1
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande", page.h1
    return page


def pass_famille_through_caf(browser):
    """DUPONT through the CAF (QF 900 €, tranche B, her children on the file): sent, status « Déposée »."""
    page = through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    page = finish(page.submit("Continuer"))
    assert page.h1 == "Votre demande est envoyée", page.h1
    return page
