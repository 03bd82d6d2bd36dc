"""What each journey costs a new family in chromium, counted as it is done: the pages the tab loads (HTML documents
the family waits for) and the fields it types (text, e-mail, number and date inputs), against the ceilings of
issue 12. The counts are printed so that the closing note can quote them.

The families are the sandbox's: DUPONT (one first name, children known to the CAF) for the Pass Famille alone,
LEFEBVRE (three first names, no child known to the CAF) for the crèche routes, a name the CAF does not know (404)
for the upload route."""

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from ..functional.journeys import DUPONT, LEFEBVRE, UNKNOWN
from .creche import BOTH, CRECHE, begin, fill_wishes, to_child, to_situation
from .journey import CAF_MODE, COUNTS_KEY, Citizen, fill_identity, start
from .test_accessibility import PDF

pytestmark = pytest.mark.browser

PASS_SENT = "Votre demande est envoyée"
BOTH_SENT = "Vos demandes sont envoyées"


class Family(Citizen):
    """A citizen who also counts the HTML pages the tab receives: each document answer of the main frame that is not
    a redirect (a POST and its 303 make one page). Unlike the tab's "load" events, none is missed when the next
    action starts before the page's load event."""

    def __init__(self, page: Page):
        super().__init__(page)
        self.pages: list[str] = []
        page.on("response", self._answered)

    def _answered(self, response):
        request = response.request
        main_document = request.resource_type == "document" and request.frame == self.page.main_frame
        if main_document and not 300 <= response.status < 400:
            self.pages.append(f"{request.method} {urlsplit(response.url).path}")


def cost(citizen: Family, config: pytest.Config, route: str, pages: int, fields: int) -> None:
    """Prints what the route cost (also in pytest's closing summary), then holds it to its ceilings (never raised:
    a route over them is a defect)."""
    citizen.page.wait_for_load_state()
    loaded, typed = len(citizen.pages), citizen.figures()["fields_typed"]
    line = f"{route} (chromium) : {loaded} pages chargées (plafond {pages}), {typed} champs saisis (plafond {fields})"
    print(f"\n{line}")
    config.stash.setdefault(COUNTS_KEY, []).append(line)
    assert loaded <= pages, f"{route} : {loaded} pages chargées, plafond {pages} :\n" + "\n".join(citizen.pages)
    assert typed <= fields, f"{route} : {typed} champs saisis, plafond {fields}"


def test_pass_famille_alone_through_the_caf_costs_at_most_8_pages_and_7_fields(page, request):
    citizen = Family(page)
    start(citizen).press("Continuer").sees_heading("Vous")
    fill_identity(citizen, DUPONT).press("Continuer").sees_heading("Vérifiez les informations de la CAF/MSA")
    citizen.choose("Oui, elles sont correctes").press("Continuer").sees_heading("Votre foyer")
    citizen.press("Continuer").sees_heading("Votre résultat")
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    citizen.press("Envoyer ma demande").sees_heading(PASS_SENT)
    cost(citizen, request.config, "Pass Famille seul, par la CAF", pages=8, fields=7)


# LEFEBVRE's CAF file has no child: Léa, the only child to add, is typed on « Votre foyer » and added by « Continuer »
# (start, information, Vous, vérification, foyer, enfant, souhaits, situation, estimation, résultat, récapitulatif,
# confirmation). « Enregistrer et ajouter un autre enfant » reloads the page only for a family with several to add.
def test_both_demarches_through_the_caf_cost_at_most_12_pages_and_18_fields(page, request):
    citizen = Family(page)
    to_child(citizen, BOTH)
    to_situation(citizen, second=None)
    citizen.press("Continuer").sees_heading("Estimation du tarif")
    citizen.follow("Continuer").sees_heading("Votre résultat")
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    citizen.press("Envoyer ma demande").sees_heading(BOTH_SENT)
    cost(citizen, request.config, "Les deux démarches, par la CAF", pages=12, fields=18)


def test_creche_alone_for_an_expected_child_costs_at_most_11_pages_and_18_fields(page, request):
    citizen = Family(page)
    begin(citizen, CRECHE).choose(CAF_MODE).press("Continuer").sees_heading("Vous")
    fill_identity(citizen, LEFEBVRE).press("Continuer").sees_heading("Vérifiez les informations de la CAF/MSA")
    citizen.choose("Oui, elles sont correctes").press("Continuer").sees_heading("Votre foyer")
    citizen.press("Continuer").sees_heading("Votre enfant")
    due = date.today() + timedelta(days=60)  # well within the pre-registration window
    citizen.choose("Un enfant à naître")
    citizen.type("Jour prévu", f"{due.day:02}").type("Mois prévu", f"{due.month:02}").type(
        "Année prévue", str(due.year)
    )
    citizen.press("Continuer").sees_heading("Vos souhaits d'accueil")
    start_day = due + timedelta(days=120)
    fill_wishes(citizen, start=(f"{start_day.day:02}", f"{start_day.month:02}", str(start_day.year)))
    citizen.press("Continuer").sees_heading("Votre situation")
    citizen.press("Continuer").sees_heading("Estimation du tarif")
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    citizen.press("Envoyer ma demande").sees_heading(re.compile(r"^Votre demande .*envoyée$"))
    cost(citizen, request.config, "Crèche seule, enfant à naître, par la CAF", pages=11, fields=18)


def test_pass_famille_with_no_caf_file_then_a_proof_costs_at_most_9_pages_and_15_fields(page, request):
    citizen = Family(page)
    start(citizen).press("Continuer").sees_heading("Vous")
    fill_identity(citizen, UNKNOWN).press("Continuer").sees_heading("Aucun dossier CAF ou MSA trouvé")
    citizen.choose("Fournir un justificatif de quotient familial").press("Continuer")
    citizen.sees_heading("Votre justificatif de quotient familial")
    citizen.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page.get_by_label("Votre justificatif", exact=True).set_input_files(PDF)
    citizen.type("Quotient familial indiqué sur le document, en euros", "850")
    citizen.press("Continuer").sees_heading("Votre foyer")
    citizen.type("Numéro et voie", "8 rue Paradis").type("Code postal", "13006").type("Commune", "Marseille")
    citizen.press("Continuer").sees_heading("Votre résultat")
    citizen.follow("Continuer").sees_heading("Vérifiez votre demande")
    citizen.press("Envoyer ma demande").sees_heading(PASS_SENT)
    cost(citizen, request.config, "Pass Famille, aucun dossier CAF (404) puis justificatif", pages=9, fields=15)
