"""What a small commune's agent needs around the queue: a démarche column and a status filter per démarche,
« pris en charge par » and « Mes dossiers », internal notes, and the header's logo leading to the queue."""

from datetime import datetime, timedelta

from sqlalchemy import select

from passfamille import retention
from passfamille.extensions import db
from passfamille.models import Application, ApplicationNote, utcnow

from ..creche_factory import make_request
from .agents import logged_in, make_agent
from .queue_pages import apply_filters, query_of, references
from .queue_rows import add, values

COLLEAGUE = "collegue@val-fleuri.example"


def table_rows(page) -> dict[str, list[str]]:
    """The queue's rows by reference, each a list of its cells' texts."""
    rows = {}
    for tr in page.soup.select("table.queue tbody tr"):
        cells = [c.get_text(" ", strip=True) for c in tr.select("th, td")]
        rows[cells[0]] = cells[1:]
    return rows


def headers(page) -> list[str]:
    return [th.get_text(" ", strip=True) for th in page.soup.select("table.queue thead th")]


# --- démarche column and status filters -----------------------------------------------------------------------


def test_the_queue_says_each_rows_demarche_and_what_applies_to_it(app, agent_browser):
    add(app, values(1))
    creche_id = make_request(app, child_first_name="Léo")
    with app.app_context():
        creche_ref = db.session.get(Application, creche_id).reference
    page = agent_browser.get("/agents/")
    assert headers(page)[:6] == ["Référence", "Déposée le", "Démarche", "Demandeur", "Statut", "Pris en charge par"]
    assert headers(page)[6:] == [
        "Source du QF",
        "Tranche",
        "Tarif",
        "Éligible",
        "Enfant",
        "Entrée souhaitée",
        "1 er choix",
    ]
    rows = table_rows(page)
    pass_famille, creche = rows["PF-2026-000001"], rows[creche_ref]
    assert pass_famille[1] == "Pass Famille" and pass_famille[5:9] == [
        "CAF/MSA (API Particulier)",
        "B",
        "10\u00a0€",
        "Oui",
    ]
    assert pass_famille[9:] == ["Sans objet"] * 3
    # A crèche request is no « Source du QF : Aucun », « Éligible : En attente »: it shows its child and wish.
    assert creche[1] == "Préinscription en crèche" and creche[3] == "En attente"
    assert creche[5:9] == ["Sans objet"] * 4
    assert creche[9:] == ["Léo", "04/01/2027", "Multi-accueil Les Pioupious"]


def test_a_list_of_crèche_requests_only_shows_the_crèche_columns(app, agent_browser):
    add(app, values(1))
    make_request(app)
    page = apply_filters(agent_browser.get("/agents/").select("Démarche", "Préinscription en crèche"))
    assert "Source du QF" not in headers(page) and "Éligible" not in headers(page)
    assert headers(page)[-3:] == ["Enfant", "Entrée souhaitée", "1 er choix"]


def test_each_demarche_has_its_own_status_filter(app, agent_browser):
    add(app, values(1), values(2, status="accepted"))
    make_request(app)
    page = agent_browser.get("/agents/")
    pass_famille_options = [o.get_text() for o in page.soup.select("#statut option")]
    creche_options = [o.get_text() for o in page.soup.select("#statut_creche option")]
    assert "Acceptée" in pass_famille_options and "Place proposée" not in pass_famille_options
    assert "Place proposée" in creche_options and "Acceptée" not in creche_options
    page = apply_filters(page.select("Statut (crèche)", "En attente"))
    assert query_of(page)["statut_creche"] == "waiting" and [r[1] for r in table_rows(page).values()] == [
        "Préinscription en crèche"
    ]
    page = apply_filters(agent_browser.get("/agents/").select("Statut (Pass Famille)", "Acceptée"))
    assert references(page) == ["PF-2026-000002"]
    # Both at once cannot match anything: said at the field, the rest of the page still works.
    page = agent_browser.get("/agents/?statut=accepted&statut_creche=waiting")
    assert page.status == 400 and "pas les deux" in page.field_error("Statut (crèche)")
    # A link made before the split still lists the crèche's waiting requests.
    page = agent_browser.get("/agents/?statut=waiting")
    assert page.status == 200 and page.value("Statut (crèche)") == "waiting" and len(table_rows(page)) == 1


# --- assignment -----------------------------------------------------------------------------------------------


def test_an_agent_takes_an_application_and_finds_it_in_mes_dossiers(app, agent_browser):
    add(app, values(1), values(2))
    page = agent_browser.get("/agents/demandes/2")
    assert "Aucun agent n'a encore pris en charge ce dossier." in page.text
    page = page.submit("Suivre ce dossier")
    assert page.h1 == "Demande PF-2026-000002"
    assert (
        "Vous avez pris en charge cette demande" in page.text and "Vous avez pris en charge ce dossier le" in page.text
    )
    queue = agent_browser.get("/agents/")
    assert table_rows(queue)["PF-2026-000002"][4] == "agent@val-fleuri.example"
    assert table_rows(queue)["PF-2026-000001"][4] == "Personne"
    mine = queue.click("Mes dossiers")
    assert query_of(mine) == {"suivi": "moi"} and references(mine) == ["PF-2026-000002"]
    nobody = apply_filters(agent_browser.get("/agents/").select("Suivi", "Dossiers suivis par personne"))
    assert references(nobody) == ["PF-2026-000001"]
    history = agent_browser.get("/agents/demandes/2").text
    assert "Dossier pris en charge" in history


def test_a_second_agent_sees_who_took_it_and_cannot_take_it_over(app, agent_browser):
    add(app, values(1))
    make_agent(app, COLLEAGUE)
    colleague = logged_in(app, COLLEAGUE)
    stale = colleague.get("/agents/demandes/1")  # opened before the first agent took it
    agent_browser.get("/agents/demandes/1").submit("Suivre ce dossier")
    page = stale.submit("Suivre ce dossier")
    assert "Cette demande est déjà prise en charge par agent@val-fleuri.example." in page.text
    assert "Pris en charge par agent@val-fleuri.example depuis le" in page.text
    assert "Suivre ce dossier" not in page.text
    # « Mes dossiers » is each agent's own.
    assert references(colleague.get("/agents/?suivi=moi")) == []
    with app.app_context():
        assert [e.action for e in db.session.get(Application, 1).events] == ["assigned"]


def test_an_agent_leaves_an_application_for_another(app, agent_browser):
    add(app, values(1))
    page = agent_browser.get("/agents/demandes/1").submit("Suivre ce dossier").submit("Ne plus suivre ce dossier")
    assert "Vous ne suivez plus cette demande" in page.text
    assert references(agent_browser.get("/agents/?suivi=moi")) == []
    make_agent(app, COLLEAGUE)
    page = logged_in(app, COLLEAGUE).get("/agents/demandes/1").submit("Suivre ce dossier")
    assert "Vous avez pris en charge cette demande" in page.text


# --- internal notes -------------------------------------------------------------------------------------------


def test_an_agent_writes_internal_notes_with_author_and_time(app, agent_browser, mailbox):
    add(app, values(1))
    page = agent_browser.get("/agents/demandes/1")
    assert "Aucune note pour l'instant." in page.text
    page = page.fill("Note interne", "Appelée le 3/12 : envoie son avis\nd'imposition lundi.").submit(
        "Enregistrer la note"
    )
    assert "Note enregistrée" in page.text
    note = page.soup.select_one(".notes__item")
    assert "agent@val-fleuri.example, le " in note.get_text() and "avis\nd'imposition lundi." in note.get_text()
    make_agent(app, COLLEAGUE)
    page = logged_in(app, COLLEAGUE).get("/agents/demandes/1")
    page = page.fill("Note interne", "Avis reçu.").submit("Enregistrer la note")
    notes = [n.get_text(" ", strip=True) for n in page.soup.select(".notes__item")]
    assert notes[0].startswith(f"{COLLEAGUE}, le ") and notes[0].endswith("Avis reçu.")  # newest first
    assert len(notes) == 2
    # Never sent to the family: no mail, not in the export.
    assert mailbox.received() == []
    export = agent_browser.client.get("/agents/demandes.json").get_data(as_text=True)
    assert "Avis reçu" not in export and "imposition lundi" not in export


def test_an_empty_note_gets_a_message_and_a_note_sent_twice_is_kept_once(app, agent_browser):
    add(app, values(1))
    page = agent_browser.get("/agents/demandes/1").fill("Note interne", "   ").submit("Enregistrer la note")
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert "Écrivez la note avant de l'enregistrer" in page.field_error("Note interne")
    form = agent_browser.get("/agents/demandes/1").fill("Note interne", "Dossier complet.")
    form.submit("Enregistrer la note")
    again = form.submit("Enregistrer la note")  # the same form, sent again (a double click, a resend)
    assert again.text.count("Dossier complet.") == 1
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ApplicationNote)) == 1


def test_notes_go_with_their_application_at_the_end_of_its_retention(app, agent_browser):
    add(app, values(1), values(2))
    for number in (1, 2):
        agent_browser.get(f"/agents/demandes/{number}").fill("Note interne", f"Note {number}").submit(
            "Enregistrer la note"
        )
    with app.app_context():
        db.session.get(Application, 1).purge_after = utcnow() - timedelta(days=1)
        db.session.commit()
        retention.purge()
        assert [n.body for n in db.session.scalars(select(ApplicationNote))] == ["Note 2"]


# --- header ---------------------------------------------------------------------------------------------------


def test_the_agents_logo_leads_to_the_queue(app, agent_browser):
    brand = agent_browser.get("/agents/tableau-de-bord").soup.select_one("a.header__brand")
    assert brand["href"] == "/agents/"


# --- probable duplicates --------------------------------------------------------------------------------------


def test_the_application_page_warns_of_probable_duplicates(app, agent_browser):
    first = datetime(2026, 3, 2, 9, 30)
    add(
        app,
        values(1, created_at=first),  # LÉGER, MARTIN, Gérôme Élodie
        # The same names, typed otherwise (folded alike).
        values(9, created_at=first + timedelta(days=20), birth_name="Leger", first_names="GEROME-ELODIE"),
        values(3, created_at=first + timedelta(days=40), email="FAMILLE.1@example.org"),  # same e-mail, case aside
        values(17, created_at=first - timedelta(days=500), first_names="Gérôme Élodie"),  # the same, too long ago
        values(4, created_at=first + timedelta(days=3)),  # another family
    )
    page = agent_browser.get("/agents/demandes/1")
    warning = page.soup.select_one(".duplicates")
    assert warning is not None and warning.h2.get_text() == "Doublon probable"
    items = [li.get_text(" ", strip=True) for li in warning.select("li")]
    assert len(items) == 2
    assert items[0].startswith("PF-2026-000003 (Déposée") and items[0].endswith(": même courriel")
    assert items[1].startswith("PF-2026-000009 (Déposée") and items[1].endswith(": mêmes noms")
    assert agent_browser.get("/agents/demandes/4").soup.select_one(".duplicates") is None


def test_a_households_other_demarche_is_no_duplicate(app, agent_browser):
    add(app, values(1))
    creche_id = make_request(app, birth_name="DUPONT", first_names="SOPHIE", email="famille.1@example.org")
    assert agent_browser.get(f"/agents/demandes/{creche_id}").soup.select_one(".duplicates") is None


# --- confirmation before a mail to the family -----------------------------------------------------------------


def test_a_refusal_is_confirmed_before_the_family_is_mailed_once(app, agent_browser, mailbox):
    add(app, values(1, status="in_review"))
    page = agent_browser.get("/agents/demandes/1").fill("Motif du refus", "Votre adresse n'est pas dans la commune.")
    confirmation = page.submit("Refuser")
    assert confirmation.status == 200 and confirmation.h1 == "Confirmer : Refuser"
    assert "Un courriel sera envoyé à la famille (famille.1@example.org)" in confirmation.text
    assert "Votre adresse n'est pas dans la commune." in confirmation.text
    # Nothing is done nor sent before the agent confirms; « Annuler » goes back to the application.
    with app.app_context():
        assert db.session.get(Application, 1).status == "in_review"
    assert mailbox.received() == []
    assert confirmation.click("Annuler").h1 == "Demande PF-2026-000001"
    done = confirmation.submit("Confirmer et envoyer le courriel")
    assert "Demande refusée. La famille en est informée par courriel." in done.text
    assert done.soup.select_one(".tag--status").get_text() == "Refusée"
    again = confirmation.submit("Confirmer et envoyer le courriel")  # a second click, a second tab
    assert again.status == 409 and "déjà « Refusée »" in again.text
    mails = mailbox.received()
    assert len(mails) == 1 and "Votre adresse n'est pas dans la commune." in mails[0].get_content()


def test_a_crèche_change_is_confirmed_too(app, agent_browser, mailbox):
    application_id = make_request(app)
    page = agent_browser.get(f"/agents/demandes/{application_id}").fill("Motif du retrait", "Déménagement")
    confirmation = page.submit("Retirer la demande")
    assert (
        confirmation.h1 == "Confirmer : Retirer la demande"
        and "Un courriel sera envoyé à la famille" in confirmation.text
    )
    assert mailbox.received() == []
    assert "Demande retirée." in confirmation.submit("Confirmer et envoyer le courriel").text
    assert len(mailbox.received()) == 1
