"""Services: an agent works for the Pass Famille, the crèche or both, and sees and acts only on the applications
of their services (the privacy notice promises it); an administrator changes them on the « Agents » page."""

import pytest

from passfamille.backoffice import accounts, auth
from passfamille.extensions import db
from passfamille.models import Agent, Application

from ..creche_factory import make_request
from .agents import PASSWORD, logged_in
from .queue_rows import add, values


def make_agent_of(app, email: str, *demarches: str) -> None:
    with app.app_context():
        agent = accounts.create(email, demarches=demarches)
        agent.password_hash = auth.hash_password(PASSWORD)
        db.session.commit()


@pytest.fixture
def both_demarches(app):
    """A family that asked for both (« les deux »): a Pass Famille application and a crèche request, linked."""
    add(app, values(100))
    creche_id = make_request(app, child_first_name="Léo")
    with app.app_context():
        creche, pass_famille = db.session.get(Application, creche_id), db.session.get(Application, 100)
        creche.linked_application, pass_famille.linked_application = pass_famille, creche
        db.session.commit()
        return {"pass_famille": (100, pass_famille.reference), "creche": (creche_id, creche.reference)}


def browser_of(app, *demarches: str):
    email = f"{'-'.join(demarches)}@val-fleuri.example".replace("_", "")
    make_agent_of(app, email, *demarches)
    return logged_in(app, email)


def search(browser, term: str):
    return browser.get("/agents/").fill("Référence, nom, courriel ou adresse", term).submit("Rechercher")


@pytest.mark.parametrize(("mine", "other"), [("pass_famille", "creche"), ("creche", "pass_famille")])
def test_an_agent_of_one_service_neither_sees_nor_opens_nor_exports_the_other(app, both_demarches, mine, other):
    browser = browser_of(app, mine)
    (mine_id, mine_reference), (other_id, other_reference) = both_demarches[mine], both_demarches[other]

    queue = browser.get("/agents/")
    assert mine_reference in queue.text and other_reference not in queue.text
    assert not queue.has_label("Démarche")  # their only démarche is not a filter to choose
    # Even asked for by a hand-made link, the other démarche's list is not shown.
    asked = browser.get(f"/agents/?demarche={other}")
    assert other_reference not in asked.text

    assert mine_reference in search(browser, mine_reference).text
    assert "Aucune demande ne correspond à cette recherche" in search(browser, other_reference).text

    # Not a 403: the page does not say that the application exists.
    assert browser.get(f"/agents/demandes/{other_id}").status == 404
    assert browser.post(f"/agents/demandes/{other_id}/prise-en-charge", {}).status in (400, 404)
    page = browser.get(f"/agents/demandes/{mine_id}")
    assert page.status == 200
    assert other_reference not in page.text  # the linked request of « les deux » is not shown either

    for export in ("/agents/demandes.csv", "/agents/demandes.json"):
        body = browser.client.get(export).get_data(as_text=True)
        assert mine_reference in body and other_reference not in body

    dashboard = browser.get("/agents/tableau-de-bord")
    assert dashboard.status == 200


def test_the_commission_is_for_the_agents_of_the_creche_only(app, both_demarches):
    pass_famille = browser_of(app, "pass_famille")
    assert "Crèches" not in pass_famille.get("/agents/").text
    assert pass_famille.get("/agents/creche").status == 404
    assert pass_famille.client.get("/agents/creche/demandes.csv").status_code == 404

    creche = browser_of(app, "creche")
    assert creche.get("/agents/creche").status == 200
    assert both_demarches["creche"][1] in creche.client.get("/agents/creche/demandes.csv").get_data(as_text=True)


def test_an_agent_of_both_services_sees_everything_and_the_link_between_them(app, both_demarches):
    browser = browser_of(app, "pass_famille", "creche")
    (pf_id, pf_reference), (creche_id, creche_reference) = both_demarches["pass_famille"], both_demarches["creche"]
    queue = browser.get("/agents/")
    assert pf_reference in queue.text and creche_reference in queue.text
    assert queue.has_label("Démarche")
    assert creche_reference in browser.get(f"/agents/demandes/{pf_id}").text
    assert pf_reference in browser.get(f"/agents/demandes/{creche_id}").text
    assert browser.get("/agents/creche").status == 200


def test_existing_and_new_accounts_work_for_both_services(app):
    with app.app_context():
        assert accounts.create("nouveau@val-fleuri.example").demarches == ("pass_famille", "creche")
    result = app.test_cli_runner().invoke(args=["agents", "create", "creche@val-fleuri.example", "--service", "creche"])
    assert result.exit_code == 0, result.output
    listing = app.test_cli_runner().invoke(args=["agents", "list"]).output
    assert "creche@val-fleuri.example\tagent\tactif, mot de passe à choisir\tcreche" in listing


def test_the_admin_changes_an_agents_services_after_seeing_what_changes(app, admin_browser, both_demarches):
    make_agent_of(app, "agent@val-fleuri.example", "pass_famille", "creche")
    page = admin_browser.get("/agents/comptes")
    page = page.select("Compte à modifier", "agent@val-fleuri.example (Pass Famille et Crèche)")
    page = page.select("Nouveaux services", "Crèche seulement").submit("Changer les services")
    assert page.h1 == "Confirmer les services de agent@val-fleuri.example"
    assert "ne verra plus les demandes du service Pass Famille" in page.text
    with app.app_context():  # nothing changed before the confirmation
        assert db.session.scalar(db.select(Agent.services).where(Agent.email == "agent@val-fleuri.example")) == (
            "pass_famille creche"
        )
    page = page.submit("Confirmer les services")
    assert "Services de agent@val-fleuri.example : Crèche" in page.text

    agent = logged_in(app, "agent@val-fleuri.example")
    queue = agent.get("/agents/")
    assert both_demarches["creche"][1] in queue.text and both_demarches["pass_famille"][1] not in queue.text
    assert agent.get(f"/agents/demandes/{both_demarches['pass_famille'][0]}").status == 404


def test_the_admin_creates_an_account_for_the_creche_only(app, admin_browser, both_demarches):
    page = admin_browser.get("/agents/comptes").fill("Adresse électronique de l'agent", "creche@val-fleuri.example")
    page = page.choose("Crèche seulement").submit("Créer le compte")
    assert "Compte créé : creche@val-fleuri.example (agent). Services : Crèche." in page.text
    with app.app_context():
        assert auth.find_agent("creche@val-fleuri.example").demarches == ("creche",)
