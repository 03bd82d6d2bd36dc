"""Status changes from an application's page: each allowed one, each refused one, what it records (audit), and
the mail the family receives at the local SMTP server."""

from datetime import date, timedelta

import pytest

from passfamille.models import utcnow

from ..formclient import Browser
from .test_detail import AGENT, apply_through_api, apply_with_document, family_link, load, mails_to, page_of, today


@pytest.fixture
def submitted(app, mailbox):
    """DUPONT's application through the CAF: eligible, tranche B, "Déposée"; the receipt mail set aside."""
    application_id = apply_through_api(app)
    mailbox.clear()
    return application_id


def statuses(application) -> list[tuple[str, str, str]]:
    return [(e.from_status, e.to_status, e.agent.email if e.agent else None) for e in application.events]


def test_taking_an_application_in_charge(app, agent_browser, submitted, mailbox):
    page = page_of(agent_browser, submitted)
    assert [b.get_text(strip=True) for b in page.soup.select(".actions button")] == ["Prendre en charge"]
    page = page.submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    assert page.status == 200 and "Demande prise en charge. La famille en est informée par courriel." in page.text
    assert page.soup.select_one(".tag--status").get_text() == "En instruction"
    assert [b.get_text(strip=True) for b in page.soup.select(".actions button")] == [
        "Accepter",
        "Demander une pièce",
        "Refuser",
    ]
    application = load(app, submitted)
    assert application.status == "in_review"
    assert statuses(application) == [("submitted", "in_review", AGENT)]
    [body] = mails_to(mailbox)
    assert application.reference in body and "est en cours d'examen par un agent de la mairie" in body
    assert "Déposée → En instruction" in page.text and AGENT in page.text


def test_accepting_grants_a_pass_and_mails_the_attestation_link(app, agent_browser, submitted, mailbox):
    page = (
        page_of(agent_browser, submitted)
        .submit("Prendre en charge")
        .submit("Confirmer et envoyer le courriel")
        .submit("Accepter")
        .submit("Confirmer et envoyer le courriel")
    )
    application = load(app, submitted)
    assert (
        application.status == "accepted"
        and application.pass_famille.pass_number == f"PASS-{date.today().year}-{submitted:06d}"
    )
    assert application.pass_famille.pass_valid_from == date.today() and application.decided_at is not None
    pf = application.pass_famille
    assert pf.pass_valid_until.year == date.today().year + 1  # 12 months in the example settings
    assert f"Numéro du pass {application.pass_famille.pass_number}" in page.text
    assert f"du {today()} au {application.pass_famille.pass_valid_until:%d/%m/%Y}" in page.text
    assert statuses(application)[-1] == ("in_review", "accepted", AGENT)
    assert application.events[-1].detail == f"Pass n° {application.pass_famille.pass_number}"
    body = mails_to(mailbox)[-1]
    pf = application.pass_famille
    assert "est acceptée" in body and pf.pass_number in body and "/demande/suivi/" in body
    assert not page.soup.select(".actions button")  # closed


def test_refusing_needs_a_reason(app, agent_browser, submitted, mailbox):
    page = page_of(agent_browser, submitted).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    mailbox.clear()
    refused = page.fill("Motif du refus", "   ").submit("Refuser")
    assert refused.status == 400 and refused.title.startswith("Erreur : ")
    assert refused.field_error("Motif du refus") == "Erreur : Indiquez le motif du refus, il sera écrit à la famille"
    assert refused.error_summary() == ["Indiquez le motif du refus, il sera écrit à la famille"]
    assert load(app, submitted).status == "in_review" and mails_to(mailbox) == []

    reason = "Votre adresse n'est pas dans la commune.\nVous pouvez nous écrire si vous avez déménagé."
    page = refused.fill("Motif du refus", reason).submit("Refuser").submit("Confirmer et envoyer le courriel")
    assert page.status == 200 and "Demande refusée." in page.text
    application = load(app, submitted)
    assert application.status == "refused" and application.pass_famille.refusal_reason == reason
    assert application.events[-1].detail == reason and statuses(application)[-1] == ("in_review", "refused", AGENT)
    assert application.purge_after.date() < date.today() + timedelta(days=200)  # 6 months for a refusal
    [body] = mails_to(mailbox)
    assert "n'a pas pu être acceptée" in body and "Vous pouvez nous écrire si vous avez déménagé." in body


def test_a_too_long_reason_is_refused_with_the_text_kept(app, agent_browser, submitted):
    page = page_of(agent_browser, submitted).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    page = page.fill("Motif du refus", "x" * 2001).submit("Refuser")
    assert page.status == 400 and "2000 caractères au plus" in page.field_error("Motif du refus")
    assert page.soup.find(id="reason").get_text() == "x" * 2001
    assert load(app, submitted).status == "in_review"


def test_asking_for_a_document_needs_a_message_and_sends_the_family_link(app, agent_browser, submitted, mailbox):
    page = page_of(agent_browser, submitted).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    mailbox.clear()
    empty = page.submit("Demander une pièce")
    assert empty.status == 400
    assert "Indiquez la pièce demandée à la famille" in empty.field_error("Pièce demandée à la famille")
    assert load(app, submitted).status == "in_review" and mails_to(mailbox) == []

    page = (
        empty.fill("Pièce demandée à la famille", "Votre avis d'imposition 2026")
        .submit("Demander une pièce")
        .submit("Confirmer et envoyer le courriel")
    )
    assert "Pièce demandée." in page.text and "Votre avis d'imposition 2026" in page.text
    application = load(app, submitted)
    assert application.status == "documents_requested"
    assert application.pass_famille.requested_document == "Votre avis d'imposition 2026"
    # Without an answer the file goes after retention.incomplete_application_days (60 in the example settings).
    assert abs((application.purge_after - utcnow()).days - 60) <= 1
    [body] = mails_to(mailbox)
    assert "Votre avis d'imposition 2026" in body and "/demande/suivi/" in body
    page = page_of(agent_browser, submitted)
    assert [b.get_text(strip=True) for b in page.soup.select(".actions button")] == [
        "Reprendre l'instruction sans attendre la pièce"
    ]


def test_resuming_without_the_document_tells_the_family_and_spends_its_link(app, agent_browser, submitted, mailbox):
    page = page_of(agent_browser, submitted).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    page.fill("Pièce demandée à la famille", "Votre avis d'imposition").submit("Demander une pièce").submit(
        "Confirmer et envoyer le courriel"
    )
    link = family_link(mails_to(mailbox)[-1])
    page_of(agent_browser, submitted).submit("Reprendre l'instruction sans attendre la pièce").submit(
        "Confirmer et envoyer le courriel"
    )
    assert "vous n'avez plus besoin d'envoyer le document demandé" in mails_to(mailbox)[-1]
    application = load(app, submitted)
    assert application.status == "in_review" and application.purge_after.year >= date.today().year + 3
    assert Browser(app.test_client()).get(link).status == 404


def test_a_double_submit_is_told_in_french_and_changes_nothing(app, agent_browser, submitted, mailbox):
    page = page_of(agent_browser, submitted).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    confirmation = page.submit("Accepter")
    first = confirmation.submit("Confirmer et envoyer le courriel")
    assert load(app, submitted).status == "accepted"
    again = page.submit("Accepter")  # the same page, the button pressed a second time
    assert again.status == 409
    assert "Cette demande est déjà « Acceptée » : son statut ne peut plus changer." in again.text
    confirmed_again = confirmation.submit("Confirmer et envoyer le courriel")  # the confirmation, twice
    assert confirmed_again.status == 409 and "déjà « Acceptée »" in confirmed_again.text
    refused = page.fill("Motif du refus", "Trop tard").submit("Refuser")
    assert refused.status == 409 and "déjà « Acceptée »" in refused.text
    application = load(app, submitted)
    assert len(application.events) == 2 and application.status == "accepted"
    assert first.status == 200 and len(mails_to(mailbox)) == 2  # in charge, accepted: nothing more


def test_a_transition_the_workflow_does_not_allow_is_refused(app, agent_browser, submitted):
    page = page_of(agent_browser, submitted)
    form = page.soup.select_one(".actions form")
    form.find("input", attrs={"name": "to"})["value"] = "accepted"  # skip "en instruction"
    response = page.submit("Prendre en charge")
    assert response.status == 409
    assert "Cette demande est « Déposée » : elle ne peut pas passer à « Acceptée »." in response.text
    response = page_of(agent_browser, submitted)
    response.soup.select_one(".actions form").find("input", attrs={"name": "to"})["value"] = "archived"
    response = response.submit("Prendre en charge")
    assert response.status == 409 and "Action inconnue" in response.text
    assert load(app, submitted).status == "submitted" and load(app, submitted).events == []


def test_a_post_without_csrf_token_is_refused(app, agent_browser, submitted):
    page = page_of(agent_browser, submitted)
    response = page.submit("Prendre en charge", csrf=False)
    assert response.status == 400
    assert load(app, submitted).status == "submitted"


def test_an_application_the_rules_refuse_cannot_be_accepted(app, agent_browser, mailbox):
    from ..functional.journeys import MSA_MARTIN

    application_id = apply_through_api(app, MSA_MARTIN)
    page = page_of(agent_browser, application_id).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    assert "Accepter" not in [b.get_text(strip=True) for b in page.soup.select(".actions button")]
    assert "ne remplit pas les conditions : elle ne peut pas être acceptée" in page.text
    forced = page_of(agent_browser, application_id)
    forced.soup.select_one(".actions form").find("input", attrs={"name": "to"})["value"] = "accepted"
    response = forced.submit("Demander une pièce")
    assert response.status == 409 and load(app, application_id).status == "in_review"


def test_a_qf_from_a_document_must_be_verified_before_acceptance(app, agent_browser):
    application_id = apply_with_document(app)
    page = page_of(agent_browser, application_id).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    assert "Vérifiez d'abord le quotient familial sur le justificatif" in page.text
    page = page.submit("Enregistrer la vérification")
    page = page.submit("Accepter").submit("Confirmer et envoyer le courriel")
    application = load(app, application_id)
    assert application.status == "accepted" and application.pass_famille.bracket_code == "B"
    assert [e.action for e in application.events] == ["status", "qf_verified", "document_deleted", "status"]


def test_the_agent_is_told_when_the_family_mail_could_not_be_sent(app, agent_browser, submitted):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9"  # nothing listens there: the mail fails, the change stands
    page = page_of(agent_browser, submitted).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    assert "Le courriel à la famille n'a pas pu être envoyé : prévenez-la autrement." in page.text
    assert load(app, submitted).status == "in_review"
