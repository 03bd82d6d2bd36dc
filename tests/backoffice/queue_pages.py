"""Reading and driving the agents' queue page: its filter form, the references it lists, its query string, and
the search."""

from urllib.parse import parse_qs, urlsplit


def apply_filters(page, button="Filtrer"):
    """Submits the filter form as a browser does: a GET with every field in the query string."""
    form = next(b for b in page.soup.find_all("button") if b.get_text(strip=True) == button).find_parent("form")
    assert form.get("method") == "get"
    return page.submit(button)


def references(page) -> list[str]:
    table = page.soup.select_one("table.queue")
    return [th.get_text(strip=True) for th in table.select("tbody th")] if table else []


def query_of(page) -> dict:
    return {name: value[0] for name, value in parse_qs(urlsplit(page.url).query).items()}


def search(browser, term):
    return browser.get("/agents/").fill("Référence, nom, courriel ou adresse", term).submit("Rechercher")
