"""The revenu fiscal de référence and the nombre de parts read on an avis d'imposition, where the commune's rules
compute a municipal quotient: the family's proof step and the agent's check under generated bad input. Never a
server error; a value that cannot be right is refused in French at its field, the other values shown again."""

from ..backoffice.agents import logged_in, make_agent
from ..functional.test_municipal_quotient import PARTS, RFR, TAX_NOTICE, submitted_with_avis
from ..functional.test_proof_kinds import PDF, to_proof
from ..municipal_quotient import app_config, municipal_settings  # noqa: F401 (the commune's rules)
from .harness import fuzz, target

KINDS = {"kind": "choice", "rfr": "number", "parts": "number"}


def test_proof_step_with_an_avis(app, browser, cases):
    page = to_proof(browser).choose(TAX_NOTICE).attach("Votre justificatif", "avis.pdf", PDF)
    page = page.fill(RFR, "32400").fill(PARTS, "2,5").submit("Continuer")
    assert page.h1 == "Votre foyer", page.error_summary()
    page = browser.get("/demande/justificatif")
    form = target(app, page, "/demande/justificatif", {**KINDS, "declared_qf": "not_applicable"}, cases)
    fuzz(form, 500)
    # The same with a file sent each time: a file is not a reason to lose the other answers.
    form = target(app, page, "/demande/justificatif", KINDS, cases, files={"file": (PDF, "avis.pdf")})
    fuzz(form, 150)


def test_agent_check_of_the_avis(app, browser, cases):
    application_id = submitted_with_avis(app, browser)
    make_agent(app)
    agent = logged_in(app)
    page = agent.get(f"/agents/demandes/{application_id}")
    page = page.fill("Revenu fiscal de référence lu sur l'avis, en euros", "32400")
    url = page._form_of(page._element("Nombre de parts lu sur l'avis")).get("action")
    form = target(app, page, url, {"rfr": "number", "parts": "number"}, cases, also_allowed=frozenset({409}))
    fuzz(form, 400)
