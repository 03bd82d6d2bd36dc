"""Citizens' journeys through the test client, filling fields by their labels, against the real sandbox."""

import re

import pytest
from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application

from .journeys import (
    DUPONT,
    EMAIL,
    GIRAUD,
    LEFEBVRE,
    LISA,
    MSA_MARTIN,
    README_IDENTITIES,
    UNKNOWN,
    add_child,
    fault_identity,
    fill_identity,
    finish,
    start,
    through_api,
)

REFERENCE = re.compile(r"PF-\d{4}-\d{6}")


def only_application(app) -> Application:
    with app.app_context():
        applications = db.session.scalars(select(Application)).all()
        assert len(applications) == 1
        db.session.expunge_all()
        return applications[0]


def test_nominal_journey_records_the_application_with_certified_facts_and_mails_a_receipt(app, browser, mailbox):
    page = through_api(browser, LEFEBVRE)
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    assert "Étape 3 sur 6" in page.text
    assert "2\u202f550\u00a0€" in page.text and "juin 2023" in page.text and "CAF" in page.text
    assert "1 RUE MONTORGUEIL" in page.text and "27/12/1982" in page.text

    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    assert page.h1 == "Votre foyer"
    assert "1 RUE MONTORGUEIL" in page.text  # certified address, shown read-only
    assert not page.has_label("Code postal")
    page = add_child(page)
    assert "Léa, né ou née le 14/07/2024" in page.text
    page = page.submit("Continuer")

    assert page.h1 == "Votre résultat"
    assert "Vous pouvez bénéficier du Pass Famille" in page.text
    assert "Tranche E" in page.text and "40\u00a0€" in page.text
    assert page.soup.select_one(".table__row--current").find("th").get_text().startswith("Tranche E")
    assert "délibération n° 2025-112 du 15/12/2025" in page.text

    page = finish(page)
    assert page.h1 == "Votre demande est envoyée"
    reference = REFERENCE.search(page.text).group(0)

    application = only_application(app)
    assert application.reference == reference
    assert (
        application.pass_famille.qf_value,
        application.pass_famille.qf_provider,
        application.pass_famille.qf_year,
        application.pass_famille.qf_month,
    ) == (
        2550,
        "CNAF",
        2023,
        6,
    )
    assert application.pass_famille.qf_source == "api" and application.address_source == "api"
    assert application.status == "to_verify"  # a declared child must be checked by an agent
    assert (
        application.pass_famille.eligible is True
        and application.pass_famille.bracket_code == "E"
        and application.pass_famille.tariff == "40"
    )
    assert application.pass_famille.rules_version.startswith("2026-01-01")
    assert [c["source"] for c in application.children] == ["declared"]

    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message.rcpt_tos == [EMAIL]
    assert reference in message.content.decode()


def test_family_with_four_children_sees_them_all_and_three_are_covered(app, browser):
    page = through_api(browser, DUPONT)
    for child in [
        "LOUISE, née le 22/06/2007",
        "LAURA, née le 15/11/2013",
        "INES, née le 03/12/2016",
        "MAXIME, né le 01/09/2015",
    ]:
        assert child in page.text
    page = page.choose("Oui, elles sont correctes").submit("Continuer").submit("Continuer")
    assert "Vous pouvez bénéficier du Pass Famille" in page.text
    assert "Tranche B" in page.text  # QF 900 is exactly the upper bound of bracket B
    # Every child is listed with whether the pass covers it; LOUISE (19) is said to be past the rules' age limit.
    children = [li.get_text(" ", strip=True) for li in page.soup.find("dt", string="Enfants").find_next("dd")("li")]
    assert [c.split(" (")[0] for c in children] == ["LOUISE", "LAURA", "INES", "MAXIME"]
    assert children[0].endswith("non couvert : le pass couvre les enfants de moins de 18 ans"), children
    assert all(c.endswith(": couvert par le pass") for c in children[1:]), children
    finish(page)
    application = only_application(app)
    assert application.status == "submitted"
    assert len(application.children) == 4 and len(application.pass_famille.decision["covered_children"]) == 3


def test_msa_family_shows_msa_as_the_provider_and_is_outside_the_territory(app, browser):
    page = through_api(browser, MSA_MARTIN)
    assert "Calculé par la MSA pour le mois de septembre 2024" in page.text
    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    assert "Cette adresse n'est pas dans la commune" in page.text
    page = page.submit("Continuer")
    assert "ne remplit pas les conditions" in page.text
    assert "n'est pas dans la commune" in page.text
    finish(page)
    application = only_application(app)
    assert application.pass_famille.qf_provider == "MSA" and application.pass_famille.eligible is False
    assert application.pass_famille.decision["reasons"] == ["NOT_RESIDENT"]


def test_family_outside_the_commune_is_told_plainly_and_can_still_submit(app, browser):
    page = through_api(browser, GIRAUD).choose("Oui, elles sont correctes").submit("Continuer")
    assert "13400 AUBAGNE" in page.text
    assert "Cette adresse n'est pas dans la commune" in page.text
    page = page.submit("Continuer")
    assert "Votre adresse (13400 AUBAGNE) n'est pas dans la commune" in page.text
    assert "pass-famille@val-fleuri.example" in page.text  # whom to contact
    assert finish(page).title.startswith("Votre demande est envoyée – ")


def test_family_above_the_ceiling_is_not_eligible_and_sees_why(app, browser):
    page = through_api(browser, LISA)  # born in Italy, date of birth unknown
    assert page.h1 == "Vérifiez les informations de la CAF/MSA", page.error_summary()
    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    page = add_child(page, "Noé", ("02", "03", "2020"), "Arrivée récente au foyer (adoption, changement de garde…)")
    page = page.submit("Continuer")
    assert "Votre quotient familial (4\u202f270\u00a0€) dépasse le plafond de 2\u202f800\u00a0€" in page.text
    assert page.soup.select_one(".table__row--current") is None
    finish(page)
    assert only_application(app).pass_famille.decision["reasons"] == ["QF_ABOVE_CEILING", "CHILD_DECLARED"]


def test_no_caf_file_offers_documents_or_full_price_and_full_price_finishes(app, browser):
    page = through_api(browser, UNKNOWN)
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé"
    assert page.has_label("Fournir un justificatif de quotient familial")
    page = page.choose("Continuer sans justificatif : le Pass Famille sera au plein tarif").submit("Continuer")
    assert page.h1 == "Votre foyer"
    page = add_child(page)
    page = page.fill("Numéro et voie", "3 rue du Four").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert "Plein tarif : le pass coûte 50\u00a0€" in page.text
    finish(page)
    application = only_application(app)
    assert application.api_outcome == "not_found" and application.pass_famille.qf_source is None
    assert application.pass_famille.decision["reasons"] == ["QF_NOT_PROVIDED", "CHILD_DECLARED"]
    assert application.address_source == "declared"


def test_identity_not_recognised_sends_back_once_then_a_correction_succeeds(app, browser, sandbox):
    sandbox.arm_fault("422")
    page = through_api(browser, LEFEBVRE)
    assert page.h1 == "Vous"
    assert "La CAF ou la MSA n'a pas reconnu votre identité" in page.text
    assert page.value("Nom de naissance") == "LEFEBVRE"  # nothing typed is lost
    page = page.fill("Nom de naissance", "LEFEBVRE").submit("Continuer")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"


def test_identity_refused_twice_offers_documents(app, browser, sandbox):
    sandbox.arm_fault("422", times=2)
    page = through_api(browser, LEFEBVRE)
    page = page.submit("Continuer")
    assert page.h1 == "La CAF ou la MSA n'a pas reconnu votre identité"
    page = page.choose("Fournir un justificatif de quotient familial").submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial"


@pytest.mark.parametrize(
    ("name", "first_name"),
    [("DESFOUIN", "René"), ("DELANOUE", "Jean-Marie"), ("SITUDI", "Clément")],
    ids=["429", "502", "504"],
)
def test_unavailable_api_offers_retry_documents_or_later_check(app, browser, name, first_name):
    page = through_api(browser, fault_identity(name, first_name))
    assert page.h1 == "Le service de la CAF et de la MSA ne répond pas"
    for choice in (
        "Réessayer maintenant",
        "Fournir un justificatif de quotient familial",
        "Enregistrer ma demande : la mairie interrogera la CAF ou la MSA plus tard",
    ):
        assert page.has_label(choice)
    page = page.choose("Réessayer maintenant").submit("Continuer")
    assert page.h1 == "Le service de la CAF et de la MSA ne répond pas"  # still down: the same ways out


def test_retry_after_an_outage_shows_the_certified_facts(app, browser, sandbox):
    sandbox.arm_fault("503", times=2)  # the client retries once by itself
    page = through_api(browser, LEFEBVRE)
    assert page.h1 == "Le service de la CAF et de la MSA ne répond pas"
    page = page.choose("Réessayer maintenant").submit("Continuer")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"


def to_result_for_later_check(browser, sandbox):
    """DUPONT applies while the API is down and asks the commune to check with the CAF later."""
    sandbox.arm_fault("503", times=2)  # the client retries once by itself
    page = through_api(browser, DUPONT)
    page = page.choose("Enregistrer ma demande : la mairie interrogera la CAF ou la MSA plus tard").submit("Continuer")
    page = add_child(page, "Lou", ("01", "02", "2019"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    return page.submit("Continuer")


def test_later_check_records_the_application_and_recheck_completes_it(app, browser, sandbox):
    page = to_result_for_later_check(browser, sandbox)
    assert "Votre tarif sera calculé plus tard" in page.text
    page = finish(page)
    assert "interrogera la CAF ou la MSA" in page.text
    pending = only_application(app)
    assert pending.status == "awaiting_recheck" and pending.pass_famille.eligible is None
    assert pending.recheck_identity["birth_name"] == "DUPONT"

    result = app.test_cli_runner().invoke(args=["adhesions", "recheck"])
    assert "1 complétée(s)" in result.output, result.output
    checked = only_application(app)
    assert checked.status == "to_verify" and checked.recheck_identity is None
    assert (checked.pass_famille.qf_value, checked.pass_famille.qf_source, checked.pass_famille.bracket_code) == (
        900,
        "api",
        "B",
    )
    assert len(checked.children) == 5  # four certified, one declared


def test_answering_no_leads_to_documents_with_how_to_correct(app, browser):
    page = through_api(browser, LEFEBVRE)
    assert "Signalez le changement à votre CAF" in page.text
    page = page.choose("Non, elles ne sont pas correctes").submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial"
    assert "Étape 3 sur 6" in page.text  # the proof stands where the CAF/MSA's facts stood: the total holds


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_documents_route_asks_no_birth_data_and_records_to_verify(app, browser, stored_proofs):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    assert page.h1 == "Vous"
    assert not page.has_label("Jour") and not page.has_label("Féminin")
    page = fill_identity(page, DUPONT).submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial"
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = page.fill("Quotient familial indiqué sur le document, en euros", "1 250").submit("Continuer")
    assert page.h1 == "Votre foyer", page.error_summary()
    page = add_child(page, "Lou", ("01", "02", "2019"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert "Tranche C" in page.text and "indiqué sur votre justificatif (à vérifier)" in page.text
    page = finish(page)
    assert "vérifier votre justificatif" in page.text
    application = only_application(app)
    assert (
        application.status == "to_verify"
        and application.pass_famille.qf_source == "document"
        and application.pass_famille.qf_value == 1250
    )
    assert list(stored_proofs().values()) == [PDF]


def test_refused_token_is_logged_for_the_admin_and_the_citizen_goes_on(app_config, sandbox, caplog):
    from passfamille import create_app

    from ..formclient import Browser

    app = create_app({**app_config, "API_PARTICULIER_TOKEN": "bac-a-sable-expire"})
    page = through_api(Browser(app.test_client()), LEFEBVRE)
    assert page.h1 == "Vos informations n'ont pas pu être obtenues"
    page = page.choose("Fournir un justificatif de quotient familial").submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial"
    errors = [r for r in caplog.records if r.levelname == "ERROR" and "api_particulier" in r.getMessage()]
    assert errors and "status=401" in errors[0].getMessage() and "code=00103" in errors[0].getMessage()


def test_the_form_cannot_be_used_to_look_up_identity_after_identity(browser, sandbox):
    page = through_api(browser, UNKNOWN)
    for attempt in range(2, 6):
        assert page.h1 == "Aucun dossier CAF ou MSA trouvé"
        page = browser.get("/demande/demandeur").fill("Nom de naissance", f"INCONNU-{'X' * attempt}")
        page = page.submit("Continuer")
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé"  # five real calls so far
    page = browser.get("/demande/demandeur").fill("Nom de naissance", "LEFEBVRE").submit("Continuer")
    assert page.h1 == "Trop de vérifications pour cette demande"  # LEFEBVRE's facts are not fetched
    assert "2\u202f550" not in page.text
    page = page.choose("Fournir un justificatif de quotient familial").submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial"


def test_recheck_gives_up_after_a_month_and_erases_the_identity(app, browser, sandbox):
    from datetime import timedelta

    finish(to_result_for_later_check(browser, sandbox))
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        application.created_at -= timedelta(days=31)
        db.session.commit()
    sandbox.arm_fault("503", times=2)
    result = app.test_cli_runner().invoke(args=["adhesions", "recheck"])
    assert "1 à traiter par un agent" in result.output, result.output
    given_up = only_application(app)
    assert given_up.status == "to_verify" and given_up.recheck_identity is None
    assert given_up.api_outcome == "unavailable"


@pytest.mark.parametrize(
    ("identity", "outcome"), README_IDENTITIES, ids=[i["birth_name"] for i, _ in README_IDENTITIES]
)
def test_the_readme_sandbox_identities_give_what_the_readme_says(browser, identity, outcome):
    page = through_api(browser, identity)
    assert page.h1 == "Vérifiez les informations de la CAF/MSA", page.error_summary()
    page = page.choose("Oui, elles sont correctes").submit("Continuer").submit("Continuer")
    assert page.h1 == "Votre résultat"
    assert outcome in page.soup.select_one(".alert").get_text(" "), page.text
