"""Browsers over real HTTP: tests/formclient.Browser (fill by label, CSRF carried as a hidden field) on a
requests.Session, the clones of one browser (two tabs, a double click: the same cookies), and a burst that
releases many requests at the same instant."""

import copy
import threading
from dataclasses import dataclass
from urllib.parse import urljoin

import requests

from ..formclient import Browser, Page, _text

TIMEOUT = 60  # seconds; a request stuck that long is reported as an error, never waited on forever


class _Response:
    """A requests.Response read through the Flask test response's get_data(), as formclient.Page expects."""

    def __init__(self, response: requests.Response):
        self._response = response

    def __getattr__(self, name):
        return getattr(self._response, name)

    def get_data(self, as_text: bool = False):
        return self._response.text if as_text else self._response.content


class HttpClient:
    """The two methods of Flask's test client that formclient.Browser calls, over HTTP to the live server."""

    def __init__(self, base_url: str, session: requests.Session | None = None):
        self.base_url = base_url
        self.session = session or requests.Session()

    def get(self, url: str, follow_redirects: bool = True):
        response = self.session.get(urljoin(self.base_url, url), allow_redirects=follow_redirects, timeout=TIMEOUT)
        return _Response(response)

    def post(self, url: str, data: dict, follow_redirects: bool = True, content_type: str | None = None):
        # formclient gives an attached file as (BytesIO, filename); requests wants files apart, as (filename, file).
        files = {name: (value[1], value[0]) for name, value in data.items() if isinstance(value, tuple)}
        fields = {name: value for name, value in data.items() if not isinstance(value, tuple)}
        response = self.session.post(
            urljoin(self.base_url, url),
            data=fields,
            files=files or None,
            allow_redirects=follow_redirects,
            timeout=TIMEOUT,
        )
        return _Response(response)


def browser(base_url: str) -> Browser:
    return Browser(HttpClient(base_url))


def clone(original: Browser) -> requests.Session:
    """Another tab of the same browser: a new connection carrying the same cookies (Flask's `session`, which holds
    the CSRF secret, the draft's `pf_brouillon`, the agent's `pf_agent`)."""
    session = requests.Session()
    for cookie in original.client.session.cookies:
        session.cookies.set_cookie(copy.copy(cookie))
    return session


def form_of(page: Page, button: str, fields: dict[str, str] | None = None) -> tuple[str, dict]:
    """What a browser posts when `button` is pressed on `page`, after typing `fields` (by label): (URL, form data).
    The data carries the form's hidden fields, the CSRF token among them."""
    for label, value in (fields or {}).items():
        page._element(label)["value"] = value
    buttons = [b for b in page.soup.find_all("button") if _text(b) == button]
    assert buttons, f"Pas de bouton « {button} » sur {page.url}"
    form = buttons[0].find_parent("form")
    data = Page._initial_values(form)
    if buttons[0].get("name"):
        data[buttons[0]["name"]] = buttons[0].get("value", "")
    here = page.response.url  # absolute, where the page was read
    return urljoin(here, form.get("action") or here), data


@dataclass
class Answer:
    """What one of the simultaneous requests got: every status on the way (redirects included) and the last page."""

    statuses: list[int]
    page: Page | None
    error: str | None = None

    @property
    def status(self) -> int | None:
        return self.statuses[-1] if self.statuses else None


def burst(base_url: str, posts: list[tuple[requests.Session, str, dict]], follow_redirects: bool) -> list[Answer]:
    """Send every (session, url, data) POST at once: each thread opens its connection first (a cheap GET), then all
    wait at a barrier and send together. Returns one Answer per post, in order."""
    barrier = threading.Barrier(len(posts))
    answers: list[Answer | None] = [None] * len(posts)

    def send(index: int, session: requests.Session, url: str, data: dict) -> None:
        try:
            session.get(f"{base_url}/theme.css", timeout=TIMEOUT)
            barrier.wait(timeout=TIMEOUT)
            response = session.post(url, data=data, allow_redirects=follow_redirects, timeout=TIMEOUT)
            statuses = [r.status_code for r in response.history] + [response.status_code]
            answers[index] = Answer(statuses, Page(None, _Response(response), response.url))
        except (requests.RequestException, threading.BrokenBarrierError) as error:
            answers[index] = Answer([], None, f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=send, args=(i, *post), daemon=True) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * TIMEOUT)
    for session, _, _ in posts:
        session.close()  # a kept-alive connection would hold the server's graceful stop
    return [a if a is not None else Answer([], None, "sans réponse") for a in answers]


def clicks(original: Browser, times: int, url: str, data: dict) -> list[tuple[requests.Session, str, dict]]:
    """The same form posted `times` times from clones of one browser: a double click, tabs, a retried request."""
    return [(clone(original), url, data) for _ in range(times)]


def summary(answers: list[Answer]) -> dict:
    """How many answers ended with each status (or error), for failure messages: {"303": 19, "500": 1}."""
    counts: dict[str, int] = {}
    for answer in answers:
        key = answer.error or " → ".join(str(s) for s in answer.statuses)
        counts[key] = counts.get(key, 0) + 1
    return counts
