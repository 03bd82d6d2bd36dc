"""A crèche request sent with a resources proof instead of the CAF/MSA: the agent reads the proof and enters the
figures on the request's page; the estimate is computed with the barème of the settings, shown to the agent and
to the family on its link, audited, and the proof is deleted. The expected figures are computed here by hand from
the barème of commune-exemple.yaml (collective: 0,0516 % for 2 children, 0,0413 % for 3; familial: 0,0310 % for
3 to 5 children; plancher and plafond far from 2 500 € a month)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from passfamille import create_app
from passfamille.creche.relance import commune_today
from passfamille.extensions import db
from passfamille.formatting import euros
from passfamille.models import Application

from ..creche.family_link import link_of
from ..creche_factory import PDF, make_request, with_proof
from ..formclient import Browser
from ..functional.journeys import CRECHE, LEFEBVRE, add_child, begin, fill_identity
from ..functional.test_creche_journeys import fill_wishes
from .agents import logged_in, make_agent

AGENT = "agent@val-fleuri.example"
RESOURCES = "Ressources annuelles, en euros"
CHILDREN = "Nombre d'enfants à charge"
AEEH = "Enfants bénéficiaires de l'AEEH"
SAVE = "Enregistrer les ressources"
# make_request asks for 36 hours a week: 36 × 52 / 12 = 156 hours a month.
HOURS_A_MONTH = Decimal(156)


def load(app, application_id) -> Application:
    with app.app_context():
        application = db.session.get(Application, application_id)
        _ = application.creche.wishes, application.documents, [e.agent for e in application.events]
        db.session.expunge_all()
        return application


def page_of(browser, application_id):
    return browser.get(f"/agents/demandes/{application_id}")


def enter(page, resources="30000", children="2", aeeh="0"):
    return page.fill(RESOURCES, resources).fill(CHILDREN, children).fill(AEEH, aeeh).submit(SAVE)


def psu_section(page) -> str:
    return page.soup.find(id="psu-titre").find_parent("section").get_text(" ", strip=True)


def history(page) -> list[tuple[str, ...]]:
    table = page.soup.find(id="historique-titre").find_parent("section").find("table")
    return [tuple(cell.get_text(" ", strip=True) for cell in row.find_all("td")) for row in table.tbody("tr")]


def hint(page, label: str) -> str:
    """The hint tied to the field of this label (its id + "-hint", named by aria-describedby)."""
    field_id = page.soup.find("label", string=label)["for"]
    assert f"{field_id}-hint" in page.soup.find(id=field_id)["aria-describedby"].split()
    return page.soup.find(id=f"{field_id}-hint").get_text(" ", strip=True)


def forged_post(app, agent_browser, application_id):
    """The form of a request with a proof, CSRF token included, posted for this request: what the route refuses."""
    other = page_of(agent_browser, with_proof(app))
    form = other.soup.find("button", string=SAVE).find_parent("form")
    form["action"] = f"/agents/demandes/{application_id}/ressources-creche"
    return enter(other)


def today() -> str:
    return f"{commune_today():%d/%m/%Y}"


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


# --- entering the figures ---------------------------------------------------------------------------------------


def test_the_figures_read_on_the_proof_give_the_estimate_to_the_agent_and_the_family(app, agent_browser):
    application_id = with_proof(app)
    before = app.test_client().get(link_of(app, application_id)).get_data(as_text=True)
    assert "La mairie lira le justificatif de ressources que vous avez envoyé" in before

    page = page_of(agent_browser, application_id)
    assert "Aucune estimation" in psu_section(page)
    assert "revenus déclarés" in hint(page, RESOURCES)
    assert f"Les revenus de {commune_today().year - 2}" in hint(page, RESOURCES)
    page = enter(page, "30 000", "2", "0")
    assert page.status == 200 and "Ressources enregistrées" in page.text

    # 30 000 / 12 = 2 500 € a month, × 0,0516 % (collective table, 2 children) = 1,29 € an hour.
    hourly = cents(Decimal(30000) / 12 * Decimal("0.0516") / 100)
    assert hourly == Decimal("1.29")
    monthly = cents(HOURS_A_MONTH * hourly)
    section = psu_section(page)
    assert f"accueil collectif : {euros(hourly)} de l'heure, environ {euros(monthly)} par mois" in section
    assert euros(30000) in section and "Enfants à charge 2" in section
    assert f"Ressources lues sur le justificatif par {AGENT}, le {today()}" in section

    application = load(app, application_id)
    request = application.creche
    assert (request.psu_source, request.psu_annual_resources, request.psu_children, request.psu_aeeh_children) == (
        "document",
        30000,
        2,
        0,
    )
    assert request.estimate == {
        "on": commune_today().isoformat(),
        "tables": {"collective": {"hourly": "1.29", "monthly": str(monthly)}},
    }

    family = Browser(app.test_client()).get(link_of(app, application_id))
    assert family.status == 200
    text = family.text
    assert f"{euros(hourly)} de l'heure, soit environ {euros(monthly)} par mois" in text
    assert "lus par la mairie sur le justificatif de ressources que vous avez envoyé" in text
    assert "CAF ou de la MSA" not in text
    assert "La mairie lira" not in text


def test_each_wished_table_is_estimated_and_an_expected_child_counts_once_more(app, agent_browser):
    application_id = with_proof(
        app,
        wishes=[("pioupious", "bebes"), ("coquelicots", "bebes")],
        child_due_date=date(2026, 9, 1),
        start_date=date(2027, 1, 4),
    )
    page = page_of(agent_browser, application_id)
    assert "ne le comptez pas" in hint(page, CHILDREN)
    page = enter(page, "30000", "2", "0")
    # 2 children on the proof + the expected one = 3: collective 0,0413 %, familial 0,0310 %.
    collective = cents(Decimal(2500) * Decimal("0.0413") / 100)
    familial = cents(Decimal(2500) * Decimal("0.0310") / 100)
    assert (collective, familial) == (Decimal("1.03"), Decimal("0.78"))
    section = psu_section(page)
    assert f"accueil collectif : {euros(collective)} de l'heure" in section
    assert f"accueil familial : {euros(familial)} de l'heure" in section
    tables = load(app, application_id).creche.estimate["tables"]
    assert (tables["collective"]["hourly"], tables["familial"]["hourly"]) == ("1.03", "0.78")


def test_a_child_with_aeeh_moves_the_family_one_band_down(app, agent_browser):
    application_id = with_proof(app)
    enter(page_of(agent_browser, application_id), "30000", "2", "1")
    # 2 children, one with AEEH: n = 3, 0,0413 % → 1,0325 → 1,03 € an hour.
    assert load(app, application_id).creche.estimate["tables"]["collective"]["hourly"] == "1.03"


# --- bad input ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resources", "children", "aeeh", "label", "message"),
    [
        ("", "2", "0", RESOURCES, "Saisissez les ressources annuelles lues sur le justificatif"),
        ("trente mille", "2", "0", RESOURCES, "nombre entier d'euros"),
        ("30000,50", "2", "0", RESOURCES, "sans centimes"),
        ("10000001", "2", "0", RESOURCES, "de 0 à 10 000 000"),
        ("-5", "2", "0", RESOURCES, "nombre entier d'euros"),
        ("30000", "", "0", CHILDREN, "Saisissez le nombre d'enfants à charge"),
        ("30000", "21", "0", CHILDREN, "de 0 à 20"),
        ("30000", "deux", "0", CHILDREN, "de 0 à 20"),
        ("30000", "2", "", AEEH, "ou 0 s'il n'y en a aucun"),
        ("30000", "2", "3", AEEH, "ne peut pas dépasser le nombre d'enfants à charge (2)"),
    ],
)
def test_bad_figures_are_refused_at_their_field_and_kept(
    app, agent_browser, stored_proofs, resources, children, aeeh, label, message
):
    application_id = with_proof(app)
    page = enter(page_of(agent_browser, application_id), resources, children, aeeh)
    assert page.status == 400 and page.title.startswith("Erreur : ")
    assert message in page.field_error(label)
    assert any(message in line for line in page.error_summary())
    assert (page.value(RESOURCES), page.value(CHILDREN), page.value(AEEH)) == (resources, children, aeeh)
    application = load(app, application_id)
    assert application.creche.psu_annual_resources is None and application.creche.estimate is None
    assert application.events == [] and len(stored_proofs()) == 1


def test_the_figures_are_not_taken_without_the_csrf_token(app, agent_browser):
    application_id = with_proof(app)
    page = page_of(agent_browser, application_id).fill(RESOURCES, "30000").fill(CHILDREN, "2").fill(AEEH, "0")
    assert page.submit(SAVE, csrf=False).status == 400
    assert load(app, application_id).creche.estimate is None


# --- which requests -------------------------------------------------------------------------------------------


def test_a_request_with_caf_figures_has_no_form_and_refuses_a_forged_post(app, agent_browser):
    api_id = make_request(app)  # PSU facts from the CAF/MSA
    page = page_of(agent_browser, api_id)
    assert page.status == 200 and not page.has_label(RESOURCES)
    assert "Ressources lues sur le justificatif" not in page.text
    response = forged_post(app, agent_browser, api_id)
    assert response.status == 409 and "viennent de la CAF ou de la MSA" in response.text
    request = load(app, api_id).creche
    assert (request.psu_annual_resources, request.psu_children) == (40923, 1)
    assert load(app, api_id).events == []


def test_a_request_without_proof_or_a_pass_famille_application_has_no_form(app, agent_browser):
    without = make_request(app, psu=None)
    assert not page_of(agent_browser, without).has_label(RESOURCES)
    response = forged_post(app, agent_browser, without)
    assert response.status == 409
    assert "La famille n'a pas choisi d'envoyer un justificatif de ressources" in response.text
    assert load(app, without).events == []


# --- audit, correction, proof deletion -------------------------------------------------------------------------


def test_the_history_shows_the_entry_and_a_correction_with_the_agent(app, agent_browser):
    application_id = with_proof(app)
    page = enter(page_of(agent_browser, application_id), "30000", "2", "0")
    rows = history(page)
    assert rows[1][1:] == (
        AGENT,
        "Ressources lues sur le justificatif",
        "Ressources lues sur le justificatif ; estimation du tarif calculée",
    )
    assert rows[2][1:] == (AGENT, "Justificatif supprimé", "Justificatif supprimé après vérification")
    assert "30" not in rows[1][3]  # no income in the history

    # A first entry may be corrected: the form comes back with the figures entered.
    make_agent(app, "collegue@val-fleuri.example")
    colleague = logged_in(app, "collegue@val-fleuri.example")
    page = page_of(colleague, application_id)
    assert (page.value(RESOURCES), page.value(CHILDREN), page.value(AEEH)) == ("30000", "2", "0")
    page = enter(page, "30000", "3", "0")
    assert history(page)[-1][1:] == (
        "collegue@val-fleuri.example",
        "Ressources lues sur le justificatif",
        "Correction : enfants à charge ; estimation du tarif calculée",
    )
    assert f"Ressources lues sur le justificatif par collegue@val-fleuri.example, le {today()}" in psu_section(page)
    assert load(app, application_id).creche.estimate["tables"]["collective"]["hourly"] == "1.03"


def test_the_resources_proof_is_deleted_after_entry_and_the_criteria_proofs_are_kept(app, agent_browser, stored_proofs):
    application_id = with_proof(app, criteria=["handicap"])
    assert len(stored_proofs()) == 2
    page = enter(page_of(agent_browser, application_id))
    assert len(stored_proofs()) == 1
    assert [d.kind for d in load(app, application_id).documents] == ["critere-handicap"]
    pieces = page.soup.find(id="pieces-titre").find_parent("section").get_text(" ", strip=True)
    assert "Justificatif du critère" in pieces and "Justificatif de ressources" not in pieces


def test_a_commune_may_keep_the_resources_proof(app_config, settings_keeping_proofs, stored_proofs):
    keeping = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings_keeping_proofs)})
    application_id = with_proof(keeping)
    make_agent(keeping)
    page = page_of(logged_in(keeping), application_id)
    assert "sera ensuite supprimé" not in page.text
    page = enter(page)
    assert f"par {AGENT}" in psu_section(page)
    assert len(stored_proofs()) == 1
    assert [d.kind for d in load(keeping, application_id).documents] == ["ressources-creche"]


# --- through the real wizard ------------------------------------------------------------------------------------


def test_a_family_that_sent_its_proof_through_the_wizard_gets_its_estimate(app, browser, agent_browser):
    page = begin(browser, CRECHE)
    page = page.choose("Ne pas passer par la CAF ou la MSA : je fournirai moi-même un justificatif").submit("Continuer")
    page = fill_identity(page, LEFEBVRE).submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = add_child(page).submit("Continuer").choose("Léa, né ou née le 14/07/2024").submit("Continuer")
    page = fill_wishes(page, hours="32").submit("Continuer")
    # The typed address in Val-Fleuri ticks the residence, whose proof this family does not send.
    page = page.check("La famille habite Val-Fleuri (40 points)", checked=False).submit("Continuer")
    page = page.choose("Fournir un justificatif de ressources")
    page = page.attach("Votre justificatif de ressources", "avis.pdf", PDF).submit("Continuer")
    page.submit("Envoyer ma demande")
    with app.app_context():
        application_id = db.session.scalars(select(Application.id)).one()

    page = enter(page_of(agent_browser, application_id), "30000", "2", "0")
    # 32 h a week × 52 / 12 = 138,67 h a month, × 1,29 € = 178,88 €.
    monthly = cents(Decimal(32) * 52 / 12 * Decimal("1.29"))
    assert monthly == Decimal("178.88")
    assert f"{euros(Decimal('1.29'))} de l'heure, environ {euros(monthly)} par mois" in psu_section(page)
    family = Browser(app.test_client()).get(link_of(app, application_id))
    assert f"{euros(Decimal('1.29'))} de l'heure, soit environ {euros(monthly)} par mois" in family.text
    assert re.search(r"lus par la mairie sur le justificatif", family.text)
