"""The limits hold when requests come at once and through different processes: identity lookups per draft and
per client address (shared by two app servers on one database), wrong passwords per agent account."""

import pytest
from sqlalchemy import func, select

from passfamille.extensions import db
from passfamille.models import ApiEvent

from ..backoffice.agents import make_agent
from ..backoffice.test_login_throttling import mailed_link
from ..functional.journeys import LEFEBVRE, fill_identity, start
from .browsers import browser, burst, clicks, form_of, summary
from .conftest import AGENT, LIMIT_KEYS, UNLIMITED
from .server import LiveServer

CHECK = "Vérifiez les informations de la CAF/MSA"
DRAFT_LIMIT = "Trop de vérifications pour cette demande"
ADDRESS_LIMIT = "Trop de vérifications depuis cette connexion"
LOOKUPS_PER_HOUR = 10  # the documented default


def api_calls(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(ApiEvent.id)))


def identity_post(page) -> tuple[str, dict]:
    """The identity page's POST with LEFEBVRE typed in, as the browser would send it."""
    url, data = form_of(fill_identity(page, LEFEBVRE), "Continuer")
    return url, {**data, **page._values}


def assert_no_error(answers, live) -> None:
    counts = summary(answers)
    assert all(a.error is None and a.statuses[-1] == 200 and 500 not in a.statuses for a in answers), (
        counts,
        live.log(),
    )


def test_twenty_identity_posts_at_once_on_one_draft_make_at_most_five_calls(app, live, new_browser):
    family = new_browser()
    url, data = identity_post(start(family))

    answers = burst(live.url, clicks(family, 20, url, data), follow_redirects=True)

    assert_no_error(answers, live)
    calls = api_calls(app)
    assert 1 <= calls <= 5, f"{calls} appels à API Particulier pour un brouillon (5 au plus)"
    assert {a.page.h1 for a in answers} <= {CHECK, DRAFT_LIMIT}, summary(answers)


@pytest.fixture
def limits() -> dict:
    """The documented default lookups per address and hour; the other limits out of the way."""
    return {**dict.fromkeys(LIMIT_KEYS, UNLIMITED), "LOOKUPS_PER_ADDRESS_HOUR": LOOKUPS_PER_HOUR}


@pytest.fixture
def other_live(app, live, live_config, tmp_path):
    """A second app server (its own gunicorn, its own processes) on the same database, as on a second machine."""
    server = LiveServer(live_config, tmp_path / "gunicorn-2.log")
    server.start()
    yield server
    server.stop()


def test_thirty_lookups_at_once_through_two_servers_are_cut_off_at_the_hourly_limit(app, live, other_live):
    # Thirty fresh drafts, one per browser, half of them on each server; all sent at the same instant.
    posts = []
    for index in range(30):
        family = browser((live, other_live)[index % 2].url)
        url, data = identity_post(start(family))
        posts.append((family.client.session, url, data))

    answers = burst(live.url, posts, follow_redirects=True)

    assert_no_error(answers, live)
    headings = [a.page.h1 for a in answers]
    assert headings.count(CHECK) == LOOKUPS_PER_HOUR, summary(answers)
    assert headings.count(ADDRESS_LIMIT) == 30 - LOOKUPS_PER_HOUR, summary(answers)
    assert api_calls(app) == LOOKUPS_PER_HOUR  # the refused lookups never reached API Particulier
    refused = next(a.page for a in answers if a.page.h1 == ADDRESS_LIMIT)
    assert f"plus de {LOOKUPS_PER_HOUR} fois par heure depuis une même connexion" in refused.text
    # The way to finish: the family's own proof.
    assert "Fournir un justificatif de quotient familial" in refused.text


def test_forty_wrong_passwords_at_once_are_checked_at_most_five_times(app, live, new_browser, mailbox):
    # All forty come from 127.0.0.1: the per-address limit is lifted so that only the account's limit (5, the
    # default) counts.
    make_agent(app, AGENT)
    posts = []
    for index in range(40):
        agent = new_browser()
        page = agent.get("/agents/connexion")
        url, data = form_of(page, "Se connecter")
        posts.append((agent.client.session, url, {**data, "email": AGENT, "password": f"mauvais {index}"}))

    answers = burst(live.url, posts, follow_redirects=False)

    counts = summary(answers)
    assert all(a.error is None and a.status in (400, 429) for a in answers), (counts, live.log())
    checked = [a for a in answers if a.status == 400 and "mot de passe incorrect" in a.page.text]
    refused = [a for a in answers if a.status == 429 and "Trop de tentatives" in a.page.text]
    assert len(checked) + len(refused) == 40, counts
    assert len(checked) == 5, f"{len(checked)} mots de passe vérifiés (5 au plus)"
    assert len(mailed_link(mailbox, AGENT)) == 1  # one mail to lift the lock, however many requests met it
