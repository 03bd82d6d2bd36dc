"""A mail the family never got is not silent: once the outbox gives it up (mail server down for a day, address
refused), every agents' page says so, the health page lists which (object with the reference, address, cause) so that
the agents reach the family otherwise, and « Envoyer de nouveau » sends each once the server is back."""

from sqlalchemy import select

from passfamille import create_app, outbox
from passfamille.extensions import db
from passfamille.models import Application, OutboxMessage

from ..functional.journeys import EMAIL
from ..functional.test_outbox import refused_url, submit_and_die
from .test_health import banner


def give_up_the_receipt(app, app_config) -> str:
    """A family submits while the mail server is down, and stays down until the receipt is given up."""
    submit_and_die(app)
    down = create_app({**app_config, "SMTP_URL": refused_url()})
    with down.app_context():
        for _ in range(outbox.MAX_ATTEMPTS):
            at = db.session.scalar(select(OutboxMessage.next_attempt_at))
            outbox.send_due(now=at)
        assert db.session.scalar(select(OutboxMessage.given_up_at)) is not None
        return db.session.scalar(select(Application.reference))


def test_agents_see_the_given_up_receipt_and_send_it_again_once(app, app_config, agent_browser, mailbox):
    page = agent_browser.get("/agents/")
    assert banner(page)[0] == "ok"

    reference = give_up_the_receipt(app, app_config)

    level, text = banner(agent_browser.get("/agents/"))
    assert level == "error"
    assert "1 courriel à une famille n'a pas pu être envoyé." in text
    page = agent_browser.get("/agents/sante")
    [row] = [[cell.get_text(" ", strip=True) for cell in tr.find_all("td")] for tr in page.soup.select("tbody tr")]
    assert reference in row[1] and row[2] == EMAIL and row[3] == str(outbox.MAX_ATTEMPTS)
    assert row[4] == "serveur de messagerie injoignable"
    assert mailbox.received() == []

    form = page.soup.find("button", string="Envoyer de nouveau les courriels abandonnés").find_parent("form")
    token = form.find("input", {"name": "csrf_token"})["value"]
    first = agent_browser.client.post(form["action"], data={"csrf_token": token})
    second = agent_browser.client.post(form["action"], data={"csrf_token": token})  # a double click
    first.close(), second.close()  # the response sent: what runs after it (the sending) runs

    assert first.status_code == second.status_code == 303
    [receipt] = mailbox.received(EMAIL)
    assert reference in receipt["Subject"]
    page = agent_browser.get("/agents/sante")
    assert banner(page)[0] == "ok" and "Aucun courriel abandonné." in page.text


def test_sending_again_needs_an_agent_and_a_csrf_token(app, app_config, mailbox):
    give_up_the_receipt(app, app_config)
    client = app.test_client()

    anonymous = client.post("/agents/sante/courriels")

    assert anonymous.status_code in (302, 303, 400, 403)
    assert mailbox.received() == []
    with app.app_context():
        assert db.session.scalar(select(OutboxMessage.given_up_at)) is not None
