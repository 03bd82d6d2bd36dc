"""References: the Pass Famille and the crèche count on one counter, so that the two applications a family sends
together carry one number (PF-2026-000002 and CR-2026-000002), never reused, and a database numbered before the
counter was shared goes on after its last reference."""

from datetime import date

from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application, NumberSequence

from ..formclient import Browser
from .journeys import BOTH, LEFEBVRE, add_child, finish, through_api
from .test_creche_journeys import fill_wishes, to_wishes

YEAR = date.today().year


def references(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(Application.reference).order_by(Application.id)).all()


def send_pass_famille(app):
    page = through_api(Browser(app.test_client()), LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    page = finish(add_child(page).submit("Continuer"))
    assert page.h1 == "Votre demande est envoyée", page.h1
    return page


def send_both(app):
    page = fill_wishes(to_wishes(Browser(app.test_client()), BOTH)).submit("Continuer")
    page = page.submit("Continuer").click("Continuer").click("Continuer").submit("Envoyer ma demande")
    assert page.h1 == "Vos demandes sont envoyées", page.h1
    return page


def shown(page) -> list[str]:
    return [r.get_text(strip=True) for r in page.soup.select(".reference")]


def test_the_two_applications_of_one_submission_share_their_number(app):
    send_pass_famille(app)
    page = send_both(app)
    assert shown(page) == [f"PF-{YEAR}-000002", f"CR-{YEAR}-000002"]
    send_pass_famille(app)
    assert references(app) == [f"PF-{YEAR}-000001", f"PF-{YEAR}-000002", f"CR-{YEAR}-000002", f"PF-{YEAR}-000003"]


def test_the_shared_counter_goes_on_after_the_former_series_of_each_demarche(app):
    with app.app_context():  # numbered before the counter was shared: PF up to 5, CR up to 3
        db.session.add_all([NumberSequence(name=f"PF-{YEAR}", last=5), NumberSequence(name=f"CR-{YEAR}", last=3)])
        db.session.commit()
    page = send_both(app)
    assert shown(page) == [f"PF-{YEAR}-000006", f"CR-{YEAR}-000006"]
    assert shown(send_pass_famille(app)) == [f"PF-{YEAR}-000007"]
