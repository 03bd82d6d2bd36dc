"""A status change's mail goes through the outbox (passfamille/outbox.py): recorded with the change, sent before the
agent's page so that the page can say whether it left, and retried when the mail server refused it."""

from datetime import timedelta

from sqlalchemy import select

from passfamille import outbox
from passfamille.extensions import db
from passfamille.models import OutboxMessage, utcnow

from ..functional.test_outbox import refused_url
from .test_detail import apply_through_api, load, mails_to, page_of


def test_a_status_mail_the_server_refused_is_sent_later_and_the_agent_was_told(app, agent_browser, mailbox):
    application_id = apply_through_api(app)
    mailbox.clear()
    working = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = refused_url()

    page = page_of(agent_browser, application_id).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")

    assert "Le courriel à la famille n'a pas pu être envoyé : prévenez-la autrement." in page.text
    assert load(app, application_id).status == "in_review"
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.kind)).all() == ["statut-in_review"]
    app.config["SMTP_URL"] = working
    with app.app_context():
        assert outbox.send_due(now=utcnow() + timedelta(minutes=2)) == outbox.Counts(sent=1)
    [body] = mails_to(mailbox)
    assert "est en cours d'examen par un agent de la mairie" in body
