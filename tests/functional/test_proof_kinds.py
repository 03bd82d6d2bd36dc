"""The quotient familial proof: a CAF/MSA attestation shows a QF, which the family types; a tax notice shows none, so
the family is asked for no figure, the result says it is provisional and an agent works the QF out from the notice."""

from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application

from ..backoffice.agents import logged_in, make_agent
from .journeys import DUPONT, add_child, fill_identity, finish, start

DOCUMENT_ROUTE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
ATTESTATION = "Attestation de quotient familial de la CAF ou de la MSA"
TAX_NOTICE = "Dernier avis d'imposition"
QF_LABEL = "Quotient familial indiqué sur le document, en euros"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def to_proof(browser):
    page = fill_identity(start(browser, DOCUMENT_ROUTE), DUPONT).submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial", page.h1
    return page


def to_result(page):
    page = add_child(page, "Lou", ("01", "02", "2019"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert page.h1 == "Votre résultat", page.h1
    return page


def only_application(app) -> Application:
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        _ = application.pass_famille, application.documents
        db.session.expunge_all()
        return application


def test_with_a_tax_notice_no_qf_is_asked_and_the_result_is_provisional(app, browser):
    page = to_proof(browser)
    # The example commune's rules read the CAF/MSA QF only: nothing is asked from the notice (no RFR, no parts).
    assert not page.has_label("Revenu fiscal de référence, en euros") and not page.has_label("Nombre de parts")
    page = page.choose(TAX_NOTICE).attach("Votre justificatif", "avis.pdf", PDF).submit("Continuer")
    assert page.h1 == "Votre foyer", page.error_summary()  # nothing to type from the notice

    page = to_result(page)
    assert "Résultat provisoire : la mairie calculera votre tarif" in page.text
    assert "à calculer par la mairie d'après votre avis d'imposition" in page.text
    assert page.soup.find(class_="tag--current") is None and "Vous pouvez bénéficier" not in page.text

    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    assert "Calculé par la mairie d'après votre avis d'imposition" in page.text
    page = page.submit("Envoyer ma demande")
    assert page.h1 == "Votre demande est envoyée"

    application = only_application(app)
    pf = application.pass_famille
    assert application.status == "to_verify"
    assert (pf.qf_value, pf.qf_source, pf.eligible, pf.bracket_code) == (None, "document", None, None)
    assert "QF_TO_COMPUTE" in pf.decision["reasons"]
    assert len(application.documents) == 1  # the notice goes to the agent


def test_a_figure_typed_with_a_tax_notice_is_neither_checked_nor_kept(app, browser):
    page = to_proof(browser).choose(TAX_NOTICE).attach("Votre justificatif", "avis.pdf", PDF)
    page = page.fill(QF_LABEL, "huit cents").submit("Continuer")
    assert page.h1 == "Votre foyer", page.error_summary()
    finish(to_result(page))
    assert only_application(app).pass_famille.qf_value is None


def test_with_an_attestation_the_qf_is_asked_and_decides_the_bracket(app, browser):
    page = to_proof(browser).choose(ATTESTATION).attach("Votre justificatif", "attestation.pdf", PDF)
    page = page.submit("Continuer")
    assert page.status == 400
    assert "Saisissez le quotient familial indiqué sur l'attestation" in page.field_error(QF_LABEL)
    assert "Fichier déjà joint" in page.text  # the file is kept
    page = to_result(page.fill(QF_LABEL, "800").submit("Continuer"))
    assert "Vous pouvez bénéficier du Pass Famille" in page.text and "Tranche B" in page.text
    finish(page)
    pf = only_application(app).pass_famille
    assert (pf.qf_value, pf.qf_source, pf.bracket_code) == (800, "document", "B")


def test_the_agent_sees_no_made_up_qf_and_enters_the_one_worked_out_from_the_notice(app, browser):
    page = to_proof(browser).choose(TAX_NOTICE).attach("Votre justificatif", "avis.pdf", PDF).submit("Continuer")
    finish(to_result(page))
    application_id = only_application(app).id
    make_agent(app)
    agent = logged_in(app)

    page = agent.get(f"/agents/demandes/{application_id}")
    qf_section = page.soup.find(id="qf-titre").find_parent("section").get_text(" ", strip=True)
    assert "à calculer d'après le justificatif joint (avis d'imposition)" in qf_section
    assert "None" not in qf_section
    assert "calculez le quotient familial d'après le document" in page.text
    assert page.value("Quotient familial lu sur le document") == ""

    page = page.fill("Quotient familial lu sur le document", "1 500").submit("Enregistrer la vérification")
    assert page.status == 200, page.error_summary()
    pf = only_application(app).pass_famille
    assert (pf.qf_value, pf.bracket_code, pf.eligible) == (1500, "D", True)
    assert pf.qf_verified_at is not None
