"""Actions on the rows ticked in the queue: « Suivre ces dossiers » and « Passer en instruction ». Each row changes
at most once; what is left as it was is counted and said; the selection travels in the body, at most one page."""

from sqlalchemy import select, update

from passfamille.extensions import db
from passfamille.models import Agent, Application, AuditEvent

from ..creche_factory import make_request
from .agents import make_agent
from .queue_rows import add, values

COLLEAGUE = "collegue@val-fleuri.example"


def selection(page, button: str, ticked=(), everything: bool = False) -> dict:
    """What the queue's form posts when the rows `ticked` (by their label, the reference) are ticked and `button`
    is pressed; `everything`: « Tout sélectionner sur cette page » ticked, as without JavaScript."""
    form = page.soup.find("form", id="selection")
    assert form is not None, "Pas de sélection sur la liste"
    data: dict[str, list[str]] = {}
    for element in form.find_all("input", type="hidden"):
        data.setdefault(element["name"], []).append(element["value"])
    for reference in ticked:
        label = next(lb for lb in form.find_all("label") if lb.get_text(strip=True) == reference)
        data.setdefault("dossier", []).append(form.find("input", id=label["for"])["value"])
    if everything:
        label = next(
            lb for lb in form.find_all("label") if lb.get_text(strip=True) == "Tout sélectionner sur cette page"
        )
        data["tout"] = [form.find("input", id=label["for"])["value"]]
    [pressed] = [b for b in form.find_all("button") if b.get_text(strip=True) == button]
    data[pressed["name"]] = [pressed["value"]]
    return data


def act(browser, page, button: str, ticked=(), everything: bool = False):
    return browser.post("/agents/selection", selection(page, button, ticked, everything))


def confirm(browser, page, button: str):
    """Press `button` of the confirmation: its hidden fields, the selection's several `dossier` among them."""
    [pressed] = [b for b in page.soup.find_all("button") if b.get_text(strip=True) == button]
    form = pressed.find_parent("form")
    data: dict[str, list[str]] = {}
    for element in form.find_all("input", type="hidden"):
        data.setdefault(element["name"], []).append(element["value"])
    return browser.post(form["action"], data)


def owners(app) -> dict[int, str | None]:
    with app.app_context():
        return {
            a.id: a.assigned_agent.email if a.assigned_agent else None
            for a in db.session.scalars(select(Application).order_by(Application.id))
        }


def events(app, action: str) -> list[int]:
    with app.app_context():
        return sorted(db.session.scalars(select(AuditEvent.application_id).where(AuditEvent.action == action)))


def flashed(page) -> list[str]:
    return [p.get_text(" ", strip=True) for p in page.soup.select(".alert p")]


def give_to_colleague(app, *ids: int) -> None:
    colleague_id = make_agent(app, COLLEAGUE)
    with app.app_context():
        db.session.execute(update(Application).where(Application.id.in_(ids)).values(assigned_agent_id=colleague_id))
        db.session.commit()


def test_suivre_ces_dossiers_follows_the_free_rows_and_says_who_has_the_others(app, agent_browser):
    add(app, *(values(n) for n in range(1, 6)))
    give_to_colleague(app, 2)
    queue = agent_browser.get("/agents/")

    page = act(agent_browser, queue, "Suivre ces dossiers", ["PF-2026-000001", "PF-2026-000002", "PF-2026-000003"])

    assert page.h1 == "Demandes"
    assert flashed(page) == [f"2 dossiers mis à jour, 1 ignoré (déjà pris en charge par {COLLEAGUE})."]
    me = "agent@val-fleuri.example"
    assert owners(app) == {1: me, 2: COLLEAGUE, 3: me, 4: None, 5: None}
    assert events(app, "assigned") == [1, 3]


def test_a_double_submit_of_suivre_ces_dossiers_changes_each_row_once(app, agent_browser):
    add(app, *(values(n) for n in range(1, 4)))
    data = selection(agent_browser.get("/agents/"), "Suivre ces dossiers", ["PF-2026-000001", "PF-2026-000002"])

    first = agent_browser.post("/agents/selection", data)
    again = agent_browser.post("/agents/selection", data)

    assert flashed(first) == ["2 dossiers mis à jour."]
    assert flashed(again) == ["0 dossier mis à jour, 2 ignorés (déjà suivis par vous)."]
    assert events(app, "assigned") == [1, 2]


def test_tout_selectionner_without_javascript_takes_the_rows_of_the_page_only(app, agent_browser):
    add(app, *(values(n) for n in range(1, 53)))  # 52 rows: a page of 50, and 2 on page 2
    queue = agent_browser.get("/agents/?tri=reference")

    page = act(agent_browser, queue, "Suivre ces dossiers", everything=True)

    assert flashed(page) == ["50 dossiers mis à jour."]
    assert [n for n, owner in owners(app).items() if owner is None] == [51, 52]


def test_the_filters_of_the_list_are_kept_after_an_action(app, agent_browser):
    add(app, *(values(n) for n in range(1, 4)))
    queue = agent_browser.get("/agents/?tri=reference&suivi=personne")

    page = act(agent_browser, queue, "Suivre ces dossiers", ["PF-2026-000002"])

    assert page.url.endswith("/agents/?tri=reference&suivi=personne")
    assert [a.get_text(strip=True) for a in page.soup.select("table.queue tbody th a")] == [
        "PF-2026-000001",
        "PF-2026-000003",
    ]


def test_a_selection_is_posted_and_never_put_in_the_url(app, agent_browser):
    add(app, values(1))
    form = agent_browser.get("/agents/").soup.find("form", id="selection")
    assert form["method"] == "post"
    act(agent_browser, agent_browser.get("/agents/"), "Suivre ces dossiers", ["PF-2026-000001"])
    assert not [url for url in agent_browser.visited if "dossier" in url or "selection?" in url]
    assert agent_browser.client.get("/agents/selection?dossier=1").status_code == 405


def test_an_empty_too_large_or_forged_selection_is_said_in_french_and_changes_nothing(app, agent_browser):
    add(app, *(values(n) for n in range(1, 4)))
    queue = agent_browser.get("/agents/")
    nothing = act(agent_browser, queue, "Suivre ces dossiers")
    assert flashed(nothing) == ["Cochez au moins une demande dans la liste"]

    data = selection(queue, "Suivre ces dossiers")
    for forged in ([str(n) for n in range(1, 52)], ["1", "deux"], ["²"], ["1" * 40]):
        page = agent_browser.post("/agents/selection", data | {"dossier": forged})
        assert page.response.status_code == 200
        assert flashed(page)[0] in (
            "Sélectionnez au plus 50 demandes à la fois (une page de la liste)",
            "La sélection n'est pas valide : rechargez la liste et cochez les demandes à nouveau",
        ), forged
    unknown = agent_browser.post("/agents/selection", data | {"dossier": ["999"]})
    assert flashed(unknown) == ["0 dossier mis à jour, 1 ignoré (introuvables)."]
    assert set(owners(app).values()) == {None}


def test_passer_en_instruction_asks_first_then_mails_each_family_once(app, agent_browser, mailbox):
    add(app, values(1), values(2), values(3, qf_source="document"))  # the third is « Déposée, à vérifier »
    creche_id = make_request(app, child_first_name="Léo")
    mailbox.clear()
    queue = agent_browser.get("/agents/")
    with app.app_context():
        creche_ref = db.session.get(Application, creche_id).reference
    ticked = ["PF-2026-000001", "PF-2026-000002", "PF-2026-000003", creche_ref]

    asked = act(agent_browser, queue, "Passer en instruction", ticked)

    assert asked.h1 == "Confirmer : passer en instruction"
    assert "2 familles recevront un courriel" in asked.text
    assert "2 sont ignorées (pas au statut « Déposée » du Pass Famille)" in asked.text
    assert events(app, "status") == []  # nothing changes before the confirmation

    done = confirm(agent_browser, asked, "Confirmer et envoyer les courriels")
    again = confirm(agent_browser, asked, "Confirmer et envoyer les courriels")  # a double click, or a second tab

    assert flashed(done) == ["2 dossiers mis à jour, 2 ignorés (pas au statut « Déposée » du Pass Famille)."]
    assert flashed(again) == ["0 dossier mis à jour, 4 ignorés (pas au statut « Déposée » du Pass Famille)."]
    with app.app_context():
        statuses = dict(db.session.execute(select(Application.id, Application.status)).all())
        assert [statuses[n] for n in (1, 2, 3)] == ["in_review", "in_review", "to_verify"]
        assert statuses[creche_id] != "in_review"
        assert db.session.scalar(select(Agent.email).join(AuditEvent)) == "agent@val-fleuri.example"
    assert events(app, "status") == [1, 2]
    for n in (1, 2):
        [body] = [m for m in mails_to(mailbox, f"famille.{n}@example.org")]
        assert "est en cours d'examen par un agent de la mairie" in body
    assert mails_to(mailbox, "famille.3@example.org") == []


def test_passer_en_instruction_with_no_application_deposee_mails_nobody(app, agent_browser, mailbox):
    add(app, values(1, qf_source="document"))
    asked = act(agent_browser, agent_browser.get("/agents/"), "Passer en instruction", ["PF-2026-000001"])

    assert "1 est ignorée" in asked.text
    assert "recevr" not in asked.text
    assert not [b for b in asked.soup.find_all("button") if "Confirmer" in b.get_text()]


def mails_to(mailbox, address: str) -> list[str]:
    from .test_detail import mails_to as bodies

    return bodies(mailbox, address)
