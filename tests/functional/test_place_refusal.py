"""Refusing an offered crèche place (the family's link): a confirmation page says what the refusal changes before
anything is recorded; « Non » leaves the offer open; the confirmed refusal is recorded once, however often sent."""

from datetime import date

from passfamille.creche.relance import commune_today
from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application

from ..creche.family_link import link_of, status_of
from ..creche_factory import make_request


def offered_on(app) -> int:
    mine = make_request(app)
    with app.app_context():
        application = db.session.get(Application, mine)
        statemachine.change_status(
            application, "offered", None, offer=("pioupious", "bebes", date(2027, 1, 4)), today=commune_today()
        )
    return mine


def refusal_mails(mailbox) -> list:
    return [m for m in mailbox.received("famille@example.org") if "refusé la place" in m.get_content()]


def test_refusing_asks_for_confirmation_with_the_consequence_before_recording(app, browser, mailbox):
    mine = offered_on(app)
    page = browser.get(link_of(app, mine))

    confirm = page.submit("Je refuse la place")

    assert confirm.status == 200
    assert confirm.h1 == "Êtes-vous sûr·e de refuser la place ?"
    assert "Multi-accueil Les Pioupious" in confirm.text and "4 janvier 2027" in confirm.text
    assert "La place sera proposée à une autre famille" in confirm.text
    assert status_of(app, mine) == "offered"  # nothing recorded yet
    assert refusal_mails(mailbox) == []

    done = confirm.submit("Oui, je refuse la place")

    assert status_of(app, mine) == "offer_declined"
    assert "Vous avez refusé la place. Un courriel vous le confirme." in done.text
    assert len(refusal_mails(mailbox)) == 1


def test_going_back_from_the_confirmation_keeps_the_offer_open(app, browser, mailbox):
    mine = offered_on(app)
    confirm = browser.get(link_of(app, mine)).submit("Je refuse la place")

    back = confirm.click("Non, revenir à la proposition")

    assert status_of(app, mine) == "offered"
    assert "J'accepte la place" in back.text and "Je refuse la place" in back.text
    assert refusal_mails(mailbox) == []


def test_a_confirmed_refusal_sent_twice_is_recorded_once(app, browser, mailbox):
    mine = offered_on(app)
    confirm = browser.get(link_of(app, mine)).submit("Je refuse la place")

    first = confirm.submit("Oui, je refuse la place")
    second = confirm.submit("Oui, je refuse la place")  # a double click, or the same page in another tab

    assert first.status == 200 and second.status == 200
    assert "Vous avez refusé la place" in second.text
    assert status_of(app, mine) == "offer_declined"
    assert len(refusal_mails(mailbox)) == 1
    with app.app_context():
        history = [e for e in db.session.get(Application, mine).events if e.to_status == "offer_declined"]
    assert len(history) == 1


def test_the_answer_buttons_are_grouped_apart_from_each_other(app, browser):
    mine = offered_on(app)
    page = browser.get(link_of(app, mine))

    groups = page.soup.select(".button-group")

    assert any(
        {b.get_text(strip=True) for b in g.find_all("button")} == {"J'accepte la place", "Je refuse la place"}
        for g in groups
    )
