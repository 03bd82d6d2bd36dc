"""The outbox (passfamille/outbox.py): a receipt recorded with its application, sent once after the response, never
lost when the process dies or the mail server is down, sent once by concurrent senders; given-up mails purged.

Faults are real: a response never closed (the process stopped once the page was sent), a port nobody listens on,
a mail server that accepts the connection and never answers, a `mails send` process killed mid-send."""

import logging
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text, update

from passfamille import create_app, outbox, retention
from passfamille.extensions import db
from passfamille.models import Application, OutboxMessage, utcnow

from ..formclient import Browser
from .journeys import DUPONT, EMAIL, through_api

ROOT = Path(__file__).resolve().parents[2]
REVISION = "ac175c05a030"  # the migration that adds the outbox


class DyingBrowser(Browser):
    """A browser whose next POST response is never closed: as if the server process had died once the page was
    sent, before what runs after the response."""

    drop_next = False

    def post(self, url, data):
        if not self.drop_next:
            return super().post(url, data)
        self.drop_next = False
        self.dropped = self.client.post(url, data=data, content_type="multipart/form-data")
        return self.dropped


def recap(browser, email=EMAIL):
    page = through_api(browser, DUPONT, email).choose("Oui, elles sont correctes").submit("Continuer")
    page = page.submit("Continuer").click("Continuer")
    assert page.h1 == "Vérifiez votre demande", page.h1
    return page


def submit_and_die(app, email=EMAIL):
    """A family submits; the process stops after sending the page (the 303), before anything after it runs."""
    browser = DyingBrowser(app.test_client())
    page = recap(browser, email)
    browser.drop_next = True
    page.submit("Envoyer ma demande")
    assert browser.dropped.status_code == 303
    return browser.dropped


def messages(app) -> list[OutboxMessage]:
    with app.app_context():
        found = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return found


def reference_of(app) -> str:
    with app.app_context():
        return db.session.scalars(select(Application.reference)).one()


def refused_url() -> str:
    with socket.socket() as unused:  # a port nobody listens on: the connection is refused for real
        unused.bind(("127.0.0.1", 0))
        return f"smtp://127.0.0.1:{unused.getsockname()[1]}"


def mails_send(app):
    return app.test_cli_runner().invoke(args=["mails", "send"])


def test_the_receipt_is_recorded_with_the_application_and_sent_once_after_the_response(app, mailbox):
    response = submit_and_die(app)

    # The page is sent; the receipt is recorded with the application, not sent yet.
    [waiting] = messages(app)
    reference = reference_of(app)
    assert waiting.recipient == EMAIL and reference in waiting.subject and waiting.attempts == 0
    assert mailbox.received() == []

    response.close()  # what a WSGI server does once the body is written

    [receipt] = mailbox.received(EMAIL)
    assert reference in receipt["Subject"] and reference in receipt.get_content()
    assert receipt["Message-ID"] == waiting.message_id
    assert messages(app) == []  # the address and the body are not kept once sent
    result = mails_send(app)
    assert result.exit_code == 0
    assert result.output.startswith("0 courriel(s) envoyé(s), 0 en échec (nouvel essai prévu), 0 abandonné(s)")
    assert len(mailbox.received()) == 1


def test_a_receipt_whose_process_died_is_sent_by_mails_send(app, mailbox):
    submit_and_die(app)  # never closed

    result = mails_send(app)

    assert result.exit_code == 0, result.output
    assert result.output == "1 courriel(s) envoyé(s), 0 en échec (nouvel essai prévu), 0 abandonné(s) ; 0 en attente.\n"
    [receipt] = mailbox.received(EMAIL)
    assert reference_of(app) in receipt["Subject"]
    assert mails_send(app).output.startswith("0 courriel(s) envoyé(s)")
    assert len(mailbox.received()) == 1


def test_a_receipt_whose_process_died_is_sent_by_the_next_request_that_queues_mail(app, mailbox):
    submit_and_die(app)
    assert mailbox.received() == []

    recap(Browser(app.test_client()), "autre@example.org").submit("Envoyer ma demande")

    assert len(mailbox.received(EMAIL)) == 1
    assert len(mailbox.received("autre@example.org")) == 1
    assert messages(app) == []


def test_with_the_mail_server_down_the_page_works_and_the_receipt_is_sent_later(app, app_config, mailbox, caplog):
    caplog.set_level(logging.INFO)
    down = create_app({**app_config, "SMTP_URL": refused_url()})

    page = recap(Browser(down.test_client())).submit("Envoyer ma demande")

    assert page.status == 200 and page.h1 == "Votre demande est envoyée"
    [waiting] = messages(app)
    assert (waiting.attempts, waiting.last_error, waiting.given_up_at) == (1, "ConnectionRefusedError", None)
    assert waiting.next_attempt_at > utcnow()  # not tried again at once
    assert "mail not sent" in caplog.text and EMAIL not in caplog.text
    # Not due yet: the timer's next run leaves it, and says it waits.
    result = mails_send(app)
    assert result.output.startswith("0 courriel(s) envoyé(s)") and "; 1 en attente." in result.output
    assert mailbox.received() == []

    with app.app_context():
        counts = outbox.send_due(now=utcnow() + timedelta(minutes=2))

    assert counts == outbox.Counts(sent=1)
    [receipt] = mailbox.received(EMAIL)
    assert reference_of(app) in receipt["Subject"]
    assert messages(app) == []


def test_mails_send_with_the_server_down_fails_in_french_and_keeps_the_mail(app, app_config, mailbox):
    submit_and_die(app)
    down = create_app({**app_config, "SMTP_URL": refused_url()})

    result = mails_send(down)

    assert result.exit_code == 1
    assert result.stdout == "0 courriel(s) envoyé(s), 1 en échec (nouvel essai prévu), 0 abandonné(s) ; 1 en attente.\n"
    assert "Le serveur de courriel a refusé ou n'a pas répondu" in result.stderr
    assert [m.attempts for m in messages(app)] == [1]


def test_a_mail_is_given_up_after_its_last_attempt_then_purged(app, app_config, mailbox, caplog):
    submit_and_die(app)
    down = create_app({**app_config, "SMTP_URL": refused_url()})
    at = utcnow()
    with down.app_context():
        for _ in range(outbox.MAX_ATTEMPTS - 1):
            assert outbox.send_due(now=at) == outbox.Counts(retried=1)
            at = db.session.scalar(select(OutboxMessage.next_attempt_at))
        assert outbox.send_due(now=at) == outbox.Counts(given_up=1)
        assert outbox.send_due(now=at + timedelta(days=2)) == outbox.Counts()  # never tried again
    [given_up] = messages(app)
    assert given_up.attempts == outbox.MAX_ATTEMPTS and given_up.given_up_at == at
    assert "mail given up" in caplog.text and EMAIL not in caplog.text
    assert mailbox.received() == []
    assert "1 courriel(s) abandonné(s) après plusieurs essais" in mails_send(app).stderr

    with app.app_context():
        kept = retention.purge(now=at + outbox.GIVEN_UP_KEPT - timedelta(hours=1)).counts()
        listed = retention.purge(now=at + outbox.GIVEN_UP_KEPT + timedelta(hours=1), dry_run=True).counts()
        assert len(messages(app)) == 1  # a dry run deletes nothing
        purged = retention.purge(now=at + outbox.GIVEN_UP_KEPT + timedelta(hours=1)).counts()
    assert (kept["mails"], listed["mails"], purged["mails"]) == (0, 1, 1)
    assert messages(app) == []


def test_the_purge_command_lists_and_counts_the_given_up_mails_it_deletes(app):
    with app.app_context():
        long_ago = utcnow() - outbox.GIVEN_UP_KEPT - timedelta(days=1)
        for given_up_at in (long_ago, utcnow()):
            db.session.add(
                OutboxMessage(
                    kind="test", recipient=EMAIL, subject="s", body="b", message_id="<m@x>", given_up_at=given_up_at
                )
            )
        db.session.commit()

    listed = app.test_cli_runner().invoke(args=["adhesions", "purge", "--dry-run"])
    result = app.test_cli_runner().invoke(args=["adhesions", "purge"])

    assert "- courriels abandonnés depuis plus de 30 jours : 1" in listed.output
    assert EMAIL not in listed.output
    assert "1 courriel(s) abandonné(s) depuis plus de 30 jours supprimé(s)." in result.output
    assert len(messages(app)) == 1  # the one given up today


def add_messages(count: int) -> None:
    """Messages recorded by requests that died before sending them (added directly: no sender is scheduled)."""
    for number in range(count):
        db.session.add(
            OutboxMessage(
                kind="test",
                recipient=f"famille-{number}@example.org",
                subject=f"Message {number}",
                body="Bonjour",
                message_id=f"<{number}@passfamille>",
            )
        )
    db.session.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_config(request, app_config):
    config = dict(app_config)
    if request.param == "postgresql":
        config["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("postgres_url")
        app = create_app(config)
        with app.app_context():
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
            upgrade()
            db.engine.dispose()
    return config


def test_two_senders_at_once_send_each_message_exactly_once(database_config, mailbox):
    # Two applications, each with its own engine: two workers, or two machines on one database.
    senders = [create_app(database_config) for _ in range(2)]
    with senders[0].app_context():
        add_messages(30)
    start = threading.Barrier(2)
    results = []

    def send(app):
        with app.app_context():
            start.wait()
            results.append(outbox.send_due())
            db.engine.dispose()

    threads = [threading.Thread(target=send, args=(app,)) for app in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    received = sorted(to for message in mailbox.received() for to in [message["To"]])
    assert received == sorted(f"famille-{number}@example.org" for number in range(30))
    assert sum(counts.sent for counts in results) == 30
    assert messages(senders[0]) == []


def test_a_message_whose_sender_died_mid_send_is_sent_by_another_once_its_claim_expires(
    app, app_config, mailbox, tmp_path
):
    with app.app_context():
        add_messages(1)
    silent = socket.socket()  # accepts connections (the kernel does) and never greets: the send hangs
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "SMTP_URL": f"smtp://127.0.0.1:{silent.getsockname()[1]}",
        "PASSFAMILLE_COMMUNE": app_config["PASSFAMILLE_COMMUNE"],
        "SECRET_KEY": "test-secret",
    }
    sender = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "mails", "send"], cwd=ROOT, env=environment
    )
    try:
        for _ in range(600):  # until the sender has claimed the message and is waiting for the server
            if messages(app)[0].claimed_until is not None or sender.poll() is not None:
                break
            time.sleep(0.05)
        assert sender.poll() is None, "the sender ended before it was killed"
    finally:
        sender.kill()
        sender.wait()
        silent.close()
    [claimed] = messages(app)
    assert claimed.attempts == 1 and claimed.claimed_until is not None

    with app.app_context():
        assert outbox.send_due() == outbox.Counts()  # a live claim is left alone
        assert mailbox.received() == []
        counts = outbox.send_due(now=claimed.claimed_until + timedelta(seconds=1))

    assert counts == outbox.Counts(sent=1)
    assert [message["To"] for message in mailbox.received()] == ["famille-0@example.org"]
    assert messages(app) == []


@pytest.fixture
def migrated(database_config):
    app = create_app(database_config)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_going_back_is_refused_while_mails_wait_and_drops_the_table_once_none_does(migrated):
    with migrated.app_context():
        add_messages(1)

        with pytest.raises(SystemExit):
            downgrade(revision=f"{REVISION}-1")

        assert db.session.scalar(select(OutboxMessage.recipient)) == "famille-0@example.org"
        db.session.execute(update(OutboxMessage).values(given_up_at=utcnow()))
        db.session.commit()
        db.session.close()

        downgrade(revision=f"{REVISION}-1")

        assert "outbox_message" not in inspect(db.engine).get_table_names()
        upgrade()
        assert db.session.scalars(select(OutboxMessage)).all() == []
