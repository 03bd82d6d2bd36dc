"""The commission sees free places, not only capacity: a place held by a family that has not answered its offer yet,
accepted it or was admitted is not free; a declined or expired offer gives its place back."""

from datetime import date, timedelta

from passfamille import create_app
from passfamille.demarches import statemachine
from passfamille.extensions import db
from passfamille.models import Application

from ..conftest import edited_example_settings
from ..creche_factory import make_request
from .agents import logged_in, make_agent

LIST = "/agents/creche/pioupious/bebes"


def offered(app, *answers, where=("pioupious", "bebes")) -> int:
    """A request offered a place in `where`, then moved on by the family's answers and the agent's admission."""
    application_id = make_request(app, wishes=[where], criteria=["residence"])
    with app.app_context():
        application = db.session.get(Application, application_id)
        start = date.today() + timedelta(days=30)
        statemachine.change_status(application, "offered", None, offer=(*where, start))
        for to in answers:
            statemachine.change_status(application, to, None)
    return application_id


def overview_cells(browser, href=LIST) -> list[str]:
    row = browser.get("/agents/creche").soup.find("a", href=href).find_parent("tr")
    return [td.get_text(" ", strip=True) for td in row.find_all("td")]


def lead(browser, url=LIST) -> str:
    return browser.get(url).soup.select_one("p.lead").get_text(" ", strip=True)


def test_free_places_count_offers_waiting_for_an_answer_accepted_and_admitted_but_not_declined(app, agent_browser):
    offered(app)  # not answered yet: the place is held until the deadline
    offered(app, "offer_accepted")
    offered(app, "offer_accepted", "admitted")
    offered(app, "offer_declined")
    offered(app, "offer_expired")
    make_request(app, criteria=["residence"])  # waiting: holds nothing
    offered(app, "offer_accepted", where=("pioupious", "moyens"))  # another section of the same structure

    assert overview_cells(agent_browser) == ["7 places libres sur 10", "1", "1", "1", "1"]
    assert overview_cells(agent_browser, "/agents/creche/pioupious/moyens")[0] == "14 places libres sur 15"
    assert overview_cells(agent_browser, "/agents/creche/pioupious/grands")[0] == "15 places libres sur 15"
    assert lead(agent_browser).startswith("7 places libres sur 10 ; 1 demande en attente")


def test_a_section_whose_places_are_all_promised_says_so_and_how_many_too_many(app_config, tmp_path):
    settings = edited_example_settings(
        tmp_path / "commune-petite-section",
        lambda text: text.replace("max_months: 12, places: 10}", "max_months: 12, places: 2}", 1),
    )
    app = create_app({**app_config, "PASSFAMILLE_COMMUNE": str(settings)})
    make_agent(app)
    browser = logged_in(app)
    offered(app, "offer_accepted")
    assert overview_cells(browser)[0] == "1 place libre sur 2"
    offered(app)
    offered(app)
    assert overview_cells(browser)[0] == "aucune place libre sur 2 , 1 place promise en trop"
    assert lead(browser).startswith("aucune place libre sur 2 , 1 place promise en trop ; 0 demande en attente")
