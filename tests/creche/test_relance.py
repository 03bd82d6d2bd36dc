"""`flask --app wsgi creche relance [--date]`: relance every N months, closure without answer, expired offers.

The clock is fixed by the requests' dates (created_at) and by --date; the mails go to the real test SMTP server.
"""

import socket
from datetime import date, datetime, timedelta

from passfamille import create_app
from passfamille.creche.relance import commune_today
from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application
from passfamille.retention import months_after

from ..creche_factory import make_request
from .family_link import counts, link_in, rank_rows, run_relance, status_of

# The example settings: a relance every 3 months, 30 days to answer, 8 days to answer an offer.
JANUARY_10 = datetime(2026, 1, 10, 9)


def test_relance_is_sent_after_the_months_of_the_settings_and_not_before(app, mailbox):
    request_id = make_request(app, created_at=JANUARY_10)

    assert run_relance(app, date(2026, 4, 9)) == counts()
    assert mailbox.received("famille@example.org") == []

    assert run_relance(app, date(2026, 4, 10)) == counts(sent=1)
    (message,) = mailbox.received("famille@example.org")
    assert "Maintenez-vous votre demande" in message["Subject"]
    body = message.get_content()
    assert "au plus tard le 10/05/2026" in body
    assert link_in(message).startswith("/creche/suivi/")
    with app.app_context():
        application = db.session.get(Application, request_id)
        assert application.status == "waiting"
        assert application.creche.relance_sent_at is not None
        assert [e.action for e in application.events] == ["relance"]
        assert "10/05/2026" in application.events[0].detail


def test_running_twice_the_same_day_or_the_next_day_sends_nothing_more(app, mailbox):
    make_request(app, created_at=JANUARY_10)
    make_request(app, email="autre@example.org", created_at=datetime(2026, 1, 11, 9))

    assert run_relance(app, date(2026, 4, 11)) == counts(sent=2)
    assert run_relance(app, date(2026, 4, 11)) == counts()
    assert run_relance(app, date(2026, 4, 12)) == counts()
    assert len(mailbox.received()) == 2


def test_a_missed_day_is_caught_up_with_the_deadline_counted_from_the_run(app, mailbox):
    make_request(app, created_at=JANUARY_10)

    assert run_relance(app, date(2026, 4, 20)) == counts(sent=1)
    (message,) = mailbox.received()
    assert "au plus tard le 20/05/2026" in message.get_content()


def test_no_answer_closes_the_request_after_the_delay_and_tells_the_family(app, browser, mailbox):
    request_id = make_request(app, created_at=JANUARY_10)
    run_relance(app, date(2026, 4, 10))
    link = link_in(mailbox.received()[0])

    assert run_relance(app, date(2026, 5, 10)) == counts()  # the last day to answer
    assert status_of(app, request_id) == "waiting"

    assert run_relance(app, date(2026, 5, 11)) == counts(closed=1)
    assert status_of(app, request_id) == "closed"
    closing = mailbox.received("famille@example.org")[-1]
    assert "close" in closing.get_content()
    assert "ne figure plus sur la liste d'attente" in closing.get_content()
    assert "Nous vous avions demandé le 10/04/2026 si vous mainteniez" in closing.get_content()

    page = browser.get(link)
    assert "Close sans réponse" in page.text
    assert "Maintenez-vous votre demande ?" not in page.text
    assert [row[3] for row in rank_rows(page)] == ["Pas de rang"]
    assert run_relance(app, date(2026, 5, 12)) == counts()
    assert len(mailbox.received()) == 2


def test_answer_maintiens_keeps_the_rank_and_the_next_relance_comes_n_months_later(app, browser, mailbox):
    first = make_request(app, email="premiere@example.org", criteria=["residence"], created_at=JANUARY_10)
    second = make_request(app, email="seconde@example.org", criteria=[], created_at=datetime(2026, 1, 5, 9))
    assert run_relance(app, date(2026, 4, 10)) == counts(sent=2)

    page = browser.get(link_in(mailbox.received("seconde@example.org")[0]))
    assert rank_rows(page)[0][3] == "Rang : 2 sur 2 familles en attente"
    page = page.submit("Oui, je maintiens ma demande")
    assert page.status == 200
    assert "votre demande est maintenue" in page.text
    assert "Maintenez-vous votre demande ?" not in page.text
    assert rank_rows(page)[0][3] == "Rang : 2 sur 2 familles en attente"

    # The family that did not answer is closed; the one that answered stays, and moves up.
    assert run_relance(app, date(2026, 5, 11)) == counts(closed=1)
    assert (status_of(app, first), status_of(app, second)) == ("closed", "waiting")
    assert rank_rows(browser.get(page.url))[0][3] == "Rang : 1 sur 1 famille en attente"

    # confirm() counts from the moment of the answer (the real clock): the next relance is N months after it.
    next_relance = months_after(commune_today(), 3).date()
    assert run_relance(app, next_relance - timedelta(days=1)) == counts()
    assert run_relance(app, next_relance) == counts(sent=1)
    assert len(mailbox.received("seconde@example.org")) == 2


def test_an_offer_past_its_deadline_expires_and_the_family_is_told(app, mailbox):
    request_id = make_request(app, created_at=JANUARY_10)
    with app.app_context():
        application = db.session.get(Application, request_id)
        statemachine.change_status(
            application, "offered", None, offer=("pioupious", "bebes", date(2026, 9, 1)), today=date(2026, 6, 1)
        )
    mailbox.clear()

    assert run_relance(app, date(2026, 6, 9)) == counts()  # deadline 9 June: still time to answer
    assert run_relance(app, date(2026, 6, 10)) == counts(expired=1)
    assert status_of(app, request_id) == "offer_expired"
    (message,) = mailbox.received("famille@example.org")
    assert "la proposition a expiré le 09/06/2026" in message.get_content()
    # An offered request is not relanced: it is not waiting.
    assert run_relance(app, date(2026, 6, 11)) == counts()


def test_help_says_to_run_it_every_day(app):
    result = app.test_cli_runner().invoke(args=["creche", "relance", "--help"])
    assert "chaque jour" in result.output and "--date AAAA-MM-JJ" in result.output


def test_a_malformed_date_is_refused_in_french_terms(app):
    result = app.test_cli_runner().invoke(args=["creche", "relance", "--date", "10/04/2026"])
    assert result.exit_code == 2
    assert "date attendue au format AAAA-MM-JJ (ex. 2026-04-10), « 10/04/2026 » trouvé" in result.output


def test_a_relance_the_mail_server_refused_is_not_recorded_and_is_sent_on_the_next_run(app, app_config, mailbox):
    request_id = make_request(app, created_at=JANUARY_10)
    with socket.socket() as unused:  # a port nobody listens on: the connection is refused for real
        unused.bind(("127.0.0.1", 0))
        refused = f"smtp://127.0.0.1:{unused.getsockname()[1]}"
    down = create_app({**app_config, "SMTP_URL": refused})

    result = down.test_cli_runner().invoke(args=["creche", "relance", "--date", "2026-04-10"])

    assert result.exit_code == 1
    assert result.stdout.strip() == counts()
    assert "1 relance(s) non envoyée(s)" in result.stderr
    with app.app_context():
        application = db.session.get(Application, request_id)
        assert application.creche.relance_sent_at is None and application.events == []
    # The next day, the mail server is back: the family gets its question, with a deadline from that day.
    assert run_relance(app, date(2026, 4, 11)) == counts(sent=1)
    assert "au plus tard le 11/05/2026" in mailbox.received("famille@example.org")[0].get_content()
