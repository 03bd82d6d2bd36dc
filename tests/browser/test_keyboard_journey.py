"""The nominal Pass Famille journey (CAF/MSA route, LEFEBVRE) done with the keyboard alone in chromium: only
`page.keyboard` (Tab, Shift+Tab, Space, Enter, arrows, typing), never a click, a fill or a check.

Each control is reached by tabbing forward from where the focus is, within a bound, and must be the one expected (by
its label or accessible name) before it is used; its focus must be visible (an outline or a box-shadow from our
CSS). After a submit with an invalid e-mail, the error summary has the focus and everything typed is still there.
Two negative controls prove that a control taken out of the tab order, or a focus style removed, fails the test."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from ..functional.journeys import EMAIL, LEFEBVRE

pytestmark = pytest.mark.browser

MAX_TABS = 40  # more than any page of the journey has controls before the one a family needs next

DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "rien (le document)";
  const label = (el.labels && el.labels.length && el.labels[0].innerText)
    || el.getAttribute("aria-label") || el.innerText || el.value || "";
  const kind = el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "");
  return kind + " « " + label.trim().replace(/\\s+/g, " ").slice(0, 70) + " »";
}"""

FOCUS_STYLE = """el => {
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return outline || shadow ? "" : "outline " + style.outlineStyle + " " + style.outlineWidth + ", box-shadow " +
    style.boxShadow;
}"""


class KeyboardUser:
    """A family that moves with Tab and acts with Space, Enter, arrows and typing."""

    def __init__(self, page: Page):
        self.page = page
        self.keyboard = page.keyboard

    # --- where the focus is -------------------------------------------------------------------------------------
    def where(self) -> str:
        heading = self.page.get_by_role("heading", level=1)
        return heading.inner_text().strip() if heading.count() == 1 else self.page.url

    def focused(self) -> str:
        return self.page.evaluate(DESCRIBE_FOCUS)

    def has_focus(self, target: Locator) -> bool:
        return target.count() == 1 and target.evaluate("el => el === document.activeElement")

    def assert_focus_visible(self, target: Locator, name: str) -> None:
        missing = target.evaluate(FOCUS_STYLE)
        assert not missing, f"Page « {self.where()} » : le focus sur « {name} » ne se voit pas ({missing})"

    def tab_to(self, target: Locator, name: str, accepts=None) -> None:
        """Presses Tab until `target` (or, with `accepts`, any element it accepts) has the focus, at most MAX_TABS
        times; then checks that the focus is visible."""
        reached = accepts or self.has_focus
        trail = []
        for _ in range(MAX_TABS):
            self.keyboard.press("Tab")
            if reached(target):
                self.assert_focus_visible(self.page.locator(":focus"), name)
                return
            trail.append(self.focused())
        pytest.fail(
            f"Page « {self.where()} » : « {name} » n'est pas atteint avec {MAX_TABS} appuis sur Tab. "
            f"Le focus est passé par : {' → '.join(dict.fromkeys(trail))}"
        )

    # --- acting -------------------------------------------------------------------------------------------------
    def type(self, label: str, value: str) -> "KeyboardUser":
        field = self.page.get_by_label(label, exact=True)
        self.tab_to(field, label)
        self.keyboard.press("Control+A")  # a value already there (after an error) is replaced, as a person would
        self.keyboard.type(value)
        expect(field).to_have_value(value)
        return self

    def choose(self, label: str) -> "KeyboardUser":
        """A radio button: Tab enters its group, the arrows move to it, Space ticks it. A checkbox: Tab, Space."""
        box = self.page.get_by_label(label, exact=True)
        if box.get_attribute("type") == "checkbox":
            self.tab_to(box, label)
        else:
            group = box.get_attribute("name")
            self.tab_to(
                box,
                f"le groupe de « {label} »",
                accepts=lambda _: self.page.evaluate(
                    "name => document.activeElement && document.activeElement.name === name", group
                ),
            )
            for _ in range(MAX_TABS):
                if self.has_focus(box):
                    break
                self.keyboard.press("ArrowDown")
            assert self.has_focus(box), f"Page « {self.where()} » : les flèches n'atteignent pas « {label} »"
            self.assert_focus_visible(box, label)
        self.keyboard.press("Space")
        expect(box).to_be_checked()
        return self

    def select(self, label: str, option: str) -> "KeyboardUser":
        """A drop-down list: typed to, as a person types the first letters of the option."""
        field = self.page.get_by_label(label, exact=True)
        self.tab_to(field, label)
        self.keyboard.type(option[:2])
        expect(field.locator("option:checked")).to_have_text(option)
        return self

    def press(self, button: str) -> "KeyboardUser":
        self.tab_to(self.page.get_by_role("button", name=button, exact=True), button)
        self.keyboard.press("Enter")
        return self

    def follow(self, link: str) -> "KeyboardUser":
        self.tab_to(self.page.get_by_role("link", name=link, exact=True), link)
        self.keyboard.press("Enter")
        return self

    # --- reading ------------------------------------------------------------------------------------------------
    def sees_heading(self, text: str | re.Pattern) -> "KeyboardUser":
        expect(self.page.get_by_role("heading", level=1)).to_have_text(text)
        self.page.wait_for_load_state()  # passfamille.js has run: the error summary, if any, has the focus
        return self


def fill_identity(user: KeyboardUser, email: str) -> KeyboardUser:
    person = LEFEBVRE
    user.type("Nom de naissance", person["birth_name"])
    labels = ["Premier prénom", "Deuxième prénom (facultatif)", "Troisième prénom (facultatif)"]
    for label, name in zip(labels, person["first_names"], strict=True):
        user.type(label, name)
    day, month, year = person["birth_date"]
    user.choose(person["sex"])
    user.type("Jour", day).type("Mois", month).type("Année", year)
    user.choose("En France (métropole ou outre-mer)")
    user.select("Département de naissance", person["department"])
    user.type("Commune de naissance", person["commune"])
    return user.type("Adresse électronique", email)


def test_a_family_applies_for_the_pass_famille_with_the_keyboard_only(page):
    user = KeyboardUser(page)
    page.goto("/")
    user.sees_heading(re.compile(r"^Demander le "))
    user.choose("Le Pass Famille").press("Commencer ma demande").sees_heading(re.compile(r"^Votre quotient familial"))
    user.choose("Récupérer mes informations auprès de la CAF ou de la MSA").press("Continuer").sees_heading("Vous")

    # An e-mail without its @: the page comes back with the error summary focused, nothing typed lost.
    fill_identity(user, "famille.example.org").press("Continuer").sees_heading("Vous")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Saisissez une adresse électronique valide")
    assert user.has_focus(summary), f"après l'envoi en erreur, le focus est sur {user.focused()}, pas sur le résumé"
    user.assert_focus_visible(summary, "le résumé des erreurs")
    expect(page.get_by_label("Nom de naissance", exact=True)).to_have_value("LEFEBVRE")
    expect(page.get_by_label("Commune de naissance", exact=True)).to_have_value("Villers-Semeuse")
    user.type("Adresse électronique", EMAIL).press("Continuer")

    user.sees_heading("Vérifiez les informations de la CAF/MSA")
    user.choose("Oui, elles sont correctes").press("Continuer").sees_heading("Votre foyer")
    user.type("Prénom de l'enfant", "Léa").type("Jour", "14").type("Mois", "07").type("Année", "2024")
    user.select("Pourquoi cet enfant n'apparaît-il pas ?", "Naissance récente")
    user.press("Enregistrer et ajouter un autre enfant").sees_heading("Votre foyer")
    expect(page.get_by_role("listitem").filter(has_text="Léa, né ou née le 14/07/2024")).to_be_visible()

    user.press("Continuer").sees_heading("Votre résultat")
    expect(page.get_by_role("heading", name="Vous pouvez bénéficier du Pass Famille")).to_be_visible()
    user.follow("Continuer").sees_heading("Vérifiez votre demande")
    expect(page.get_by_role("main")).to_contain_text(EMAIL)
    user.press("Envoyer ma demande").sees_heading("Votre demande est envoyée")
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"PF-\d{4}-\d{6}"))


def test_a_control_taken_out_of_the_tab_order_fails_with_the_page_and_the_control_named(page):
    user = KeyboardUser(page)
    page.goto("/")
    user.sees_heading(re.compile(r"^Demander le "))
    page.get_by_role("button", name="Commencer ma demande", exact=True).evaluate("el => el.tabIndex = -1")
    with pytest.raises(pytest.fail.Exception, match=r"Page « Demander le .* » : « Commencer ma demande » n'est pas"):
        user.press("Commencer ma demande")


def test_a_focus_without_outline_or_shadow_fails_as_invisible(page):
    user = KeyboardUser(page)
    page.goto("/")
    user.sees_heading(re.compile(r"^Demander le "))
    # Through the CSSOM (the CSP forbids inline <style>): as if our CSS lost its focus style for this button.
    page.get_by_role("button", name="Commencer ma demande", exact=True).evaluate(
        "el => el.style.setProperty('outline', 'none', 'important')"
    )
    with pytest.raises(AssertionError, match=r"le focus sur « Commencer ma demande » ne se voit pas"):
        user.press("Commencer ma demande")
