"""Every citizen form of the three journeys (Pass Famille, crèche, « les deux ») under generated bad input: never a
server error; a value that cannot be right is refused with a French message at its field, every other value shown
again; invisible characters are dropped; a megabyte is refused with 413."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from ..formclient import Browser
from ..functional.journeys import (
    BOTH,
    CAF_MODE,
    CRECHE,
    DUPONT,
    LEFEBVRE,
    PASS_FAMILLE,
    UNKNOWN,
    add_child,
    begin,
    fill_identity,
    start,
    through_api,
)
from ..functional.test_creche_journeys import fill_wishes, to_foyer, to_wishes
from .harness import fuzz, target
from .inputs import cases as bad_cases
from .inputs import fuzz_settings

DOCUMENT_ROUTE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

APPLICANT_NAMES = {
    "birth_name": "name",
    "usage_name": "name",
    "first_name_1": "name",
    "first_name_2": "name",
    "first_name_3": "name",
    "no_first_name": "bool",
    "email": "email",
}
BIRTH_DATE = ("birth_day", "birth_month", "birth_year")


def test_start_page_choice_of_demarche(app, browser, cases):
    page = browser.get("/").choose(BOTH)
    form = target(app, page, "/demande/commencer", {"choice": "choice"}, cases)
    fuzz(form, 300)


def test_information_step_of_each_demarche(app, cases):
    for demarche in (PASS_FAMILLE, CRECHE, BOTH):
        page = begin(Browser(app.test_client()), demarche).choose(CAF_MODE)
        form = target(app, page, "/demande/information", {"mode": "choice"}, cases)
        fuzz(form, 150)


def test_applicant_step_with_the_caf(app, browser, cases):
    # Submitted once: the examples that are valid find the same identity and make no new call to the API.
    through_api(browser, LEFEBVRE)
    page = browser.get("/demande/demandeur")
    kinds = {
        **APPLICANT_NAMES,
        "sex": "choice",
        "birth_day": "date",
        "birth_month": "date",
        "birth_year": "date",
        "birth_date_incomplete": "bool",
        "born_in": "choice",
        "birth_department": "choice",
        "birth_commune": "text",
        "birth_commune_unlisted": "bool",
        "birth_country": "not_applicable",  # born in France
    }
    anchors = dict.fromkeys(BIRTH_DATE, "birth_day")
    form = target(app, page, "/demande/demandeur", kinds, cases, anchors=anchors, dates=(BIRTH_DATE,))
    fuzz(form, 1200)


def test_applicant_step_born_abroad_with_an_incomplete_date(app, browser, cases):
    page = fill_identity(start(browser), {**DUPONT, "birth_date": ("", "", "1982"), "country": "Italie"})
    page = page.submit("Continuer")
    page = browser.get("/demande/demandeur")
    kinds = {
        "birth_day": "date",
        "birth_month": "date",
        "birth_year": "date",
        "birth_country": "choice",
        "born_in": "choice",
        # What a person born abroad does not answer: ignored, and not stored.
        "birth_department": "not_applicable",
        "birth_commune": "not_applicable",
        "birth_commune_code": "not_applicable",
        "birth_commune_unlisted": "not_applicable",
    }
    anchors = dict.fromkeys(BIRTH_DATE, "birth_day")
    form = target(app, page, "/demande/demandeur", kinds, cases, anchors=anchors, dates=(BIRTH_DATE,))
    fuzz(form, 400)


def test_applicant_step_with_a_document(app, browser, cases):
    page = fill_identity(start(browser, DOCUMENT_ROUTE), DUPONT)
    # No birth data is asked on this route: whatever comes in those fields is ignored.
    ignored = dict.fromkeys([*BIRTH_DATE, "sex", "born_in", "birth_department", "birth_commune"], "not_applicable")
    form = target(app, page, "/demande/demandeur", {**APPLICANT_NAMES, **ignored}, cases)
    fuzz(form, 400)


def test_verification_step(app, browser, cases):
    page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes")
    form = target(app, page, "/demande/verification-caf", {"choice": "choice"}, cases)
    fuzz(form, 250)


def test_document_step_with_its_file(app, browser, cases):
    page = fill_identity(start(browser, DOCUMENT_ROUTE), DUPONT).submit("Continuer")
    # A CAF/MSA attestation: the proof with which the family types the QF it shows (a tax notice asks for none).
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = page.fill("Quotient familial indiqué sur le document, en euros", "850").submit("Continuer")
    assert page.h1 == "Votre foyer", page.error_summary()
    page = browser.get("/demande/justificatif")
    kinds = {"kind": "choice", "declared_qf": "number"}
    form = target(app, page, "/demande/justificatif", kinds, cases)
    fuzz(form, 500)
    # The same with a file sent each time: a file is not a reason to lose the other answers.
    form = target(app, page, "/demande/justificatif", kinds, cases, files={"file": (PDF, "attestation.pdf")})
    fuzz(form, 150)


def test_household_step_adding_a_child(app, browser, cases):
    page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    page = page.fill("Prénom de l'enfant", "Léa").fill("Jour", "14").fill("Mois", "07").fill("Année", "2024")
    page = page.select("Pourquoi cet enfant n'apparaît-il pas ?", "Naissance récente")
    child_date = ("child_birth_day", "child_birth_month", "child_birth_year")
    kinds = {
        "child_first_name": "name",
        "child_birth_day": "date",
        "child_birth_month": "date",
        "child_birth_year": "date",
        "child_reason": "choice",
        # The CAF/MSA gave the address: a typed one is ignored.
        "street": "not_applicable",
        "postal_code": "not_applicable",
        "city": "not_applicable",
    }
    anchors = dict.fromkeys(child_date, "child_birth_day")
    form = target(
        app, page, "/demande/foyer", kinds, cases, anchors=anchors, dates=(child_date,), extra={"action": "ajouter"}
    )
    fuzz(form, 800)


def test_household_step_typing_the_address(app, browser, cases):
    page = through_api(browser, UNKNOWN)
    page = page.choose("Continuer sans justificatif : le Pass Famille sera au plein tarif").submit("Continuer")
    page = page.fill("Numéro et voie", "3 rue du Four").fill("Complément d'adresse (facultatif)", "Bâtiment B")
    page = page.fill("Code postal", "13006").fill("Commune", "Marseille")
    kinds = {"street": "text", "address_complement": "text", "postal_code": "number", "city": "text"}
    form = target(app, page, "/demande/foyer", kinds, cases, extra={"action": "continuer"})
    fuzz(form, 500)


def test_household_removal_of_a_child(app, browser, cases):
    page = add_child(through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer"))
    page = add_child(page, "Noé", ("02", "03", "2022"))
    form = target(app, page, "/demande/foyer/retirer", {"index": "any"}, cases, kept=())
    # Any index that is not one of the list's leaves the list as it is: the family is sent back to it.
    fuzz(form, 300)


def test_child_step_another_child(app, browser, cases):
    page = to_foyer(browser).submit("Continuer").choose("Un autre enfant").fill("Prénom de l'enfant", "Noé")
    page.fill("Jour de naissance", "01").fill("Mois de naissance", "02")
    page.fill("Année de naissance", str(date.today().year - 1))
    other = ("other_birth_day", "other_birth_month", "other_birth_year")
    kinds = {
        "child": "choice",
        "other_first_name": "name",
        **dict.fromkeys(other, "date"),
        **dict.fromkeys(["due_day", "due_month", "due_year", "expected_first_name"], "not_applicable"),
    }
    anchors = dict.fromkeys(other, "other_birth_day")
    form = target(app, page, "/demande/enfant", kinds, cases, anchors=anchors, dates=(other,))
    fuzz(form, 500)


def test_child_step_a_child_to_be_born_in_both_demarches(app, browser, cases):
    page = to_foyer(browser, BOTH).submit("Continuer").choose("Un enfant à naître")
    due = date.today() + timedelta(days=100)
    page.fill("Jour prévu", f"{due.day:02d}").fill("Mois prévu", f"{due.month:02d}").fill("Année prévue", str(due.year))
    page.fill("Prénom prévu (facultatif)", "Lou")
    due_parts = ("due_day", "due_month", "due_year")
    kinds = {
        "child": "choice",
        "expected_first_name": "name",
        **dict.fromkeys(due_parts, "date"),
        **dict.fromkeys(
            ["other_first_name", "other_birth_day", "other_birth_month", "other_birth_year"], "not_applicable"
        ),
    }
    anchors = dict.fromkeys(due_parts, "due_day")
    form = target(app, page, "/demande/enfant", kinds, cases, anchors=anchors, dates=(due_parts,))
    fuzz(form, 400)


def test_wishes_step(app, browser, cases):
    page = fill_wishes(to_wishes(browser))
    start_date = ("start_day", "start_month", "start_year")
    kinds = {
        "wish_1": "choice",
        "wish_2": "choice",
        **dict.fromkeys(start_date, "date"),
        "days_per_week": "number",
        "hours_per_week": "number",
    }
    anchors = dict.fromkeys(start_date, "start_day")
    form = target(app, page, "/demande/souhaits", kinds, cases, anchors=anchors, dates=(start_date,))
    fuzz(form, 800)


def test_situation_step_with_its_proofs(app, browser, cases):
    page = fill_wishes(to_wishes(browser, BOTH)).submit("Continuer")
    assert page.h1 == "Votre situation"
    page = page.check("Parent qui élève seul son enfant (20 points)")  # the residence is ticked from the CAF address
    page = page.attach(
        "Attestation de paiement de la CAF ou jugement fixant la résidence de l'enfant", "parent.pdf", PDF
    ).submit("Continuer")
    page = browser.get("/demande/situation")
    names = [
        element["name"]
        for element in page.soup.select("input[type=checkbox]")
        if element["name"].startswith("critere_")
    ]
    form = target(app, page, "/demande/situation", dict.fromkeys(names, "bool"), cases)
    fuzz(form, 300)


def test_estimate_step_without_the_caf(app, browser, cases):
    page = begin(browser, CRECHE)
    page = page.choose("Ne pas passer par la CAF ou la MSA : je fournirai moi-même un justificatif").submit("Continuer")
    page = fill_identity(page, LEFEBVRE).submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = add_child(page).submit("Continuer").choose("Léa, né ou née le 14/07/2024").submit("Continuer")
    page = fill_wishes(page).submit("Continuer")
    page = page.check("La famille habite Val-Fleuri (40 points)", checked=False).submit("Continuer")
    assert page.h1 == "Estimation du tarif"
    page = page.choose("Continuer sans estimation")
    form = target(app, page, "/demande/estimation", {"psu_choice": "choice"}, cases)
    fuzz(form, 250)


def test_recap_submission_ignores_fields_it_does_not_have(app, browser, mailbox, cases):
    page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    page = add_child(page).submit("Continuer").click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    form = target(app, page, "/demande/recapitulatif", {"csrf_token": "any"}, cases, kept=())
    snapshot, token = form.snapshot, form.baseline["csrf_token"]
    names = st.sampled_from(["birth_name", "qf", "reference", "status", "csrf_token", "x" * 200])

    @fuzz_settings(80)
    @given(name=names, case=bad_cases(megabyte=False))
    def run(name, case):
        cases["n"] += 1
        value = case.value if isinstance(case.value, str) else ""
        data = MultiDict([("csrf_token", token), (name, value)])
        response = browser.client.post("/demande/recapitulatif", data=data, content_type="multipart/form-data")
        try:
            # The token sent first is the page's: whatever comes with it, the draft is submitted as stored.
            assert response.status_code == 303, (name, case, response.status_code)
            assert response.headers["Location"].endswith("/demande/confirmation")
        finally:
            snapshot.restore()

    run()
