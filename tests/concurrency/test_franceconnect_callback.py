"""FranceConnect's callback sent many times at once (a double click on FranceConnect's « Continuer », a reload, two
tabs), against gunicorn on SQLite and PostgreSQL: the code is exchanged once, and every request shows the family
logged in — none gets an error page because another one used the code first."""

import threading
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Draft

from ..formclient import Page
from ..functional.test_franceconnect import DUPONT_FC, fc_config
from .browsers import TIMEOUT, _Response, clone, form_of

TIMES = 8


@pytest.fixture
def live_config(live_config, sandbox):
    """The run's live configuration, with the commune's FranceConnect habilitation (the sandbox's)."""
    return fc_config(live_config, sandbox)


def mire(sandbox, authorize_url: str, login: str) -> str:
    import re
    from html import unescape

    web = requests.Session()
    page = web.get(authorize_url, timeout=TIMEOUT)
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
    back = web.post(sandbox.url + action, data={"login": login, "action": "continuer"}, allow_redirects=False)
    return back.headers["Location"]


def test_the_callback_sent_8_times_at_once_logs_in_once_and_every_tab_sees_it(app, live, new_browser, sandbox):
    browser = new_browser()
    url, data = form_of(browser.get("/"), "S’identifier avec FranceConnect")
    data["choice"] = "pass_famille"
    answer = browser.client.session.post(url, data=data, allow_redirects=False, timeout=TIMEOUT)
    callback = mire(sandbox, answer.headers["Location"], DUPONT_FC)
    assert urlsplit(callback).path == "/franceconnect/retour"

    barrier = threading.Barrier(TIMES)
    pages: list[Page | str] = [""] * TIMES

    def send(index: int, session: requests.Session) -> None:
        try:
            session.get(f"{live.url}/theme.css", timeout=TIMEOUT)
            barrier.wait(timeout=TIMEOUT)
            response = session.get(callback, timeout=TIMEOUT)
            pages[index] = Page(None, _Response(response), response.url)
        except (requests.RequestException, threading.BrokenBarrierError) as error:
            pages[index] = f"{type(error).__name__}"
        finally:
            session.close()

    threads = [threading.Thread(target=send, args=(i, clone(browser))) for i in range(TIMES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * TIMEOUT)

    headings = [page.h1 if isinstance(page, Page) else page for page in pages]
    assert headings == ["Vous"] * TIMES, f"{headings}\n{live.log()}"
    with app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        assert draft.answers["identification"] == {"modality": "franceconnect"}
        assert draft.lookups == 1  # API Particulier asked once, by the one request that exchanged the code
