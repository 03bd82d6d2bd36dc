"""Under gunicorn (gthread, keep-alive connections as nginx keeps them), a receipt leaves after the pages: with a mail
server that accepts the connection and never answers, the family's confirmation page arrives (the 303 and the page it
leads to, on the same connection) while the receipt is still being sent."""

import socket
import time

import pytest
from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import OutboxMessage

from .families import pass_famille_recap


@pytest.fixture
def silent_smtp():
    server = socket.socket()  # the kernel accepts the connections; nobody greets them
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server
    server.close()


@pytest.fixture
def live_config(live_config, silent_smtp):
    return {**live_config, "SMTP_URL": f"smtp://127.0.0.1:{silent_smtp.getsockname()[1]}"}


def receipt(app) -> OutboxMessage:
    with app.app_context():
        [message] = db.session.scalars(select(OutboxMessage)).all()
        db.session.expunge_all()
        return message


def test_the_confirmation_page_does_not_wait_for_the_mail_server(app, live, new_browser, silent_smtp):
    page = pass_famille_recap(new_browser()).submit("Envoyer ma demande")

    assert page.h1 == "Votre demande est envoyée"
    # Both pages came while the mail server has not answered: the send has not failed (it would, after its 10 s
    # timeout, had the pages waited for it).
    assert receipt(app).last_error is None
    for _ in range(600):  # the send is under way, after the pages: the receipt is claimed
        if receipt(app).attempts:
            break
        time.sleep(0.05)
    assert receipt(app).attempts == 1 and receipt(app).last_error is None
    silent_smtp.close()  # connections reset: the send fails now, and the receipt waits for its next attempt
    for _ in range(600):
        if receipt(app).last_error:
            break
        time.sleep(0.05)
    assert receipt(app).last_error is not None and receipt(app).given_up_at is None
