"""The administrators' page of agents' accounts: create (one-time link shown once), disable and enable, new password
link, French messages at the field, admin only, no self-disable, CSRF on every action."""

import logging

import pytest
from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Agent

from ..formclient import Browser, path_of
from .agents import PASSWORD, logged_in, make_agent

ADMIN = "admin@val-fleuri.example"
AGENT = "agent@val-fleuri.example"
EMAIL_LABEL = "Adresse électronique de l'agent"
NEW_PASSWORD = "une autre phrase de passe bien longue"


def account(app, email) -> Agent:
    with app.app_context():
        agent = db.session.scalars(select(Agent).where(Agent.email == email)).one()
        db.session.expunge(agent)
        return agent


def rows(page) -> dict[str, list[str]]:
    """The accounts table: e-mail -> [role, state, password, last login]."""
    table = {}
    for tr in page.soup.select("table tbody tr"):
        cells = [" ".join(td.get_text(" ", strip=True).split()) for td in tr.find_all("td")]
        table[cells[0].removesuffix(" vous")] = cells[1:5]
    return table


def one_time_link(page) -> str:
    code = page.soup.select_one(".one-time-link code")
    assert code is not None, page.text
    return code.get_text(strip=True)


def choose_password(app, link, password=NEW_PASSWORD):
    page = Browser(app.test_client()).get(path_of(link))
    assert page.h1 == "Choisir votre mot de passe"
    page = page.fill("Nouveau mot de passe", password).fill("Confirmez le mot de passe", password)
    return page.submit("Enregistrer le mot de passe")


def can_log_in(app, email, password) -> bool:
    page = Browser(app.test_client()).get("/agents/connexion")
    page = page.fill("Adresse électronique", email).fill("Mot de passe", password).submit("Se connecter")
    return page.status == 200 and page.h1 != "Connexion à l'espace agents"


def test_an_admin_creates_an_account_and_its_one_time_link_is_shown_once(app, admin_browser, caplog):
    caplog.set_level(logging.INFO)
    page = admin_browser.get("/agents/comptes")
    assert page.h1 == "Agents" and page.title.startswith("Agents – Espace agents")
    page = page.fill(EMAIL_LABEL, "  Claire.Nouvelle@Val-Fleuri.example ").check("Administrateur")
    page = page.submit("Créer le compte")
    assert page.status == 200
    assert "Compte créé : claire.nouvelle@val-fleuri.example (administrateur)." in page.text
    link = one_time_link(page)
    assert link.startswith("http://127.0.0.1:5000/agents/mot-de-passe/")
    assert page.value(EMAIL_LABEL) == "" and page.value("Administrateur") == ""  # a fresh form for the next one
    assert rows(page)["claire.nouvelle@val-fleuri.example"] == ["Administrateur", "Actif", "À choisir", "Jamais"]

    token = link.rsplit("/", 1)[1]
    assert not any(token in url or "claire" in url.lower() for url in admin_browser.visited)
    assert not any(token in r.getMessage() or "claire" in r.getMessage().lower() for r in caplog.records)
    again = admin_browser.get("/agents/comptes")
    assert token not in again.html and again.soup.select_one(".one-time-link") is None  # shown once

    assert path_of(choose_password(app, link).url) == "/agents/"
    assert rows(admin_browser.get("/agents/comptes"))["claire.nouvelle@val-fleuri.example"][2] == "Choisi"
    assert account(app, "claire.nouvelle@val-fleuri.example").is_admin


def test_an_account_is_an_agent_unless_the_box_is_checked(app, admin_browser):
    page = admin_browser.get("/agents/comptes").fill(EMAIL_LABEL, "paul@val-fleuri.example")
    page = page.submit("Créer le compte")
    assert "Compte créé : paul@val-fleuri.example (agent)." in page.text
    assert rows(page)["paul@val-fleuri.example"][0] == "Agent"
    assert not account(app, "paul@val-fleuri.example").is_admin
    link = one_time_link(page)
    choose_password(app, link)
    assert logged_in(app, "paul@val-fleuri.example", NEW_PASSWORD).get("/agents/comptes").status == 403


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Saisissez l'adresse électronique de l'agent"),
        ("claire.val-fleuri.example", "Saisissez une adresse électronique valide, par exemple : prenom.nom@mairie.fr"),
        ("AGENT@Val-Fleuri.example", "Un compte existe déjà pour agent@val-fleuri.example"),
    ],
)
def test_a_wrong_or_existing_address_is_told_at_the_field_and_kept(app, admin_browser, typed, message):
    make_agent(app, AGENT)
    page = admin_browser.get("/agents/comptes").fill(EMAIL_LABEL, typed).check("Administrateur")
    page = page.submit("Créer le compte")
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert page.error_summary() == [message]
    assert page.field_error(EMAIL_LABEL) == f"Erreur : {message}"
    assert page.value(EMAIL_LABEL) == typed and page.value("Administrateur") == "checked"
    assert page.soup.select_one(".one-time-link") is None
    with app.app_context():
        assert len(db.session.scalars(select(Agent)).all()) == 2


def test_disabling_an_account_ends_its_session_and_enabling_lets_it_back(app, admin_browser):
    make_agent(app, AGENT)
    agent_browser = logged_in(app, AGENT)
    assert agent_browser.get("/agents/").h1 != "Connexion à l'espace agents"

    page = admin_browser.get("/agents/comptes").submit(f"Désactiver le compte {AGENT}")
    assert page.status == 200 and "Compte désactivé : agent@val-fleuri.example." in page.text
    assert rows(page)[AGENT][1] == "Désactivé"
    assert agent_browser.get("/agents/").h1 == "Connexion à l'espace agents"  # its session is over
    assert not can_log_in(app, AGENT, PASSWORD)
    buttons = [" ".join(b.get_text(" ", strip=True).split()) for b in page.soup.select("table button")]
    assert buttons == [f"Réactiver le compte {AGENT}"]  # no password link for a disabled account

    page = page.submit(f"Réactiver le compte {AGENT}")
    assert page.status == 200 and "Compte réactivé : agent@val-fleuri.example." in page.text
    assert rows(page)[AGENT][1] == "Actif"
    assert can_log_in(app, AGENT, PASSWORD)


def test_a_new_password_link_stops_the_old_password(app, admin_browser):
    make_agent(app, AGENT)
    agent_browser = logged_in(app, AGENT)
    page = admin_browser.get("/agents/comptes").submit(f"Nouveau lien de mot de passe pour {AGENT}")
    assert page.status == 200 and "son ancien mot de passe ne fonctionne plus" in page.text
    link = one_time_link(page)
    assert rows(page)[AGENT][2] == "À choisir"
    assert agent_browser.get("/agents/").h1 == "Connexion à l'espace agents"
    assert not can_log_in(app, AGENT, PASSWORD)
    choose_password(app, link)
    assert can_log_in(app, AGENT, NEW_PASSWORD)
    assert Browser(app.test_client()).get(path_of(link)).status == 404  # used once


def csrf_token(page) -> str:
    return page.soup.select_one("input[name=csrf_token]")["value"]


def test_an_agent_cannot_reach_the_page_nor_its_actions(app, agent_browser):
    make_agent(app, "autre@val-fleuri.example")
    other = account(app, "autre@val-fleuri.example").id
    assert agent_browser.get("/agents/comptes").status == 403
    page = agent_browser.get("/agents/")
    assert "Agents" not in [a.get_text(strip=True) for a in page.soup.select(".header__nav a")]
    token = csrf_token(page)
    for action in ("desactiver", "activer", "nouveau-lien"):
        response = agent_browser.post(f"/agents/comptes/{action}", {"csrf_token": token, "compte": str(other)})
        assert response.status == 403
    response = agent_browser.post("/agents/comptes", {"csrf_token": token, "email": "x@val-fleuri.example"})
    assert response.status == 403
    assert account(app, "autre@val-fleuri.example").password_hash  # untouched
    assert account(app, "autre@val-fleuri.example").active


def test_an_admin_cannot_disable_their_own_account(app, admin_browser):
    page = admin_browser.get("/agents/comptes")
    assert rows(page)[ADMIN][1] == "Actif"
    own_row = page.soup.select("table tbody tr")[0]
    assert own_row.find("button") is None  # no button to disable oneself
    me = account(app, ADMIN).id
    page = admin_browser.post("/agents/comptes/desactiver", {"csrf_token": csrf_token(page), "compte": str(me)})
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert page.error_summary() == [
        "Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre administrateur."
    ]
    assert account(app, ADMIN).active
    page = admin_browser.post("/agents/comptes/nouveau-lien", {"csrf_token": csrf_token(page), "compte": str(me)})
    assert page.status == 400 and account(app, ADMIN).password_hash
    assert admin_browser.get("/agents/comptes").h1 == "Agents"  # still logged in


def test_another_admin_can_be_disabled(app, admin_browser):
    make_agent(app, "admin2@val-fleuri.example", admin=True)
    page = admin_browser.get("/agents/comptes").submit("Désactiver le compte admin2@val-fleuri.example")
    assert page.status == 200 and not account(app, "admin2@val-fleuri.example").active
    page = page.submit("Réactiver le compte admin2@val-fleuri.example")
    assert account(app, "admin2@val-fleuri.example").active


def test_a_disabled_account_gets_no_password_link(app, admin_browser):
    make_agent(app, AGENT)
    page = admin_browser.get("/agents/comptes").submit(f"Désactiver le compte {AGENT}")
    agent_id = account(app, AGENT).id
    page = admin_browser.post("/agents/comptes/nouveau-lien", {"csrf_token": csrf_token(page), "compte": str(agent_id)})
    assert page.status == 400
    assert page.error_summary() == ["Le compte agent@val-fleuri.example est désactivé : réactivez-le d'abord."]
    assert account(app, AGENT).password_hash


def test_every_action_refuses_a_missing_csrf_token(app, admin_browser):
    make_agent(app, AGENT)
    page = admin_browser.get("/agents/comptes")
    assert page.fill(EMAIL_LABEL, "x@val-fleuri.example").submit("Créer le compte", csrf=False).status == 400
    for button in (f"Désactiver le compte {AGENT}", f"Nouveau lien de mot de passe pour {AGENT}"):
        assert page.submit(button, csrf=False).status == 400
    agent = account(app, AGENT)
    assert agent.active and agent.password_hash
    with app.app_context():
        assert db.session.scalars(select(Agent).where(Agent.email == "x@val-fleuri.example")).first() is None


@pytest.mark.parametrize("compte", ["999", "", "abc", "-1", "²", "1" * 30])
def test_an_unknown_or_malformed_account_is_a_404(app, admin_browser, compte):
    page = admin_browser.get("/agents/comptes")
    assert (
        admin_browser.post("/agents/comptes/desactiver", {"csrf_token": csrf_token(page), "compte": compte}).status
        == 404
    )
