"""A status change sent many times at once (an agent's double click, two agents, a family's two tabs) happens
once: one audit event, one mail, one pass number; every other request is told, in French, that it is done."""

from datetime import date, timedelta

from sqlalchemy import select

from passfamille.creche.relance import commune_today
from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application

from ..creche.family_link import link_in
from ..creche_factory import make_request
from ..functional.journeys import EMAIL
from .browsers import burst, clicks, form_of, summary
from .conftest import AGENT
from .families import pass_famille_through_caf

FAMILY = "famille@example.org"  # the crèche factory's family


def transitions(app, application_id) -> list[tuple[str, str, str | None]]:
    with app.app_context():
        application = db.session.get(Application, application_id)
        return [
            (e.from_status, e.to_status, e.agent.email if e.agent else None)
            for e in application.events
            if e.action == "status"
        ]


def load(app, application_id) -> Application:
    with app.app_context():
        application = db.session.get(Application, application_id)
        _ = application.creche
        db.session.expunge_all()
        return application


def only_id(app) -> int:
    with app.app_context():
        return db.session.scalars(select(Application.id)).one()


def assert_done_once(answers, live, problem: str) -> None:
    """Each request got the winner's redirect (303) or a 409 page that says, in French, why nothing changed."""
    counts = summary(answers)
    assert all(a.error is None and a.status in (303, 409) for a in answers), (counts, live.log())
    assert any(a.status == 303 for a in answers), counts
    for answer in answers:
        if answer.status == 409:
            alert = answer.page.soup.select_one(".alert--error")
            assert alert is not None and problem in alert.get_text(), answer.page.text[:600]


def test_accepting_an_application_20_times_at_once_grants_one_pass(app, live, new_browser, agent_browser, mailbox):
    pass_famille_through_caf(new_browser())
    application_id = only_id(app)
    page = (
        agent_browser.get(f"/agents/demandes/{application_id}")
        .submit("Prendre en charge")
        .submit("Confirmer et envoyer le courriel")
    )
    assert load(app, application_id).status == "in_review", page.text[:300]
    url, data = form_of(page.submit("Accepter"), "Confirmer et envoyer le courriel")  # the confirmed change
    mailbox.clear()

    answers = burst(live.url, clicks(agent_browser, 20, url, data), follow_redirects=False)

    assert_done_once(answers, live, "Cette demande est déjà « Acceptée » : son statut ne peut plus changer.")
    pass_number = f"PASS-{date.today().year}-000001"
    application = load(app, application_id)
    assert application.status == "accepted" and application.pass_famille.pass_number == pass_number
    done = transitions(app, application_id)
    assert done == [("submitted", "in_review", AGENT), ("in_review", "accepted", AGENT)], (
        f"{done.count(('in_review', 'accepted', AGENT))} passages à « Acceptée »"
    )
    mails = mailbox.received()
    assert len(mails) == 1, f"{len(mails)} courriels « acceptée »"
    assert mails[0]["To"] == EMAIL and "est acceptée" in mails[0].get_content()
    assert pass_number in mails[0].get_content()
    page = agent_browser.get(f"/agents/demandes/{application_id}")
    assert page.text.count("En instruction → Acceptée") == 1 and f"Numéro du pass {pass_number}" in page.text


def test_offering_a_place_20_times_at_once_makes_one_offer(app, live, agent_browser, mailbox):
    application_id = make_request(app, criteria=["residence"])
    reference = load(app, application_id).reference
    start = (date.today() + timedelta(days=30)).strftime("%d/%m/%Y")
    page = (
        agent_browser.get("/agents/creche/pioupious/bebes")
        .fill(f"Date d'entrée proposée pour {reference}", start)
        .submit(f"Proposer une place à la demande {reference}")
    )
    assert load(app, application_id).status == "waiting", page.text[:300]
    url, data = form_of(page, "Confirmer et envoyer le courriel")  # the confirmed offer

    answers = burst(live.url, clicks(agent_browser, 20, url, data), follow_redirects=False)

    assert_done_once(answers, live, "Cette demande est « Place proposée »")
    request = load(app, application_id).creche
    assert load(app, application_id).status == "offered"
    assert (request.offer_structure, request.offer_age_group, f"{request.offer_start_date:%d/%m/%Y}") == (
        "pioupious",
        "bebes",
        start,
    )
    done = transitions(app, application_id)
    assert done == [("waiting", "offered", AGENT)], f"{len(done)} propositions"
    mails = mailbox.received()
    assert len(mails) == 1, f"{len(mails)} courriels de proposition"
    assert mails[0]["To"] == FAMILY and f"Date d'entrée proposée : {start}" in mails[0].get_content()


def test_the_family_accepting_a_place_20_times_at_once_is_one_acceptance(app, live, new_browser, mailbox):
    application_id = make_request(app)
    with app.app_context():
        statemachine.change_status(
            db.session.get(Application, application_id),
            "offered",
            None,
            offer=("pioupious", "bebes", date.today() + timedelta(days=30)),
            today=commune_today(),
        )
    family = new_browser()
    page = family.get(link_in(mailbox.received(FAMILY)[-1]))
    url, data = form_of(page, "J'accepte la place")
    mailbox.clear()

    answers = burst(live.url, clicks(family, 20, url, data), follow_redirects=False)

    counts = summary(answers)
    assert all(a.error is None and a.status in (303, 409) for a in answers), (counts, live.log())
    assert any(a.status == 303 for a in answers), counts
    for answer in answers:
        if answer.status == 409:  # the family's page, telling that its answer is already recorded
            assert answer.page.title.startswith("Erreur : ") and "Statut : Place acceptée" in answer.page.text
    assert load(app, application_id).status == "offer_accepted"
    done = transitions(app, application_id)
    assert done == [("waiting", "offered", None), ("offered", "offer_accepted", None)], (
        f"{done.count(('offered', 'offer_accepted', None))} acceptations"
    )
    mails = mailbox.received()
    assert len(mails) == 1, f"{len(mails)} courriels d'acceptation"
    assert mails[0]["To"] == FAMILY and "Vous avez accepté la place proposée" in mails[0].get_content()
    assert "Statut : Place acceptée" in family.get(page.url).text
