"""The health banner of API Particulier on every agents' page: the token's state from the sandbox's real
/api/introspect, a JWT's expiry, the API errors of the last 24 hours; cached, short timeouts, never a 500."""

import base64
import json
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from passfamille import create_app
from passfamille.backoffice import health
from passfamille.extensions import db
from passfamille.formatting import short_date
from passfamille.models import ApiEvent, utcnow

from ..formclient import Browser
from ..functional.journeys import DUPONT, add_child, finish, through_api
from .agents import logged_in, make_agent

REFUSED = "Le jeton API Particulier est refusé : les familles passent par les justificatifs."


def jwt(expires_at: datetime) -> str:
    """A JWT-shaped token (unsigned: the app reads `exp` without verifying it, and the sandbox refuses it)."""

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    payload = {"uid": "passfamille", "jti": "0c4ac4ad", "exp": int(expires_at.replace(tzinfo=UTC).timestamp())}
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(payload)}.c2lnbmF0dXJl"


def agent_app(app_config, **config):
    app = create_app({**app_config, **config})
    make_agent(app)
    return app


def banner(page):
    element = page.soup.select_one("section.banner")
    assert element is not None, f"Pas de bandeau sur {page.url}"
    level = next(c.removeprefix("banner--") for c in element["class"] if c.startswith("banner--"))
    return level, " ".join(element.get_text(" ", strip=True).split())


def test_a_valid_token_shows_a_discreet_banner_with_its_scopes_on_every_page(app, agent_browser):
    for url in ("/agents/", "/agents/tableau-de-bord"):
        page = agent_browser.get(url)
        assert page.status == 200
        level, text = banner(page)
        assert level == "ok"
        assert (
            "Jeton API Particulier valide : quotient familial, allocataires, enfants, adresse, "
            "ressources pour le tarif des crèches." in text
        )
        assert "État d'API Particulier en détail" in text
    assert "bac-a-sable-passfamille" not in page.html  # the token itself is never shown


def test_no_banner_before_logging_in(app):
    page = Browser(app.test_client()).get("/agents/connexion")
    assert page.soup.select_one("section.banner") is None


def test_an_expired_token_is_an_error_with_what_to_do(app_config):
    app = agent_app(app_config, API_PARTICULIER_TOKEN="bac-a-sable-expire")
    page = logged_in(app).get("/agents/")
    assert page.status == 200
    level, text = banner(page)
    assert level == "error"
    assert REFUSED in text and "À faire" in text and "API_PARTICULIER_TOKEN" in text


def test_a_token_for_the_quotient_familial_only_lists_it_without_warning_without_creches(
    app_config, settings_without_creche
):
    app = agent_app(
        app_config, API_PARTICULIER_TOKEN="bac-a-sable-qf-seulement", PASSFAMILLE_COMMUNE=str(settings_without_creche)
    )
    level, text = banner(logged_in(app).get("/agents/"))
    assert level == "ok"
    assert "Jeton API Particulier valide : quotient familial." in text


def test_a_commune_with_creches_is_warned_when_the_token_lacks_the_crèche_resources(app_config):
    app = agent_app(app_config, API_PARTICULIER_TOKEN="bac-a-sable-qf-seulement")
    level, text = banner(logged_in(app).get("/agents/"))
    assert level == "warning"
    assert "ne donne pas accès aux ressources pour le tarif des crèches" in text
    assert "cnav_participation_familiale_eaje_parametres_calcul" in text


def test_a_token_without_the_quotient_familial_scope_is_a_warning(app_config):
    app = agent_app(app_config, API_PARTICULIER_TOKEN="bac-a-sable-sans-droits")
    level, text = banner(logged_in(app).get("/agents/"))
    assert level == "warning"
    assert "ne donne pas accès au quotient familial" in text and "cnaf_quotient_familial" in text


def test_a_jwt_expiring_in_ten_days_shows_its_expiry_next_to_the_refusal(app_config):
    expires_at = utcnow() + timedelta(days=10, hours=1)
    app = agent_app(app_config, API_PARTICULIER_TOKEN=jwt(expires_at))
    level, text = banner(logged_in(app).get("/agents/"))
    assert level == "error"
    assert REFUSED in text  # the sandbox does not know this token
    assert f"Le jeton API Particulier expire le {short_date(expires_at)} (dans 10 jours)." in text


def test_an_expired_jwt_says_when_it_expired(app_config):
    expired_at = utcnow() - timedelta(days=2)
    app = agent_app(app_config, API_PARTICULIER_TOKEN=jwt(expired_at))
    level, text = banner(logged_in(app).get("/agents/"))
    assert level == "error"
    assert f"Le jeton API Particulier a expiré le {short_date(expired_at)}." in text


def shaped(payload: bytes) -> str:
    return f"x.{base64.urlsafe_b64encode(payload).decode().rstrip('=')}.y"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("bac-a-sable-passfamille", None),
        ("a.b", None),
        ("a.!!!.c", None),
        (shaped(b"[1]"), None),
        (shaped(b'{"exp": "demain"}'), None),
        (shaped(b'{"exp": true}'), None),
        (shaped(b'{"exp": 1800000000}'), datetime(2027, 1, 15, 8)),
    ],
)
def test_the_expiry_is_read_from_jwt_shaped_tokens_only(token, expected):
    assert health.token_expiry(token) == expected


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_api_is_a_warning_and_the_page_still_works(app_config):
    app = agent_app(app_config, API_PARTICULIER_URL=f"http://127.0.0.1:{closed_port()}")
    page = logged_in(app).get("/agents/")
    assert page.status == 200
    level, text = banner(page)
    assert level == "warning"
    assert "API Particulier ne répond pas (connexion impossible)" in text


def test_a_silent_api_blocks_a_page_no_longer_than_the_introspection_timeout(app_config, monkeypatch):
    monkeypatch.setattr(health, "INTROSPECT_TIMEOUT", (0.5, 0.5))
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        app = agent_app(app_config, API_PARTICULIER_URL=f"http://127.0.0.1:{silent.getsockname()[1]}")
        browser = logged_in(app)
        started = time.monotonic()
        page = browser.get("/agents/")
        assert time.monotonic() - started < 2
    assert page.status == 200
    assert "API Particulier ne répond pas (délai dépassé)" in banner(page)[1]


def test_the_introspection_is_cached_and_asked_again_on_demand(app):
    client = app.extensions["api_particulier"]
    calls = []
    real = client.introspect
    client.introspect = lambda **kwargs: calls.append(1) or real(**kwargs)
    make_agent(app)
    browser = logged_in(app)  # lands on the queue: the first page with the banner
    for url in ("/agents/", "/agents/tableau-de-bord", "/agents/sante"):
        assert browser.get(url).status == 200
    assert len(calls) == 1
    page = browser.get("/agents/sante").submit("Vérifier de nouveau")
    assert page.status == 200 and page.h1 == "État d'API Particulier"
    assert len(calls) == 2
    assert browser.get("/agents/sante").submit("Vérifier de nouveau", csrf=False).status == 400
    assert len(calls) == 2


def add_events(app, *events):
    with app.app_context():
        for hours_ago, outcome, status, code in events:
            db.session.add(
                ApiEvent(
                    at=utcnow() - timedelta(hours=hours_ago),
                    endpoint="quotient_familial",
                    outcome=outcome,
                    status=status,
                    code=code,
                )
            )
        db.session.commit()


def test_the_api_errors_of_the_last_24_hours_are_counted_per_outcome_and_status(app, agent_browser):
    add_events(
        app,
        (1, "unavailable", 502, None),
        (5, "unavailable", 502, "37999"),
        (23, "refused", 401, "00103"),
        (2, "ok", 200, None),
        (3, "not_found", 404, "37501"),  # an answer about a family, not a fault
        (3, "identity", 422, "00355"),
        (25, "unavailable", 503, None),  # older than 24 h
        (48, "refused", 403, "00100"),
    )
    level, text = banner(agent_browser.get("/agents/"))
    assert level == "warning"  # the token itself is valid
    assert "3 erreurs en 24 h : 2 indisponibilités (502), 1 refus (401)." in text


def test_timeouts_and_failed_connections_are_named(app, agent_browser):
    add_events(app, (1, "unavailable", None, "timeout"), (2, "unavailable", None, "connection"))
    assert (
        "2 erreurs en 24 h : 2 indisponibilités (connexion impossible, délai dépassé)."
        in banner(agent_browser.get("/agents/"))[1]
    )


def test_the_health_page_details_the_token_and_the_calls(app, agent_browser):
    add_events(app, (1, "unavailable", 502, None), (2, "ok", 200, None), (2, "ok", 200, None))
    page = agent_browser.get("/agents/sante")
    assert page.status == 200 and page.h1 == "État d'API Particulier"
    assert page.title.startswith("État d'API Particulier – Espace agents")
    assert "État d'API Particulier en détail" not in page.text  # no link to the page itself
    facts = page.soup.select_one("dl.facts").get_text(" ", strip=True)
    assert "Valide" in facts and "Bac à sable passfamille (tous les droits)" in facts
    assert (
        "cnaf_quotient_familial : quotient familial" in facts and "cnav_participation_familiale_eaje_enfants" in facts
    )
    assert "Inconnue" in facts  # not a JWT
    assert "3 appels à API Particulier, dont 1 erreur." in page.text
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in page.soup.select("table tbody tr")]
    assert rows == [["Indisponibilités", "1", "502"]]


def test_the_health_page_works_when_the_api_is_down(app_config):
    app = agent_app(app_config, API_PARTICULIER_URL=f"http://127.0.0.1:{closed_port()}")
    page = logged_in(app).get("/agents/sante")
    assert page.status == 200
    assert "Non vérifié : API Particulier ne répond pas" in page.text


def test_the_later_recheck_records_one_api_event_per_call(app, browser, sandbox):
    sandbox.arm_fault("503", times=2)  # the client retries once by itself
    page = through_api(browser, DUPONT)
    page = page.choose("Enregistrer ma demande : la mairie interrogera la CAF ou la MSA plus tard").submit("Continuer")
    page = add_child(page, "Lou", ("01", "02", "2019"))
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    finish(page.submit("Continuer"))

    def events():
        with app.app_context():
            rows = db.session.execute(select(ApiEvent.outcome, ApiEvent.status).order_by(ApiEvent.id)).all()
            return [tuple(row) for row in rows]

    assert events() == [("unavailable", 503)]  # the wizard's own call
    sandbox.arm_fault("502", times=2)
    assert "1 toujours en attente" in app.test_cli_runner().invoke(args=["adhesions", "recheck"]).output
    assert events()[1:] == [("unavailable", 502)]  # recorded although the application still waits
    assert "1 complétée(s)" in app.test_cli_runner().invoke(args=["adhesions", "recheck"]).output
    assert events()[2:] == [("ok", 200)]
