"""What bounds every form: the size of a request's text fields (413), a bound on every field (structural), values of
an option not chosen not stored, a CSRF token that is not ours refused on every POST route."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from wtforms import HiddenField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from passfamille.backoffice import forms as backoffice_forms
from passfamille.backoffice import forms_commission, forms_detail
from passfamille.backoffice.views import agents as agents_views
from passfamille.backoffice.views import queue as queue_views
from passfamille.extensions import db
from passfamille.models import Draft
from passfamille.wizard import applicant_form, creche_forms, forms

from ..backoffice.agents import logged_in, make_agent
from ..formclient import Browser
from ..functional.journeys import DUPONT, LEFEBVRE, fill_identity, start, through_api
from ..functional.test_creche_journeys import to_foyer
from .harness import form_values
from .inputs import fuzz_settings

DOCUMENT_ROUTE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"


def stored(app, step: str) -> dict:
    with app.app_context():
        return db.session.scalars(select(Draft)).one().answers.get(step, {})


def test_a_9_mb_urlencoded_post_is_refused_with_413_and_nothing_is_stored(app, browser):
    page = fill_identity(start(browser, DOCUMENT_ROUTE), DUPONT)
    values = {**page._values, "birth_name": "DUPONT", "birth_commune": "x" * (9 << 20)}
    response = browser.client.post("/demande/demandeur", data=values, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "<h1>Envoi trop volumineux</h1>" in response.get_data(as_text=True)  # errors/413.html
    assert stored(app, "demandeur") == {}
    # The same answers without the 9 MB go through: the draft was not spoilt.
    assert page.submit("Continuer").h1 == "Votre justificatif de quotient familial"


def test_a_text_field_over_100_kb_is_refused_with_413_in_multipart_too(app, browser):
    page = fill_identity(start(browser), LEFEBVRE).fill("Commune de naissance", "x" * (101 << 10))
    assert page.submit("Continuer").status == 413
    assert stored(app, "demandeur") == {}


# Radios and selects whose options depend on the page (the view gives them) or whose message is the form's own:
# checked against their options in validate(), not by WTForms.
CHECKED_IN_VALIDATE = {
    ("ApplicantForm", "sex"),
    ("ApplicantForm", "born_in"),
    ("ApplicantForm", "birth_department"),
    ("ApplicantForm", "birth_commune_code"),
    ("ApplicantForm", "birth_country"),
    ("HouseholdForm", "child_reason"),
    ("ChildForm", "child"),
    ("FilterForm", "statut"),
    ("FilterForm", "statut_creche"),
    ("FilterForm", "suivi"),
    ("NewAgentForm", "service"),
    ("FilterForm", "demarche"),
    ("FilterForm", "tranche"),
    ("FilterForm", "source"),
    ("FilterForm", "tri"),
}
FORM_MODULES = [
    forms,
    applicant_form,
    creche_forms,
    backoffice_forms,
    forms_detail,
    forms_commission,
    queue_views,
    agents_views,
]


def form_classes():
    found = {}
    for module in FORM_MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm) and value is not forms.BaseForm:
                found[value.__name__] = value
    return sorted(found.items())


@pytest.mark.parametrize(("name", "form_class"), form_classes())
def test_every_field_of_every_form_is_bounded(name, form_class):
    for field_name, unbound in vars(form_class).items():
        if not hasattr(unbound, "field_class"):
            continue
        kind = unbound.field_class
        validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
        if issubclass(kind, StringField | TextAreaField | PasswordField | HiddenField):
            bounds = [v for v in validators if isinstance(v, Length) and v.max != -1]
            assert bounds, f"{name}.{field_name} : aucune longueur maximale"
            assert all(v.message and v.message[0].isupper() for v in bounds), f"{name}.{field_name} : message"
        elif issubclass(kind, SelectField | RadioField) and (name, field_name) not in CHECKED_IN_VALIDATE:
            assert unbound.kwargs.get("validate_choice", True), f"{name}.{field_name} : choix non vérifié"
            assert unbound.kwargs.get("invalid_choice_message") or name == "FilterForm", f"{name}.{field_name}"
    # The wishes' selects are made per structure and checked against them in WishesForm._validate_wishes.


def test_values_of_options_not_chosen_are_not_stored(app, browser):
    page = fill_identity(start(browser), {**DUPONT, "country": "Italie"})
    page.select("Département de naissance", "13 – Bouches-du-Rhône").fill("Commune de naissance", "Marseille")
    page.check(
        "Ma commune de naissance n'est pas reconnue (ancienne commune, nom changé) : transmettre le nom tel quel"
    )
    page.submit("Continuer")
    applicant = stored(app, "demandeur")
    assert applicant["born_in"] == "abroad" and applicant["birth_country"]
    assert (applicant["birth_department"], applicant["birth_commune"]) == ("", "")
    assert "birth_commune_unlisted" not in applicant


def test_birth_data_is_not_stored_when_the_family_gives_a_document(app, browser):
    page = fill_identity(start(browser, DOCUMENT_ROUTE), DUPONT)
    values = {**page._values, "birth_day": "²", "birth_commune": "Ailleurs", "sex": "X" * 300, "born_in": "lune"}
    assert browser.post("/demande/demandeur", values).h1 == "Votre justificatif de quotient familial"
    applicant = stored(app, "demandeur")
    assert [applicant.get(k) for k in ("birth_day", "birth_commune", "sex", "born_in")] == ["", "", "", ""]


def test_a_typed_address_is_not_stored_when_the_caf_gave_one(app, browser):
    page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    values = {
        **form_values(page, "child_first_name"),
        "street": "1 rue Fausse",
        "postal_code": "١٣٠٠٦",
        "city": "Ailleurs",
        "action": "continuer",
    }
    browser.post("/demande/foyer", values)
    household = stored(app, "foyer")
    assert [household.get(k) for k in ("street", "postal_code", "city")] == ["", "", ""]


def test_the_expected_childs_answers_are_not_stored_for_another_child(app, browser):
    page = to_foyer(browser).submit("Continuer").choose("Un autre enfant").fill("Prénom de l'enfant", "Noé")
    page.fill("Jour de naissance", "01").fill("Mois de naissance", "02").fill("Année de naissance", "2025")
    page.fill("Jour prévu", "²").fill("Prénom prévu (facultatif)", "L0u" * 100).submit("Continuer")
    child = stored(app, "enfant")
    assert (child["other_first_name"], child["due_day"], child["expected_first_name"]) == ("Noé", "", "")


def post_routes(app):
    """Every POST form of a family and of an agent, with the browser that can send it."""
    make_agent(app, "admin@val-fleuri.example", admin=True)
    agent = logged_in(app, "admin@val-fleuri.example")
    family = through_api(Browser(app.test_client()), LEFEBVRE)
    return [
        (family.browser, "/demande/commencer"),
        (family.browser, "/demande/verification-caf"),
        (family.browser, "/demande/demandeur"),
        (family.browser, "/demande/foyer/retirer"),
        (family.browser, "/demande/recapitulatif"),
        (family.browser, "/demande/justificatif"),
        (agent, "/agents/recherche"),
        (agent, "/agents/comptes"),
        (agent, "/agents/comptes/desactiver"),
        (agent, "/agents/deconnexion"),
    ]


def test_a_csrf_token_that_is_not_ours_is_refused_on_every_post(app, cases):
    routes = post_routes(app)

    @fuzz_settings(300)
    @given(
        route=st.sampled_from(routes),
        token=st.one_of(
            st.none(),
            st.text(max_size=120),
            st.text(st.characters(categories=["Nd", "No", "Cc"]), min_size=1, max_size=40),
            st.sampled_from(["9" * 5000, "\x00", " "]),
        ),
    )
    def run(route, token):
        cases["n"] += 1
        browser, url = route
        data = {} if token is None else {"csrf_token": token}
        response = browser.client.post(url, data=data, content_type="multipart/form-data")
        assert response.status_code == 400, (url, response.status_code)
        assert "La page a expiré" in response.get_data(as_text=True)

    run()
