"""Every agent form and query parameter under generated bad input: log-in, choice of a password, the queue's filters,
sort and page, the search, status changes with their reason or message, the QF check, a crèche request's resources,
its withdrawal, the commission's offer, the agents' administration. Never a server error; a value that cannot be
right is refused in French at its field; a bad filter or page is left out, the list still shown."""

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from passfamille.backoffice import accounts
from passfamille.extensions import db
from passfamille.models import Agent

from ..backoffice.agents import PASSWORD, logged_in, make_agent
from ..backoffice.test_detail import apply_through_api, apply_with_document, page_of
from ..creche_factory import make_request, with_proof
from ..formclient import Browser
from .harness import fuzz, target
from .inputs import fuzz_settings

AGENT = "agent@val-fleuri.example"


def test_login_form(app, cases):
    make_agent(app)
    page = Browser(app.test_client()).get("/agents/connexion")
    page = page.fill("Adresse électronique", AGENT).fill("Mot de passe", PASSWORD)
    # Each accepted case costs a scrypt hash (a wrong password too): fewer cases here.
    form = target(app, page, "/agents/connexion", {"email": "text", "password": "password"}, cases, kept=("email",))
    fuzz(form, 120)


def test_choice_of_a_password(app, cases):
    with app.app_context():
        agent = accounts.create("nouvel.agent@val-fleuri.example")
        link = accounts.password_link(agent).split("/agents/", 1)[1]
    page = Browser(app.test_client()).get(f"/agents/{link}")
    page = page.fill("Nouveau mot de passe", PASSWORD).fill("Confirmez le mot de passe", PASSWORD)
    kinds = {"password": "password", "confirmation": "password"}
    form = target(app, page, f"/agents/{link}", kinds, cases, kept=())
    fuzz(form, 120)


def test_password_link_with_a_forged_token(app, cases):
    client = app.test_client()

    @fuzz_settings(150)
    @given(token=st.text(max_size=80) | st.sampled_from(["9" * 5000, "\x00", "a.b.c"]))
    def run(token):
        cases["n"] += 1
        # A « / » in the token makes « // » in the path, which Werkzeug first redirects (308) to its merged form.
        response = client.get("/agents/mot-de-passe/" + quote(token, safe=""), follow_redirects=True)
        assert response.status_code == 404, (token[:40], response.status_code)

    run()


def test_queue_filters_sort_and_page(app, cases):
    make_agent(app)
    browser = logged_in(app)
    for _ in range(2):
        apply_through_api(app)
    page = browser.get("/agents/?statut=submitted&tranche=B&du=01/01/2020&au=31/12/2099&tri=reference&page=1")
    kinds = {
        "statut": "choice",
        "demarche": "choice",
        "tranche": "choice",
        "source": "choice",
        "du": "number",
        "au": "number",
        "tri": "choice",
        "page": "page",
    }
    baseline = {
        "statut": "submitted",
        "demarche": "pass_famille",
        "tranche": "B",
        "source": "api",
        "du": "01/01/2020",
        "au": "31/12/2099",
        "tri": "reference",
        "page": "1",
    }
    form = target(
        app,
        page,
        "/agents/",
        kinds,
        cases,
        method="get",
        extra=baseline,
        kept=("statut", "demarche", "tranche", "source", "du", "au", "tri"),
        # A page that is not a page number is the first page, shown as usual.
        statuses={"page": 200},
    )
    fuzz(form, 700)


def test_exports_with_bad_filters(app, cases):
    make_agent(app)
    client = logged_in(app).client

    @fuzz_settings(200)
    @given(
        path=st.sampled_from(["/agents/demandes.csv", "/agents/demandes.json"]),
        name=st.sampled_from(["statut", "demarche", "tranche", "source", "du", "au", "tri"]),
        value=st.text(max_size=30) | st.sampled_from(["9" * 5000, "²", "31/02/2026"]),
    )
    def run(path, name, value):
        cases["n"] += 1
        response = client.get(path, query_string={name: value})
        # A good filter downloads, a bad one leads back to the queue, which says what is wrong.
        assert response.status_code in (200, 303), (path, name, value[:40], response.status_code)

    run()


def test_search(app, cases):
    make_agent(app)
    page = logged_in(app).get("/agents/").fill("Référence, nom, courriel ou adresse", "Dupont")
    form = target(app, page, "/agents/recherche", {"term": "text"}, cases)
    fuzz(form, 400)


def in_review(app, application_id: int):
    make_agent(app)
    browser = logged_in(app)
    return page_of(browser, application_id).submit("Prendre en charge").submit("Confirmer et envoyer le courriel")


def test_refusal_with_its_reason(app, mailbox, cases):
    page = in_review(app, apply_through_api(app)).fill("Motif du refus", "Adresse hors de la commune")
    url = page._form_of(page._element("Motif du refus")).get("action")
    # A status the workflow does not know, or cannot reach from here, is told above the forms (409).
    kinds = {"reason": "text", "to": "any"}
    form = target(app, page, url, kinds, cases, kept=("reason",), also_allowed=frozenset({409}))
    fuzz(form, 400)


def test_request_for_a_document_with_its_message(app, mailbox, cases):
    page = in_review(app, apply_through_api(app)).fill("Pièce demandée à la famille", "Votre attestation de QF")
    url = page._form_of(page._element("Pièce demandée à la famille")).get("action")
    kinds = {"message": "text", "to": "any"}
    form = target(app, page, url, kinds, cases, kept=("message",), also_allowed=frozenset({409}))
    fuzz(form, 300)


def test_check_of_the_qf_read_on_the_document(app, mailbox, cases):
    page = in_review(app, apply_with_document(app)).fill("Quotient familial lu sur le document", "800")
    url = page._form_of(page._element("Quotient familial lu sur le document")).get("action")
    form = target(app, page, url, {"qf": "number"}, cases, also_allowed=frozenset({409}))
    fuzz(form, 400)


def test_resources_of_a_creche_request(app, cases):
    application_id = with_proof(app)
    make_agent(app)
    page = page_of(logged_in(app), application_id)
    page = page.fill("Ressources annuelles, en euros", "30 000").fill("Nombre d'enfants à charge", "2")
    page = page.fill("Enfants bénéficiaires de l'AEEH", "0")
    url = page._form_of(page._element("Ressources annuelles, en euros")).get("action")
    kinds = {"psu_resources": "number", "psu_children": "number", "psu_aeeh": "number"}
    form = target(app, page, url, kinds, cases, also_allowed=frozenset({409}))
    fuzz(form, 500)


def test_withdrawal_of_a_creche_request(app, mailbox, cases):
    application_id = make_request(app)
    make_agent(app)
    page = page_of(logged_in(app), application_id).fill("Motif du retrait", "La famille a déménagé")
    url = page._form_of(page._element("Motif du retrait")).get("action")
    kinds = {"reason": "text", "to": "any"}
    form = target(app, page, url, kinds, cases, kept=("reason",), also_allowed=frozenset({409}))
    fuzz(form, 300)


def test_check_of_a_creche_criterion(app, cases):
    application_id = make_request(app, criteria=["residence"])
    make_agent(app)
    label = "Motif du refus du critère « La famille habite Val-Fleuri »"
    page = page_of(logged_in(app), application_id).fill(label, "Adresse hors commune")
    url = page._form_of(page._element(label)).get("action")
    kinds = {"critere-residence-reason": "text", "critere-residence-to": "any", "critere-residence-seen": "any"}
    extra = {"critere-residence-to": "refused"}
    form = target(app, page, url, kinds, cases, kept=(), extra=extra, also_allowed=frozenset({409}))
    fuzz(form, 300)


def test_commission_offer_of_a_place(app, mailbox, cases):
    application_id = make_request(app)
    make_agent(app)
    page = logged_in(app).get("/agents/creche/pioupious/bebes")
    name = f"offre-{application_id}-start"
    element = page.soup.find(attrs={"name": name})
    url = element.find_parent("form").get("action")
    form = target(app, page, url, {name: "number"}, cases, also_allowed=frozenset({409}))
    fuzz(form, 400)


def test_agents_administration(app, mailbox, cases):
    make_agent(app, "admin@val-fleuri.example", admin=True)
    make_agent(app, "autre@val-fleuri.example")
    browser = logged_in(app, "admin@val-fleuri.example")
    page = browser.get("/agents/comptes").fill("Adresse électronique de l'agent", "nouveau@val-fleuri.example")
    form = target(app, page, "/agents/comptes", {"email": "email", "admin": "bool"}, cases)
    fuzz(form, 300)
    with app.app_context():
        other = db.session.scalar(db.select(Agent.id).where(Agent.email == "autre@val-fleuri.example"))
    for action in ("desactiver", "activer", "nouveau-lien"):
        page = browser.get("/agents/comptes")
        # An account that is not one of the list is a 404; the page answers every action itself (200, or 400 with
        # what cannot be done, such as disabling one's own account).
        form = target(
            app,
            page,
            f"/agents/comptes/{action}",
            {"compte": "any"},
            cases,
            extra={"compte": str(other)},
            kept=(),
            also_allowed=frozenset({404}),
            too_large=frozenset({404, 413}),  # no form there: a value that is no account number is a 404
        )
        fuzz(form, 100)


def test_exports_with_a_bad_filter_and_a_parameter_named_like_url_for_s_own(app):
    make_agent(app)
    response = logged_in(app).client.get("/agents/demandes.csv?statut=zz&endpoint=x")
    assert response.status_code == 303
