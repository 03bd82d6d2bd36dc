"""The residence criterion (40 points in Val-Fleuri, the grid's biggest): ticked in advance from the household's
address when it is in the commune — without a proof when the CAF/MSA certified it (the agent checks the address),
with the usual proof when the family typed it; several files where the criterion asks for a proof « de chaque
parent »; each proof field tied to its box, so that it shows only once the box is ticked (passfamille.js)."""

import io

from sqlalchemy import select

from passfamille.backoffice.viewmodels_commission import points_lines
from passfamille.extensions import db
from passfamille.models import Application

from ..creche_factory import make_request
from ..functional.journeys import CAF_MODE, CRECHE, UNKNOWN, add_child, begin, fill_identity
from ..functional.test_creche_journeys import fill_wishes, to_wishes

RESIDENCE = "La famille habite Val-Fleuri (40 points)"
RESIDENCE_PROOF = "Justificatif de domicile de moins de 3 mois"
WORKING = "Les deux parents, ou le parent seul, travaillent, étudient ou suivent une formation (30 points)"
WORKING_PROOF = "Attestation d'employeur, de formation ou certificat de scolarité de chaque parent"
PDF = b"%PDF-1.4 "


def to_situation(browser):
    return fill_wishes(to_wishes(browser)).submit("Continuer")


def typed_address_to_situation(browser, postal_code="13006", city="Marseille"):
    """Without the CAF/MSA (not found): the family types its address."""
    page = begin(browser, CRECHE).choose(CAF_MODE).submit("Continuer")
    page = fill_identity(page, UNKNOWN).submit("Continuer")
    page = page.choose("Continuer sans les informations de la CAF ou de la MSA").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", postal_code).fill("Commune", city)
    page = add_child(page).submit("Continuer").choose("Léa, né ou née le 14/07/2024").submit("Continuer")
    page = fill_wishes(page).submit("Continuer")
    assert page.h1 == "Votre situation", page.error_summary()
    return page


def attach_many(page, label: str, files: list[tuple[str, bytes]]):
    """Several files chosen at once in one file field (<input type=file multiple>)."""
    page.attach(label, files[0][0], files[0][1])
    name = page._element(label)["name"]
    page._files[name] = [(io.BytesIO(content), filename) for filename, content in files]
    return page


def test_a_certified_address_in_the_commune_ticks_the_residence_without_asking_a_proof(app, browser):
    page = to_situation(browser)

    assert page.value(RESIDENCE) == "checked"
    assert "Votre adresse connue de la CAF ou de la MSA est dans la commune" in page.text
    assert not page.has_label(RESIDENCE_PROOF)
    assert "Total de vos points : 40 points" in page.text

    page = page.submit("Continuer")

    assert page.h1 == "Estimation du tarif", page.error_summary()
    page = page.click("Continuer").submit("Envoyer ma demande")
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.creche.criteria == ["residence"] and application.documents == []


def test_a_family_that_unticks_the_residence_keeps_its_answer(browser):
    page = to_situation(browser).check(RESIDENCE, checked=False).submit("Continuer")
    assert page.h1 == "Estimation du tarif"

    again = browser.get("/demande/situation")

    assert again.value(RESIDENCE) == ""  # pre-answered only on the first visit
    assert "Total de vos points : 0 point" in again.text


def test_a_typed_address_in_the_commune_ticks_the_residence_and_asks_its_proof(browser, stored_proofs):
    page = typed_address_to_situation(browser)
    assert page.value(RESIDENCE) == "checked"
    assert "Votre adresse indiquée à l'étape « Votre foyer » est dans la commune" in page.text

    page = page.submit("Continuer")

    assert page.status == 400
    assert "Joignez le justificatif de ce critère" in page.field_error(RESIDENCE_PROOF)
    page = page.attach(RESIDENCE_PROOF, "domicile.pdf", PDF + b"domicile").submit("Continuer")
    assert page.h1 == "Estimation du tarif", page.error_summary()
    assert len(stored_proofs()) == 1


def test_an_address_outside_the_commune_leaves_the_residence_unticked(browser):
    page = typed_address_to_situation(browser, postal_code="69001", city="Lyon")

    assert page.value(RESIDENCE) == ""
    assert "est dans la commune" not in page.text


def test_each_proof_field_is_tied_to_its_box(browser):
    page = to_situation(browser)

    for box, proof in ((WORKING, WORKING_PROOF), ("Parent qui élève seul son enfant (20 points)", None)):
        field = page._element(box)
        panel = field.find_parent(class_="panel")
        tied = panel.select_one("[data-visible-si]")
        assert tied["data-visible-si"] == f"{field['name']}=y"
        if proof:
            assert tied.find(id=page._element(proof)["id"]) is not None


def test_a_proof_of_each_parent_takes_several_files_kept_together(app, browser, stored_proofs):
    page = to_situation(browser).check(WORKING)
    assert page._element(WORKING_PROOF).has_attr("multiple")

    page = attach_many(page, WORKING_PROOF, [("parent1.pdf", PDF + b"un"), ("parent2.pdf", PDF + b"deux")])
    page = page.submit("Continuer")

    assert page.h1 == "Estimation du tarif", page.error_summary()
    again = browser.get("/demande/situation")
    assert "Fichiers déjà joints pour « " + WORKING_PROOF + " » : 2 fichiers (PDF, PDF)" in again.text
    assert sorted(stored_proofs().values()) == [PDF + b"deux", PDF + b"un"]
    page = again.submit("Continuer").click("Continuer").submit("Envoyer ma demande")
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert sorted(d.kind for d in application.documents) == ["critere-parents-actifs"] * 2


def test_new_files_replace_the_previous_ones_and_a_refused_file_keeps_them(browser, stored_proofs):
    page = to_situation(browser).check(WORKING)
    page = attach_many(page, WORKING_PROOF, [("parent1.pdf", PDF + b"un"), ("parent2.pdf", PDF + b"deux")])
    page = page.submit("Continuer")

    page = browser.get("/demande/situation")
    page = attach_many(page, WORKING_PROOF, [("bon.pdf", PDF + b"trois"), ("texte.txt", b"pas un PDF")])
    page = page.submit("Continuer")

    assert page.status == 400
    assert "Fichier n° 2 : Le fichier doit être au format PDF, JPEG ou PNG" in page.field_error(WORKING_PROOF)
    assert sorted(stored_proofs().values()) == [PDF + b"deux", PDF + b"un"]

    page = attach_many(page, WORKING_PROOF, [("les-deux.pdf", PDF + b"trois")]).submit("Continuer")

    assert page.h1 == "Estimation du tarif", page.error_summary()
    assert list(stored_proofs().values()) == [PDF + b"trois"]


def test_more_files_than_allowed_are_refused_with_the_limit(browser, stored_proofs):
    page = to_situation(browser).check(WORKING)
    files = [(f"page{n}.pdf", PDF + str(n).encode()) for n in range(5)]

    page = attach_many(page, WORKING_PROOF, files).submit("Continuer")

    assert page.status == 400
    assert "Joignez au plus 4 fichiers pour ce critère" in page.field_error(WORKING_PROOF)
    assert stored_proofs() == {}


def test_unticking_a_criterion_deletes_all_its_files(browser, stored_proofs):
    page = to_situation(browser).check(WORKING)
    page = attach_many(page, WORKING_PROOF, [("parent1.pdf", PDF + b"un"), ("parent2.pdf", PDF + b"deux")])
    page.submit("Continuer")

    browser.get("/demande/situation").check(WORKING, checked=False).submit("Continuer")

    assert stored_proofs() == {}


def test_the_agent_reads_that_the_residence_comes_from_the_caf_address_not_a_missing_proof(app):
    certified, typed = make_request(app, criteria=["residence"]), make_request(app, criteria=["residence"])
    with app.app_context():
        db.session.get(Application, certified).address_source = "api"
        db.session.commit()
        proofs = [points_lines(db.session.get(Application, i).creche)["lines"][0]["proof"] for i in (certified, typed)]

    assert proofs == ["adresse de la CAF/MSA", "justificatif manquant"]
