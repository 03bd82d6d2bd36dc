"""The form cannot be used to look people up: identity lookups are capped per draft (whatever the answers), per
client address and hour across drafts, and for the whole service per minute; the family can always finish."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from passfamille import create_app, ratelimit
from passfamille.extensions import db
from passfamille.models import ApiEvent

from ..formclient import Browser
from .journeys import BOTH, CAF_MODE, LEFEBVRE, UNKNOWN, fill_identity, start, through_api

DOCUMENTS_MODE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"


def api_calls(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ApiEvent.id)))


def test_thirty_lookups_through_fresh_drafts_are_cut_off_at_the_hourly_limit(app):
    limit = app.config["LOOKUPS_PER_ADDRESS_HOUR"]
    assert limit == 10  # the documented default
    headings = []
    for _ in range(30):
        page = through_api(Browser(app.test_client()), LEFEBVRE)
        headings.append(page.h1)
    assert headings[:limit] == ["Vérifiez les informations de la CAF/MSA"] * limit
    assert headings[limit:] == ["Trop de vérifications depuis cette connexion"] * (30 - limit)
    assert api_calls(app) == limit  # the refused lookups never reached API Particulier
    assert f"plus de {limit} fois par heure depuis une même connexion" in page.text
    assert "2\u202f550" not in page.text and "ALEXIS" not in page.text
    # A way to finish: the family's own proof.
    page = page.choose("Fournir un justificatif de quotient familial").submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial"


def test_drafts_per_address_are_bounded_and_the_started_one_is_kept(app):
    limit = app.config["DRAFTS_PER_ADDRESS_HOUR"]
    for _ in range(limit):
        assert start(Browser(app.test_client()), DOCUMENTS_MODE).h1 == "Vous"
    browser = Browser(app.test_client())
    page = browser.get("/")
    page.choose("Le Pass Famille")
    page = page.submit("Commencer ma demande")
    assert page.status == 429 and page.h1 == "Trop de demandes commencées"
    assert f"pas plus de {limit} demandes" in page.text


def test_changing_the_route_does_not_reset_the_lookups_of_a_draft(browser, app):
    page = through_api(browser, UNKNOWN)
    for attempt in range(4):
        page = browser.get("/demande/demandeur").fill("Nom de naissance", f"INCONNU-{'X' * (attempt + 2)}")
        assert page.submit("Continuer").h1 == "Aucun dossier CAF ou MSA trouvé"
    # Documents, then back to the CAF: the answers are dropped, the count is not.
    browser.get("/demande/information").choose(DOCUMENTS_MODE).submit("Continuer")
    page = browser.get("/demande/information").choose(CAF_MODE).submit("Continuer")
    page = fill_identity(page, LEFEBVRE).submit("Continuer")
    assert page.h1 == "Trop de vérifications pour cette demande"
    assert api_calls(app) == 5


@pytest.fixture
def fixed_clock(monkeypatch):
    """All lookups in the same minute, whenever the test runs."""
    monkeypatch.setattr(ratelimit, "utcnow", lambda: datetime(2026, 12, 1, 10, 0, 30))


def test_the_service_wide_ceiling_per_minute_says_retry_and_counts_both_calls(app_config, fixed_clock):
    app = create_app({**app_config, "API_CALLS_PER_MINUTE": 2})
    assert through_api(Browser(app.test_client()), LEFEBVRE).h1 == "Vérifiez les informations de la CAF/MSA"
    # « Les deux » needs two calls: with one left in the minute, none is made.
    page = start(Browser(app.test_client()), demarche=BOTH)
    page = fill_identity(page, LEFEBVRE).submit("Continuer")
    assert page.h1 == "Le service de la CAF et de la MSA ne répond pas"
    assert page.has_label("Réessayer maintenant")
    assert api_calls(app) == 1
    page = page.choose("Fournir un justificatif de quotient familial").submit("Continuer")
    assert page.h1 == "Votre justificatif de quotient familial"


def test_a_lookup_counted_in_the_database_is_shared_by_two_apps(app_config):
    # Two app objects on one database stand for two workers: the second sees the first's count.
    first = create_app({**app_config, "LOOKUPS_PER_ADDRESS_HOUR": 2})
    second = create_app({**app_config, "LOOKUPS_PER_ADDRESS_HOUR": 2})
    assert through_api(Browser(first.test_client()), LEFEBVRE).h1 == "Vérifiez les informations de la CAF/MSA"
    assert through_api(Browser(second.test_client()), LEFEBVRE).h1 == "Vérifiez les informations de la CAF/MSA"
    assert through_api(Browser(first.test_client()), LEFEBVRE).h1 == "Trop de vérifications depuis cette connexion"
