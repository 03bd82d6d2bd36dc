"""« Suivre ce dossier » and an internal note sent many times at once (a double click, two agents, two tabs) give
one result: one owner, one audit event, one note; the agent who lost is told who took the application."""

from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application, ApplicationNote

from ..backoffice.agents import PASSWORD, make_agent
from ..backoffice.queue_rows import add, values
from .browsers import burst, clicks, form_of, summary
from .conftest import AGENT

COLLEAGUE = "collegue@val-fleuri.example"


def log_in(new_browser, email: str):
    browser = new_browser()
    page = browser.get("/agents/connexion").fill("Adresse électronique", email).fill("Mot de passe", PASSWORD)
    assert page.submit("Se connecter").h1 != "Connexion à l'espace agents"
    return browser


def test_two_agents_clicking_suivre_ce_dossier_at_once_give_one_owner(app, live, new_browser, agent_browser):
    add(app, values(1))
    make_agent(app, COLLEAGUE)
    colleague = log_in(new_browser, COLLEAGUE)
    url, mine = form_of(agent_browser.get("/agents/demandes/1"), "Suivre ce dossier")
    _, theirs = form_of(colleague.get("/agents/demandes/1"), "Suivre ce dossier")

    posts = clicks(agent_browser, 10, url, mine) + clicks(colleague, 10, url, theirs)
    answers = burst(live.url, posts, follow_redirects=True)

    assert all(a.error is None and a.status == 200 for a in answers), (summary(answers), live.log())
    with app.app_context():
        application = db.session.get(Application, 1)
        owner = application.assigned_agent.email
        assert [(e.action, e.agent.email) for e in application.events] == [("assigned", owner)]
    # The winner's clicks all land on « vous »; each of the other agent's is told who took it.
    for index, answer in enumerate(answers):
        sender = AGENT if index < 10 else COLLEAGUE
        if sender == owner:
            assert "Vous avez pris en charge ce dossier" in answer.page.text, answer.page.text[:600]
        else:
            assert f"Cette demande est déjà prise en charge par {owner}." in answer.page.text, answer.page.text[:600]
            assert "Suivre ce dossier" not in answer.page.text


def test_a_note_sent_20_times_at_once_is_recorded_once(app, live, agent_browser):
    add(app, values(1))
    url, data = form_of(agent_browser.get("/agents/demandes/1"), "Enregistrer la note", {})
    data["body"] = "Appel de la famille : pièce envoyée par courrier."

    answers = burst(live.url, clicks(agent_browser, 20, url, data), follow_redirects=False)

    assert all(a.error is None and a.status == 303 for a in answers), (summary(answers), live.log())
    with app.app_context():
        assert len(db.session.scalars(select(ApplicationNote)).all()) == 1
