"""Agents for back-office tests: accounts made through the same code as `flask agents create`."""

from passfamille.backoffice import accounts, auth
from passfamille.extensions import db

from ..formclient import Browser

PASSWORD = "une phrase de passe assez longue"


def make_agent(app, email="agent@val-fleuri.example", admin=False, password=PASSWORD):
    with app.app_context():
        agent = accounts.create(email, admin=admin)
        agent.password_hash = auth.hash_password(password)
        db.session.commit()
        return agent.id


def logged_in(app, email="agent@val-fleuri.example", password=PASSWORD) -> Browser:
    browser = Browser(app.test_client())
    page = browser.get("/agents/connexion").fill("Adresse électronique", email).fill("Mot de passe", password)
    page = page.submit("Se connecter")
    assert page.h1 != "Connexion à l'espace agents", page.error_summary()
    return browser
