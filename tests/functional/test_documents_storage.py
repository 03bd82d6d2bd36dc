"""Proofs are kept in the database, whole, with their row: a replaced proof leaves only the new one, the agents'
page lists proofs without reading their bytes, and a proof whose bytes are missing is listed and answers 404."""

import re

from sqlalchemy import delete, event, select

from passfamille.extensions import db
from passfamille.models import Application, DocumentContent

from ..backoffice.agents import logged_in, make_agent
from ..formclient import Browser
from .journeys import DUPONT, add_child, fill_identity, finish, start

DOCUMENT_ROUTE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
FIRST = b"%PDF-1.4 premier envoi"
SECOND = b"\x89PNG\r\n\x1a\n second envoi"


def to_the_proof(app):
    page = start(Browser(app.test_client()), DOCUMENT_ROUTE)
    return fill_identity(page, DUPONT).submit("Continuer")


def send(page, name, content):
    page = page.choose("Dernier avis d'imposition").attach("Votre justificatif", name, content)
    return page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")


def apply(app, content=FIRST) -> int:
    page = send(to_the_proof(app), "avis.pdf", content)
    page = add_child(page).fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006")
    finish(page.fill("Commune", "Marseille").submit("Continuer"))
    with app.app_context():
        return db.session.scalar(select(Application.id).order_by(Application.id.desc()))


def download_link(agent, application_id) -> str:
    page = agent.get(f"/agents/demandes/{application_id}")
    assert page.status == 200
    return page.soup.find("a", string=re.compile("^Télécharger"))["href"]


def test_a_proof_sent_again_replaces_the_first_one_whose_bytes_are_deleted(app, stored_proofs):
    page = send(to_the_proof(app), "avis.pdf", FIRST)
    assert page.h1 == "Votre foyer", page.error_summary()
    assert list(stored_proofs().values()) == [FIRST]
    page = send(page.browser.get("/demande/justificatif"), "avis.png", SECOND)
    assert page.h1 == "Votre foyer", page.error_summary()
    assert list(stored_proofs().values()) == [SECOND]


def test_the_agents_page_lists_proofs_without_reading_their_bytes(app, stored_proofs):
    application_id = apply(app)
    make_agent(app)
    agent = logged_in(app)
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    link = download_link(agent, application_id)
    assert statements and not any("document_content" in sql for sql in statements)

    response = agent.client.get(link)

    assert response.status_code == 200 and response.data == FIRST
    assert response.headers["Content-Type"] == "application/pdf"
    # Named after the application's reference and the document's number, whatever the family called it.
    assert re.fullmatch(
        r"attachment; filename=PF-\d{4}-\d{6}-piece-\d+\.pdf", response.headers["Content-Disposition"]
    ), response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert any("document_content" in sql for sql in statements)


def test_a_proof_whose_bytes_are_missing_is_listed_and_its_download_is_not_found(app, stored_proofs):
    application_id = apply(app)
    make_agent(app)
    agent = logged_in(app)
    with app.app_context():
        db.session.execute(delete(DocumentContent))
        db.session.commit()

    link = download_link(agent, application_id)

    response = agent.client.get(link)
    assert response.status_code == 404 and "Page introuvable" in response.get_data(as_text=True)
