"""The family's crèche link (/creche/suivi/<token>) and the public points grid (/creche/grille)."""

import logging
from datetime import date, datetime, timedelta

import pytest
from itsdangerous import TimestampSigner

from passfamille import create_app
from passfamille.creche.relance import commune_today
from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application

from ..creche_factory import make_request
from ..formclient import Browser
from .family_link import link_in, link_of, rank_rows, run_relance, status_of

PIOUPIOUS = ("pioupious", "bebes")
COQUELICOTS = ("coquelicots", "bebes")


def test_the_page_shows_the_rank_on_each_wished_list_in_the_familys_order(app, browser):
    # Multi-accueil Les Pioupious, Bébés: 60 points, then 40 points by date (August before September).
    # Crèche familiale Les Coquelicots, Bébés: 40 (August), 40 (September), 0.
    mine = make_request(app, wishes=[PIOUPIOUS, COQUELICOTS], criteria=["residence"], created_at=datetime(2026, 9, 1))
    make_request(app, wishes=[PIOUPIOUS], criteria=["residence", "parent-seul"], created_at=datetime(2026, 10, 1))
    make_request(app, wishes=[COQUELICOTS, PIOUPIOUS], criteria=["residence"], created_at=datetime(2026, 8, 1))
    make_request(app, wishes=[COQUELICOTS], criteria=[], created_at=datetime(2026, 7, 1))

    page = browser.get(link_of(app, mine))

    assert page.status == 200
    assert page.h1 == "Votre demande de place en crèche"
    assert "Statut : En attente" in page.text
    assert rank_rows(page) == [
        ("1", "Multi-accueil Les Pioupious", "Bébés", "Rang : 3 sur 3 familles en attente"),
        ("2", "Crèche familiale Les Coquelicots", "Bébés", "Rang : 2 sur 3 familles en attente"),
    ]


def test_the_page_explains_the_points_line_by_line_and_links_to_the_grid(app, browser):
    mine = make_request(app, criteria=["parent-seul", "residence"])

    page = browser.get(link_of(app, mine))

    table = page.soup.find("caption", string="Critères que vous avez déclarés").find_parent("table")
    rows = [[c.get_text(" ", strip=True) for c in row.find_all(["th", "td"])] for row in table.find_all("tr")[1:]]
    assert rows == [
        ["Parent qui élève seul son enfant", "20"],
        ["La famille habite Val-Fleuri", "40"],
        ["Total", "60"],
    ]
    grid = page.click("Voir la grille de points de la commune")
    assert grid.status == 200 and grid.h1.startswith("Places en crèche")


def test_the_page_shows_the_child_the_wishes_and_the_kept_estimate(app, browser):
    mine = make_request(app, child_first_name=None, child_due_date=date(2026, 12, 20), start_date=date(2027, 3, 1))
    with app.app_context():
        application = db.session.get(Application, mine)
        application.creche.estimate = {
            "on": "2026-11-02",
            "tables": {"collective": {"hourly": "1.76", "monthly": "274.56"}},
        }
        db.session.commit()

    page = browser.get(link_of(app, mine))

    assert "Enfant à naître, naissance prévue le 20 décembre 2026" in page.text
    assert "à partir du 1er mars 2027" in page.text  # the first of the month as an ordinal (formatting.long_date)
    assert "4 jours et 36 heures par semaine" in page.text
    assert "(Multi-accueil Les Pioupious) : 1,76\u00a0€ de l'heure, soit environ 274,56\u00a0€ par mois" in page.text


def test_answer_retire_withdraws_the_request_and_mails_the_family(app, browser, mailbox):
    mine = make_request(app, created_at=datetime(2026, 1, 10, 9))
    run_relance(app, date(2026, 4, 10))
    page = browser.get(link_in(mailbox.received()[0]))

    page = page.submit("Non, je retire ma demande")

    assert page.status == 200
    assert "Votre demande est retirée" in page.text
    assert status_of(app, mine) == "withdrawn"
    assert "Vous avez retiré votre demande" in mailbox.received("famille@example.org")[-1].get_content()
    assert "Votre demande est retirée : elle ne figure plus sur les listes d'attente." in page.text
    assert [row[3] for row in rank_rows(page)] == ["Pas de rang"]


def test_a_relance_answer_is_taken_only_while_the_relance_is_pending(app, browser, mailbox):
    make_request(app, created_at=datetime(2026, 1, 10, 9))
    run_relance(app, date(2026, 4, 10))
    page = browser.get(link_in(mailbox.received()[0]))
    assert "Maintenez-vous votre demande ?" in page.text
    page.submit("Oui, je maintiens ma demande")

    again = page.submit("Non, je retire ma demande")  # the same page, still open in another tab

    assert again.status == 409
    assert "Aucune question n'attend votre réponse" in again.text
    assert again.title.startswith("Erreur : ")
    assert "Statut : En attente" in again.text


def offer(app, application_id, today):
    with app.app_context():
        application = db.session.get(Application, application_id)
        statemachine.change_status(
            application, "offered", None, offer=("pioupious", "bebes", date(2027, 1, 4)), today=today
        )


@pytest.mark.parametrize(
    ("buttons", "status", "mail_text"),
    [
        (("J'accepte la place",), "offer_accepted", "Vous avez accepté la place proposée"),
        # A refusal is recorded once confirmed on its own page (tests/functional/test_place_refusal.py).
        (("Je refuse la place", "Oui, je refuse la place"), "offer_declined", "Vous avez refusé la place proposée"),
    ],
)
def test_the_family_answers_an_offer_through_its_link(app, browser, mailbox, buttons, status, mail_text):
    mine = make_request(app)
    offer(app, mine, commune_today())
    page = browser.get(link_in(mailbox.received("famille@example.org")[0]))
    assert "Une place vous est proposée" in page.text
    assert "Multi-accueil Les Pioupious" in page.text and "12 rue des Tilleuls" in page.text
    assert "4 janvier 2027" in page.text

    for button in buttons:
        page = page.submit(button)

    assert page.status == 200
    assert status_of(app, mine) == status
    assert mail_text in mailbox.received("famille@example.org")[-1].get_content()
    assert "Un courriel vous le confirme" in page.text
    assert "J'accepte la place" not in page.text


def test_a_late_answer_to_an_offer_is_refused_and_the_command_expires_it(app, browser, mailbox):
    mine = make_request(app)
    offer(app, mine, commune_today() - timedelta(days=8))  # the deadline is today: the family opens the page
    page = browser.get(link_of(app, mine))
    assert "J'accepte la place" in page.text
    with app.app_context():  # … and answers after midnight
        db.session.get(Application, mine).creche.offer_deadline = commune_today() - timedelta(days=1)
        db.session.commit()

    late = page.submit("J'accepte la place")

    assert late.status == 409
    assert "Le délai pour répondre à cette proposition est dépassé" in late.text
    assert "J'accepte la place" not in late.text
    assert status_of(app, mine) == "offered"

    run_relance(app, commune_today())
    assert status_of(app, mine) == "offer_expired"
    page = browser.get(page.url)
    assert "Proposition expirée" in page.text and "J'accepte la place" not in page.text


def old_token(app, application_id, days):
    """A link mailed `days` ago."""
    real = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(real(self) - days * 86400)
    try:
        return link_of(app, application_id)
    finally:
        TimestampSigner.get_timestamp = real


def test_an_invalid_tampered_or_expired_link_shows_how_to_get_a_new_one(app, browser):
    mine = make_request(app)
    link = link_of(app, mine)
    # A character inside the signature: the last one of a base64 signature also carries padding bits, and changing
    # only those (« A » → « B ») leaves the same signature, a link that still works.
    tampered = link[:-5] + ("A" if link[-5] != "A" else "Z") + link[-4:]
    # The example settings: a link lives 3 × 31 + 30 days, until the answer to the next relance is due.
    expired = old_token(app, mine, 3 * 31 + 31)
    assert browser.get(old_token(app, mine, 3 * 31 + 29)).status == 200

    for url in (tampered, expired, "/creche/suivi/nimportequoi", link.replace(".", "", 1)):
        page = browser.get(url)
        assert page.status == 404, url
        assert page.h1 == "Ce lien est invalide ou expiré"
        assert "dernier courriel" in page.text and "pass-famille@val-fleuri.example" in page.text


def test_an_answer_posted_on_a_tampered_link_changes_nothing(app, browser, mailbox):
    mine = make_request(app, created_at=datetime(2026, 1, 10, 9))
    run_relance(app, date(2026, 4, 10))
    page = browser.get(link_in(mailbox.received()[0]))
    form = page.soup.find("button", string="Non, je retire ma demande").find_parent("form")
    token = form["action"].split("/")[3]
    form["action"] = form["action"].replace(token, token[:-2] + "xx")

    answer = page.submit("Non, je retire ma demande")

    assert answer.status == 404
    assert status_of(app, mine) == "waiting"


def test_no_personal_data_in_the_urls_of_the_family_pages(app, browser, mailbox):
    make_request(app, created_at=datetime(2026, 1, 10, 9))
    run_relance(app, date(2026, 4, 10))
    page = browser.get(link_in(mailbox.received()[0]))
    page.submit("Oui, je maintiens ma demande").click("Voir la grille de points de la commune")

    assert len(browser.visited) >= 3
    for url in browser.visited:
        assert url.startswith(("/creche/suivi/", "/creche/grille", "http://localhost/creche/")), url
        for secret in ("MARTIN", "Camille", "Léo", "L%C3%A9o", "famille", "2026-06-01", "CR-2026"):
            assert secret.lower() not in url.lower(), (secret, url)


def test_the_public_grid_lists_every_criterion_with_its_points_the_ties_and_the_structures(app, browser):
    page = Browser(app.test_client()).get("/creche/grille")

    assert page.status == 200
    table = page.soup.find("caption", string="Critères de la grille de points").find_parent("table")
    rows = [[c.get_text(" ", strip=True) for c in row("td")] for row in table.tbody("tr")]
    grid = app.extensions["commune"].creche.points_grid
    assert [(label, points) for label, points, _ in rows] == [(c.label, str(c.points)) for c in grid]
    assert rows[2][2] == "Aucun" and rows[4][2] == "Justificatif de domicile de moins de 3 mois"
    assert "départagées par leur numéro d'enregistrement" in page.text
    assert "Tous les 3 mois" in page.text and "après 30 jours" in page.text and "8 jours" in page.text
    for name in ("Multi-accueil Les Pioupious", "Micro-crèche Les Petits Loups", "Crèche familiale Les Coquelicots"):
        assert page.soup.find("h3", string=name)
    assert "Bébés de 2 mois à moins de 1 an 10" in page.text
    assert "Du lundi au vendredi, de 8 h à 18 h" in page.text


def test_a_commune_without_creche_has_no_creche_pages(app_config, settings_without_creche):
    client = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings_without_creche)}).test_client()

    assert client.get("/creche/grille").status_code == 404
    assert client.get("/creche/suivi/nimportequoi").status_code == 404


def test_after_admission_the_page_says_the_request_is_over(app, browser, mailbox):
    mine = make_request(app)
    offer(app, mine, commune_today())
    browser.get(link_of(app, mine)).submit("J'accepte la place")
    with app.app_context():
        statemachine.change_status(db.session.get(Application, mine), "admitted", None)

    page = browser.get(link_of(app, mine))

    assert "Statut : Admis" in page.text
    assert "Votre enfant est admis : votre demande est terminée." in page.text
    assert [row[3] for row in rank_rows(page)] == ["Pas de rang"]
    admitted = mailbox.received("famille@example.org")[-1].get_content()
    assert "L'admission en crèche de votre enfant, Léo, est confirmée" in admitted


def test_no_log_line_holds_the_familys_name_email_or_child(app, browser, mailbox, caplog):
    caplog.set_level(logging.DEBUG)
    mine = make_request(app, created_at=datetime(2026, 1, 10, 9))
    run_relance(app, date(2026, 4, 10))
    browser.get(link_in(mailbox.received()[0])).submit("Oui, je maintiens ma demande")
    offer(app, mine, commune_today())
    browser.get(link_of(app, mine)).submit("Je refuse la place")

    # aiosmtpd ("mail.log") is the test's stand-in for the commune's mail server, not part of the app.
    lines = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert any("creche relance sent reference=CR-" in line for line in lines)
    for line in lines:
        for secret in ("MARTIN", "Camille", "Léo", "famille@example.org", "12 rue des Tilleuls"):
            assert secret.lower() not in line.lower(), (secret, line)


def test_from_the_wizard_the_receipt_link_shows_the_rank_points_and_estimate(app, browser, mailbox):
    from ..functional.journeys import EMAIL
    from ..functional.test_creche_journeys import fill_wishes, to_wishes

    page = fill_wishes(to_wishes(browser)).submit("Continuer")
    page = page.check("Un frère ou une sœur est déjà accueilli dans la structure demandée (15 points)")
    page.submit("Continuer").click("Continuer").submit("Envoyer ma demande")
    (receipt,) = mailbox.received(EMAIL)

    page = browser.get(link_in(receipt))

    assert page.status == 200 and "Statut : En attente" in page.text
    assert rank_rows(page) == [("1", "Multi-accueil Les Pioupious", "Grands", "Rang : 1 sur 1 famille en attente")]
    # The residence was ticked from the CAF/MSA address in Val-Fleuri.
    assert (
        "Un frère ou une sœur est déjà accueilli dans la structure demandée 15 La famille habite Val-Fleuri 40 Total 55"
        in page.text
    )
    assert "1,76\u00a0€ de l'heure, soit environ 244,05\u00a0€ par mois" in page.text
