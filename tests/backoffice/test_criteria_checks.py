"""Agents check each criterion a family declared for its crèche request: « Vérifié » or « Refusé » (an internal
reason). A refused criterion no longer counts: the points, the ranks, the commission's order and the family's
total follow; every change is in the history, and a double click changes once."""

from datetime import datetime

from sqlalchemy import select

from passfamille.creche import criteria_checks
from passfamille.extensions import db
from passfamille.models import Agent, Application, AuditEvent, CrecheCriterionCheck

from ..creche.family_link import link_of, rank_rows
from ..creche_factory import attach, make_request
from ..formclient import Browser
from .test_commission import LIST, reference, waiting_rows

RESIDENCE = "La famille habite Val-Fleuri"
REASON = f"Motif du refus du critère « {RESIDENCE} »"
# Each button names its criterion for screen readers (visually hidden): several criteria, several buttons.
VERIFY, REFUSE = f"Vérifié : {RESIDENCE}", f"Refusé : {RESIDENCE}"


def two_requests(app) -> tuple[int, int]:
    """Ahead (40 points, sent later) and behind (15 points, sent earlier), on the same list."""
    behind = make_request(app, criteria=["fratrie"], created_at=datetime(2026, 9, 1, 9), email="b@example.org")
    ahead = make_request(app, criteria=["residence"], created_at=datetime(2026, 10, 1, 9), email="a@example.org")
    return ahead, behind


def criterion_item(page, label: str):
    return next(li for li in page.soup.select("li.criteria__item") if li.get_text(" ", strip=True).startswith(label))


def checks_in_history(app, application_id) -> list[str]:
    with app.app_context():
        events = db.session.get(Application, application_id).events
        return [e.detail for e in events if e.action.startswith("criterion_")]


def test_a_refused_criterion_no_longer_counts_and_the_commission_order_changes(app, agent_browser):
    ahead, behind = two_requests(app)
    assert [row[1] for row in waiting_rows(agent_browser.get(LIST))] == [reference(app, ahead), reference(app, behind)]

    page = agent_browser.get(f"/agents/demandes/{ahead}")
    assert "Total : 40 points" in page.text and "À vérifier." in criterion_item(page, RESIDENCE).get_text()
    assert "La famille voit sur son lien de suivi ce critère « non retenu après vérification », à 0 point" in page.text
    page = page.fill(REASON, "Le justificatif de domicile est au nom d'une autre commune.").submit(REFUSE)
    assert page.status == 200
    assert "Total : 0 point" in page.text
    item = criterion_item(page, RESIDENCE).get_text(" ", strip=True)
    assert "Refusé par agent@val-fleuri.example le" in item
    assert "Motif (interne) : Le justificatif de domicile est au nom d'une autre commune." in item
    wishes = page.soup.find(id="souhaits-titre").find_next("ol").get_text(" ", strip=True)
    assert "rang 2 sur 2" in wishes

    rows = waiting_rows(agent_browser.get(LIST))
    assert [row[1] for row in rows] == [reference(app, behind), reference(app, ahead)]
    assert rows[1][6].startswith("0 point") and f"{RESIDENCE} : 0 (40 non comptés)" in rows[1][6]
    assert "refusé" in rows[1][6] and "à vérifier" in rows[0][6]
    assert checks_in_history(app, ahead) == [
        f"« {RESIDENCE} » : refusé. Motif : Le justificatif de domicile est au nom d'une autre commune."
    ]


def test_the_familys_follow_up_page_shows_the_total_without_the_refused_criterion(app, agent_browser):
    ahead, behind = two_requests(app)
    family = Browser(app.test_client())
    before = family.get(link_of(app, ahead))
    assert rank_rows(before)[0][-1] == "Rang : 1 sur 2 familles en attente"
    agent_browser.get(f"/agents/demandes/{ahead}").fill(REASON, "Adresse hors commune.").submit(REFUSE)
    after = family.get(link_of(app, ahead))
    points = after.soup.find("h2", string="Vos points").find_next("table")
    rows = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in points.find_all("tr")]
    assert [f"{RESIDENCE} : non retenu après vérification", "0"] in rows and ["Total", "0"] in rows
    assert rank_rows(after)[0][-1] == "Rang : 2 sur 2 familles en attente"
    assert "Adresse hors commune" not in after.text  # the reason is internal


def test_a_verified_criterion_says_who_and_when_and_the_agent_can_change_their_mind(app, agent_browser):
    ahead, _ = two_requests(app)
    attach(app, ahead, "critere-residence")
    page = agent_browser.get(f"/agents/demandes/{ahead}")
    proof = criterion_item(page, RESIDENCE).find("a")
    assert proof is not None and agent_browser.client.get(proof["href"]).status_code == 200
    page = page.submit(VERIFY)
    item = criterion_item(page, RESIDENCE).get_text(" ", strip=True)
    assert "Vérifié par agent@val-fleuri.example le" in item and "Total : 40 points" in page.text
    assert "vérifié" in waiting_rows(agent_browser.get(LIST))[0][6]
    # Then refused after all, then verified again: each change counts and is in the history.
    page = page.fill(REASON, "Attestation périmée.").submit(REFUSE)
    assert "Total : 0 point" in page.text
    page = page.submit(VERIFY)
    assert "Total : 40 points" in page.text and "Vérifié par" in criterion_item(page, RESIDENCE).get_text()
    assert checks_in_history(app, ahead) == [
        f"« {RESIDENCE} » : vérifié",
        f"« {RESIDENCE} » : refusé. Motif : Attestation périmée.",
        f"« {RESIDENCE} » : vérifié",
    ]
    history = page.soup.find(string="Critère refusé")
    assert history is not None


def test_a_refusal_without_reason_is_asked_again_and_changes_nothing(app, agent_browser):
    ahead, _ = two_requests(app)
    page = agent_browser.get(f"/agents/demandes/{ahead}").fill(REASON, "   ").submit(REFUSE)
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert "Indiquez pourquoi ce critère est refusé" in page.field_error(REASON)
    assert "Total : 40 points" in page.text
    assert checks_in_history(app, ahead) == []


def test_a_double_click_changes_the_criterion_once(app, agent_browser):
    ahead, _ = two_requests(app)
    form = agent_browser.get(f"/agents/demandes/{ahead}").fill(REASON, "Adresse hors commune.")
    form.submit(REFUSE)
    again = form.submit(REFUSE)  # the same form, sent again (a double click, a resend)
    assert again.status == 200 and "Ce critère a déjà été modifié : il est maintenant « refusé »" in again.text
    # A « Vérifié » sent from a tab opened before the refusal changes nothing either.
    stale = form.submit(VERIFY)
    assert "il est maintenant « refusé »" in stale.text and "Total : 0 point" in stale.text
    assert checks_in_history(app, ahead) == [f"« {RESIDENCE} » : refusé. Motif : Adresse hors commune."]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(CrecheCriterionCheck)) == 1
        assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == 1


def test_a_criterion_the_family_did_not_declare_cannot_be_checked(app, agent_browser):
    ahead, _ = two_requests(app)
    page = agent_browser.get(f"/agents/demandes/{ahead}")
    token = page.soup.find("input", attrs={"name": "csrf_token"})["value"]
    response = agent_browser.post(
        f"/agents/demandes/{ahead}/criteres/fratrie",
        {"csrf_token": token, "critere-fratrie-to": "verified", "critere-fratrie-seen": "pending"},
    )
    assert response.status == 409 and "La famille n'a pas déclaré ce critère" in response.text
    assert checks_in_history(app, ahead) == []


def test_two_requests_that_both_saw_the_same_state_change_it_once(app, agent_browser):
    """Two tabs, or two clicks racing past the page's own check: the database applies only the first."""
    ahead, _ = two_requests(app)
    with app.app_context():
        application = db.session.get(Application, ahead)
        agent = db.session.scalar(select(Agent))
        first = criteria_checks.change(application, "residence", RESIDENCE, "verified", "pending", agent, None)
        second = criteria_checks.change(application, "residence", RESIDENCE, "refused", "pending", agent, "Autre.")
        third = criteria_checks.change(application, "residence", RESIDENCE, "refused", "verified", agent, "Périmé.")
        fourth = criteria_checks.change(application, "residence", RESIDENCE, "pending", "verified", agent, None)
        assert (first, second, third, fourth) == (True, False, True, False)
    assert checks_in_history(app, ahead) == [
        f"« {RESIDENCE} » : vérifié",
        f"« {RESIDENCE} » : refusé. Motif : Périmé.",
    ]
