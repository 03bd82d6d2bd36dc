"""A crèche request's page for agents: what the family asked and where it stands, the crèche actions allowed by
the crèche démarche's workflow (and never the Pass Famille's), each change audited and mailed."""

from datetime import date, timedelta

from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.formatting import euros
from passfamille.models import Application

from ..creche_factory import make_request
from .queue_rows import add, values


def offer(app, application_id, answer=None):
    """The commission offers a place; the family answers through its link (no agent), as it would."""
    with app.app_context():
        application = db.session.get(Application, application_id)
        start = date.today() + timedelta(days=30)
        statemachine.change_status(application, "offered", None, offer=("pioupious", "bebes", start))
        if answer:
            statemachine.change_status(application, answer, None)


def buttons(page) -> set[str]:
    return {b.get_text(" ", strip=True) for b in page.soup.select("main button")}


def test_the_page_shows_the_child_wishes_rank_points_psu_and_the_linked_pass_famille(app, agent_browser):
    add(app, values(100))
    ahead = make_request(app, criteria=["residence", "handicap"])
    application_id = make_request(
        app,
        wishes=[("petits-loups", "tous-ages"), ("pioupious", "bebes")],
        criteria=["residence", "fratrie"],
        child_first_name="Léo",
    )
    with app.app_context():
        mine, pass_famille = db.session.get(Application, application_id), db.session.get(Application, 100)
        mine.linked_application, pass_famille.linked_application = pass_famille, mine
        db.session.commit()
        reference, pf_reference = mine.reference, pass_famille.reference
    assert ahead
    page = agent_browser.get(f"/agents/demandes/{application_id}")
    assert page.status == 200 and page.h1 == f"Demande {reference}"
    text = page.text
    assert "Léo, né ou née le 01/06/2026" in text and "7 mois" in text
    assert "4 jours, 36 h par semaine" in text and "le 04/01/2027" in text
    wishes = [li.get_text(" ", strip=True) for li in page.soup.find(id="souhaits-titre").find_next("ol").find_all("li")]
    assert wishes == [
        "Micro-crèche Les Petits Loups, De 2 mois à 4 ans (1er choix) : rang 1 sur 1",
        "Multi-accueil Les Pioupious, Bébés (2e choix) : rang 2 sur 2",
    ]
    assert "La famille habite Val-Fleuri : 40 points justificatif manquant" in text
    assert "Un frère ou une sœur est déjà accueilli dans la structure demandée : 15 points" in text
    assert "Total : 55 points" in text
    assert "CAF/MSA (API Particulier)" in text and euros(40923) in text
    assert "Quotient familial et données certifiées" not in text and "Décision selon les règles" not in text
    link = page.soup.find("a", string=pf_reference)
    assert link["href"] == "/agents/demandes/100"
    back = agent_browser.get(link["href"]).soup.find("a", string=reference)
    assert back["href"] == f"/agents/demandes/{application_id}"


def test_pass_famille_actions_never_appear_on_a_creche_request_nor_the_reverse(app, agent_browser):
    add(app, values(100, status="in_review"))
    application_id = make_request(app)
    page = agent_browser.get(f"/agents/demandes/{application_id}")
    assert buttons(page) & {"Accepter", "Refuser", "Demander une pièce", "Enregistrer la vérification"} == set()
    assert "Retirer la demande" in buttons(page)
    pass_famille = agent_browser.get("/agents/demandes/100")
    assert "Accepter" in buttons(pass_famille)
    assert (
        buttons(pass_famille) & {"Retirer la demande", "Prononcer l'admission", "Remettre en liste d'attente"} == set()
    )
    # A hand-made POST gets a clear refusal, and nothing changes.
    token = page.soup.find("input", attrs={"name": "csrf_token"})["value"]
    response = agent_browser.client.post(
        f"/agents/demandes/{application_id}/statut", data={"csrf_token": token, "to": "in_review"}
    )
    assert response.status_code == 409
    response = agent_browser.client.post(
        "/agents/demandes/100/statut-creche", data={"csrf_token": token, "to": "waiting"}
    )
    assert response.status_code == 409
    with app.app_context():
        assert db.session.get(Application, application_id).status == "waiting"
        assert db.session.get(Application, 100).status == "in_review"


def test_admission_after_the_family_accepted_is_audited_and_mailed(app, agent_browser, mailbox):
    application_id = make_request(app, email="famille@example.org")
    offer(app, application_id, "offer_accepted")
    mailbox.clear()
    page = agent_browser.get(f"/agents/demandes/{application_id}")
    assert "Place acceptée" in page.soup.select_one(".tag--status").get_text()
    assert "Multi-accueil Les Pioupious, Bébés" in page.soup.find(id="offre-titre").find_parent("section").get_text()
    assert buttons(page) >= {"Prononcer l'admission"} and "Retirer la demande" not in buttons(page)
    page = page.submit("Prononcer l'admission").submit("Confirmer et envoyer le courriel")
    assert page.url.endswith(f"/agents/demandes/{application_id}")
    assert "Admission prononcée. La famille en est informée par courriel." in page.text
    assert page.soup.select_one(".tag--status").get_text() == "Admis"
    history = [tr.get_text(" ", strip=True) for tr in page.soup.select("table.history tbody tr")]
    assert "La famille" in history[-2] and "Place proposée → Place acceptée" in history[-2]
    assert "agent@val-fleuri.example" in history[-1] and "Place acceptée → Admis" in history[-1]
    assert len(mailbox.received("famille@example.org")) == 1
    assert "Suite de la demande" in page.text and "elle est close" in page.text


def test_put_back_on_the_waiting_list_after_a_refusal_keeps_points_and_date(app, agent_browser, mailbox):
    first = make_request(app, criteria=["residence", "fratrie"])
    make_request(app, criteria=["residence"])
    offer(app, first, "offer_declined")
    page = agent_browser.get(f"/agents/demandes/{first}")
    assert buttons(page) >= {"Remettre en liste d'attente", "Retirer la demande"}
    page = page.submit("Remettre en liste d'attente").submit("Confirmer et envoyer le courriel")
    assert "Demande remise en liste d'attente" in page.text
    assert page.soup.select_one(".tag--status").get_text() == "En attente"
    wishes = page.soup.find(id="souhaits-titre").find_next("ol").get_text(" ", strip=True)
    assert "rang 1 sur 2" in wishes  # the same points and date: first again


def test_withdrawal_needs_a_short_reason_kept_in_the_history(app, agent_browser, mailbox):
    application_id = make_request(app)
    page = agent_browser.get(f"/agents/demandes/{application_id}").submit("Retirer la demande")
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert "Indiquez en quelques mots" in page.field_error("Motif du retrait")
    page = (
        page.fill("Motif du retrait", "La famille a déménagé")
        .submit("Retirer la demande")
        .submit("Confirmer et envoyer le courriel")
    )
    assert "Demande retirée." in page.text
    assert page.soup.select_one(".tag--status").get_text() == "Retirée"
    last = page.soup.select("table.history tbody tr")[-1].get_text(" ", strip=True)
    assert "agent@val-fleuri.example" in last and "Motif : La famille a déménagé" in last
    body = mailbox.received("famille@example.org")[-1].get_content()
    assert "La mairie a retiré votre demande" in body and "Motif : La famille a déménagé" in body


def test_queue_filters_creche_requests_and_dashboard_counts_their_statuses(app, agent_browser):
    add(app, values(100))
    waiting = make_request(app)
    offered = make_request(app)
    offer(app, offered)
    page = agent_browser.get("/agents/").select("Démarche", "Préinscription en crèche").submit("Filtrer")
    refs = [a.get_text(strip=True) for a in page.soup.select("table.queue tbody th a")]
    with app.app_context():
        waiting_ref, offered_ref = (db.session.get(Application, i).reference for i in (waiting, offered))
    assert sorted(refs) == sorted([waiting_ref, offered_ref])
    counts = [a.get_text(" ", strip=True) for a in page.soup.select(".status-counts a")]
    assert counts[:3] == ["Toutes : 2", "En attente : 1", "Place proposée : 1"]
    assert "Déposée : 0" not in counts  # the Pass Famille's statuses are not this démarche's
    page = page.select("Statut (crèche)", "Place proposée").submit("Filtrer")
    assert [a.get_text(strip=True) for a in page.soup.select("table.queue tbody th a")] == [offered_ref]
    dashboard = agent_browser.get("/agents/tableau-de-bord")
    table = dashboard.soup.find("caption", string="Crèches, par statut").find_parent("table")
    rows = {tr.th.get_text(strip=True): tr.td.get_text(strip=True) for tr in table.select("tbody tr")}
    assert rows["En attente"] == "1" and rows["Place proposée"] == "1" and rows["Admis"] == "0"
