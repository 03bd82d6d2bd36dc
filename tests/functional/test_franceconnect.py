"""Families who log in with FranceConnect (issue 13): the whole chain on loopback — the app, the sandbox's FranceConnect
(authorize, its « mire », token, userinfo, logout) and API Particulier's FranceConnect routes, which introspect the
access token the sandbox's FranceConnect issued — with FranceConnect's official test identities.

The app's pages are read through Flask's test client on the host FranceConnect knows (127.0.0.1:5000, a registered
redirect URL); FranceConnect's pages through real HTTP, as a browser would follow the redirects."""

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import request
from sqlalchemy import select

from passfamille import create_app
from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.extensions import db
from passfamille.models import Application, Draft
from passfamille.sandbox.server import start_in_thread

from ..formclient import Browser, Page
from ..sandbox_franceconnect import Clock
from ..sandbox_http import TODAY
from .journeys import BOTH, CRECHE, PASS_FAMILLE

APP_HOST = "127.0.0.1:5000"
# FranceConnect's test citizens (sandbox fixtures/franceconnect, see README « FranceConnect ») and their CAF/MSA files.
DUPONT_FC = "sans_nom_dusage"  # DUPONT Paul Louis: CNAF, 2 parents, 3 minors, Paris 2e
ELSA = "test_ELSA"  # PLACARD Elsa: MSA, 1 parent, 1 minor and 2 adults
NO_FILE = "naissance_Maroc"  # born abroad, no CAF/MSA file: 404
NO_EMAIL = "sans_mail"  # DUFOUR Amandine: FranceConnect gives no e-mail
CONTINUE_WITHOUT = "Continuer sans FranceConnect"


def fc_config(app_config, sandbox, **changes) -> dict:
    return {
        **app_config,
        "FRANCECONNECT_URL": sandbox.franceconnect_issuer,
        "FRANCECONNECT_CLIENT_ID": "passfamille-bac-a-sable",
        "FRANCECONNECT_CLIENT_SECRET": "secret-public-du-bac-a-sable-franceconnect",
        **changes,
    }


@pytest.fixture
def fc_app(app_config, sandbox):
    return create_app(fc_config(app_config, sandbox))


@pytest.fixture
def hidden_fc_app(app_config, sandbox):
    """The example commune as shipped, which hides the CAF/MSA facts from an anonymous form."""
    return create_app(fc_config(app_config, sandbox, PASSFAMILLE_COMMUNE=str(DEFAULT_COMMUNE_FILE)))


class OnHost:
    """Flask's test client, on the host and port FranceConnect knows the app by (a registered redirect URL)."""

    def __init__(self, client):
        self.client = client

    def get(self, *args, **kwargs):
        return self.client.get(*args, base_url=f"http://{APP_HOST}", **kwargs)

    def post(self, *args, **kwargs):
        return self.client.post(*args, base_url=f"http://{APP_HOST}", **kwargs)


class Family:
    """A family whose browser goes from the app to FranceConnect and back."""

    def __init__(self, app, sandbox):
        client = OnHost(app.test_client())
        self.client, self.sandbox = client, sandbox
        self.app_browser = Browser(client)
        self.web = requests.Session()  # FranceConnect's side, with its own cookies

    def start(self, demarche=PASS_FAMILLE) -> str:
        """The start page: the démarche, then « S'identifier avec FranceConnect »: FranceConnect's login page URL."""
        page = self.app_browser.get("/")
        form = page.soup.find("button", attrs={"name": "franceconnect", "value": "oui"}).find_parent("form")
        values = page.choose(demarche)._values if page.has_label(demarche) else page._initial_values(form)
        answer = self.client.post(form["action"], data={**values, "franceconnect": "oui"})
        assert answer.status_code == 303, answer.status_code
        location = answer.headers["Location"]
        assert location.startswith(self.sandbox.franceconnect_issuer + "/authorize?")
        return location

    def mire(self, authorize_url: str, login: str, action: str = "continuer") -> str:
        """FranceConnect's page: the tester picks an identity; returns the callback URL FranceConnect sends back."""
        mire = self.web.get(authorize_url, timeout=5)
        assert mire.status_code == 200, mire.text
        form_action = unescape(re.search(r'<form method="post" action="([^"]+)"', mire.text).group(1))
        back = self.web.post(
            self.sandbox.url + form_action, data={"login": login, "action": action}, allow_redirects=False, timeout=5
        )
        assert back.status_code in (302, 303), back.text
        return back.headers["Location"]

    def back(self, callback_url: str) -> Page:
        parts = urlsplit(callback_url)
        assert parts.netloc == APP_HOST and parts.path == "/franceconnect/retour"
        return self.app_browser.get(f"{parts.path}?{parts.query}")

    def log_in(self, login: str, demarche=PASS_FAMILLE) -> Page:
        return self.back(self.mire(self.start(demarche), login))


def submit(page: Page, family: Family):
    """« Envoyer ma demande »: the app answers with FranceConnect's logout, which comes back to the confirmation."""
    form = [b for b in page.soup.find_all("button") if b.get_text(strip=True) == "Envoyer ma demande"][0]
    data = page._initial_values(form.find_parent("form"))
    answer = family.client.post(page.url, data=data)
    assert answer.status_code == 303
    logout = answer.headers["Location"]
    assert logout.startswith(family.sandbox.franceconnect_issuer + "/session/end?"), logout
    back = family.web.get(logout, allow_redirects=False, timeout=5)
    assert back.status_code in (302, 303), back.text
    parts = urlsplit(back.headers["Location"])
    assert parts.path == "/franceconnect/deconnexion/retour"
    return family.app_browser.get(f"{parts.path}?{parts.query}")


def plain(page: Page) -> str:
    """The page's text with every kind of space (the thin ones in « 2 550 € ») as a plain one."""
    return " ".join(page.text.split())


def typed_fields(page: Page) -> list[str]:
    """The text inputs a page asks the family to fill (e-mail, text, number…), empty or not."""
    inputs = page.soup.find("main").find_all("input")
    return [i["name"] for i in inputs if i.get("type", "text") in ("text", "email", "number", "tel", "date")]


def test_a_cnaf_family_finishes_through_franceconnect_seeing_its_data_and_typing_nothing(fc_app, sandbox):
    family = Family(fc_app, sandbox)
    page = family.log_in(DUPONT_FC)
    assert page.h1 == "Vous"
    assert "certifiée par FranceConnect" in page.text
    assert "DUPONT" in page.text and "Paul, Louis" in page.text
    # The e-mail comes from FranceConnect, changeable: the one field of the page, already filled.
    assert typed_fields(page) == ["email"]
    assert page.value("Adresse électronique") == "etabage-0159@yopmail.com"
    page = page.submit("Continuer")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    for fact in ("2 550", "75002"):
        assert fact in plain(page), fact
    page = page.choose("Oui, elles sont correctes").submit("Continuer")
    assert page.h1 == "Votre foyer"
    page = page.submit("Continuer")
    assert page.h1 == "Votre résultat"
    page = page.click("Continuer")
    assert page.title.startswith("Vérifiez votre demande")
    assert "Certifiée par FranceConnect" in page.text
    page = submit(page, family)
    assert page.h1 == "Votre demande est envoyée"
    with fc_app.app_context():
        application = db.session.scalars(select(Application)).one()
        assert application.identity_modality == "franceconnect"
        assert application.birth_name == "DUPONT" and application.first_names == "Paul Louis"
        assert application.email == "etabage-0159@yopmail.com"
        assert application.pass_famille.qf_value == 2550 and application.pass_famille.qf_source == "api"
        # The FranceConnect session ended with the submission: nothing of it is kept.
        assert all(draft.franceconnect is None for draft in db.session.scalars(select(Draft)))
    exported = json.loads(fc_app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "json"]).output)
    assert exported[0]["identite"] == "franceconnect"


def test_without_an_e_mail_from_franceconnect_the_family_types_that_one_field(fc_app, sandbox):
    page = Family(fc_app, sandbox).log_in(NO_EMAIL)
    assert typed_fields(page) == ["email"] and page.value("Adresse électronique") == ""
    page = page.submit("Continuer")
    assert page.status == 400 and page.field_error("Adresse électronique")
    assert "DUFOUR" in page.text  # the certified identity is still shown
    page = page.fill("Adresse électronique", "amandine@example.org").submit("Continuer")
    assert page.h1 != "Vous"


def test_back_on_the_start_page_an_identified_family_resumes_or_leaves_franceconnect(fc_app, sandbox):
    family = Family(fc_app, sandbox)
    family.log_in(DUPONT_FC)
    page = family.app_browser.get("/")
    assert "Vous êtes identifié avec FranceConnect" in page.text
    page = page.submit("Reprendre ma demande")
    assert page.h1 == "Vous" and "certifiée par FranceConnect" in page.text
    page = family.app_browser.get("/").submit(CONTINUE_WITHOUT)
    assert page.h1.startswith("Votre quotient familial")  # the CAF or a proof, as without FranceConnect
    page = page.choose("Récupérer mes informations auprès de la CAF ou de la MSA").submit("Continuer")
    assert page.h1 == "Vous" and page.value("Nom de naissance") == ""
    assert page.value("Adresse électronique") == "etabage-0159@yopmail.com"  # what was entered is kept


def test_an_msa_family_sees_its_msa_file(fc_app, sandbox):
    page = Family(fc_app, sandbox).log_in(ELSA).submit("Continuer")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    assert "MSA" in page.text


def test_franceconnect_shows_the_data_even_where_an_anonymous_form_hides_it(hidden_fc_app, sandbox):
    page = Family(hidden_fc_app, sandbox).log_in(DUPONT_FC).submit("Continuer")
    assert "2 550" in plain(page) and "Ces informations sont-elles correctes ?" in page.text


def test_no_caf_file_leaves_the_proof_and_full_price_with_no_typo_to_check(fc_app, sandbox):
    page = Family(fc_app, sandbox).log_in(NO_FILE)
    page = page.submit("Continuer")
    labels = [label.get_text(" ", strip=True) for label in page.soup.select("main label")]
    assert "Fournir un justificatif de quotient familial" in labels
    assert not any("Vérifier ce que j'ai saisi" in label for label in labels)


def test_a_crèche_request_through_franceconnect_gets_the_eaje_facts(fc_app, sandbox):
    page = Family(fc_app, sandbox).log_in("test", demarche=CRECHE).submit("Continuer")
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    assert "Ressources annuelles" in page.text


@pytest.mark.parametrize(
    ("demarche", "asked", "not_asked"),
    [
        (PASS_FAMILLE, {"identite_pivot", "cnaf_quotient_familial"}, {"cnav_participation_familiale_eaje_enfants"}),
        (CRECHE, {"identite_pivot", "cnav_participation_familiale_eaje_enfants"}, {"cnaf_quotient_familial"}),
        (BOTH, {"cnaf_quotient_familial", "cnav_participation_familiale_eaje_enfants"}, set()),
    ],
)
def test_franceconnect_is_asked_only_the_data_of_the_demarches_chosen(fc_app, sandbox, demarche, asked, not_asked):
    scopes = set(parse_qs(urlsplit(Family(fc_app, sandbox).start(demarche)).query)["scope"][0].split())
    assert asked <= scopes and not scopes & not_asked


def test_cancelling_at_franceconnect_comes_back_to_the_choice(fc_app, sandbox):
    family = Family(fc_app, sandbox)
    page = family.back(family.mire(family.start(), DUPONT_FC, action="annuler"))
    assert "Vous avez annulé la connexion avec FranceConnect" in page.text
    assert page.soup.find("button", string=CONTINUE_WITHOUT) is not None


def test_a_tampered_state_is_refused_and_nothing_is_fetched(fc_app, sandbox):
    family = Family(fc_app, sandbox)
    callback = family.mire(family.start(), DUPONT_FC)
    tampered = re.sub(r"state=[^&]+", "state=autre-chose-que-le-bon-etat-0123456789", callback)
    page = family.back(tampered)
    assert page.status == 400 and page.h1 == "La connexion avec FranceConnect n'a pas abouti"
    with fc_app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        assert not draft.certified.get("outcome") and "demandeur" not in draft.answers
    # The genuine callback still goes through afterwards.
    assert family.back(callback).h1 == "Vous"


def test_a_replayed_callback_shows_the_first_ones_outcome(fc_app, sandbox):
    family = Family(fc_app, sandbox)
    callback = family.mire(family.start(), DUPONT_FC)
    assert family.back(callback).h1 == "Vous"
    assert family.back(callback).h1 == "Vous"  # a reload: the code is not exchanged twice


def test_retrying_after_an_outage_goes_through_franceconnect_again(fc_app, sandbox):
    """« Réessayer » needs a new access token (the first lived 60 s): FranceConnect again, then the facts."""
    family = Family(fc_app, sandbox)
    callback = family.mire(family.start(), DUPONT_FC)
    sandbox.arm_fault("502", times=2)  # the call at the callback, and its one retry
    page = family.back(callback).submit("Continuer")
    assert "Réessayer maintenant" in page.text
    answer = family.client.post(
        page.url, data={**page._initial_values(page.soup.find("main").find("form")), "choice": "retry"}
    )
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(sandbox.franceconnect_issuer + "/authorize?")
    page = family.back(family.mire(answer.headers["Location"], DUPONT_FC))
    assert page.h1 == "Vérifiez les informations de la CAF/MSA"
    assert "2 550" in plain(page)


@pytest.fixture
def slow_sandbox():
    """A sandbox whose clock jumps 61 seconds when API Particulier is asked: the family's FranceConnect access token
    (60 s of life) has expired by then, and API Particulier answers 401 50002, as it would after a slow step."""
    clock = Clock()
    running = start_in_thread(today=TODAY, clock=clock)
    late = {"on": True}

    @running.app.before_request
    def expire_tokens_before_the_api():
        if late["on"] and request.path.endswith("/france_connect"):
            clock.advance(61)

    @running.app.after_request
    def back_to_the_real_time(response):
        # The next tokens are signed at the real time, which the app checks their dates against.
        if late["on"] and request.path.endswith("/france_connect"):
            clock.advance(-61)
        return response

    running.late = late
    yield running
    running.stop()


def test_an_expired_token_offers_to_reconnect_and_the_reconnection_fetches_the_facts(app_config, slow_sandbox):
    config = fc_config(app_config, slow_sandbox, API_PARTICULIER_URL=slow_sandbox.url)
    app = create_app(config)
    family = Family(app, slow_sandbox)
    page = family.log_in(DUPONT_FC).submit("Continuer")
    labels = [label.get_text(" ", strip=True) for label in page.soup.select("main label")]
    assert labels[0] == "Me reconnecter avec FranceConnect", labels
    assert "Fournir un justificatif de quotient familial" in labels  # the other ways to finish stay
    slow_sandbox.late["on"] = False
    form = page.soup.find("main").find("form")
    answer = family.client.post(page.url, data={**page._initial_values(form), "choice": "reconnect"})
    assert answer.headers["Location"].startswith(slow_sandbox.franceconnect_issuer + "/authorize?")
    page = family.back(family.mire(answer.headers["Location"], DUPONT_FC))
    assert page.h1 == "Vérifiez les informations de la CAF/MSA" and "2 550" in plain(page)


def test_logging_out_forgets_the_draft_here_and_at_franceconnect(fc_app, sandbox):
    family = Family(fc_app, sandbox)
    page = family.log_in(DUPONT_FC)
    form = page.soup.find("form", attrs={"action": "/franceconnect/deconnexion"})
    answer = family.client.post("/franceconnect/deconnexion", data=page._initial_values(form))
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(sandbox.franceconnect_issuer + "/session/end?")
    back = family.web.get(answer.headers["Location"], allow_redirects=False, timeout=5)
    parts = urlsplit(back.headers["Location"])
    page = family.app_browser.get(f"{parts.path}?{parts.query}")
    assert "Vous êtes déconnecté" in page.text
    with fc_app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        assert draft.answers == {} and draft.franceconnect is None
        assert "DUPONT" not in str(draft.certified)


def test_a_commune_without_franceconnect_never_shows_it(app):
    client = app.test_client()
    assert "FranceConnect" not in client.get("/").get_data(as_text=True)
    assert client.get("/franceconnect/retour?code=x&state=y").status_code == 404


def test_the_callback_query_is_kept_out_of_the_logs(fc_app, sandbox, caplog):
    family = Family(fc_app, sandbox)
    callback = family.mire(family.start(), DUPONT_FC)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    family.back(callback)
    assert code not in caplog.text and "DUPONT" not in caplog.text
