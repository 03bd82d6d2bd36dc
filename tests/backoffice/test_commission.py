"""The crèche commission: waiting lists per structure and section in the order of creche.waiting_list, offering a
place (mail, list moving up), errors next to the date field, and no commission without a crèche section."""

from datetime import UTC, date, datetime, timedelta

from passfamille import clock, create_app
from passfamille.extensions import db
from passfamille.models import Application

from ..creche_factory import make_request
from .agents import logged_in, make_agent

LIST = "/agents/creche/pioupious/bebes"


def reference(app, application_id):
    with app.app_context():
        return db.session.get(Application, application_id).reference


def waiting_rows(page) -> list[list[str]]:
    table = page.soup.find("caption", string=lambda s: s and s.startswith("Demandes en attente")).find_parent("table")
    return [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]


def test_waiting_list_is_ordered_by_points_then_date_with_points_explained(app, agent_browser):
    same_moment = datetime(2026, 9, 1, 9)
    early = make_request(app, criteria=["residence"], created_at=same_moment)
    more_points = make_request(app, criteria=["residence", "parent-seul"], created_at=datetime(2026, 10, 1, 9))
    tie_recorded_later = make_request(app, criteria=["residence"], created_at=same_moment)
    second_wish = make_request(
        app,
        wishes=[("coquelicots", "bebes"), ("pioupious", "bebes")],
        criteria=["fratrie"],
        child_due_date=date(2026, 11, 1),
        created_at=datetime(2026, 8, 1, 9),
    )
    page = agent_browser.get("/agents/creche").click("Bébés – Multi-accueil Les Pioupious")
    assert page.status == 200 and page.h1 == "Multi-accueil Les Pioupious : Bébés"
    rows = waiting_rows(page)
    assert [row[1] for row in rows] == [
        reference(app, i) for i in (more_points, early, tie_recorded_later, second_wish)
    ]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    first = rows[0]
    assert first[2] == "7 mois" and first[3] == "04/01/2027" and first[4] == "4 jours, 36 h par semaine"
    assert first[5] == "1er choix"
    assert first[6].startswith("60 points")
    assert "Parent qui élève seul son enfant : 20 justificatif manquant" in first[6]
    assert "La famille habite Val-Fleuri : 40" in first[6]
    assert rows[3][2] == "à naître, terme le 01/11/2026" and rows[3][5] == "2e choix"
    assert rows[3][6].startswith("15 points") and "justificatif" not in rows[3][6]  # none required for fratrie
    assert first[7] == "01/10/2026 à 11:00"  # the commune's clock
    # The form of each row starts from the desired start date.
    assert page.value(f"Date d'entrée proposée pour {reference(app, more_points)}") == "04/01/2027"


def test_offering_a_place_mails_the_family_and_the_others_move_up(app, agent_browser, mailbox):
    first = make_request(app, criteria=["residence", "fratrie"], email="premiere@example.org")
    second = make_request(app, criteria=["residence"], email="seconde@example.org")
    ref = reference(app, first)
    start = (date.today() + timedelta(days=30)).strftime("%d/%m/%Y")
    page = agent_browser.get(LIST).fill(f"Date d'entrée proposée pour {ref}", start)
    page = page.submit(f"Proposer une place à la demande {ref}")
    # The offer mails the family: nothing is done before the agent confirms what will be sent.
    assert page.h1 == "Confirmer : Proposer une place"
    assert "Un courriel sera envoyé à la famille (premiere@example.org)" in page.text
    deadline = (date.today() + timedelta(days=8)).strftime("%d/%m/%Y")
    assert f"Date d'entrée proposée : {start}" in page.text and f"Réponse attendue avant le {deadline}" in page.text
    assert "Multi-accueil Les Pioupious, Bébés" in page.text
    assert mailbox.received() == [] and waiting_rows(agent_browser.get(LIST))[0][1] == ref
    page = page.submit("Confirmer et envoyer le courriel")
    assert page.url.endswith(LIST)  # Post/Redirect/Get
    assert f"Place proposée pour la demande {ref}, entrée le {start}" in page.text
    assert "La famille en est informée par courriel" in page.text
    rows = waiting_rows(page)
    assert [(row[0], row[1]) for row in rows] == [("1", reference(app, second))]
    offered = page.soup.find("caption", string=lambda s: s and s.startswith("Propositions")).find_parent("table")
    cells = [c.get_text(" ", strip=True) for c in offered.select("tbody tr")[0].find_all(["th", "td"])]
    assert cells[0] == ref and cells[1] == "Place proposée" and cells[3:] == [start, deadline]
    (message,) = mailbox.received("premiere@example.org")
    body = message.get_content()
    assert "Multi-accueil Les Pioupious" in body and f"Date d'entrée proposée : {start}" in body
    assert mailbox.received("seconde@example.org") == []
    detail = page.click(ref)
    assert "Place proposée" in detail.soup.select_one(".tag--status").get_text()
    assert "Multi-accueil Les Pioupious, Bébés" in detail.text
    history = detail.soup.select("table.history tbody tr")[-1].get_text(" ", strip=True)
    assert "agent@val-fleuri.example" in history and "En attente → Place proposée" in history
    overview = page.click("Retour à la commission des crèches")
    row = overview.soup.find("a", href=LIST).find_parent("tr")
    assert [td.get_text(" ", strip=True) for td in row.find_all("td")] == ["9 places libres sur 10", "1", "1", "0", "0"]


def test_near_midnight_on_a_utc_server_the_offer_counts_from_the_communes_day(app, agent_browser, mailbox, monkeypatch):
    # 31 December 2026, 23:30 UTC: already 1 January 2027, 00:30, in Val-Fleuri. The family has 8 days from the
    # commune's day (answer by 9 January), and an entry on 31 December is a day already past.
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    first = make_request(app, criteria=["residence"], email="premiere@example.org")
    ref = reference(app, first)
    label = f"Date d'entrée proposée pour {ref}"

    page = agent_browser.get(LIST).fill(label, "31/12/2026").submit(f"Proposer une place à la demande {ref}")
    assert page.status == 400 and "aujourd'hui ou plus tard" in page.field_error(label)

    page = agent_browser.get(LIST).fill(label, "04/01/2027").submit(f"Proposer une place à la demande {ref}")
    assert page.h1 == "Confirmer : Proposer une place" and "Réponse attendue avant le 09/01/2027" in page.text
    page = page.submit("Confirmer et envoyer le courriel")
    assert f"Place proposée pour la demande {ref}, entrée le 04/01/2027 ; réponse attendue avant le 09/01/2027" in (
        page.text
    )
    (message,) = mailbox.received("premiere@example.org")
    assert "avant le 09/01/2027" in message.get_content()
    with app.app_context():
        assert db.session.get(Application, first).creche.offer_deadline == date(2027, 1, 9)


def test_an_empty_or_invalid_start_date_is_shown_at_the_field_and_kept(app, agent_browser, mailbox):
    first = make_request(app, criteria=["residence"])
    ref = reference(app, first)
    label = f"Date d'entrée proposée pour {ref}"
    for typed, message in [
        ("", "Indiquez la date d'entrée proposée"),
        ("31/02/2027", "n'existe pas ou n'est pas au format JJ/MM/AAAA"),
        ("demain", "n'existe pas ou n'est pas au format JJ/MM/AAAA"),
        ("01/01/2020", "aujourd'hui ou plus tard"),
    ]:
        page = agent_browser.get(LIST).fill(label, typed).submit(f"Proposer une place à la demande {ref}")
        assert page.status == 400 and page.title.startswith("Erreur : "), typed
        assert message in page.field_error(label), typed
        assert message in " ".join(page.error_summary()), typed
        assert page.value(label) == typed
    assert mailbox.received() == []
    assert waiting_rows(agent_browser.get(LIST))[0][1] == ref


def test_offering_to_a_request_no_longer_waiting_says_why(app, agent_browser):
    first = make_request(app, criteria=["residence"])
    ref = reference(app, first)
    page = agent_browser.get(LIST)
    # Another agent offers first: the stale form meets the workflow's refusal, before any confirmation.
    agent_browser.get(LIST).submit(f"Proposer une place à la demande {ref}").submit("Confirmer et envoyer le courriel")
    page = page.submit(f"Proposer une place à la demande {ref}")
    assert page.status == 409 and page.h1 == "Multi-accueil Les Pioupious : Bébés"
    assert "Cette demande est « Place proposée »" in page.soup.select_one(".alert--error").get_text()


def test_cancelling_the_offer_confirmation_offers_nothing_and_goes_back_to_the_list(app, agent_browser, mailbox):
    ref = reference(app, make_request(app, criteria=["residence"]))
    page = agent_browser.get(LIST).submit(f"Proposer une place à la demande {ref}")
    assert page.status == 200 and page.h1 == "Confirmer : Proposer une place"
    back = page.click("Annuler")
    assert back.h1 == "Multi-accueil Les Pioupious : Bébés"
    assert [row[1] for row in waiting_rows(back)] == [ref]
    assert mailbox.received() == []
    assert page.click("Retour à la liste d'attente Multi-accueil Les Pioupious, Bébés").url.endswith(LIST)


def test_the_commission_exists_only_with_a_creche_section(app_config, settings_without_creche):
    app = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings_without_creche)})
    make_agent(app)
    browser = logged_in(app)
    home = browser.get("/agents/")
    assert not home.soup.find("a", string="Crèches")
    for url in ("/agents/creche", LIST, "/agents/creche/demandes.csv"):
        assert browser.get(url).status == 404, url


def test_the_menu_leads_to_the_commission_and_unknown_sections_are_404(app, agent_browser):
    page = agent_browser.get("/agents/").click("Crèches")
    assert page.h1 == "Commission des crèches"
    assert page.soup.find("a", attrs={"aria-current": "page"}).get_text() == "Crèches"
    assert agent_browser.get("/agents/creche/pioupious/inconnue").status == 404
    assert agent_browser.get("/agents/creche/inconnue/bebes").status == 404
