"""The wizard's mechanics: the path, the guards, Post/Redirect/Get, the recap's "Modifier" links."""

from datetime import timedelta

from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application, Draft

from .journeys import DUPONT, LEFEBVRE, add_child, fill_identity, finish, start, through_api


def test_a_later_step_redirects_to_the_first_incomplete_one(browser):
    start(browser)  # the information step is answered, the applicant step is not
    page = browser.get("/demande/recapitulatif")
    assert page.url.endswith("/demande/demandeur")
    assert page.h1 == "Vous"


def test_a_step_off_the_path_is_not_found(browser):
    through_api(browser, LEFEBVRE)  # CAF route: there is no document step on this path
    assert browser.get("/demande/justificatif").status == 404
    assert browser.get("/demande/inexistante").status == 404


def test_without_a_draft_the_wizard_explains_and_offers_to_start(browser):
    page = browser.get("/demande/foyer")
    assert page.h1 == "Nous ne retrouvons pas votre demande en cours"


def test_an_expired_draft_is_not_reused(app, browser):
    start(browser)
    with app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        draft.expires_at -= timedelta(days=3)
        db.session.commit()
    assert browser.get("/demande/demandeur").h1 == "Nous ne retrouvons pas votre demande en cours"


def test_valid_posts_redirect_with_303(app, browser):
    start(browser)
    response = browser.client.get("/demande/information")
    assert response.status_code == 200
    token = response.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = browser.client.post("/demande/information", data={"csrf_token": token, "mode": "api"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/demande/demandeur")


def to_recap(browser, person=DUPONT):
    page = through_api(browser, person).choose("Oui, elles sont correctes").submit("Continuer")
    page = page.submit("Continuer").click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    return page


def test_modifier_comes_back_to_the_recap(browser):
    page = to_recap(browser)
    page = page.click("Modifier les informations vous concernant")
    assert page.h1 == "Vous"
    page = page.fill("Adresse électronique", "autre@example.org").submit("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    assert "autre@example.org" in page.text


def test_a_changed_identity_drops_the_certified_facts_which_are_fetched_again(browser):
    page = to_recap(browser)
    assert "LAURA" in page.text
    page = page.click("Modifier les informations vous concernant")
    page = page.fill("Nom de naissance", "LEFEBVRE").fill("Premier prénom", "ALEXIS")
    page = page.fill("Deuxième prénom (facultatif)", "GÉRÔME").fill("Troisième prénom (facultatif)", "JEAN-PHILIPPE")
    page = page.fill("Jour", "27").fill("Mois", "12").fill("Année", "1982")
    page = page.select("Département de naissance", "08 – Ardennes").fill("Commune de naissance", "Villers-Semeuse")
    page = page.submit("Continuer")
    # The new identity's facts must be confirmed again before anything else.
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    assert "2\u202f550\u00a0€" in page.text and "LAURA" not in page.text
    page = browser.get("/demande/recapitulatif")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"


def test_switching_to_documents_drops_the_certified_route(browser):
    page = to_recap(browser)
    page = page.click("Modifier le choix entre la CAF et un justificatif")
    page = page.choose(
        "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
    ).submit("Continuer")
    # Back to the recap, which sends the family to the first step the new route still needs.
    assert page.h1 == "Votre justificatif de quotient familial"
    assert browser.get("/demande/verification-caf").status == 404


def test_submitting_twice_records_one_application(app, browser):
    page = to_recap(browser)
    form_page = page
    finish_page = page.submit("Envoyer ma demande")
    assert finish_page.h1 == "Votre demande est envoyée"
    again = form_page.submit("Envoyer ma demande")
    assert again.h1 == "Votre demande est envoyée"
    with app.app_context():
        assert len(db.session.scalars(select(Application)).all()) == 1


def test_a_removed_child_is_no_longer_counted(browser):
    page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    page = add_child(page)
    assert "Léa, né ou née le 14/07/2024" in page.text
    page = page.submit("Retirer Léa")
    assert "Léa, né ou née" not in page.text
    page = page.submit("Continuer")
    assert "Aucun enfant de moins de 18 ans" in page.text


def test_after_submission_the_start_page_begins_a_new_application(browser):
    page = through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    finish(page.submit("Continuer"))
    page = browser.get("/")
    assert "Commencer ma demande" in page.text
    assert page.value("Le Pass Famille") == "", "nothing pre-checked for a new application"
    page = page.choose("Le Pass Famille").submit("Commencer ma demande")
    assert page.h1.startswith("Votre quotient familial")
    assert page.value("Récupérer mes informations auprès de la CAF ou de la MSA") == ""


def test_a_document_left_behind_by_a_change_of_route_is_not_kept(app, browser, stored_proofs):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Dernier avis d'imposition").attach("Votre justificatif", "a.pdf", b"%PDF-1.4 x")
    page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer")
    assert len(stored_proofs()) == 1
    page = browser.get("/demande/information").choose("Récupérer mes informations auprès de la CAF ou de la MSA")
    page = page.submit("Continuer")
    page = fill_identity(page, DUPONT).submit("Continuer").choose("Oui, elles sont correctes").submit("Continuer")
    finish(page.submit("Continuer"))
    assert stored_proofs() == {}
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.pass_famille.qf_source == "api" and application.documents == []


def test_error_summary_links_land_on_the_fields(browser):
    page = start(browser).submit("Continuer")
    links = [a["href"] for a in page.soup.select(".error-summary a")]
    assert "#birth_name" in links and "#sex-0" in links and "#birth_day" in links
    for href in links:
        assert page.soup.find(id=href[1:]) is not None, href


def test_pages_carry_the_communes_logo_and_colour(browser):
    page = browser.get("/")
    logo = page.soup.select_one("header img")
    assert logo["alt"] == ""  # the commune's name follows in text
    response = browser.client.get(logo["src"])
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    theme = browser.client.get("/theme.css").get_data(as_text=True)
    assert "--couleur: #0b6e4f" in theme
