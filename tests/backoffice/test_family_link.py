"""The family's link (/demande/suivi/<token>), followed from the mail the local SMTP server received: no login,
the signed token is the key; it answers a request for a document and shows the attestation."""

import pytest

from ..formclient import Browser
from ..functional.journeys import finish
from ..functional.test_journeys import to_result_for_later_check
from .test_detail import AGENT, PDF, apply_through_api, family_link, latest_id, load, mails_to, page_of

REQUEST = "Votre attestation de quotient familial de moins de 3 mois"


@pytest.fixture
def requested(app, agent_browser, mailbox):
    """DUPONT's application, for which the agent asked a document; returns (id, the family's link)."""
    application_id = apply_through_api(app)
    page = page_of(agent_browser, application_id).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    page.fill("Pièce demandée à la famille", REQUEST).submit("Demander une pièce").submit(
        "Confirmer et envoyer le courriel"
    )
    link = family_link(mails_to(mailbox)[-1])
    mailbox.clear()
    return application_id, link


def family(app) -> Browser:
    return Browser(app.test_client())  # not logged in, no cookie of any kind


def test_the_family_sends_the_document_and_the_application_goes_back_to_review(
    app, agent_browser, requested, mailbox, stored_proofs
):
    application_id, link = requested
    page = family(app).get(link)
    assert page.status == 200 and page.h1 == "Envoyer le document demandé"
    assert REQUEST in page.text and load(app, application_id).reference in page.text
    page = page.attach("Votre document", "avis.pdf", PDF).submit("Envoyer le document")
    assert page.status == 200 and "Merci : votre document est bien envoyé à la mairie." in page.text
    assert page.h1 == "Votre demande de Pass Famille" and "Un agent de la mairie examine votre demande" in page.text

    application = load(app, application_id)
    assert application.status == "in_review"
    event = application.events[-1]
    assert (event.agent, event.from_status, event.to_status, event.detail) == (
        None,
        "documents_requested",
        "in_review",
        "pièce envoyée par la famille",
    )
    [document] = application.documents
    assert document.kind == "piece_demandee" and stored_proofs()[document.id] == PDF
    [body] = mails_to(mailbox)
    assert "Nous avons bien reçu le document demandé" in body

    agent_page = page_of(agent_browser, application_id)
    assert "Pièce envoyée par la famille (PDF, 1 Ko)" in agent_page.text
    assert "La famille Pièce demandée → En instruction pièce envoyée par la famille" in agent_page.text
    download = agent_page.soup.find("a", string=lambda s: s and s.startswith("Télécharger"))["href"]
    assert agent_browser.client.get(download).data == PDF


def test_a_used_link_no_longer_works(app, requested):
    _, link = requested
    family(app).get(link).attach("Votre document", "avis.pdf", PDF).submit("Envoyer le document")
    page = family(app).get(link)
    assert page.status == 404 and page.h1 == "Ce lien ne fonctionne plus"
    assert "pass-famille@val-fleuri.example" in page.text and "04 99 00 12 34" in page.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"bonjour", "Le fichier doit être au format PDF, JPEG ou PNG"),
        ("vide.pdf", b"", "Le fichier est vide : choisissez un autre fichier"),
        ("gros.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "Le fichier dépasse 10 Mo"),
    ],
)
def test_a_wrong_file_is_refused_in_french(app, requested, stored_proofs, name, content, message):
    application_id, link = requested
    page = family(app).get(link).attach("Votre document", name, content).submit("Envoyer le document")
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert message in page.field_error("Votre document")
    application = load(app, application_id)
    assert application.status == "documents_requested" and application.documents == []
    assert stored_proofs() == {}  # nothing stored, not even a part of the file


def test_sending_without_a_file_asks_for_one(app, requested):
    application_id, link = requested
    page = family(app).get(link).submit("Envoyer le document")
    assert page.status == 400 and "Choisissez le document à envoyer" in page.field_error("Votre document")
    assert load(app, application_id).status == "documents_requested"


def test_the_upload_refuses_a_missing_csrf_token(app, requested):
    application_id, link = requested
    page = family(app).get(link).attach("Votre document", "avis.pdf", PDF).submit("Envoyer le document", csrf=False)
    assert page.status == 400
    assert load(app, application_id).status == "documents_requested"


@pytest.mark.parametrize("token", ["nimportequoi", "eyJhcHBsaWNhdGlvbiI6MX0.AAAAAA.BBBBBBBB"])
def test_an_invalid_link_is_a_french_page_with_the_communes_contact(app, token):
    page = family(app).get(f"/demande/suivi/{token}")
    assert page.status == 404 and page.h1 == "Ce lien ne fonctionne plus"
    assert "pass-famille@val-fleuri.example" in page.text and "1 place de la Mairie" in page.text


def test_the_acceptance_mail_leads_to_the_attestation(app, agent_browser, mailbox):
    application_id = apply_through_api(app)
    page_of(agent_browser, application_id).submit("Prendre en charge").submit(
        "Confirmer et envoyer le courriel"
    ).submit("Accepter").submit("Confirmer et envoyer le courriel")
    page = family(app).get(family_link(mails_to(mailbox)[-1]))
    application = load(app, application_id)
    assert page.status == 200 and page.h1 == "Attestation Pass Famille"
    assert application.pass_famille.pass_number in page.text and "SOPHIE DUPONT" in page.text
    assert page.title == "Votre attestation – Pass Famille – Ville de Val-Fleuri"
    assert "Espace agents" not in page.text  # the family's page, not the back-office one


def test_a_family_without_qf_sends_a_document_and_the_agent_reads_it(app, browser, sandbox, agent_browser, mailbox):
    """The CAF could not be asked: the agent asks for a certificate, the family sends it, the agent types the QF
    read on it, and the rules decide."""
    finish(to_result_for_later_check(browser, sandbox))
    application_id = latest_id(app)
    page = page_of(agent_browser, application_id)
    assert "En attente de la CAF ou de la MSA" in page.text
    page = page.submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    assert "Le quotient familial n'est pas encore connu" in page.text
    page.fill("Pièce demandée à la famille", REQUEST).submit("Demander une pièce").submit(
        "Confirmer et envoyer le courriel"
    )
    family(app).get(family_link(mails_to(mailbox)[-1])).attach("Votre document", "qf.pdf", PDF).submit(
        "Envoyer le document"
    )
    page = page_of(agent_browser, application_id).fill("Quotient familial lu sur le document", "700")
    page = page.submit("Enregistrer la vérification")
    assert "QF vérifié : 700\u00a0€ lu sur le document ; tranche : aucune → B" in page.text
    page = page.submit("Accepter").submit("Confirmer et envoyer le courriel")
    application = load(app, application_id)
    assert application.status == "accepted" and (
        application.pass_famille.qf_value,
        application.pass_famille.bracket_code,
    ) == (700, "B")
    assert application.pass_famille.qf_verified_by.email == AGENT and application.documents == []
