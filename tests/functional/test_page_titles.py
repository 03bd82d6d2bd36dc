"""Each page's <title> names what its <h1> says (RGAA 8.6), and a page that shows errors says so once, first.

The page states are reached by replaying the functional journeys (and a few direct visits) with a browser that
records every page it is shown; each page's title is then compared with its h1."""

import inspect

import pytest

from tests.formclient import Browser, Page

from ..backoffice.agents import logged_in, make_agent
from ..backoffice.test_detail import apply_through_api
from . import test_creche_journeys as cr
from . import test_journeys as pf
from . import test_validation as validation
from .journeys import BOTH, CRECHE, PASS_FAMILLE, begin, fault_identity, through_api

SEPARATOR = " – "
ERROR_PREFIX = "Erreur : "


def direct_visits(browser):
    for path in ("/", "/accessibilite", "/donnees-personnelles", "/creche/grille", "/demande/inexistante"):
        browser.get(path)
    browser.get("/creche/suivi/lien-falsifie")
    browser.get("/agents/connexion")
    browser.get("/agents/connexion").submit("Se connecter")  # nothing typed: errors
    begin(browser).submit("Continuer", csrf=False)  # the form has expired: « La page a expiré »


def unavailable_api(browser):
    # The official sandbox's identity that answers 504: « Le service de la CAF et de la MSA ne répond pas ».
    through_api(browser, fault_identity("SITUDI", "Clément"))


def information_pages(browser):
    for demarche in (CRECHE, BOTH, PASS_FAMILLE):
        # The information step of each démarche (its h1 differs), then the same with its error.
        page = browser.get("/").choose(demarche)
        button = "Reprendre ma demande" if "Reprendre ma demande" in page.text else "Commencer ma demande"
        page.submit(button).submit("Continuer")


def agents_pages(app):
    make_agent(app, "admin@val-fleuri.example", admin=True)
    admin = logged_in(app, "admin@val-fleuri.example")
    application_id = apply_through_api(app)
    for path in ("/agents/", "/agents/tableau-de-bord", "/agents/comptes", "/agents/creche", "/agents/sante"):
        admin.get(path)
    page = admin.get(f"/agents/demandes/{application_id}").submit("Prendre en charge")
    page = page.submit("Confirmer et envoyer le courriel")
    page.submit("Accepter").submit("Confirmer et envoyer le courriel")
    admin.get("/agents/demandes/999999")  # unknown: the 404 page inside the agents' space
    Browser(app.test_client()).get("/agents/")  # not logged in: back to the login page


JOURNEYS = {
    "espace agents": agents_pages,
    "visites directes": direct_visits,
    "API indisponible (504)": unavailable_api,
    "pages d'information": information_pages,
    "Pass Famille, CAF": pf.test_nominal_journey_records_the_application_with_certified_facts_and_mails_a_receipt,
    "pas de dossier CAF": pf.test_no_caf_file_offers_documents_or_full_price_and_full_price_finishes,
    "justificatif": pf.test_documents_route_asks_no_birth_data_and_records_to_verify,
    "identité refusée": pf.test_identity_refused_twice_offers_documents,
    "crèche avec la CAF": cr.test_creche_alone_with_the_caf_shows_the_psu_estimate_and_records_a_cr_request,
    "les deux": cr.test_both_demarches_from_one_journey_give_two_linked_applications_and_one_receipt,
    "crèche : souhaits en erreur": cr.test_wishes_duplicate_gap_and_age_are_told_next_to_the_choice,
    "crèche : justificatif manquant": cr.test_a_criterion_without_its_document_is_told_and_a_sent_file_is_kept,
    "crèche : pas de dossier": cr.test_not_found_leads_to_documents_or_no_estimate,
    **{
        f"erreurs : {name.removeprefix('test_')}": function
        for name, function in inspect.getmembers(validation, inspect.isfunction)
        if name.startswith("test_") and list(inspect.signature(function).parameters) == ["browser"]
    },
}


@pytest.fixture
def seen(monkeypatch) -> list[Page]:
    """Every page any test-client browser of the test is shown (the family's, an agent's, a family link's)."""
    pages = []
    shown = Browser._page

    def recording(self, response, url):
        page = shown(self, response, url)
        if page.soup.title is not None:
            pages.append(page)
        return page

    monkeypatch.setattr(Browser, "_page", recording)
    return pages


def heading_in_title(page: Page) -> str:
    """What the title says before « – Étape … – service – commune », without its « Erreur : »."""
    return page.title.removeprefix(ERROR_PREFIX).split(SEPARATOR)[0]


def mismatches(pages: list[Page]) -> list[str]:
    found = []
    for page in pages:
        shows_errors = bool(page.soup.select(".error-summary"))
        where = f"{page.status} {page.url}: « {page.title} » / h1 « {page.h1} »"
        if heading_in_title(page) != page.h1:
            found.append(f"titre ≠ h1 — {where}")
        if shows_errors != page.title.startswith(ERROR_PREFIX) or page.title.count("Erreur") > 1:
            found.append(f"« Erreur : » {'absent' if shows_errors else 'en trop'} ou répété — {where}")
    return found


@pytest.mark.parametrize("journey", list(JOURNEYS.values()), ids=list(JOURNEYS))
def test_every_page_title_names_its_h1_and_starts_with_erreur_when_the_page_shows_errors(request, app, seen, journey):
    fixtures = {"app": app, "browser": Browser(app.test_client())}
    arguments = {
        name: fixtures[name] if name in fixtures else request.getfixturevalue(name)
        for name in inspect.signature(journey).parameters
    }
    journey(**arguments)
    assert seen, "aucune page vue"
    assert not mismatches(seen), "\n".join(mismatches(seen))


def test_the_check_sees_a_title_that_differs_from_its_h1_and_a_missing_erreur(app):
    page = Browser(app.test_client()).get("/accessibilite")
    assert mismatches([page]) == []
    page.soup.find("h1").string = "Autre chose"
    page.soup.body.append(page.soup.new_tag("div", attrs={"class": "error-summary"}))
    found = mismatches([page])
    assert [line.split(" — ")[0] for line in found] == ["titre ≠ h1", "« Erreur : » absent ou répété"], found
