"""A commune whose rules read « the QF when the CAF/MSA answers, else the avis »: with an avis d'imposition the
family types the revenu fiscal de référence and the nombre de parts read on it (never a QF), the result page shows
the municipal quotient worked out with its figures and says it is provisional, the recap says which basis, the
agent checks the figures on the avis and the same rules recompute, and the exports carry basis, RFR and parts."""

import csv
import io
import json

from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application

from ..backoffice.agents import logged_in, make_agent
from ..municipal_quotient import DELIBERATION, app_config, municipal_settings  # noqa: F401 (the commune's rules)
from .journeys import DUPONT, finish, through_api
from .test_proof_kinds import ATTESTATION, PDF, QF_LABEL, TAX_NOTICE, only_application, to_proof, to_result

RFR = "Revenu fiscal de référence, en euros"
PARTS = "Nombre de parts"
NBSP = {"\u00a0": " ", "\u202f": " "}


def plain(text: str) -> str:
    """French formats use U+00A0 and U+202F; a person reads spaces."""
    return text.translate(str.maketrans(NBSP))


def with_avis(browser, rfr="32 400", parts="2,5"):
    page = to_proof(browser).choose(TAX_NOTICE).attach("Votre justificatif", "avis.pdf", PDF)
    return page.fill(RFR, rfr).fill(PARTS, parts).submit("Continuer")


def test_with_an_avis_the_proof_step_asks_rfr_and_parts_and_never_a_qf(app, browser):
    page = to_proof(browser)
    assert page.has_label(RFR) and page.has_label(PARTS)
    assert "Vos références" in page.text  # where they are on the avis
    assert "indiquez le revenu fiscal de référence et le nombre de parts" in page.text
    page = page.choose(TAX_NOTICE).attach("Votre justificatif", "avis.pdf", PDF).submit("Continuer")
    assert page.status == 400
    assert "Saisissez le revenu fiscal de référence indiqué sur l'avis" in page.field_error(RFR)
    assert "Saisissez le nombre de parts indiqué sur l'avis" in page.field_error(PARTS)
    assert page.field_error(QF_LABEL) == ""  # a QF is asked only with an attestation
    assert page.title.startswith("Erreur : ")


def test_bad_figures_are_refused_in_french_and_what_was_typed_is_kept(app, browser):
    page = to_proof(browser).choose(TAX_NOTICE).attach("Votre justificatif", "avis.pdf", PDF)
    page = page.fill(RFR, "32 400,50").fill(PARTS, "2,3").submit("Continuer")
    assert page.status == 400
    assert "nombre entier d'euros, sans centimes" in page.field_error(RFR)
    assert "de 1 à 20, par quart de part" in page.field_error(PARTS)
    assert (page.value(RFR), page.value(PARTS)) == ("32 400,50", "2,3")
    assert "Fichier déjà joint" in page.text
    for parts in ("0,5", "21", "deux", "²"):
        page = page.fill(RFR, "32400").fill(PARTS, parts).submit("Continuer")
        assert page.status == 400 and "par quart de part" in page.field_error(PARTS), parts
    page = page.fill(RFR, "-1").fill(PARTS, "2").submit("Continuer")
    assert page.status == 400 and "nombre entier d'euros" in page.field_error(RFR)


def test_result_explains_the_municipal_quotient_with_the_family_figures_and_is_provisional(app, browser):
    page = with_avis(browser)
    assert page.h1 == "Votre foyer", page.error_summary()
    page = to_result(page)
    text = plain(page.text)
    assert f"Votre quotient municipal : 32 400 € ÷ 12 ÷ 2,5 parts = 1 080 € ({DELIBERATION})." in text
    assert "Résultat provisoire : la mairie vérifiera le revenu fiscal de référence et le nombre de parts" in text
    assert "Vous pouvez bénéficier du Pass Famille" in text
    current = page.soup.find(class_="tag--current").find_parent("tr").get_text(" ", strip=True)
    assert current.startswith("Tranche C")  # 1 080 € is in 901–1 300
    assert "Tarifs du Pass Famille selon le quotient (familial ou municipal)" in text


def test_a_result_with_cents_says_it_is_rounded_down(app, browser):
    page = to_result(with_avis(browser, rfr="32500", parts="2.5"))
    assert "32 500 € ÷ 12 ÷ 2,5 parts = 1 083,33 €, arrondi à l'euro inférieur : 1 083 €" in plain(page.text)


def test_recap_says_the_basis_and_the_figures_and_the_application_keeps_them_with_their_source(app, browser, mailbox):
    page = to_result(with_avis(browser, rfr="16 200", parts="2,25")).click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    section = plain(page.soup.find("h2", string="Quotient familial").find_parent("section").get_text(" ", strip=True))
    assert "Base du calcul Quotient municipal, calculé d'après votre avis d'imposition" in section
    assert "Quotient municipal 600 € (provisoire : la mairie vérifiera l'avis)" in section
    assert "Revenu fiscal de référence 16 200 €" in section and "Nombre de parts 2,25" in section
    page = page.submit("Envoyer ma demande")
    assert page.h1 == "Votre demande est envoyée"
    application = only_application(app)
    pf = application.pass_famille
    assert application.status == "to_verify"
    assert (pf.fiscal_rfr, pf.fiscal_parts, pf.fiscal_source, pf.qf_value) == (16_200, "2.25", "document", None)
    assert (pf.eligible, pf.bracket_code) == (True, "B")
    assert (pf.decision["basis"], pf.decision["basis_reason"], pf.decision["quotient"]) == (
        "municipal_quotient",
        "NO_CAF_QF",
        600,
    )
    assert pf.decision["fiscal_inputs"] == {"rfr": 16_200, "parts": "2.25", "source": "document", "year": None}
    (receipt,) = mailbox.received()
    body = " ".join(receipt.get_content().split())
    assert "vérifier sur votre avis d'imposition le revenu fiscal de référence et le nombre de parts" in body


def test_with_an_attestation_the_caf_qf_decides_and_the_recap_says_so(app, browser):
    page = to_proof(browser).choose(ATTESTATION).attach("Votre justificatif", "attestation.pdf", PDF)
    page = to_result(page.fill(QF_LABEL, "800").submit("Continuer"))
    assert "Tranche B" in page.text and "quotient municipal" not in page.text.split("Tarifs du")[0]
    page = page.click("Continuer")
    assert "Base du calcul Quotient familial de la CAF ou de la MSA" in page.text
    finish_page = page.submit("Envoyer ma demande")
    assert finish_page.h1 == "Votre demande est envoyée"
    pf = only_application(app).pass_famille
    assert (pf.decision["basis"], pf.fiscal_rfr) == ("caf_qf", None)


def test_a_family_the_caf_knows_keeps_its_qf(app, browser):
    page = through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    page = page.submit("Continuer")
    assert page.h1 == "Votre résultat"
    assert "quotient municipal" not in page.text.split("Tarifs du")[0]
    finish(page)
    pf = only_application(app).pass_famille
    assert (pf.decision["basis"], pf.decision["basis_reason"]) == ("caf_qf", "CAF_QF_KNOWN")


def submitted_with_avis(app, browser, rfr="32 400", parts="2,5") -> int:
    finish(to_result(with_avis(browser, rfr=rfr, parts=parts)))
    return only_application(app).id


def test_the_agent_checks_rfr_and_parts_on_the_avis_and_the_same_rules_recompute(app, browser):
    application_id = submitted_with_avis(app, browser)
    make_agent(app)
    agent = logged_in(app)
    page = agent.get(f"/agents/demandes/{application_id}")
    qf_section = plain(page.soup.find(id="qf-titre").find_parent("section").get_text(" ", strip=True))
    assert "Revenu fiscal de référence 32 400 €, indiqué par la famille d'après son avis à vérifier" in qf_section
    assert f"Quotient municipal 32 400 € ÷ 12 ÷ 2,5 parts = 1 080 € ({DELIBERATION})" in qf_section
    assert not page.has_label("Quotient familial lu sur le document")  # no QF is asked of the agent
    rfr, parts = "Revenu fiscal de référence lu sur l'avis, en euros", "Nombre de parts lu sur l'avis"
    assert (page.value(rfr), page.value(parts)) == ("32400", "2,5")  # what the family typed, to confirm
    assert "Base de calcul Quotient municipal, calculé d'après l'avis d'imposition" in plain(page.text)
    # In review, the pass cannot be granted before the avis is checked: the agent is told what to check.
    page = page.submit("Prendre en charge").submit("Confirmer et envoyer le courriel")
    assert "Vérifiez d'abord le revenu fiscal de référence et le nombre de parts sur l'avis" in page.text

    page = page.fill(rfr, "3 2400").fill(parts, "2,6").submit("Enregistrer la vérification")
    assert page.status == 400 and "par quart de part" in page.field_error(parts)
    assert page.value(rfr) == "32400"  # kept, written as read

    page = page.fill(rfr, "60 000").fill(parts, "2,5").submit("Enregistrer la vérification")
    assert page.status == 200, page.error_summary()
    assert "Avis vérifié : le quotient municipal et la décision sont recalculés" in page.text
    pf = only_application(app).pass_famille
    assert (pf.fiscal_rfr, pf.fiscal_parts, pf.fiscal_source) == (60_000, "2.5", "document")
    assert (pf.decision["quotient"], pf.bracket_code, pf.eligible) == (2_000, "E", True)  # 60 000 ÷ 12 ÷ 2,5
    assert pf.decision["basis"] == "municipal_quotient" and pf.qf_verified_at is not None
    history = plain(page.soup.find(id="historique-titre").find_parent("section").get_text(" ", strip=True))
    assert "Avis vérifié : corrigé de RFR 32 400 €, 2,5 parts à RFR 60 000 €, 2,5 parts" in history
    assert "quotient municipal 2 000 € ; tranche : C → E" in history
    # Checked once: the form is gone, a second post says why.
    assert not page.has_label(rfr)
    token = page.soup.find("input", attrs={"name": "csrf_token"})["value"]
    again = agent.client.post(
        f"/agents/demandes/{application_id}/verification-qf", data={"rfr": "1", "parts": "1", "csrf_token": token}
    )
    assert again.status_code == 409 and "déjà vérifié" in again.get_data(as_text=True)


def test_exports_carry_the_basis_rfr_parts_and_their_source(app, browser):
    submitted_with_avis(app, browser, rfr="16 200", parts="2,25")
    rows = json.loads(app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "json"]).output)
    avis_row = rows[0]
    assert (avis_row["base"], avis_row["quotient_municipal"], avis_row["rfr"], avis_row["parts"]) == (
        "municipal_quotient",
        600,
        16_200,
        "2.25",
    )
    assert avis_row["rfr_parts_source"] == "document"
    output = app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "csv"]).output
    row = next(csv.DictReader(io.StringIO(output.lstrip("\ufeff")), delimiter=";"))
    assert row["Base du calcul"] == "Quotient municipal (avis d'imposition)"
    assert (row["Quotient municipal (€)"], row["Revenu fiscal de référence (€)"], row["Nombre de parts"]) == (
        "600",
        "16200",
        "2,25",
    )
    assert row["Source du revenu fiscal et des parts"] == "Avis d'imposition joint"
    assert "Revenu fiscal et parts lus sur l'avis : à vérifier" in row["Motifs"]


def test_agent_download_carries_them_too(app, browser):
    submitted_with_avis(app, browser)
    make_agent(app)
    agent = logged_in(app)
    link = agent.get("/agents/").soup.find("a", string="Télécharger (JSON)")
    rows = json.loads(agent.client.get(link["href"]).get_data())
    assert (rows[0]["base"], rows[0]["rfr"], rows[0]["parts"], rows[0]["rfr_parts_source"]) == (
        "municipal_quotient",
        32_400,
        "2.5",
        "document",
    )
    with app.app_context():
        assert db.session.scalars(select(Application)).one().pass_famille.fiscal_rfr == 32_400
