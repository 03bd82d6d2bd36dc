"""The forms issue 12 added, under generated bad input: the family's « Vous avez perdu le lien ? », the agents'
« Mot de passe oublié ? » and their internal note. Never a server error; a value that cannot be right is refused in
French at its field, what was typed kept. The limits are lifted: they would answer 429 before the fields are read."""

import pytest

from passfamille import lost_link
from passfamille.backoffice import auth

from ..backoffice.agents import logged_in, make_agent
from ..backoffice.queue_rows import add, values
from ..formclient import Browser
from .harness import fuzz, target


@pytest.fixture
def no_limits(monkeypatch):
    for module, name in (
        (lost_link, "ATTEMPTS_PER_ADDRESS_HOUR"),
        (lost_link, "ATTEMPTS_PER_REFERENCE_HOUR"),
        (auth, "FORGOTTEN_PER_ACCOUNT"),
        (auth, "FORGOTTEN_PER_ADDRESS"),
    ):
        monkeypatch.setattr(module, name, 10**9)


def test_lost_link_form(app, mailbox, cases, no_limits):
    page = Browser(app.test_client()).get("/demande/lien-perdu")
    page = page.fill("Numéro de demande", "PF-2026-000042").fill(
        "Adresse électronique donnée dans la demande", "famille@example.org"
    )
    form = target(app, page, "/demande/lien-perdu", {"reference": "text", "email": "email"}, cases)
    fuzz(form, 300)


def test_forgotten_password_form(app, mailbox, cases, no_limits):
    page = Browser(app.test_client()).get("/agents/mot-de-passe-oublie").fill("Adresse électronique", "a@b.fr")
    form = target(app, page, "/agents/mot-de-passe-oublie", {"email": "email"}, cases)
    fuzz(form, 300)


def test_internal_note(app, cases):
    add(app, values(1))
    make_agent(app)
    page = logged_in(app).get("/agents/demandes/1").fill("Note interne", "Appelée ce matin.")
    url = page._form_of(page._element("Note interne")).get("action")
    form = target(app, page, url, {"body": "text"}, cases, kept=("body",))
    fuzz(form, 300)
