"""Two API Particulier tokens. Since March 2026 the crèche prices (EAJE endpoint) have a habilitation of their own,
with fixed scopes: a commune doing both démarches sets API_PARTICULIER_TOKEN (Pass Famille, quotient familial) and
API_PARTICULIER_TOKEN_CRECHE. Each démarche's calls carry its own token — in the wizard and in the later re-check —
and the agents see each token on its own line. Against the real built-in sandbox, whose habilitation-shaped tokens
are refused (403 00100) by the other endpoint: swapping the tokens proves which one each call carries."""

import socket
import threading
from datetime import timedelta

import pytest

from passfamille import api_clients, create_app
from passfamille.backoffice import health
from passfamille.formatting import short_date
from passfamille.models import utcnow

from ..formclient import Browser
from ..functional.journeys import (
    BOTH,
    CAF_MODE,
    CRECHE,
    DUPONT,
    LEFEBVRE,
    PASS_FAMILLE,
    add_child,
    begin,
    fill_identity,
    finish,
    through_api,
)
from ..functional.test_creche_journeys import fill_wishes
from .agents import logged_in, make_agent
from .test_health import banner, closed_port, jwt

PASS_FAMILLE_TOKEN = "bac-a-sable-habilitation-pass-famille"  # the four cnaf_* scopes
CRECHE_TOKEN = "bac-a-sable-habilitation-creche"  # the four cnav_participation_familiale_eaje_* scopes
LATER = "Enregistrer ma demande : la mairie interrogera la CAF ou la MSA plus tard"
CHECK_PAGE = "Vérifiez les informations de la CAF/MSA"
NOT_OBTAINED = "Vos informations n'ont pas pu être obtenues"
PASS_FAMILLE_VALID = "Jeton Pass Famille valide : quotient familial, allocataires, enfants, adresse."
CRECHE_VALID = "Jeton crèche valide : ressources pour le tarif des crèches."


def two_tokens_app(app_config, default=PASS_FAMILLE_TOKEN, creche=CRECHE_TOKEN, **config):
    app = create_app({**app_config, "API_PARTICULIER_TOKEN": default, "API_PARTICULIER_TOKEN_CRECHE": creche, **config})
    make_agent(app)
    return app


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def to_the_estimate(page):
    """From the household page of a « les deux » journey for LEFEBVRE to the crèche estimate."""
    page = add_child(page).submit("Continuer")
    assert page.h1 == "Votre enfant", page.error_summary()
    page = fill_wishes(page.choose("Léa, né ou née le 14/07/2024").submit("Continuer")).submit("Continuer")
    assert page.h1 == "Votre situation", page.error_summary()
    # Ticked from an address in Val-Fleuri; typed, it would need its proof: not the point here.
    page = page.check("La famille habite Val-Fleuri (40 points)", checked=False).submit("Continuer")
    assert page.h1 == "Estimation du tarif", page.error_summary()
    return page


def send(page):
    """From the result page to the confirmation: the references the family reads."""
    return [r.get_text() for r in finish(page).soup.select(".reference")]


# --- The family's journeys ------------------------------------------------------------------------------------


def test_both_demarches_get_their_facts_each_with_its_own_token(app_config):
    browser = Browser(two_tokens_app(app_config).test_client())
    page = fill_identity(begin(browser, BOTH).choose(CAF_MODE).submit("Continuer"), LEFEBVRE).submit("Continuer")
    assert page.h1 == CHECK_PAGE
    text = plain(page.text)
    assert "Quotient familial 2 550 €" in text  # the quotient familial endpoint, with the Pass Famille token
    assert "Ressources annuelles (2023) 40 923 €" in text  # the EAJE endpoint, with the crèche token
    page = to_the_estimate(page.choose("Oui, elles sont correctes").submit("Continuer"))
    assert "1,76 € de l'heure" in plain(page.text)
    page = page.click("Continuer")
    assert page.h1 == "Votre résultat" and "Tranche E" in page.text
    assert [r[:3] for r in send(page)] == ["PF-", "CR-"]


def test_with_the_tokens_swapped_both_lookups_are_refused_and_the_family_still_finishes(app_config):
    app = two_tokens_app(app_config, default=CRECHE_TOKEN, creche=PASS_FAMILLE_TOKEN)
    browser = Browser(app.test_client())
    page = fill_identity(begin(browser, BOTH).choose(CAF_MODE).submit("Continuer"), LEFEBVRE).submit("Continuer")
    assert page.h1 == NOT_OBTAINED
    assert "2 550" not in plain(page.text) and "40 923" not in plain(page.text)
    page = page.choose("Continuer sans justificatif : le Pass Famille sera au plein tarif").submit("Continuer")
    # No address from the CAF/MSA: the family types it.
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = to_the_estimate(page)
    assert "le tarif ne peut pas être estimé en ligne" in page.text
    page = page.choose("Continuer sans estimation").submit("Continuer")
    assert page.h1 == "Votre résultat" and "Plein tarif" in page.text
    assert [r[:3] for r in send(page)] == ["PF-", "CR-"]
    # The agents are told, token by token, what each one lacks for its démarche, and see the two refusals.
    level, text = banner(logged_in(app).get("/agents/"))
    assert level == "warning"
    assert "Le jeton Pass Famille ne donne pas accès au quotient familial" in text
    assert "Le jeton crèche ne donne pas accès aux ressources pour le tarif des crèches" in text
    assert "2 erreurs en 24 h : 2 refus (403)." in text


@pytest.mark.parametrize(
    ("demarche", "default", "creche", "seen"),
    [
        (PASS_FAMILLE, PASS_FAMILLE_TOKEN, "bac-a-sable-sans-droits", "Quotient familial 2 550 €"),
        (CRECHE, "bac-a-sable-sans-droits", CRECHE_TOKEN, "Ressources annuelles (2023) 40 923 €"),
        (PASS_FAMILLE, "bac-a-sable-sans-droits", PASS_FAMILLE_TOKEN, None),
        (CRECHE, CRECHE_TOKEN, "bac-a-sable-sans-droits", None),
    ],
    ids=["pass-famille", "creche", "pass-famille-without-its-token", "creche-without-its-token"],
)
def test_a_single_demarche_is_looked_up_with_its_own_token_only(app_config, demarche, default, creche, seen):
    browser = Browser(two_tokens_app(app_config, default=default, creche=creche).test_client())
    page = fill_identity(begin(browser, demarche).choose(CAF_MODE).submit("Continuer"), LEFEBVRE).submit("Continuer")
    if seen:
        assert page.h1 == CHECK_PAGE and seen in plain(page.text)
    else:
        assert page.h1 == NOT_OBTAINED


# --- The later re-check (`adhesions recheck`) ------------------------------------------------------------------


def apply_for_a_later_check(app, sandbox):
    """A Pass Famille (DUPONT) and a crèche request (LEFEBVRE), both recorded while the API was down."""
    sandbox.arm_fault("503", times=2)  # the client retries once by itself
    page = through_api(Browser(app.test_client()), DUPONT)
    page = page.choose(LATER).submit("Continuer")
    page = add_child(page, "Lou", ("01", "02", "2019"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    finish(page.submit("Continuer"))

    browser = Browser(app.test_client())
    sandbox.arm_fault("503", times=2)
    page = fill_identity(begin(browser, CRECHE).choose(CAF_MODE).submit("Continuer"), LEFEBVRE).submit("Continuer")
    assert page.h1 == "Le service de la CAF et de la MSA ne répond pas"
    page = page.choose("Continuer sans les informations de la CAF ou de la MSA").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = add_child(page).submit("Continuer").choose("Léa, né ou née le 14/07/2024").submit("Continuer")
    page = fill_wishes(page).submit("Continuer")
    page = page.check("La famille habite Val-Fleuri (40 points)", checked=False).submit("Continuer")
    page = page.choose(LATER).submit("Continuer").submit("Envoyer ma demande")
    assert page.soup.select_one(".reference").get_text().startswith("CR-")


@pytest.mark.parametrize(
    ("default", "creche", "said"),
    [
        (PASS_FAMILLE_TOKEN, CRECHE_TOKEN, "2 complétée(s), 0 à traiter par un agent, 0 toujours en attente."),
        (CRECHE_TOKEN, PASS_FAMILLE_TOKEN, "0 complétée(s), 2 à traiter par un agent, 0 toujours en attente."),
    ],
    ids=["right-tokens", "swapped-tokens"],
)
def test_the_later_recheck_asks_each_demarche_with_its_own_token(app_config, sandbox, default, creche, said):
    sandbox.clear_faults()
    apply_for_a_later_check(two_tokens_app(app_config), sandbox)
    # The re-check runs later, with the tokens the commune has then (same database).
    app = create_app({**app_config, "API_PARTICULIER_TOKEN": default, "API_PARTICULIER_TOKEN_CRECHE": creche})
    result = app.test_cli_runner().invoke(args=["adhesions", "recheck"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"2 demande(s) interrogée(s) : {said}"


# --- The agents' health banner and page -------------------------------------------------------------------------


def test_two_tokens_are_two_lines_of_the_banner_each_with_its_verdict(app_config):
    level, text = banner(logged_in(two_tokens_app(app_config)).get("/agents/"))
    assert level == "ok"
    assert PASS_FAMILLE_VALID in text and CRECHE_VALID in text
    assert "Jeton API Particulier" not in text


def test_the_health_page_details_each_token_under_its_own_heading(app_config):
    page = logged_in(two_tokens_app(app_config)).get("/agents/sante")
    assert page.status == 200 and page.h1 == "État d'API Particulier"
    headings = [h2.get_text(strip=True) for h2 in page.soup.select("main h2")]
    assert headings[:2] == ["Jeton Pass Famille", "Jeton crèche"]
    pass_famille, creche = (dl.get_text(" ", strip=True) for dl in page.soup.select("dl.facts"))
    assert "Valide" in pass_famille and "Bac à sable habilitation Pass Famille (QF seulement)" in pass_famille
    assert "cnaf_quotient_familial : quotient familial" in pass_famille and "cnav_" not in pass_famille
    assert "Valide" in creche and "Bac à sable habilitation crèche (EAJE seulement)" in creche
    assert "cnav_participation_familiale_eaje_parametres_calcul" in creche and "cnaf_" not in creche
    assert "Droits manquants" not in page.text


def test_swapped_tokens_each_say_what_they_lack_for_their_demarche(app_config):
    app = two_tokens_app(app_config, default=CRECHE_TOKEN, creche=PASS_FAMILLE_TOKEN)
    browser = logged_in(app)
    level, text = banner(browser.get("/agents/"))
    assert level == "warning"
    assert "Le jeton Pass Famille ne donne pas accès au quotient familial" in text
    assert "Le jeton crèche ne donne pas accès aux ressources pour le tarif des crèches" in text
    pass_famille, creche = (dl.get_text(" ", strip=True) for dl in browser.get("/agents/sante").soup.select("dl.facts"))
    assert "Droits manquants cnaf_quotient_familial : quotient familial" in pass_famille
    assert "Droits manquants cnav_participation_familiale_eaje_parametres_calcul" in creche


def test_a_refused_creche_token_is_an_error_of_its_own_line(app_config):
    app = two_tokens_app(app_config, creche="bac-a-sable-expire")
    level, text = banner(logged_in(app).get("/agents/"))
    assert level == "error"
    assert PASS_FAMILLE_VALID in text
    assert "Le jeton crèche est refusé : les familles passent par les justificatifs." in text
    assert "le renseigne dans API_PARTICULIER_TOKEN_CRECHE et redémarre le service" in text
    assert "Le jeton Pass Famille est refusé" not in text


def test_each_token_has_its_own_expiry(app_config):
    expires_at = utcnow() + timedelta(days=10, hours=1)
    app = two_tokens_app(app_config, creche=jwt(expires_at))
    browser = logged_in(app)
    level, text = banner(browser.get("/agents/"))
    assert level == "error"  # the sandbox does not know this token
    assert f"Le jeton crèche expire le {short_date(expires_at)} (dans 10 jours)." in text
    assert "Le jeton Pass Famille expire" not in text
    pass_famille, creche = (dl.get_text(" ", strip=True) for dl in browser.get("/agents/sante").soup.select("dl.facts"))
    assert "Expiration Inconnue" in pass_famille
    assert f"Expiration {short_date(expires_at)}" in creche


@pytest.mark.parametrize("creche", ["", "bac-a-sable-passfamille"], ids=["not-set", "same-as-default"])
def test_one_token_is_one_line_as_before(app_config, creche):
    browser = logged_in(two_tokens_app(app_config, default="bac-a-sable-passfamille", creche=creche))
    level, text = banner(browser.get("/agents/"))
    assert level == "ok"
    assert (
        "Jeton API Particulier valide : quotient familial, allocataires, enfants, adresse, "
        "ressources pour le tarif des crèches." in text
    )
    assert "Jeton Pass Famille" not in text and "Jeton crèche" not in text
    page = browser.get("/agents/sante")
    assert [h2.get_text(strip=True) for h2 in page.soup.select("main h2")][0] == "Jeton"
    assert len(page.soup.select("dl.facts")) == 1


def test_a_commune_without_creches_is_never_told_about_the_creche_token(app_config, settings_without_creche):
    app = two_tokens_app(app_config, creche="bac-a-sable-expire", PASSFAMILLE_COMMUNE=str(settings_without_creche))
    browser = logged_in(app)
    level, text = banner(browser.get("/agents/"))
    assert level == "ok"
    assert "Jeton API Particulier valide : quotient familial, allocataires, enfants, adresse." in text
    assert "crèche" not in text
    assert len(browser.get("/agents/sante").soup.select("dl.facts")) == 1


def test_both_tokens_are_checked_once_then_again_on_demand(app_config):
    app = two_tokens_app(app_config)
    calls = []
    with app.app_context():
        for demarche in (api_clients.PASS_FAMILLE, api_clients.CRECHE):
            client = api_clients.client_for(demarche)
            real = client.introspect
            client.introspect = lambda real=real, demarche=demarche, **kwargs: calls.append(demarche) or real(**kwargs)
    browser = logged_in(app)
    for url in ("/agents/", "/agents/tableau-de-bord", "/agents/sante"):
        assert browser.get(url).status == 200
    assert sorted(calls) == ["creche", "pass_famille"]
    page = browser.get("/agents/sante").submit("Vérifier de nouveau")
    assert page.status == 200 and page.h1 == "État d'API Particulier"
    assert sorted(calls) == ["creche", "creche", "pass_famille", "pass_famille"]


def test_an_unreachable_api_is_said_for_each_token(app_config):
    app = two_tokens_app(app_config, API_PARTICULIER_URL=f"http://127.0.0.1:{closed_port()}")
    level, text = banner(logged_in(app).get("/agents/"))
    assert level == "warning"
    assert "API Particulier ne répond pas (connexion impossible) : l'état du jeton Pass Famille n'a pas pu" in text
    assert "API Particulier ne répond pas (connexion impossible) : l'état du jeton crèche n'a pas pu" in text


class SilentServer:
    """Accepts connections and never answers; records when each one opens and when its client gives up."""

    def __init__(self):
        self.events: list[str] = []
        self.lock = threading.Lock()
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _record(self, event: str) -> None:
        with self.lock:
            self.events.append(event)

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self._record("ouverte")
            threading.Thread(target=self._wait_for_close, args=(connection,), daemon=True).start()

    def _wait_for_close(self, connection):
        with connection:
            while connection.recv(4096):
                pass
        self._record("abandonnée")


def test_a_silent_api_blocks_a_page_for_one_introspection_timeout_not_two(app_config, monkeypatch):
    monkeypatch.setattr(health, "INTROSPECT_TIMEOUT", (1.0, 1.0))
    silent = SilentServer()
    try:
        app = two_tokens_app(app_config, API_PARTICULIER_URL=f"http://127.0.0.1:{silent.port}")
        browser = logged_in(app)  # lands on the queue: the first page with the banner
        page = browser.get("/agents/")
    finally:
        silent.socket.close()
    # Both tokens were asked about at once: the second question was sent before the first one was given up
    # (one after the other, the page would wait for two timeouts).
    assert silent.events[:2] == ["ouverte", "ouverte"], silent.events
    text = banner(page)[1]
    assert "délai dépassé) : l'état du jeton Pass Famille" in text and "délai dépassé) : l'état du jeton crèche" in text
