"""The DGFiP's avis d'imposition in the family's journey (issue 14): with rules reading « the QF when the CAF/MSA
answers, else the avis », a family the CAF/MSA does not know types its numéro fiscal, checks the DGFiP's facts, gets
a municipal quotient worked out from them, and the application records them with their provenance. The numéro
fiscal is never kept: not in the database, the logs or a URL."""

import csv
import io
import logging
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from passfamille import create_app
from passfamille.extensions import db
from passfamille.models import Application

from ..backoffice.agents import logged_in, make_agent
from ..conftest import edited_example_settings
from ..fiscal import BAD_KEY, ERIC, ERIC_TYPED, NOT_FOUND, app_config, municipal_settings  # noqa: F401 (the commune)
from ..formclient import Browser
from ..municipal_quotient import with_municipal_quotient
from .journeys import CRECHE, DUPONT, UNKNOWN, add_child, begin, fill_identity, finish, start, through_api
from .test_franceconnect import Family, fc_config
from .test_franceconnect import submit as submit_through_franceconnect
from .test_municipal_quotient import PARTS, RFR
from .test_proof_kinds import PDF

USE_AVIS = "Utiliser mon avis d'imposition : la mairie l'obtiendra auprès des impôts (DGFiP)"
SPI = "Numéro fiscal"
NBSP = {"\u00a0": " ", "\u202f": " "}


def plain(text: str) -> str:
    return text.translate(str.maketrans(NBSP))


def to_numero_fiscal(browser):
    page = through_api(browser, UNKNOWN)
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé"
    page = page.choose(USE_AVIS).submit("Continuer")
    assert page.h1 == "Votre numéro fiscal", page.h1
    return page


def database_bytes(app) -> bytes:
    """Every byte of the SQLite database, its write-ahead log included."""
    database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def to_household(page):
    page = add_child(page, "Lou", ("01", "02", "2019"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    return page.submit("Continuer")


def test_caf_404_then_the_dgfip_gives_a_municipal_quotient_recorded_as_api(app, browser, caplog):
    caplog.set_level(logging.DEBUG)
    page = to_numero_fiscal(browser)
    assert "Vos références" in page.text
    assert page.soup.find("figure").find("img")["alt"].startswith("Dessin du haut de la première page")
    page = page.fill(SPI, ERIC_TYPED).submit("Continuer")
    assert page.h1 == "Vérifiez les informations des impôts", page.h1
    assert ERIC.encode() not in database_bytes(app) and ERIC_TYPED.encode() not in database_bytes(app)
    assert ERIC not in page.url
    text = plain(page.text)
    for shown in ("28 678 €", "Célibataire", "Revenu fiscal de référence", "Nombre de parts", "Adresse fiscale"):
        assert shown in text, shown
    assert "Ces informations sont-elles correctes ?" in text
    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    assert page.h1 == "Votre foyer", page.h1
    page = to_household(page)
    assert page.h1 == "Votre résultat", page.h1
    text = plain(page.text)
    assert (
        "Votre quotient municipal : 28 678 € ÷ 12 ÷ 1 part = 2 389,83 €, arrondi à l'euro inférieur : 2 389 €" in text
    )
    assert "Résultat provisoire" not in text
    page = finish(page)
    assert page.h1 == "Votre demande est envoyée"
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        pf = application.pass_famille
        assert (pf.fiscal_source, pf.fiscal_rfr, pf.fiscal_year) == ("api", 28678, pf.fiscal_year)
        assert pf.fiscal_year is not None and pf.fiscal_fetched_at is not None
    assert ERIC not in caplog.text and ERIC_TYPED not in caplog.text
    raw = database_bytes(app)
    assert ERIC.encode() not in raw and ERIC_TYPED.encode() not in raw


def test_the_agent_sees_the_dgfip_avis_with_its_provenance_and_the_exports_carry_it(app, browser):
    page = to_numero_fiscal(browser).fill(SPI, ERIC).submit("Continuer")
    page = to_household(page.choose("Oui, elles sont correctes").submit("Continuer"))
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    recap = plain(page.text)
    assert "Obtenu auprès des impôts (DGFiP, revenus" in recap and "28 678 €" in recap
    finish_page = page.submit("Envoyer ma demande")
    assert finish_page.h1 == "Votre demande est envoyée"
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        application_id, year = application.id, application.pass_famille.fiscal_year
        assert "FISCAL_FROM_DOCUMENT" not in application.pass_famille.decision["reasons"]  # certified, not paper
    make_agent(app)
    agent = logged_in(app)
    page = agent.get(f"/agents/demandes/{application_id}")
    section = plain(page.soup.find(id="qf-titre").find_parent("section").get_text(" ", strip=True))
    assert f"Avis d'imposition (DGFiP, revenus {year}, obtenu le " in section
    assert "Revenu fiscal de référence 28 678 € certifié" in section
    assert "Quotient municipal 28 678 € ÷ 12 ÷ 1 part = 2 389,83 €" in section
    assert not page.has_label("Revenu fiscal de référence lu sur l'avis, en euros")  # nothing to check on paper
    output = app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "csv"]).output
    row = next(csv.DictReader(io.StringIO(output.lstrip("\ufeff")), delimiter=";"))
    assert row["Source du revenu fiscal et des parts"] == "DGFiP (API Impôt particulier)"
    assert row["Année des revenus de l'avis"] == str(year) and row["Avis obtenu auprès de la DGFiP le (heure de Paris)"]


def test_avis_not_found_then_the_family_uploads_it_and_the_agent_enters_rfr_and_parts(app, browser):
    page = to_numero_fiscal(browser).fill(SPI, NOT_FOUND).submit("Continuer")
    assert page.h1 == "Aucun avis d'imposition trouvé", page.h1
    labels = [label.get_text(" ", strip=True) for label in page.soup.select("fieldset label")]
    assert labels == [
        "Vérifier le numéro saisi",
        "Fournir mon avis d'imposition",
        "Continuer sans : le Pass Famille sera au plein tarif",
    ]
    page = page.choose("Vérifier le numéro saisi").submit("Continuer")
    assert page.h1 == "Votre numéro fiscal" and page.value(SPI) == ""  # never kept: typed again
    page = page.fill(SPI, NOT_FOUND).submit("Continuer")
    page = page.choose("Fournir mon avis d'imposition").submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial", page.h1
    assert page.soup.find("input", attrs={"value": "avis_imposition"}).has_attr("checked")  # the avis, chosen
    page = page.attach("Votre justificatif", "avis.pdf", PDF).fill(RFR, "32 400").fill(PARTS, "2,5")
    page = to_household(page.submit("Continuer"))
    assert "Résultat provisoire" in page.text
    finish(page)
    with app.app_context():
        application = db.session.scalars(select(Application)).one()
        application_id = application.id
        assert (application.pass_famille.fiscal_source, application.pass_famille.fiscal_fetched_at) == (
            "document",
            None,
        )
    make_agent(app)
    agent = logged_in(app)
    page = agent.get(f"/agents/demandes/{application_id}")
    rfr, parts = "Revenu fiscal de référence lu sur l'avis, en euros", "Nombre de parts lu sur l'avis"
    page = page.fill(rfr, "60 000").fill(parts, "2,5").submit("Enregistrer la vérification")
    assert "Avis vérifié : le quotient municipal et la décision sont recalculés" in page.text
    with app.app_context():
        pf = db.session.get(Application, application_id).pass_famille
        assert (pf.fiscal_rfr, pf.fiscal_source, pf.decision["quotient"]) == (60_000, "document", 2_000)


def test_dgfip_unavailable_then_the_family_retries_by_typing_its_number_again(app, browser, sandbox):
    page = to_numero_fiscal(browser)
    sandbox.arm_fault("503", times=2)  # the call and the client's one retry
    page = page.fill(SPI, ERIC).submit("Continuer")
    assert page.h1 == "Le service des impôts ne répond pas", page.h1
    assert "votre numéro fiscal n'est pas gardé, vous le saisirez à nouveau" in page.text
    page = page.choose("Réessayer maintenant").submit("Continuer")
    assert page.h1 == "Votre numéro fiscal"
    page = page.fill(SPI, ERIC).submit("Continuer")
    assert page.h1 == "Vérifiez les informations des impôts", page.h1


def test_agents_see_the_dgfips_outage_apart_from_api_particuliers(app, browser, sandbox):
    page = to_numero_fiscal(browser)  # one API Particulier call, which found nothing (not an error)
    sandbox.arm_fault("503", times=2)  # the DGFiP's call and the client's one retry
    page.fill(SPI, ERIC).submit("Continuer")
    make_agent(app)
    text = plain(logged_in(app).get("/agents/").text)
    assert "Impôts (DGFiP, avis d'imposition) : 1 erreur en 24 h : 1 indisponibilité (503)." in text
    assert "erreur en 24 h" not in text.replace("Impôts (DGFiP, avis d'imposition) : 1 erreur en 24 h", "")


def test_a_malformed_number_is_said_at_the_field_and_nothing_is_lost(app, browser):
    page = to_numero_fiscal(browser)
    for typed in ("12345", "3999999930262x", "３９９９９９９９３０２６２", "²999999930262"):
        page = page.fill(SPI, typed).submit("Continuer")
        assert page.status == 400, typed
        assert "Vérifiez votre numéro fiscal : 13 chiffres, sur la première page de votre avis" in page.field_error(SPI)
        assert page.value(SPI) == typed and page.title.startswith("Erreur : ")
    # 13 digits the DGFiP refuses as malformed (a wrong key): the same message, the number shown again.
    page = page.fill(SPI, BAD_KEY).submit("Continuer")
    assert page.status == 400 and page.h1 == "Votre numéro fiscal"
    assert "Vérifiez votre numéro fiscal" in page.field_error(SPI) and page.value(SPI) == BAD_KEY
    page = page.fill(SPI, "").submit("Continuer")
    assert "Saisissez votre numéro fiscal" in page.field_error(SPI)
    # What the family answered before is still there: the CAF/MSA page keeps its answer.
    page = browser.get("/demande/verification-caf")
    assert page.soup.find("input", attrs={"value": "fiscal"}).has_attr("checked")


def test_a_double_post_of_the_number_leaves_one_consistent_outcome(app, browser):
    page = to_numero_fiscal(browser)
    token = page.soup.find("input", attrs={"name": "csrf_token"})["value"]
    data = {"csrf_token": token, "asked": "y", "spi": ERIC}
    first = browser.client.post("/demande/numero-fiscal", data=data)
    second = browser.client.post("/demande/numero-fiscal", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert ERIC not in first.headers["Location"]
    page = browser.get("/demande/verification-impots")
    assert page.h1 == "Vérifiez les informations des impôts"
    with app.app_context():
        from passfamille.models import Draft

        (draft,) = db.session.scalars(select(Draft)).all()
        assert draft.certified["fiscal"]["outcome"] == "ok" and draft.certified["fiscal"]["rfr"] == 28678
        assert draft.answers["numero_fiscal"] == {"asked": "y"}
        assert ERIC not in str(draft.answers) and ERIC not in str(draft.certified)


# --- FranceConnect: the family types nothing ---------------------------------------------------------------------

ERIC_FC = "dgfip-45"  # our own FranceConnect test citizen (sandbox fixtures/franceconnect/PROVENANCE.md)


def test_through_franceconnect_the_dgfip_gives_the_avis_without_the_number(app_config, sandbox, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    app = create_app(fc_config(app_config, sandbox))
    family = Family(app, sandbox)
    authorize = family.start()
    assert "dgfip_rfr" in parse_qs(urlsplit(authorize).query)["scope"][0].split()
    page = family.back(family.mire(authorize, ERIC_FC))
    assert page.h1 == "Vous", page.h1
    page = page.submit("Continuer")
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé", page.h1
    page = page.choose(USE_AVIS).submit("Continuer")
    # No numéro fiscal asked: FranceConnect's token fetched the avis at the login.
    assert page.h1 == "Vérifiez les informations des impôts", page.h1
    assert "28 678 €" in plain(page.text) and "Célibataire" in page.text
    assert family.app_browser.client.get("/demande/numero-fiscal").status_code == 404  # not on the path
    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    page = to_household(page)
    assert page.h1 == "Votre résultat", page.h1
    assert "28 678 € ÷ 12 ÷ 1 part" in plain(page.text)
    page = page.click("Continuer")
    page = submit_through_franceconnect(page, family)
    assert page.h1 == "Votre demande est envoyée"
    with app.app_context():
        pf = db.session.scalars(select(Application)).one().pass_famille
        assert (pf.fiscal_source, pf.fiscal_rfr, pf.fiscal_parts) == ("api", 28678, "1")
    assert ERIC not in caplog.text


# --- when the DGFiP is asked (wizard/fiscal.py) -------------------------------------------------------------------


def test_without_the_habilitation_the_family_never_sees_the_dgfip(app_config, sandbox):  # noqa: F811
    config = {key: value for key, value in app_config.items() if not key.startswith("IMPOT_PARTICULIER")}
    app = create_app({**config, "IMPOT_PARTICULIER_URL": ""})
    browser = Browser(app.test_client())
    assert "DGFiP" not in begin(Browser(app.test_client())).text
    page = through_api(browser, UNKNOWN)
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé" and "impôts" not in page.text
    assert browser.client.get("/demande/numero-fiscal").status_code == 404


def test_rules_on_the_caf_qf_alone_never_ask_the_dgfip(app_config, sandbox, tmp_path):  # noqa: F811
    settings = edited_example_settings(tmp_path / "commune-caf-qf", lambda text: text)
    app = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings)})
    browser = Browser(app.test_client())
    page = through_api(browser, UNKNOWN)
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé" and USE_AVIS not in page.text


def test_the_information_page_names_the_dgfip_where_it_may_be_asked(app, browser):
    page = begin(browser)
    assert "Direction générale des finances publiques (DGFiP)" in page.text
    assert "Si la CAF ou la MSA ne donne pas votre quotient familial" in page.text
    assert "Votre numéro fiscal n'est pas gardé" in page.text


def test_a_confirmed_caf_qf_is_used_and_the_dgfip_is_not_asked(app, browser):
    page = through_api(browser, DUPONT)
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    assert page.h1 == "Votre foyer", page.h1
    assert browser.client.get("/demande/numero-fiscal").status_code == 404


def test_a_creche_request_alone_never_asks_the_dgfip(app, browser):
    page = fill_identity(start(browser, demarche=CRECHE), UNKNOWN).submit("Continuer")
    assert page.h1 == "Aucun dossier CAF ou MSA trouvé"
    assert USE_AVIS not in page.text


def test_with_a_municipal_quotient_alone_the_avis_follows_the_caf_facts(app_config, sandbox, tmp_path):  # noqa: F811
    def municipal_only(text):
        return with_municipal_quotient(text).replace("basis: caf_qf_else_municipal", "basis: municipal_quotient")

    settings = edited_example_settings(tmp_path / "commune-quotient-municipal-seul", municipal_only)
    app = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings)})
    browser = Browser(app.test_client())
    assert "la mairie demandera aussi" in begin(Browser(app.test_client())).text
    page = through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    assert page.h1 == "Votre numéro fiscal", page.h1


def test_numero_fiscal_lookups_are_capped_per_draft(app, browser):
    page = to_numero_fiscal(browser)
    for _ in range(5):
        page = page.fill(SPI, NOT_FOUND).submit("Continuer")
        assert page.h1 == "Aucun avis d'imposition trouvé", page.h1
        page = page.choose("Vérifier le numéro saisi").submit("Continuer")
    page = page.fill(SPI, ERIC).submit("Continuer")
    assert page.h1 == "Trop de demandes aux impôts", page.h1
    labels = [label.get_text(" ", strip=True) for label in page.soup.select("fieldset label")]
    assert labels == ["Fournir mon avis d'imposition", "Continuer sans : le Pass Famille sera au plein tarif"]


def test_where_the_commune_hides_the_details_the_family_reads_only_that_its_avis_was_found(
    app_config,  # noqa: F811
    sandbox,
    tmp_path,
):
    def hiding(text):
        return with_municipal_quotient(text).replace("  show_details: true", "  show_details: false")

    settings = edited_example_settings(tmp_path / "commune-qui-cache", hiding)
    app = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings)})
    browser = Browser(app.test_client())
    page = through_api(browser, UNKNOWN).choose(USE_AVIS).submit("Continuer")
    page = page.fill(SPI, ERIC).submit("Continuer")
    assert page.h1 == "Votre avis d'imposition a été trouvé", page.h1
    assert "28 678" not in plain(page.text) and "Célibataire" not in page.text
    page = to_household(page.choose("Non, cet avis est à jour").submit("Continuer"))
    assert page.h1 == "Votre résultat"
    assert "28 678" not in plain(page.text) and "2 389" not in plain(page.text)
    assert "de votre avis d'imposition obtenues auprès des impôts" in page.text
    page = page.click("Continuer")
    recap = plain(page.text)
    assert "Obtenu auprès des impôts (DGFiP" in recap and "28 678" not in recap and "2 389" not in recap


def test_the_avis_pages_share_the_number_of_the_caf_page_so_the_total_does_not_change(app, browser):
    def step_of(page) -> str:
        return re.search(r"Étape \d+ sur \d+", page.title).group(0)

    page = through_api(browser, UNKNOWN)
    number = step_of(page)
    page = page.choose(USE_AVIS).submit("Continuer")
    assert page.h1 == "Votre numéro fiscal" and step_of(page) == number
    page = page.fill(SPI, ERIC).submit("Continuer")
    assert page.h1 == "Vérifiez les informations des impôts" and step_of(page) == number
