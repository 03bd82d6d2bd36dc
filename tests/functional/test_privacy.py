"""Personal data stays out of URLs, cookies and logs; every POST needs its CSRF token."""

import logging
import re

import pytest

from passfamille.wizard.steps import STEPS

from .journeys import BOTH, DUPONT, LEFEBVRE, add_child, fill_identity, finish, start, through_api
from .test_creche_journeys import fill_wishes, to_wishes

# What a fixture family typed or received: none of it may appear in a URL, a cookie or a log line.
SECRETS = [
    "LEFEBVRE",
    "ALEXIS",
    "GÉRÔME",
    "G%C3%89R%C3%94ME",
    "JEAN-PHILIPPE",
    "1982",
    "27/12",
    "2550",
    "2 550",
    "MONTORGUEIL",
    "famille@example.org",
    "famille%40example.org",
    "DUPONT",
    "SOPHIE",
    "Léa",
    "1250",
    "40923",
    "40 923",
    "14/07/2024",
    "2024-07-14",
]


def nominal_journey(browser):
    page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
    return finish(add_child(page).submit("Continuer"))


def documents_journey(browser):
    page = start(browser, "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)")
    page = fill_identity(page, DUPONT).submit("Continuer")
    page = page.choose("Attestation de quotient familial de la CAF ou de la MSA")
    page = page.attach("Votre justificatif", "DUPONT-attestation.pdf", b"%PDF-1.4 x")
    page = page.fill("Quotient familial indiqué sur le document, en euros", "1250").submit("Continuer")
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    return finish(add_child(page).submit("Continuer"))


def both_journey(browser):
    """Pass Famille and crèche from one set of answers: the EAJE call, the child, the wishes, the criteria."""
    page = fill_wishes(to_wishes(browser, BOTH)).submit("Continuer")
    page = page.check("Parent qui élève seul son enfant (20 points)")
    page = page.attach(
        "Attestation de paiement de la CAF ou jugement fixant la résidence de l'enfant", "LEFEBVRE.pdf", b"%PDF-1.4"
    )
    page = page.submit("Continuer").click("Continuer").click("Continuer").submit("Envoyer ma demande")
    assert page.h1 == "Vos demandes sont envoyées", page.h1
    return page


JOURNEYS = [nominal_journey, documents_journey, both_journey]


@pytest.mark.parametrize("journey", JOURNEYS)
def test_no_url_carries_personal_data(browser, journey):
    journey(browser)
    assert len(browser.visited) > 10
    for url in browser.visited:
        for secret in SECRETS:
            assert secret.lower() not in url.lower(), f"« {secret} » dans l'URL {url}"


@pytest.mark.parametrize("journey", JOURNEYS)
def test_no_log_line_holds_a_name_a_birth_date_or_a_qf(browser, journey, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, the sandbox's and urllib3's included
    journey(browser)
    # aiosmtpd ("mail.log") is the test's stand-in for the commune's mail server, not part of the app.
    lines = [record.getMessage() for record in caplog.records if not record.name.startswith("mail.log")]
    # Only the journey that proves its QF with a document calls no API: the others must have logged their calls.
    assert any("api_particulier" in line for line in lines) is (journey is not documents_journey)
    for line in lines:
        for secret in SECRETS:
            assert secret.lower() not in line.lower(), f"« {secret} » dans le journal : {line}"


def test_cookies_hold_only_opaque_identifiers(browser):
    nominal_journey(browser)
    cookies = {cookie.key: cookie.value for cookie in browser.client._cookies.values()}
    assert "pf_brouillon" in cookies and len(cookies["pf_brouillon"]) >= 40
    for value in cookies.values():
        for secret in SECRETS:
            assert secret.lower() not in value.lower()


def post_routes(app):
    slugs = [step.slug for step in STEPS]  # every step, those of the crèche included
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        if "<slug>" in rule.rule:
            yield from (rule.rule.replace("<slug>", slug) for slug in slugs)
        else:
            # Other converters (ids, tokens) get a plausible value, so that the route itself is reached.
            yield re.sub(r"<int:\w+>", "1", re.sub(r"<(?:string:)?\w+>", "jeton", rule.rule))


def test_every_post_without_csrf_token_is_refused(app, browser):
    # A real draft, so that a refusal cannot come from a missing draft instead of the missing token.
    through_api(browser, LEFEBVRE)
    routes = list(post_routes(app))
    assert "/demande/commencer" in routes and "/demande/demandeur" in routes and "/demande/situation" in routes
    assert "/creche/suivi/jeton/proposition" in routes
    for route in routes:
        response = browser.client.post(route, data={"mode": "api", "choice": "yes"})
        assert response.status_code == 400, route
        assert "La page a expiré" in response.get_data(as_text=True)


def test_a_form_posted_without_its_token_changes_nothing(browser):
    page = start(browser)
    page = fill_identity(page, LEFEBVRE).submit("Continuer", csrf=False)
    assert page.status == 400
    page = browser.get("/demande/demandeur")
    assert page.value("Nom de naissance") == ""
