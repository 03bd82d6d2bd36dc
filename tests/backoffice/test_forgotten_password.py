"""« Mot de passe oublié ? » on the agents' log-in page: the same answer whatever the address, a one-hour
single-use password link mailed to an active account only, limits per address typed and per client address."""

import logging
import re
from datetime import timedelta

import pytest

from passfamille.backoffice import accounts, auth
from passfamille.models import utcnow

from ..formclient import Browser, path_of
from .agents import PASSWORD, make_agent

AGENT = "agent@val-fleuri.example"
NEW_PASSWORD = "une toute nouvelle phrase de passe"
SENT = (
    "Si un compte actif correspond à cette adresse, un courriel vient de lui être envoyé avec un lien valable 1 heure"
)
TOO_MANY = "Trop de demandes de lien pour cette adresse ou depuis votre réseau : réessayez dans une heure."


def stranger(app) -> Browser:
    return Browser(app.test_client())


def ask_link(app, email: str):
    page = stranger(app).get("/agents/connexion").click("Mot de passe oublié ?")
    assert page.h1 == "Mot de passe oublié"
    return page.fill("Adresse électronique", email).submit("Recevoir un lien")


def mailed_links(mailbox, email: str) -> list[str]:
    # The test client closes the redirect it follows, which sends the mail: it is there once the page is answered.
    bodies = [message.get_content() for message in mailbox.received(email)]
    return [re.search(r"http://\S+/agents/mot-de-passe/\S+", body).group(0) for body in bodies]


def log_in(app, email: str, password: str):
    page = stranger(app).get("/agents/connexion").fill("Adresse électronique", email).fill("Mot de passe", password)
    return page.submit("Se connecter")


def is_logged_in(page) -> bool:
    return page.status == 200 and path_of(page.url) == "/agents/"


def choose(app, link: str, password: str = NEW_PASSWORD):
    page = stranger(app).get(path_of(link))
    assert page.status == 200 and page.h1 == "Choisir votre mot de passe", page.h1
    page = page.fill("Nouveau mot de passe", password).fill("Confirmez le mot de passe", password)
    return page.submit("Enregistrer le mot de passe")


def test_an_agent_resets_a_forgotten_password_and_logs_in_with_the_new_one(app, mailbox, caplog):
    caplog.set_level(logging.INFO)
    agent_id = make_agent(app)
    page = ask_link(app, AGENT.upper())
    assert page.status == 200 and page.h1 == "Demande de lien envoyée"
    assert SENT in page.text
    assert path_of(page.url) == "/agents/mot-de-passe-oublie/demande-envoyee"
    assert not any("agent@" in url.lower() for url in page.browser.visited)

    (message,) = mailbox.received(AGENT)
    assert message["Subject"] == "Espace agents : choisir un nouveau mot de passe"
    assert "pendant 60 minutes" in message.get_content()
    (link,) = mailed_links(mailbox, AGENT)
    assert link.startswith("http://127.0.0.1:5000/agents/mot-de-passe/")

    # Asking for a link locks nobody out: the current password works until a new one is chosen.
    assert is_logged_in(log_in(app, AGENT, PASSWORD))
    assert is_logged_in(choose(app, link))
    assert is_logged_in(log_in(app, AGENT, NEW_PASSWORD))
    assert log_in(app, AGENT, PASSWORD).error_summary() == ["Adresse électronique ou mot de passe incorrect"]

    # Our logs (not the test mail server's): the account's id, never its address nor the link's token.
    token = link.rsplit("/", 1)[1]
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("passfamille")]
    assert f"forgotten password link mailed agent_id={agent_id}" in messages
    assert not any(token in text or AGENT in text.lower() for text in messages)


def test_an_unknown_or_disabled_address_gets_the_same_page_and_no_mail(app, mailbox):
    make_agent(app)
    make_agent(app, "inactif@val-fleuri.example")
    with app.app_context():
        accounts.disable("inactif@val-fleuri.example")
    pages = [ask_link(app, email) for email in (AGENT, "inconnu@val-fleuri.example", "inactif@val-fleuri.example")]
    assert {(page.status, page.url, page.title, page.text) for page in pages} == {
        (pages[0].status, pages[0].url, pages[0].title, pages[0].text)
    }
    assert [message["To"] for message in mailbox.received()] == [AGENT]


def test_the_link_is_made_after_the_answer_so_that_every_address_takes_the_same_path(app, mailbox):
    make_agent(app)
    with app.app_context():
        before = auth.find_agent(AGENT).link_nonce
    browser = stranger(app)
    page = browser.get("/agents/mot-de-passe-oublie").fill("Adresse électronique", AGENT)
    response = browser.client.post(
        "/agents/mot-de-passe-oublie", data={**page._values}, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    with app.app_context():
        assert auth.find_agent(AGENT).link_nonce == before  # nothing done for the account before the answer
    assert mailbox.received(AGENT) == []
    response.close()  # as a WSGI server does once the answer is sent
    assert len(mailed_links(mailbox, AGENT)) == 1


def test_the_link_works_once_and_a_new_one_cancels_the_earlier_ones(app, mailbox):
    make_agent(app)
    with app.app_context():
        admins_link = accounts.new_password_link(AGENT)  # an administrator's link, 3 days
    ask_link(app, AGENT)
    ask_link(app, AGENT)
    first, second = mailed_links(mailbox, AGENT)
    for earlier in (admins_link, first):
        page = stranger(app).get(path_of(earlier))
        assert page.status == 404 and page.h1 == "Ce lien ne fonctionne plus"
    assert is_logged_in(choose(app, second))
    page = stranger(app).get(path_of(second))
    assert page.status == 404 and page.h1 == "Ce lien ne fonctionne plus"
    assert page.click("Demander un nouveau lien").h1 == "Mot de passe oublié"


@pytest.mark.parametrize("minutes, works", [(59, True), (61, False)])
def test_the_link_works_for_one_hour(app, mailbox, monkeypatch, minutes, works):
    make_agent(app)
    ask_link(app, AGENT)
    (link,) = mailed_links(mailbox, AGENT)
    later = utcnow() + timedelta(minutes=minutes)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    page = stranger(app).get(path_of(link))
    assert (page.status, page.h1) == (
        (200, "Choisir votre mot de passe") if works else (404, "Ce lien ne fonctionne plus")
    )


def test_an_administrators_link_still_works_for_three_days(app, monkeypatch):
    make_agent(app)
    with app.app_context():
        link = accounts.new_password_link(AGENT)
    later = utcnow() + timedelta(days=2)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert stranger(app).get(path_of(link)).h1 == "Choisir votre mot de passe"


def test_a_tampered_link_does_not_work(app, mailbox):
    make_agent(app)
    ask_link(app, AGENT)
    (link,) = mailed_links(mailbox, AGENT)
    assert stranger(app).get(path_of(link)[:-2] + "xx").status == 404


def test_an_address_may_ask_three_links_an_hour_known_or_not(app, mailbox):
    make_agent(app)
    for email in (AGENT, "inconnu@val-fleuri.example"):
        pages = [ask_link(app, email) for _ in range(4)]
        assert [page.status for page in pages] == [200, 200, 200, 429]
        assert pages[-1].h1 == "Mot de passe oublié" and pages[-1].title.startswith("Erreur : ")
        assert pages[-1].field_error("Adresse électronique") == f"Erreur : {TOO_MANY}"
        assert pages[-1].value("Adresse électronique") == email
    assert len(mailed_links(mailbox, AGENT)) == 3


def test_a_client_address_may_ask_ten_links_an_hour(app, mailbox):
    make_agent(app)
    for n in range(10):
        assert ask_link(app, f"essai{n}@val-fleuri.example").status == 200
    page = ask_link(app, AGENT)
    assert page.status == 429 and page.field_error("Adresse électronique") == f"Erreur : {TOO_MANY}"
    assert mailbox.received(AGENT) == []


def test_bad_input_is_said_at_the_field_and_kept(app, mailbox):
    page = stranger(app).get("/agents/mot-de-passe-oublie").submit("Recevoir un lien")
    assert page.status == 400 and page.error_summary() == ["Saisissez l'adresse électronique de votre compte"]
    page = page.fill("Adresse électronique", "agent.val-fleuri.example").submit("Recevoir un lien")
    assert page.status == 400
    assert "Saisissez une adresse électronique valide" in page.field_error("Adresse électronique")
    assert page.value("Adresse électronique") == "agent.val-fleuri.example"
    assert mailbox.received() == []


def test_a_request_without_csrf_is_refused_and_mails_nothing(app, mailbox):
    make_agent(app)
    page = stranger(app).get("/agents/mot-de-passe-oublie").fill("Adresse électronique", AGENT)
    assert page.submit("Recevoir un lien", csrf=False).status == 400
    assert mailbox.received() == []
