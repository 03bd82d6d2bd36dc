"""The agents' queue search: by reference, name, child's first name, e-mail or address, ignoring case and accents,
and never in a URL."""

from datetime import datetime

from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application

from ..creche_factory import make_request
from ..formclient import Browser
from ..functional.journeys import LEFEBVRE, add_child, finish, through_api
from .queue_pages import references, search
from .queue_rows import add, values, varied_applications  # noqa: F401 (fixture)

SEARCH_CASES = [
    ("PF-2026-000003", [3]),
    ("pf-2026-00000", [8, 7, 6, 5, 4, 3, 2, 1]),
    ("dupont", [8]),
    ("léger", [1]),
    ("LEGER", [1]),
    ("martin", [1]),  # the usage name
    ("gerome", [1]),
    ("elodie leger", [1]),  # words in any order, each the start of a name
    ("ndiaye", []),
    ("n'diaye", [2]),
    ("n diaye aissatou", [2]),
    ("garcia lopez", [3]),
    ("oeuvrard", [5]),
    ("ŒUVRARD chloe", [5]),
    ("upont", []),  # names are matched from the start of a word
    ("%", []),
]


def test_search_by_reference_or_name_ignores_case_and_accents(app, varied, agent_browser):
    for term, expected in SEARCH_CASES:
        page = search(agent_browser, term)
        assert page.status == 200, (term, page.error_summary())
        assert page.title.startswith("Recherche d'une demande"), term
        assert references(page) == [f"PF-2026-{n:06d}" for n in expected], term
        assert page.value("Référence, nom, courriel ou adresse") == term


def test_search_finds_an_application_made_through_the_wizard(app, agent_browser):
    page = through_api(Browser(app.test_client()), LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    finish(add_child(page).submit("Continuer"))
    page = search(agent_browser, "Jean-Philippe Lefèbvre")
    assert len(references(page)) == 1 and references(page)[0].startswith("PF-")
    assert "LEFEBVRE ALEXIS GÉRÔME JEAN-PHILIPPE" in page.soup.select_one("table.queue").get_text(" ", strip=True)


def test_the_search_term_never_appears_in_a_url(app, varied, agent_browser):
    form = agent_browser.get("/agents/").soup.find("form", attrs={"role": "search"})
    assert form["method"] == "post" and form.find("input", {"name": "csrf_token"})  # a browser would obey a GET
    page = search(agent_browser, "Léger")
    assert references(page) == ["PF-2026-000001"]
    assert "Léger" in page.text  # shown in the page, which is the POST's response
    page = page.click("PF-2026-000001")
    page = agent_browser.get("/agents/recherche")  # a reload by hand lands on the list
    assert page.h1 == "Demandes"
    forms = ("léger", "leger", "l%c3%a9ger", "term=")
    for url in agent_browser.visited:
        assert not any(form in url.lower() for form in forms), url
    page = search(agent_browser, "Léger")
    for element in page.soup.find_all(attrs={"href": True}) + page.soup.find_all(attrs={"action": True}):
        assert not any(form in (element.get("href") or element["action"]).lower() for form in forms), element


def test_the_search_does_not_redirect(app, varied, agent_browser):
    page = agent_browser.get("/agents/")
    token = page.soup.find("input", {"name": "csrf_token"})["value"]
    response = agent_browser.client.post("/agents/recherche", data={"csrf_token": token, "term": "dupont"})
    assert response.status_code == 200 and "Location" not in response.headers


def test_an_empty_search_says_what_to_type(app, varied, agent_browser):
    page = search(agent_browser, "  ")
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert (
        page.field_error("Référence, nom, courriel ou adresse")
        == "Erreur : Saisissez une référence, un nom, un prénom, un courriel ou une adresse"
    )
    assert page.error_summary() == ["Saisissez une référence, un nom, un prénom, un courriel ou une adresse"]


def test_a_search_without_csrf_token_is_refused(app, varied, agent_browser):
    page = (
        agent_browser.get("/agents/")
        .fill("Référence, nom, courriel ou adresse", "dupont")
        .submit("Rechercher", csrf=False)
    )
    assert page.status == 400 and references(page) == []


def test_a_search_matching_too_many_shows_the_newest_hundred(app, agent_browser):
    add(app, *[values(n) for n in range(1, 131)])
    page = search(agent_browser, "PF-2026")
    assert len(references(page)) == 100 and references(page)[0] == "PF-2026-000130"
    assert "Seules les 100 demandes les plus récentes sont affichées : précisez la recherche." in page.text


# --- a reference is looked up by itself ---------------------------------------------------------------------------


def crampon_and_a_creche_request(app):
    """A family whose name starts like the crèche's prefix, and a crèche request of another family."""
    add(
        app,
        values(9, birth_name="CRAMPON", first_names="Pierre", created_at=datetime(2026, 3, 9, 10, 0)),
        values(10, demarche="creche", reference="CR-2026-000001", status="waiting"),
    )


REFERENCE_CASES = [
    ("CR-2026-000001", ["CR-2026-000001"]),  # exactly it
    ("cr-2026-000001", ["CR-2026-000001"]),
    (" CR-2026-000001 ", ["CR-2026-000001"]),
    ("CR-", ["CR-2026-000001"]),  # every crèche request, never the CRAMPON family
    ("cr-2026", ["CR-2026-000001"]),
    ("PF-2026-000009", ["PF-2026-000009"]),
    ("PF-2026-00000", [f"PF-2026-{n:06d}" for n in range(9, 0, -1)]),
    ("CR-2025", []),
    ("CR-2026-000002", []),
    ("Cr", ["PF-2026-000009"]),  # no hyphen: a name
    ("crampon", ["PF-2026-000009"]),
]


def test_a_reference_finds_only_applications_by_their_reference(app, varied, agent_browser):
    crampon_and_a_creche_request(app)
    for term, expected in REFERENCE_CASES:
        assert references(search(agent_browser, term)) == expected, term


def test_search_by_a_childs_first_name_an_email_or_an_address(app, agent_browser):
    add(
        app,
        values(1, children=[{"first_names": "Zoé Anaïs", "birth_date": "2016-11-15", "source": "api"}]),
        values(2, email="sophie.dupont@exemple.fr"),
        values(
            3,
            address={"lines": ["4 impasse des Hérons"], "postal_code": "13990", "city": "Val-Fleuri", "country": None},
        ),
    )
    creche_id = make_request(app, child_first_name="Nour")
    with app.app_context():
        creche = db.session.get(Application, creche_id)
        creche_ref = creche.reference
        statemachine.change_status(creche, "withdrawn", None, detail="Motif : déménagement")  # an ORM update
    for term, expected in [
        ("zoe", ["PF-2026-000001"]),
        ("anais", ["PF-2026-000001"]),
        ("Sophie.Dupont@exemple.fr", ["PF-2026-000002"]),
        ("sophie.dupont", ["PF-2026-000002"]),
        ("impasse des herons", ["PF-2026-000003"]),
        ("herons 13990", ["PF-2026-000003"]),
        ("nour", [creche_ref]),  # a crèche request's child, still found after its status changed
        ("oe", []),  # from the start of a word only
    ]:
        assert references(search(agent_browser, term)) == expected, term
