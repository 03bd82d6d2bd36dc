"""The result page says plainly what is unusual about the quotient familial it was worked out from: a QF older than
the commune's rules accept (with its age and the limit), a QF of long ago, a QF of 0."""

from datetime import date

from passfamille import create_app
from passfamille.formatting import months_duration
from passfamille.months import calendar_months
from passfamille.wizard.viewmodels import _qf

from ..conftest import edited_example_settings
from ..formclient import Browser
from .journeys import DUPONT, add_child, fill_identity, start, through_api

DOCUMENT_ROUTE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def result_of_dupont(browser):
    """DUPONT's CAF QF is of June 2023 (the sandbox's fixture)."""
    page = through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer").submit("Continuer")
    assert page.h1 == "Votre résultat", page.h1
    return page


def notes(page) -> list[str]:
    return [note.get_text(" ", strip=True) for note in page.soup.select(".qf-note")]


def test_a_qf_of_long_ago_is_said_with_its_age(browser):
    page = result_of_dupont(browser)
    age = months_duration(calendar_months(2023, 6, date.today()))
    assert "Vous pouvez bénéficier du Pass Famille" in page.text  # the rules set no limit: still eligible
    (note,) = notes(page)
    assert f"Votre quotient familial date de juin 2023, il y a {age} : c'est ancien." in note
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    assert f"juin 2023), il y a {age} : ancien" in page.text


def test_the_caf_check_page_already_says_the_qf_is_old(browser):
    page = through_api(browser, DUPONT)
    assert page.h1 == "Vérifiez les informations de la CAF/MSA", page.h1
    age = months_duration(calendar_months(2023, 6, date.today()))
    assert f"Il date d'il y a {age} : c'est ancien." in page.text


def test_a_recent_qf_is_not_said_old_on_the_caf_check_page():
    today = date(2026, 12, 2)
    assert _qf({"value": 700, "provider": "CNAF", "year": 2026, "month": 1}, today)["old_age"] is None
    assert _qf({"value": 700, "provider": "CNAF", "year": 2025, "month": 12}, today)["old_age"] == "1 an"


def test_a_qf_older_than_the_rules_accept_says_the_limit_and_what_to_do(app_config, tmp_path):
    settings = edited_example_settings(
        tmp_path / "qf-12-mois",
        lambda text: text.replace("qf_max_age_months: null", "qf_max_age_months: 12", 1),
    )
    app = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings)})
    page = result_of_dupont(Browser(app.test_client()))
    assert "ne remplit pas les conditions" in page.text
    assert "la commune accepte un quotient familial de 12 mois au plus" in page.text
    (note,) = notes(page)
    assert "la commune n'accepte qu'un quotient familial de 12 mois au plus" in note
    assert "Demandez une attestation de quotient familial récente" in note


def test_a_qf_of_zero_is_said_to_be_unusual(browser):
    page = fill_identity(start(browser, DOCUMENT_ROUTE), DUPONT).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = add_child(page.fill("Quotient familial indiqué sur le document, en euros", "0").submit("Continuer"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert page.h1 == "Votre résultat"
    (note,) = notes(page)
    assert "Votre quotient familial est de 0 € : c'est rare" in note


def test_a_recent_qf_gets_no_note(browser):
    page = fill_identity(start(browser, DOCUMENT_ROUTE), DUPONT).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "attestation.pdf", PDF)
    page = add_child(page.fill("Quotient familial indiqué sur le document, en euros", "800").submit("Continuer"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert page.h1 == "Votre résultat" and notes(page) == []
