"""A small browser for the Flask test client: fills forms by their visible labels, carries the CSRF token
like a browser (it is a hidden field of the form), follows redirects and records every URL visited."""

import io
import re
from urllib.parse import urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup


def _text(element) -> str:
    # Only ASCII whitespace is collapsed: French formats rely on U+00A0 and U+202F.
    return re.sub(r"[ \t\n\r\f\v]+", " ", element.get_text(" ", strip=True)).strip()


class Page:
    def __init__(self, browser, response, url):
        self.browser = browser
        self.response = response
        self.url = url
        self.status = response.status_code
        self.html = response.get_data(as_text=True)
        self.soup = BeautifulSoup(self.html, "lxml")
        self._form = None
        self._values = None
        self._files = {}

    # --- reading ------------------------------------------------------------------------------------------
    @property
    def title(self) -> str:
        return _text(self.soup.title) if self.soup.title else ""

    @property
    def h1(self) -> str:
        heading = self.soup.find("h1")
        return _text(heading) if heading else ""

    @property
    def text(self) -> str:
        return _text(self.soup.body or self.soup)

    def error_summary(self) -> list[str]:
        summary = self.soup.select_one(".error-summary")
        return [_text(li) for li in summary.find_all("li")] if summary else []

    def field_error(self, label: str) -> str:
        """The error message tied to the field through aria-describedby (or its group's message)."""
        element = self._element(label)
        ids = (element.get("aria-describedby") or "").split()
        messages = [self.soup.find(id=i) for i in ids if i.endswith("error")]
        messages = [m for m in messages if m is not None]
        if not messages:
            fieldset = element.find_parent("fieldset")
            while fieldset is not None and not messages:
                messages = fieldset.select(".message--error")
                fieldset = fieldset.find_parent("fieldset")
        return " ".join(_text(m) for m in messages)

    def value(self, label: str) -> str:
        element = self._element(label)
        if element.name == "select":
            option = element.find("option", selected=True)
            return option.get("value", "") if option else ""
        if element.get("type") in ("checkbox", "radio"):
            return "checked" if element.has_attr("checked") else ""
        return element.get("value", "")

    def has_label(self, label: str) -> bool:
        return self._label(label, required=False) is not None

    # --- filling ------------------------------------------------------------------------------------------
    def _label(self, text: str, required=True):
        wanted = text.strip()
        labels = [lab for lab in self.soup.find_all("label") if _text(lab) == wanted]
        if not labels and required:
            known = sorted({_text(lab) for lab in self.soup.find_all("label")})
            raise AssertionError(f"Aucun libellé « {text} » sur {self.url}. Libellés : {known}")
        if len(labels) > 1:
            raise AssertionError(f"Plusieurs libellés « {text} » sur {self.url}")
        return labels[0] if labels else None

    def _element(self, label: str):
        lab = self._label(label)
        element = self.soup.find(id=lab.get("for"))
        assert element is not None, f"Le libellé « {label} » ne désigne aucun champ (for={lab.get('for')})"
        return element

    def _form_of(self, element):
        form = element.find_parent("form")
        assert form is not None, "Champ hors formulaire"
        if self._form is not form:
            self._form = form
            self._values = self._initial_values(form)
            self._files = {}
        return form

    @staticmethod
    def _initial_values(form) -> dict:
        values = {}
        for element in form.find_all(["input", "select", "textarea"]):
            name = element.get("name")
            if not name:
                continue
            kind = element.get("type", "text")
            if element.name == "select":
                option = element.find("option", selected=True) or element.find("option")
                values[name] = option.get("value", "") if option else ""
            elif kind in ("checkbox", "radio"):
                if element.has_attr("checked"):
                    values[name] = element.get("value", "on")
            elif kind in ("submit", "file", "button"):
                continue
            else:
                values[name] = element.get("value", "")
        return values

    def fill(self, label: str, value: str) -> "Page":
        element = self._element(label)
        self._form_of(element)
        assert element.name in ("input", "textarea"), f"« {label} » n'est pas un champ de saisie"
        self._values[element["name"]] = value
        return self

    def choose(self, label: str) -> "Page":
        element = self._element(label)
        self._form_of(element)
        assert element.get("type") == "radio", f"« {label} » n'est pas un bouton radio"
        self._values[element["name"]] = element.get("value")
        return self

    def check(self, label: str, checked: bool = True) -> "Page":
        element = self._element(label)
        self._form_of(element)
        assert element.get("type") == "checkbox", f"« {label} » n'est pas une case à cocher"
        if checked:
            self._values[element["name"]] = element.get("value", "on")
        else:
            self._values.pop(element["name"], None)
        return self

    def select(self, label: str, option_text: str) -> "Page":
        element = self._element(label)
        self._form_of(element)
        options = [o for o in element.find_all("option") if _text(o) == option_text]
        assert options, f"Pas d'option « {option_text} » dans « {label} »"
        self._values[element["name"]] = options[0].get("value", "")
        return self

    def attach(self, label: str, filename: str, content: bytes) -> "Page":
        element = self._element(label)
        self._form_of(element)
        self._files[element["name"]] = (io.BytesIO(content), filename)
        return self

    def submit(self, button: str | None = None, csrf: bool = True) -> "Page":
        if button is not None:
            candidates = [b for b in self.soup.find_all("button") if _text(b) == button]
            assert candidates, f"Pas de bouton « {button} » sur {self.url}"
            element = candidates[0]
            form = element.find_parent("form")
            if self._form is not form:
                self._form = form
                self._values = self._initial_values(form)
                self._files = {}
        else:
            element = None
            assert self._form is not None, "Aucun formulaire rempli"
        data = dict(self._values)
        if element is not None and element.get("name"):
            data[element["name"]] = element.get("value", "")
        if not csrf:
            data.pop("csrf_token", None)
        action = urljoin(self.url, self._form.get("action") or self.url)
        if (self._form.get("method") or "get").lower() == "get":
            return self.browser.get(urljoin(action, "?" + urlencode(data)))
        data.update(self._files)
        return self.browser.post(action, data)

    def click(self, link_text: str) -> "Page":
        links = [a for a in self.soup.find_all("a") if _text(a) == link_text or _text(a).startswith(link_text)]
        assert links, f"Pas de lien « {link_text} » sur {self.url}"
        return self.browser.get(urljoin(self.url, links[0]["href"]))


class Browser:
    def __init__(self, client):
        self.client = client
        self.visited: list[str] = []

    def _page(self, response, url) -> Page:
        for past in response.history:
            self.visited.append(past.request.url)
            if past.headers.get("Location"):
                self.visited.append(past.headers["Location"])
        final = response.request.url if response.history else url
        self.visited.append(final)
        return Page(self, response, final)

    def get(self, url: str) -> Page:
        response = self.client.get(url, follow_redirects=True)
        return self._page(response, url)

    def post(self, url: str, data: dict) -> Page:
        self.visited.append(url)
        response = self.client.post(url, data=data, follow_redirects=True, content_type="multipart/form-data")
        return self._page(response, url)


def path_of(url: str) -> str:
    return urlsplit(url).path
