"""A citizen in chromium: acts only through what a person reads (labels, button and link names) and counts
what the journey costs them: fields typed, choices made, buttons pressed, pages loaded."""

import re
from dataclasses import asdict, dataclass

import pytest
from playwright.sync_api import Page, expect

from ..functional.journeys import EMAIL, LEFEBVRE

CAF_MODE = "Récupérer mes informations auprès de la CAF ou de la MSA"
DOCUMENTS_MODE = "Fournir moi-même un justificatif (attestation de quotient familial ou avis d'imposition)"
FIGURES_KEY = pytest.StashKey[dict]()
COUNTS_KEY = pytest.StashKey[list]()  # one line per journey counted by test_journey_counts.py


@dataclass
class Effort:
    fields_typed: int = 0  # text fields filled in
    choices_made: int = 0  # radio buttons and checkboxes ticked
    options_selected: int = 0  # drop-down lists
    buttons_pressed: int = 0  # buttons and links that move the journey on
    pages_loaded: int = 0  # "load" events of the tab: what the person waits for
    documents_requested: int = 0  # HTML requests, counting each POST and its 303 redirect


def describe(figures: dict) -> str:
    return (
        f"{figures['fields_typed']} champs saisis, {figures['choices_made']} cases cochées, "
        f"{figures['options_selected']} listes, {figures['buttons_pressed']} boutons ou liens, "
        f"{figures['pages_loaded']} pages chargées ({figures['documents_requested']} requêtes HTML)"
    )


class Citizen:
    def __init__(self, page: Page):
        self.page = page
        self.effort = Effort()
        page.on("load", self._loaded)
        page.on("request", self._requested)

    def _loaded(self, _page):
        self.effort.pages_loaded += 1

    def _requested(self, request):
        if request.resource_type == "document" and request.frame == self.page.main_frame:
            self.effort.documents_requested += 1

    def figures(self) -> dict:
        return asdict(self.effort)

    # --- acting -------------------------------------------------------------------------------------------------
    def open(self, path: str) -> "Citizen":
        self.page.goto(path)
        return self

    def type(self, label: str, value: str) -> "Citizen":
        self.page.get_by_label(label, exact=True).fill(value)
        self.effort.fields_typed += 1
        return self

    def choose(self, label: str) -> "Citizen":
        # The CSS leaves inputs visible and clickable; check() also asserts that the box ends up ticked.
        self.page.get_by_label(label, exact=True).check()
        self.effort.choices_made += 1
        return self

    def select(self, label: str, option: str) -> "Citizen":
        self.page.get_by_label(label, exact=True).select_option(label=option)
        self.effort.options_selected += 1
        return self

    def press(self, button: str) -> "Citizen":
        self.page.get_by_role("button", name=button, exact=True).click()
        self.effort.buttons_pressed += 1
        return self

    def follow(self, link: str) -> "Citizen":
        self.page.get_by_role("link", name=link, exact=True).click()
        self.effort.buttons_pressed += 1
        return self

    # --- reading ------------------------------------------------------------------------------------------------
    def sees_heading(self, text: str | re.Pattern) -> "Citizen":
        """Waits for the new page: its only <h1> says `text`."""
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)
        return self

    def sees_step(self, number: int, count: int) -> "Citizen":
        expect(self.page.get_by_text(f"Étape {number} sur {count}", exact=True)).to_be_visible()
        return self

    def main_text(self) -> str:
        return self.page.get_by_role("main").inner_text()


# --- the journey's steps, shared by the journey and the accessibility tests ---------------------------------------
def start(citizen: Citizen, mode: str = CAF_MODE) -> Citizen:
    citizen.open("/").sees_heading(re.compile(r"^Demander le "))
    citizen.choose("Le Pass Famille")
    citizen.press("Commencer ma demande").sees_heading(re.compile(r"^Votre quotient familial"))
    return citizen.choose(mode)


def fill_identity(citizen: Citizen, person: dict = LEFEBVRE, email: str = EMAIL) -> Citizen:
    """The "Vous" page as LEFEBVRE fills it; birth fields only when the page asks for them (CAF/MSA route)."""
    citizen.type("Nom de naissance", person["birth_name"])
    labels = ["Premier prénom", "Deuxième prénom (facultatif)", "Troisième prénom (facultatif)"]
    for label, name in zip(labels, person["first_names"], strict=False):
        citizen.type(label, name)
    if citizen.page.get_by_label("Jour", exact=True).count():
        day, month, year = person["birth_date"]
        citizen.choose(person["sex"])
        citizen.type("Jour", day).type("Mois", month).type("Année", year)
        citizen.choose("En France (métropole ou outre-mer)")
        citizen.select("Département de naissance", person["department"])
        citizen.type("Commune de naissance", person["commune"])
    return citizen.type("Adresse électronique", email)


def type_child(citizen: Citizen, first_name="Léa", birth_date=("14", "07", "2024"), reason="Naissance récente"):
    """A child missing from the CAF/MSA file, typed on « Votre foyer »: « Continuer » adds it (the last or only one)."""
    day, month, year = birth_date
    citizen.type("Prénom de l'enfant", first_name)
    citizen.type("Jour", day).type("Mois", month).type("Année", year)
    return citizen.select("Pourquoi cet enfant n'apparaît-il pas ?", reason)


def add_child(citizen: Citizen, first_name="Léa", birth_date=("14", "07", "2024"), reason="Naissance récente"):
    """A child typed, then « Enregistrer et ajouter un autre enfant »: « Votre foyer » again, ready for another."""
    type_child(citizen, first_name, birth_date, reason)
    return citizen.press("Enregistrer et ajouter un autre enfant")
