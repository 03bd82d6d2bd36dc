"""The FranceConnect sandbox's pages in chromium: the mire (as it opens, and back with an error), and the error page
of a malformed request, scanned by axe and laid out at 320 px; a tester picks an identity by its label and is sent
back to the service with a code."""

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from ..sandbox_franceconnect import authorize_params, query_of
from .creche import Inspection

pytestmark = pytest.mark.browser


@pytest.fixture
def sandbox_page(chromium, sandbox):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def authorize_url(sandbox, **changes) -> str:
    # The way back goes to the sandbox's own port: nothing listens at /franceconnect/retour there (404), but the
    # browser's address shows what FranceConnect sent.
    redirect_uri = f"{sandbox.url}/franceconnect/retour"
    return (
        f"{sandbox.franceconnect_issuer}/authorize?{urlencode(authorize_params(redirect_uri=redirect_uri, **changes))}"
    )


def test_mire_error_state_and_error_page_have_no_axe_violation_and_reflow(sandbox_page, sandbox):
    page, checks = sandbox_page, Inspection()

    page.goto(authorize_url(sandbox))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bac à sable FranceConnect")
    expect(page).to_have_title(re.compile(r"Bac à sable FranceConnect$"))
    checks.check(page, "mire")

    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("alert")).to_have_text("Choisissez une identité de test.")
    expect(page).to_have_title(re.compile(r"^Erreur : "))
    checks.check(page, "mire, aucune identité choisie")

    page.goto(authorize_url(sandbox, nonce="trop-court"))
    expect(page.get_by_text("Y000400")).to_be_visible()
    checks.check(page, "page d'erreur (nonce trop court)")
    checks.assert_clean()


def test_a_tester_picks_dubois_by_its_label_and_goes_back_with_a_code(sandbox_page, sandbox):
    page = sandbox_page
    params = authorize_params()
    page.goto(authorize_url(sandbox, state=params["state"]))

    identities = page.get_by_role("group", name="Identité de test")
    identities.get_by_label("DUBOIS Angela Claire Louise (test)").check()
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_url(re.compile(r"/franceconnect/retour\?"))
    back = query_of(page.url)
    assert back["state"] == params["state"]
    assert back["iss"] == sandbox.franceconnect_issuer
    assert back["code"]


def test_cancel_goes_back_with_access_denied(sandbox_page, sandbox):
    page = sandbox_page
    page.goto(authorize_url(sandbox))

    page.get_by_role("button", name="Annuler").click()

    page.wait_for_url(re.compile(r"/franceconnect/retour\?"))
    assert query_of(page.url)["error"] == "access_denied"
