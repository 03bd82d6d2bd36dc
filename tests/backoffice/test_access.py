"""Accounts, log-in, throttling, sessions, roles; and the structural proof that every back-office route needs
a logged-in agent."""

import re
from datetime import timedelta

from sqlalchemy import select

from passfamille import create_app
from passfamille.backoffice import PUBLIC_ENDPOINTS
from passfamille.extensions import db
from passfamille.models import AgentSession

from ..formclient import Browser
from .agents import PASSWORD, logged_in, make_agent


def login_page(app):
    return Browser(app.test_client()).get("/agents/connexion")


def test_agents_create_prints_a_one_time_link_to_choose_a_password(app):
    result = app.test_cli_runner().invoke(args=["agents", "create", "Claire.Agent@Val-Fleuri.example"])
    assert result.exit_code == 0, result.output
    assert "Compte créé : claire.agent@val-fleuri.example (agent)." in result.output
    link = re.search(r"http://\S+/agents/mot-de-passe/\S+", result.output).group(0)
    browser = Browser(app.test_client())
    page = browser.get(link.replace("http://127.0.0.1:5000", ""))
    assert page.h1 == "Choisir votre mot de passe"
    page = page.fill("Nouveau mot de passe", "trop court").fill("Confirmez le mot de passe", "trop court")
    page = page.submit("Enregistrer le mot de passe")
    assert "au moins 12 caractères" in page.field_error("Nouveau mot de passe")
    page = page.fill("Nouveau mot de passe", PASSWORD).fill("Confirmez le mot de passe", PASSWORD)
    page = page.submit("Enregistrer le mot de passe")
    assert page.url.endswith("/agents/")  # logged in
    again = Browser(app.test_client()).get(link.replace("http://127.0.0.1:5000", ""))
    assert again.status == 404 and again.h1 == "Ce lien ne fonctionne plus"  # single use
    assert "Le mot de passe" not in result.output and PASSWORD not in result.output


def test_no_password_ever_goes_on_the_command_line(app):
    result = app.test_cli_runner().invoke(args=["agents", "create", "--help"])
    assert "--password" not in result.output


def test_agents_list_and_disable(app):
    make_agent(app, "a@val-fleuri.example")
    runner = app.test_cli_runner()
    runner.invoke(args=["agents", "create", "--admin", "b@val-fleuri.example"])
    listing = runner.invoke(args=["agents", "list"]).output
    assert "a@val-fleuri.example\tagent\tactif" in listing
    assert "b@val-fleuri.example\tadministrateur\tactif, mot de passe à choisir" in listing
    browser = logged_in(app, "a@val-fleuri.example")
    assert runner.invoke(args=["agents", "disable", "a@val-fleuri.example"]).exit_code == 0
    assert browser.get("/agents/").h1 == "Connexion à l'espace agents"  # its session is closed
    page = login_page(app).fill("Adresse électronique", "a@val-fleuri.example").fill("Mot de passe", PASSWORD)
    assert page.submit("Se connecter").h1 == "Connexion à l'espace agents"
    assert (
        "Aucun compte pour c@val-fleuri.example"
        in runner.invoke(args=["agents", "disable", "c@val-fleuri.example"]).output
    )


def test_a_wrong_password_and_an_unknown_address_get_the_same_message(app):
    make_agent(app)
    for email, password in [("agent@val-fleuri.example", "mauvais mot de passe"), ("inconnu@x.fr", PASSWORD)]:
        page = login_page(app).fill("Adresse électronique", email).fill("Mot de passe", password)
        page = page.submit("Se connecter")
        assert page.status == 400 and page.title.startswith("Erreur : ")
        assert page.error_summary() == ["Adresse électronique ou mot de passe incorrect"]
        assert page.value("Mot de passe") == ""
        assert page.value("Adresse électronique") == email


def test_failed_attempts_on_one_account_are_throttled(app):
    make_agent(app)
    for _ in range(5):
        page = login_page(app).fill("Adresse électronique", "agent@val-fleuri.example")
        assert page.fill("Mot de passe", "mauvais").submit("Se connecter").status == 400
    page = login_page(app).fill("Adresse électronique", "agent@val-fleuri.example").fill("Mot de passe", PASSWORD)
    page = page.submit("Se connecter")
    assert page.status == 429 and page.title.startswith("Erreur : ")
    assert page.field_error("Mot de passe").startswith("Erreur : Trop de tentatives de connexion à ce compte")
    assert page.value("Adresse électronique") == "agent@val-fleuri.example" and page.value("Mot de passe") == ""
    # Another account from the same address still gets its own attempts.
    make_agent(app, "autre@val-fleuri.example")
    assert logged_in(app, "autre@val-fleuri.example")


def test_failed_attempts_from_one_address_are_throttled_across_accounts(app):
    for attempt in range(30):  # PASSFAMILLE_LOGIN_ATTEMPTS_PER_ADDRESS
        page = login_page(app).fill("Adresse électronique", f"essai{attempt}@x.fr").fill("Mot de passe", "x")
        assert page.submit("Se connecter").status == 400
    page = login_page(app).fill("Adresse électronique", "encore@x.fr").fill("Mot de passe", "x")
    page = page.submit("Se connecter")
    assert page.status == 429
    assert "Trop de tentatives de connexion depuis votre réseau" in page.field_error("Mot de passe")


def test_successful_logins_do_not_count_towards_the_limit(app):
    make_agent(app)
    for _ in range(7):
        logged_in(app)


def test_an_idle_session_expires_and_logout_ends_it(app, agent_browser):
    assert agent_browser.get("/agents/").status == 200
    with app.app_context():
        session = db.session.scalars(select(AgentSession)).one()
        session.last_seen_at -= timedelta(minutes=31)
        db.session.commit()
    assert agent_browser.get("/agents/").h1 == "Connexion à l'espace agents"
    browser = logged_in(app)
    page = browser.get("/agents/").submit("Se déconnecter")
    assert page.h1 == "Connexion à l'espace agents"
    assert browser.get("/agents/").h1 == "Connexion à l'espace agents"
    with app.app_context():
        assert db.session.scalars(select(AgentSession)).all() == []


def test_an_agent_is_not_an_admin(app, agent_browser):
    assert agent_browser.get("/agents/comptes").status == 403


def test_every_back_office_route_requires_a_logged_in_agent(app_config):
    # CSRF off here, so that POST routes meet the log-in guard itself rather than the missing token.
    app = create_app({**app_config, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("backoffice.")]
    assert len(rules) >= 5
    for rule in rules:
        url = re.sub(r"<(?:\w+:)?(\w+)>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if rule.endpoint in PUBLIC_ENDPOINTS:
                assert "/connexion" not in response.headers.get("Location", ""), (method, rule.rule)
            else:
                assert response.status_code == 303, (method, rule.rule, response.status_code)
                assert response.headers["Location"].endswith("/agents/connexion"), (method, rule.rule)
