"""Posting a generated case to a form and judging the answer.

Every answer is read quickly from its HTML (status, the message next to the field, every other value shown again);
one in CHECK_EVERY is also read as a person would, with tests/formclient.py: the field found by its label, its
message by `field_error`, the other fields' values by `value`."""

import html
import io
import re
import zlib
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from ..formclient import Page
from .inputs import Case, expectation, mixed_in

CHECK_EVERY = 15

# WTForms' own messages, English or translated: a field must say in its own words what is expected.
DEFAULT_MESSAGES = re.compile(
    r"This field|Not a valid|Field must|Invalid|N'est pas un choix valide|Ce champ est requis|Le champ ne peut|"
    r"Le champ doit|Choix non valide|Adresse électronique non valide|Traceback|Internal Server Error",
)
_TAG = re.compile(r"<(input|select|textarea)\b([^>]*)>", re.S)
_ATTRIBUTE = re.compile(r'([a-zA-Z_:-]+)(?:="([^"]*)")?')
_OPTION = re.compile(r"<option\b([^>]*)>", re.S)
_MESSAGE = re.compile(r'<p class="message message--error" id="([^"]+)">(.*?)</p>', re.S)
_SUMMARY = re.compile(r'class="alert alert--error error-summary".*?</ul>', re.S)
_MARKUP = re.compile(r"<[^>]+>")


def _attributes(text: str) -> dict[str, str]:
    return {name: html.unescape(value or "") for name, value in _ATTRIBUTE.findall(text)}


def shown_values(page_html: str) -> dict[str, str]:
    """name -> value as a browser would send the page's forms (first occurrence of a name)."""
    values: dict[str, str] = {}
    for match in _TAG.finditer(page_html):
        tag, attributes = match.group(1), _attributes(match.group(2))
        name = attributes.get("name")
        if not name or name in values:
            continue
        if tag == "textarea":
            end = page_html.index("</textarea>", match.end())
            values[name] = html.unescape(page_html[match.end() : end])
        elif tag == "select":
            end = page_html.index("</select>", match.end())
            options = [_attributes(o) for o in _OPTION.findall(page_html[match.end() : end])]
            chosen = next((o for o in options if "selected" in o), options[0] if options else {})
            values[name] = chosen.get("value", "")
        elif attributes.get("type") in ("radio", "checkbox"):
            if "checked" in attributes:
                values[name] = attributes.get("value", "on")
        elif attributes.get("type") not in ("submit", "file", "button"):
            values[name] = attributes.get("value", "")
    return values


def messages(page_html: str) -> dict[str, str]:
    """The error messages next to fields: element id -> text."""
    return {
        element_id: " ".join(html.unescape(_MARKUP.sub(" ", text)).split())
        for element_id, text in _MESSAGE.findall(page_html)
    }


def summary(page_html: str) -> list[str]:
    found = _SUMMARY.search(page_html)
    if not found:
        return []
    items = re.findall(r"<li>(.*?)</li>", found.group(0), re.S)
    return [" ".join(html.unescape(_MARKUP.sub(" ", item)).split()) for item in items]


@dataclass
class Target:
    """One form: where it posts, a valid submission (`baseline`, as the page itself would send it), the kind of each
    field the cases may change, and where each field's message is shown (its own id, or a date group's)."""

    client: object
    url: str
    baseline: dict[str, str]
    kinds: dict[str, str]
    anchors: dict[str, str] = field(default_factory=dict)
    snapshot: object = None
    # Answers other than a page in error or a redirect that are right for this form (404 for a spent link…).
    also_allowed: frozenset = frozenset()
    # Fields whose value is shown again on a page in error (text fields and selects), compared with the baseline.
    kept: tuple[str, ...] = ()
    dates: tuple[tuple[str, str, str], ...] = ()
    files: dict = field(default_factory=dict)
    counter: dict = field(default_factory=lambda: {"n": 0})
    # "get" for a form of query parameters (the queue's filters): the case goes in the query string.
    method: str = "post"
    # The one status a field's cases must get, whatever the value (a bad page number is page 1: 200).
    statuses: dict = field(default_factory=dict)
    # What a megabyte gets: 413, or for a route that reads one value without a form, whatever that value gets.
    too_large: frozenset = frozenset({413})

    def anchor(self, name: str) -> str:
        return self.anchors.get(name, name)

    def data(self, name: str, case: Case, urlencoded: bool) -> MultiDict:
        values = MultiDict(self.baseline)
        good = self.baseline.get(name, "")
        if case.category == "impossible_date":
            group = next(g for g in self.dates if name in g)
            for part, value in zip(group, case.value, strict=True):
                values.setlist(part, [value])
            return values
        bad = mixed_in(good, case.value) if case.category == "control" else case.value
        if bad is None:
            values.poplist(name)
        elif case.how == "bad_first":
            values.setlist(name, [bad, good])
        elif case.how == "good_first":
            values.setlist(name, [good, bad])
        else:
            values.setlist(name, [bad])
        if not urlencoded:
            for file_field, (content, filename) in self.files.items():
                values.setlist(file_field, [(io.BytesIO(content), filename)])
        return values

    def post(self, name: str, case: Case, urlencoded: bool = False):
        self.counter["n"] += 1
        if self.method == "get":
            response = self.client.get(self.url, query_string=self.data(name, case, urlencoded=True))
        else:
            content_type = "application/x-www-form-urlencoded" if urlencoded else "multipart/form-data"
            response = self.client.post(self.url, data=self.data(name, case, urlencoded), content_type=content_type)
        try:
            self.judge(name, case, response)
        finally:
            if response.status_code != 400 and self.method == "post" and self.snapshot is not None:
                self.snapshot.restore()
        return response

    def judge(self, name: str, case: Case, response) -> None:
        status = response.status_code
        page_html = response.get_data(as_text=True)
        where = f"{self.url} {name}={str(case.value)[:60]!r} ({case.category}, {case.how}) -> {status}"
        assert status < 500, f"erreur du serveur : {where}\n{page_html[:2000]}"
        expected = expectation(case, self.kinds[name])
        if expected == "too_large":
            assert status in self.too_large, where
            assert status != 413 or "Envoi trop volumineux" in page_html, where
            return
        assert status in {200, 302, 303, 400} | self.also_allowed, where
        if name in self.statuses:
            assert status == self.statuses[name], where
        anchor = self.anchor(name)
        at_field = [
            text
            for element_id, text in messages(page_html).items()
            if element_id in (f"{anchor}-error", f"{anchor}-group-error")
        ]
        if expected == "refuse":
            assert status == 400 and at_field, f"valeur acceptée ou message ailleurs : {where}\n{summary(page_html)}"
        if expected == "accept":
            assert not at_field, f"valeur refusée : {where} : {at_field}"
        if status != 400 or "La page a expiré" in page_html:
            return
        assert "<title>Erreur : " in page_html, where
        listed = summary(page_html)
        assert listed or at_field, f"page en erreur sans message : {where}"
        for message in [*listed, *messages(page_html).values()]:
            assert message and not DEFAULT_MESSAGES.search(message), f"message : {message!r} ({where})"
        shown = shown_values(page_html)
        for other in self.kept:
            if other != name and not any(other in group and name in group for group in self.dates):
                assert shown.get(other) == self.baseline.get(other, ""), f"{other} non conservé : {where}"
        if zlib.crc32(repr((name, case)).encode()) % CHECK_EVERY == 0:
            self.read_as_a_person(name, expected, response)

    def read_as_a_person(self, name: str, expected: str, response) -> None:
        """The same answer read with the test client's browser helper: by label, as in the other tests."""
        page = Page(None, response, self.url)
        label = label_of(page, name)
        if expected == "refuse" and label:
            assert page.field_error(label).startswith("Erreur : "), (self.url, name, label)
        for other in self.kept:
            other_label = label_of(page, other)
            same_group = any(other in g and name in g for g in self.dates)
            if other != name and other_label and not same_group and not self._is_choice(page, other_label):
                assert page.value(other_label) == self.baseline.get(other, ""), (self.url, other)

    @staticmethod
    def _is_choice(page: Page, label: str) -> bool:
        return page._element(label).get("type") in ("radio", "checkbox")


def label_of(page: Page, name: str) -> str | None:
    """The label a person reads for the field `name` (a radio group: its first option's), when it is the only one
    with that text on the page, else None."""
    element = page.soup.find(attrs={"name": name})
    if element is None or not element.get("id"):
        return None
    label = page.soup.find("label", attrs={"for": element["id"]})
    if label is None:
        return None
    text = _words(label)
    return text if sum(_words(other) == text for other in page.soup.find_all("label")) == 1 else None


def _words(element) -> str:
    # As tests/formclient.py reads labels: only ASCII whitespace collapsed.
    return re.sub(r"[ \t\n\r\f\v]+", " ", element.get_text(" ", strip=True)).strip()
