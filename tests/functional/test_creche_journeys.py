"""Crèche pre-registration from the citizen's side: alone or with the Pass Famille, by the labels a parent reads."""

import re
from datetime import date

from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application

from .journeys import BOTH, CAF_MODE, CRECHE, EMAIL, LEFEBVRE, UNKNOWN, add_child, begin, fill_identity

PIOUPIOUS = "Multi-accueil Les Pioupious"
COQUELICOTS = "Crèche familiale Les Coquelicots"
NEXT_YEAR = str(date.today().year + 1)


def to_foyer(browser, demarche=CRECHE, person=LEFEBVRE):
    page = begin(browser, demarche).choose(CAF_MODE).submit("Continuer")
    page = fill_identity(page, person).submit("Continuer")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA", page.text
    # The official EAJE fixture gives a postal code without a city: nothing must show "None".
    assert "None" not in page.text
    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    assert "None" not in page.text
    return page


def to_wishes(browser, demarche=CRECHE):
    page = add_child(to_foyer(browser, demarche)).submit("Continuer")
    assert page.h1 == "Votre enfant"
    return page.choose("Léa, né ou née le 14/07/2024").submit("Continuer")


def without_residence(page):
    """A typed address in the commune ticks the residence criterion, whose proof is asked: a family without one
    at hand unticks it."""
    return page.check("La famille habite Val-Fleuri (40 points)", checked=False)


def fill_wishes(page, first=PIOUPIOUS, start=("05", "01", NEXT_YEAR), days="4", hours="32"):
    page.select("Premier choix", first)
    page.fill("Jour", start[0]).fill("Mois", start[1]).fill("Année", start[2])
    return page.fill("Nombre de jours d'accueil par semaine", days).fill("Nombre d'heures d'accueil par semaine", hours)


def test_creche_alone_with_the_caf_shows_the_psu_estimate_and_records_a_cr_request(app, browser, mailbox):
    page = to_wishes(browser)
    assert page.h1 == "Vos souhaits d'accueil"
    assert page.title.endswith("– Préinscription en crèche – Ville de Val-Fleuri")  # what the family asked for
    page = fill_wishes(page).submit("Continuer")
    assert page.h1 == "Votre situation"
    page = page.check("Un frère ou une sœur est déjà accueilli dans la structure demandée (15 points)")
    page = page.submit("Continuer")
    assert page.h1 == "Estimation du tarif", page.error_summary()
    # LEFEBVRE in the sandbox: 40 923 € a year, 1 child, 1 with AEEH → 2 children counted, collective 0.0516 %.
    # 40 923 / 12 = 3 410,25 € (between plancher 814,62 and plafond 8 500); × 0,0516 % = 1,7597 → 1,76 €/h.
    # 32 h × 52 / 12 = 138,67 h a month × 1,76 € = 244,05 €.
    text = page.text.replace("\u202f", " ").replace("\xa0", " ")
    assert "1,76 € de l'heure" in text
    assert "environ 244,05 € par mois" in text
    assert "0,0516 %" in text and "3 410,25 €" in text
    assert "congés" in text and "contrat" in text
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    assert "Quotient familial" not in page.text  # the Pass Famille was not asked for
    page = page.submit("Envoyer ma demande")
    reference = page.soup.select_one(".reference").get_text()
    assert re.fullmatch(r"CR-\d{4}-\d{6}", reference)
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.demarche == "creche" and application.status == "waiting"
        request = application.creche
        assert (request.child_source, request.child_first_name) == ("declared", "Léa")
        assert [(w.structure_code, w.age_group_code) for w in request.wishes] == [("pioupious", "grands")]
        assert request.psu_source == "api" and request.psu_annual_resources == 40923
        assert request.estimate["tables"]["collective"] == {"hourly": "1.76", "monthly": "244.05"}
        # The CAF/MSA address is in the commune: the residence criterion was ticked for the family, without proof.
        assert request.criteria == ["fratrie", "residence"]
    (message,) = mailbox.received(EMAIL)
    body = message.get_content()
    assert reference in message["Subject"] and reference in body
    assert "/creche/suivi/" in body


def test_creche_alone_never_asks_the_quotient_familial(app, browser):
    to_foyer(browser)
    with app.app_context():
        from passfamille.models import ApiEvent

        assert [e.endpoint for e in db.session.scalars(select(ApiEvent))] == ["participation_familiale_eaje"]


def test_both_demarches_from_one_journey_give_two_linked_applications_and_one_receipt(app, browser, mailbox):
    page = fill_wishes(to_wishes(browser, BOTH)).submit("Continuer").submit("Continuer")
    assert page.h1 == "Estimation du tarif"
    assert page.title.endswith("– Pass Famille et crèche – Ville de Val-Fleuri")
    page = page.click("Continuer")
    assert page.h1 == "Votre résultat"
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    assert "Quotient familial" in page.text and "Vos souhaits d'accueil" in page.text
    page = page.submit("Envoyer ma demande")
    references = [r.get_text() for r in page.soup.select(".reference")]
    assert [r[:3] for r in references] == ["PF-", "CR-"]
    with app.app_context():
        pf, cr = sorted(db.session.scalars(select(Application)), key=lambda a: a.reference)[::-1]
        assert (pf.demarche, cr.demarche) == ("pass_famille", "creche")
        assert pf.linked_application_id == cr.id and cr.linked_application_id == pf.id
    (message,) = mailbox.received(EMAIL)
    body = message.get_content()
    assert all(r in body for r in references) and "/creche/suivi/" in body
    # The Pass Famille is to verify because of the child the family added, not because of a document.
    assert "va vérifier les informations que vous avez ajoutées" in body


def test_a_typed_child_can_be_chosen(browser):
    page = to_foyer(browser).submit("Continuer").choose("Un autre enfant")
    page.fill("Prénom de l'enfant", "Noé")
    page.fill("Jour de naissance", "01").fill("Mois de naissance", "02")
    page = page.fill("Année de naissance", str(date.today().year - 1)).submit("Continuer")
    assert page.h1 == "Vos souhaits d'accueil", page.error_summary()


MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, 28))


def fill_due(page, due: date):
    page.choose("Un enfant à naître")
    page.fill("Jour prévu", f"{due.day:02d}").fill("Mois prévu", f"{due.month:02d}")
    return page.fill("Année prévue", str(due.year))


def test_an_expected_child_too_early_is_told_from_which_date(browser):
    page = to_foyer(browser).submit("Continuer")
    due = add_months(date.today(), 8)
    page = fill_due(page, due).submit("Continuer")
    assert page.status == 400
    earliest = add_months(due, -6)
    month = MONTHS[earliest.month - 1]
    assert (
        "La préinscription d'un enfant à naître est possible à partir du 4e mois de grossesse, "
        f"soit à partir du {earliest.day} {month} {earliest.year}."
    ) in page.field_error("Jour prévu")


def test_an_expected_child_on_time_is_accepted_and_counts_as_one_more_child(browser):
    page = to_foyer(browser).submit("Continuer")
    due = add_months(date.today(), 3)
    page = fill_due(page, due).submit("Continuer")
    assert page.h1 == "Vos souhaits d'accueil", page.error_summary()
    start = add_months(due, 4)
    page = fill_wishes(page, start=(f"{start.day:02d}", f"{start.month:02d}", str(start.year))).submit("Continuer")
    page = page.submit("Continuer")
    # 1 CAF child + the expected one + 1 AEEH = 3 → 0,0413 %: 3 410,25 × 0,0413 % = 1,4084 → 1,41 €/h.
    assert "1,41 €" in page.text.replace("\xa0", " ").replace("\u202f", " ")


def test_a_past_due_date_points_to_another_child(browser):
    page = to_foyer(browser).submit("Continuer")
    page = fill_due(page, date(date.today().year - 1, 1, 10)).submit("Continuer")
    assert "choisissez « Un autre enfant »" in page.text


def test_wishes_duplicate_gap_and_age_are_told_next_to_the_choice(browser):
    page = fill_wishes(to_wishes(browser))
    page = page.select("Deuxième choix (facultatif)", PIOUPIOUS).submit("Continuer")
    assert page.status == 400
    assert "déjà choisi cette structure" in page.field_error("Deuxième choix (facultatif)")
    page = page.select("Deuxième choix (facultatif)", "Aucun").select("Troisième choix (facultatif)", COQUELICOTS)
    page = page.submit("Continuer")
    assert "Choisissez d'abord votre deuxième choix" in page.field_error("Troisième choix (facultatif)")
    assert page.value("Nombre d'heures d'accueil par semaine") == "32"  # nothing typed is lost
    page = page.select("Troisième choix (facultatif)", "Aucun")
    page = page.fill("Année", str(date.today().year + 3)).submit("Continuer")  # Léa will be about 5
    assert "n'accueillera pas votre enfant" in page.field_error("Premier choix")
    assert "de 2 à 48 mois" in page.field_error("Premier choix")


def test_hours_must_fit_in_the_days(browser):
    page = fill_wishes(to_wishes(browser), days="2", hours="30").submit("Continuer")
    assert "plus de 11 heures par jour" in page.field_error("Nombre d'heures d'accueil par semaine")


def test_a_criterion_without_its_document_is_told_and_a_sent_file_is_kept(browser, stored_proofs):
    page = fill_wishes(to_wishes(browser)).submit("Continuer")
    page.check("Parent qui élève seul son enfant (20 points)")
    page.check("L'enfant ou l'un de ses parents est en situation de handicap (25 points)")
    page.attach("Notification de la MDPH (AEEH, AAH, carte mobilité inclusion…)", "mdph.pdf", b"%PDF-1.4 x")
    page = page.submit("Continuer")
    assert page.status == 400
    assert "Joignez le justificatif" in page.field_error(
        "Attestation de paiement de la CAF ou jugement fixant la résidence de l'enfant"
    )
    assert "Fichier déjà joint pour « Notification de la MDPH (AEEH, AAH, carte mobilité inclusion…) »" in page.text
    assert "85 points" in page.text  # 20 + 25 + the residence, ticked from the CAF/MSA address
    page = page.check("Parent qui élève seul son enfant (20 points)", checked=False).submit("Continuer")
    assert page.h1 == "Estimation du tarif", page.error_summary()
    assert len(stored_proofs()) == 1


def test_not_found_leads_to_documents_or_no_estimate(app, browser):
    page = begin(browser, CRECHE).choose(CAF_MODE).submit("Continuer")
    page = fill_identity(page, UNKNOWN).submit("Continuer")
    page = page.choose("Continuer sans les informations de la CAF ou de la MSA").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = add_child(page).submit("Continuer").choose("Léa, né ou née le 14/07/2024").submit("Continuer")
    page = fill_wishes(page).submit("Continuer")
    page = without_residence(page).submit("Continuer")
    assert page.h1 == "Estimation du tarif"
    assert not page.has_label("Enregistrer ma demande : la mairie interrogera la CAF ou la MSA plus tard")
    page = page.choose("Fournir un justificatif de ressources").submit("Continuer")
    assert "Joignez votre justificatif de ressources" in page.field_error("Votre justificatif de ressources")
    page = page.choose("Continuer sans estimation").submit("Continuer")
    page = page.submit("Envoyer ma demande")
    with app.app_context():
        request = db.session.scalars(select(Application)).one().creche
        assert request.psu_source is None and request.estimate is None


def test_unavailable_then_later_is_filled_by_the_recheck(app, browser, sandbox):
    page = begin(browser, CRECHE).choose(CAF_MODE).submit("Continuer")
    sandbox.arm_fault("503", times=2)  # the client retries once by itself
    page = fill_identity(page, LEFEBVRE).submit("Continuer")
    assert page.h1 == "Le service de la CAF et de la MSA ne répond pas"
    page = page.choose("Continuer sans les informations de la CAF ou de la MSA").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = add_child(page).submit("Continuer").choose("Léa, né ou née le 14/07/2024").submit("Continuer")
    page = without_residence(fill_wishes(page).submit("Continuer")).submit("Continuer")
    page = page.choose("Enregistrer ma demande : la mairie interrogera la CAF ou la MSA plus tard").submit("Continuer")
    page = page.submit("Envoyer ma demande")
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.creche.psu_source == "pending" and application.recheck_identity
    result = app.test_cli_runner().invoke(args=["adhesions", "recheck"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.creche.psu_source == "api" and application.recheck_identity is None
        assert application.creche.psu_annual_resources == 40923
        assert application.creche.estimate["tables"]["collective"]["hourly"] == "1.76"


def test_no_url_of_a_creche_journey_carries_personal_data(browser):
    page = fill_wishes(to_wishes(browser, BOTH)).submit("Continuer").submit("Continuer").click("Continuer")
    page.click("Continuer").submit("Envoyer ma demande")
    for url in browser.visited:
        for secret in ("LEFEBVRE", "ALEXIS", "1982", "Léa", "L%C3%A9a", "2024", "40923", "famille@"):
            assert secret.lower() not in url.lower(), url


def test_the_start_page_asks_which_demarche_and_says_when_none_is_chosen(browser):
    page = browser.get("/")
    for label in ("Le Pass Famille", "Une place en crèche (préinscription)", "Les deux"):
        assert page.value(label) == ""
    page = page.submit("Commencer ma demande")
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert "Choisissez ce que vous souhaitez demander" in page.field_error("Les deux")
    page = page.choose("Les deux").submit("Commencer ma demande")
    assert browser.get("/").value("Les deux") == "checked"  # « Reprendre ma demande » keeps it


def test_without_the_caf_a_resources_proof_goes_with_the_creche_request(app, browser, stored_proofs):
    page = begin(browser, CRECHE)
    assert page.h1 == "Vos ressources : ce que la mairie demande à la CAF ou à la MSA"
    page = page.choose("Ne pas passer par la CAF ou la MSA : je fournirai moi-même un justificatif").submit("Continuer")
    assert not page.has_label("Jour")  # no birth data is asked when the CAF/MSA is not called
    page = fill_identity(page, LEFEBVRE).submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = add_child(page).submit("Continuer").choose("Léa, né ou née le 14/07/2024").submit("Continuer")
    page = fill_wishes(page).submit("Continuer")
    # The typed address is in the commune: the residence criterion is ticked, its proof asked.
    assert page.value("La famille habite Val-Fleuri (40 points)") == "checked"
    page = page.attach("Justificatif de domicile de moins de 3 mois", "domicile.pdf", b"%PDF-1.4 domicile")
    page = page.submit("Continuer")
    assert page.h1 == "Estimation du tarif"
    page = page.choose("Fournir un justificatif de ressources")
    page = page.attach("Votre justificatif de ressources", "avis.pdf", b"%PDF-1.4 avis").submit("Continuer")
    assert page.h1 == "Vérifiez votre demande", page.error_summary()
    page = page.submit("Envoyer ma demande")
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.demarche == "creche" and application.creche.psu_source == "document"
        assert application.creche.estimate is None
        assert sorted(d.kind for d in application.documents) == ["critere-residence", "ressources-creche"]
    assert len(stored_proofs()) == 2


def test_changing_a_wish_from_the_recap_comes_back_to_the_recap_with_the_new_order(browser):
    page = fill_wishes(to_wishes(browser)).submit("Continuer").submit("Continuer").click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    assert "Multi-accueil Les Pioupious (Grands)" in page.text
    page = page.click("Modifier vos souhaits d'accueil")
    assert page.h1 == "Vos souhaits d'accueil"
    page = page.select("Premier choix", COQUELICOTS).select("Deuxième choix (facultatif)", PIOUPIOUS)
    page = page.submit("Continuer")
    assert page.h1 == "Vérifiez votre demande", page.error_summary()
    choices = [
        row.get_text(" ", strip=True) for row in page.soup.select(".recap-list__row") if "Choix n°" in row.get_text()
    ]
    assert choices[0].startswith("Choix n° 1 Crèche familiale Les Coquelicots")
    assert choices[1].startswith("Choix n° 2 Multi-accueil Les Pioupious")
