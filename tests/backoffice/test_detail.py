"""An application's page: what the family gave, the certified facts and their provenance, the decision and its
why, documents (agents only, as attachments), the QF check on a document, the attestation. Applications are
made through the real citizen wizard."""

import email
import email.policy
import re
from datetime import UTC, datetime

from sqlalchemy import select

from passfamille import create_app
from passfamille.extensions import db
from passfamille.formatting import TIMEZONE, euros
from passfamille.models import Application, AuditEvent

from ..formclient import Browser
from ..functional.journeys import DUPONT, EMAIL, MSA_MARTIN, add_child, fill_identity, finish, start, through_api
from .agents import logged_in, make_agent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCUMENT_ROUTE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
AGENT = "agent@val-fleuri.example"


# --- applications made as a family would ------------------------------------------------------------------------


def latest_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Application.id).order_by(Application.id.desc()))


def apply_with_document(app, qf="800") -> int:
    """DUPONT applies with a QF certificate (QF typed from it), one child and an address in the commune."""
    page = start(Browser(app.test_client()), DOCUMENT_ROUTE)
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = page.fill("Quotient familial indiqué sur le document, en euros", qf).submit("Continuer")
    page = add_child(page, "Lou", ("01", "02", "2019"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    finish(page.submit("Continuer"))
    return latest_id(app)


def apply_through_api(app, person=DUPONT) -> int:
    """A family whose facts come from the CAF/MSA (DUPONT: QF 900 €, tranche B, status "Déposée")."""
    page = through_api(Browser(app.test_client()), person).choose("Oui, elles sont correctes").submit("Continuer")
    finish(page.submit("Continuer"))
    return latest_id(app)


def load(app, application_id) -> Application:
    with app.app_context():
        application = db.session.get(Application, application_id)
        _ = application.documents, application.pass_famille.qf_verified_by, [e.agent for e in application.events]
        db.session.expunge_all()
        return application


def mails_to(mailbox, address=EMAIL) -> list[str]:
    """The bodies of the mails received by the local SMTP server for this address, in order."""
    bodies = []
    for envelope in mailbox.messages:
        if address in envelope.rcpt_tos:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            bodies.append(message.get_body().get_content())
    return bodies


def family_link(body: str) -> str:
    return re.search(r"http://127\.0\.0\.1:5000(/demande/suivi/\S+)", body).group(1)


def today() -> str:
    return datetime.now(UTC).astimezone(TIMEZONE).strftime("%d/%m/%Y")


def page_of(browser, application_id):
    return browser.get(f"/agents/demandes/{application_id}")


# --- the page --------------------------------------------------------------------------------------------------


def test_page_shows_what_the_family_gave_the_certified_facts_and_the_decision(app, agent_browser):
    application_id = apply_through_api(app)
    page = page_of(agent_browser, application_id)
    application = load(app, application_id)
    assert page.status == 200 and page.h1 == f"Demande {application.reference}"
    assert page.title == f"Demande {application.reference} – Espace agents – Ville de Val-Fleuri"
    assert len(page.soup.find_all("h1")) == 1
    assert "Déposée" in page.text and "DUPONT" in page.text and "SOPHIE" in page.text and EMAIL in page.text
    assert "LAURA, né ou née le 15/11/2013 CAF/MSA" in page.text
    address = page.soup.find("dt", string="Adresse").find_next_sibling("dd").get_text(" ", strip=True)
    assert address == "15 COURS JULIEN, 13006 MARSEILLE CAF/MSA"  # certified by the CAF, not typed
    facts = page.soup.find(id="qf-titre").find_parent("section").get_text(" ", strip=True)
    assert "900\u00a0€" in facts and "CAF" in facts and application.api_request_id in facts
    assert "X-Request-ID" in facts and today() in facts
    decision = page.soup.find(id="decision-titre").find_parent("section").get_text(" ", strip=True)
    assert "Éligible : Tranche B, pass à 10\u00a0€, 40 % de réduction" in decision
    assert "délibération n° 2025-112 du 15/12/2025" in decision
    assert "LAURA, INES, MAXIME" in decision
    history = page.soup.find(id="historique-titre").find_parent("section").get_text(" ", strip=True)
    assert "Demande déposée" in history and "La famille" in history
    assert all(re.fullmatch(r"/agents/demandes/\d+", url) or "demande" not in url for url in agent_browser.visited)


def test_reasons_are_french_sentences(app, agent_browser):
    application_id = apply_through_api(app, MSA_MARTIN)
    page = page_of(agent_browser, application_id)
    assert "Non éligible selon les règles." in page.text
    assert "n'est pas dans la commune : le pass est réservé aux habitants de la commune." in page.text
    assert "NOT_RESIDENT" not in page.text


def test_an_unknown_application_is_a_404_page(app, agent_browser):
    page = agent_browser.get("/agents/demandes/999")
    assert page.status == 404 and page.h1 == "Page introuvable"


# --- documents ----------------------------------------------------------------------------------------------------


def test_documents_are_downloaded_by_agents_only_as_attachments(app, agent_browser):
    application_id = apply_with_document(app)
    page = page_of(agent_browser, application_id)
    assert "indiqué par la famille d'après son justificatif à vérifier" in page.text
    assert "vérifiez-le sur le document" in page.text
    link = page.soup.find("a", string=re.compile("^Télécharger"))
    assert "PDF" in link.get_text() and not link["href"].startswith("/static")
    response = agent_browser.client.get(link["href"])
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"

    logged_out = app.test_client().get(link["href"])
    assert logged_out.status_code == 303 and logged_out.headers["Location"].endswith("/agents/connexion")
    assert agent_browser.client.get("/agents/documents/999").status_code == 404


def test_a_document_opens_in_the_browser_with_its_type_and_a_strict_policy(app, agent_browser):
    application_id = apply_with_document(app)
    page = page_of(agent_browser, application_id)
    link = next(a for a in page.soup.find_all("a") if a.get_text().startswith("Voir dans le navigateur"))
    assert link is not None and link["target"] == "_blank"
    response = agent_browser.client.get(link["href"])
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "form-action 'none'" in policy
    assert response.headers["Cache-Control"] == "no-store"
    logged_out = app.test_client().get(link["href"])
    assert logged_out.status_code == 303 and logged_out.headers["Location"].endswith("/agents/connexion")
    assert agent_browser.client.get("/agents/documents/999/apercu").status_code == 404


# --- QF verification --------------------------------------------------------------------------------------------


def test_confirming_the_qf_keeps_the_decision_audits_and_deletes_the_file(app, agent_browser, stored_proofs):
    application_id = apply_with_document(app, "800")
    assert len(stored_proofs()) == 1
    page = page_of(agent_browser, application_id)
    assert page.value("Quotient familial lu sur le document") == "800"
    page = page.submit("Enregistrer la vérification")
    assert page.status == 200 and "Quotient familial vérifié" in page.text
    assert f"Vérifié par {AGENT}, le {today()}" in page.text
    assert not page.has_label("Quotient familial lu sur le document")  # once only
    assert stored_proofs() == {}
    assert "le justificatif a été supprimé après vérification" in page.text

    application = load(app, application_id)
    assert (
        application.pass_famille.qf_value,
        application.pass_famille.bracket_code,
        application.pass_famille.tariff,
    ) == (800, "B", "10")
    assert (
        application.pass_famille.qf_verified_by.email == AGENT and application.pass_famille.qf_verified_at is not None
    )
    assert application.documents == []
    events = [(e.action, e.detail, e.agent.email) for e in application.events]
    assert events == [
        ("qf_verified", "QF vérifié : 800\u00a0€ confirmé", AGENT),
        ("document_deleted", "Justificatif supprimé après vérification", AGENT),
    ]


def test_correcting_the_qf_decides_again_with_the_same_rules(app, agent_browser):
    application_id = apply_with_document(app, "800")
    before = load(app, application_id)
    assert before.pass_famille.bracket_code == "B"
    page = page_of(agent_browser, application_id).fill("Quotient familial lu sur le document", "1 500")
    page = page.submit("Enregistrer la vérification")
    decision = page.soup.find(id="decision-titre").find_parent("section").get_text(" ", strip=True)
    assert "Éligible : Tranche D, pass à 30\u00a0€, 20 % de réduction" in decision
    assert f"corrigé de {euros(800)} à {euros(1500)} ; tranche : B → D" in page.text

    application = load(app, application_id)
    assert (
        application.pass_famille.qf_value,
        application.pass_famille.qf_source,
        application.pass_famille.bracket_code,
    ) == (1500, "document", "D")
    pf = application.pass_famille
    assert pf.decision["bracket"]["code"] == "D" and pf.tariff == "30"
    assert application.pass_famille.rules_version == before.pass_famille.rules_version
    assert application.pass_famille.decision["decided_on"] == before.created_at.date().isoformat()


def test_a_qf_that_is_not_a_number_is_refused_at_the_field(app, agent_browser, stored_proofs):
    application_id = apply_with_document(app, "800")
    page = page_of(agent_browser, application_id).fill("Quotient familial lu sur le document", "huit cents")
    page = page.submit("Enregistrer la vérification")
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert "nombre entier d'euros" in page.field_error("Quotient familial lu sur le document")
    assert page.value("Quotient familial lu sur le document") == "huit cents"
    application = load(app, application_id)
    assert application.pass_famille.qf_verified_at is None and application.events == []
    assert len(stored_proofs()) == 1


def test_verifying_twice_says_so_without_error(app, agent_browser):
    application_id = apply_with_document(app, "800")
    page = page_of(agent_browser, application_id)
    page.submit("Enregistrer la vérification")
    again = page.submit("Enregistrer la vérification")  # the same form, sent again
    assert again.status == 409 and "déjà vérifié" in again.text
    assert len([e for e in load(app, application_id).events if e.action == "qf_verified"]) == 1


def test_the_qf_of_an_api_application_has_nothing_to_verify(app, agent_browser):
    application_id = apply_through_api(app)
    page = page_of(agent_browser, application_id)
    assert not page.has_label("Quotient familial lu sur le document")
    # The verification form of another application, pointed at this one.
    other = page_of(agent_browser, apply_with_document(app))
    other.soup.find("button", string="Enregistrer la vérification").find_parent("form")["action"] = (
        f"/agents/demandes/{application_id}/verification-qf"
    )
    response = other.submit("Enregistrer la vérification")
    assert response.status == 409 and "vient de la CAF ou de la MSA : il n'y a rien à vérifier" in response.text
    assert load(app, application_id).pass_famille.qf_value == 900 and load(app, application_id).events == []


# --- attestation ------------------------------------------------------------------------------------------------


def test_the_attestation_of_an_accepted_application_is_printable(app, agent_browser):
    application_id = apply_through_api(app)
    assert agent_browser.get(f"/agents/demandes/{application_id}/attestation").status == 404  # not accepted yet
    page = (
        page_of(agent_browser, application_id)
        .submit("Prendre en charge")
        .submit("Confirmer et envoyer le courriel")
        .submit("Accepter")
        .submit("Confirmer et envoyer le courriel")
    )
    assert "Numéro du pass" in page.text
    page = page.click("Voir l'attestation à imprimer")
    application = load(app, application_id)
    pf = application.pass_famille
    assert page.status == 200 and page.h1 == "Attestation Pass Famille"
    text = page.soup.select_one(".attestation").get_text(" ", strip=True)
    for expected in [
        "Ville de Val-Fleuri",
        "SOPHIE DUPONT",
        "LAURA, né ou née le 15/11/2013",
        pf.pass_number,
        f"du {pf.pass_valid_from:%d/%m/%Y} au {pf.pass_valid_until:%d/%m/%Y}",
        "Tranche B : pass à 10\u00a0€, 40 % de réduction",
        application.reference,
        f"Délivrée le {today()}",
    ]:
        assert expected in text, expected
    assert "LOUISE" not in text  # 19 years old: not covered
    assert page.soup.select_one(".attestation img.attestation__logo") is not None


def test_audit_rows_say_who_when_from_and_to(app, agent_browser):
    application_id = apply_through_api(app)
    page_of(agent_browser, application_id).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    with app.app_context():
        event = db.session.scalars(select(AuditEvent)).one()
        assert (event.agent.email, event.from_status, event.to_status, event.action) == (
            AGENT,
            "submitted",
            "in_review",
            "status",
        )
        assert (datetime.now(UTC).replace(tzinfo=None) - event.at).total_seconds() < 60


def test_a_second_agent_sees_who_verified(app, agent_browser):
    application_id = apply_with_document(app)
    page_of(agent_browser, application_id).submit("Enregistrer la vérification")
    make_agent(app, "collegue@val-fleuri.example")
    from .agents import logged_in

    page = page_of(logged_in(app, "collegue@val-fleuri.example"), application_id)
    assert f"Vérifié par {AGENT}, le {today()}" in page.text


def test_a_commune_may_keep_proofs_after_verification(app_config, settings_keeping_proofs, stored_proofs):
    keeping = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings_keeping_proofs)})
    application_id = apply_with_document(keeping, "800")
    make_agent(keeping)
    page = page_of(logged_in(keeping), application_id).submit("Enregistrer la vérification")
    assert f"Vérifié par {AGENT}" in page.text
    assert len(stored_proofs()) == 1
    assert len(load(keeping, application_id).documents) == 1
