"""« Votre foyer » says which children the Pass Famille does not cover (the commune's age limit, as the result
page does), and only to a family that asks for the Pass Famille."""

from datetime import date

from .journeys import DUPONT, add_child, through_api
from .test_child_page import to_household_with_typed_address
from .test_creche_journeys import to_foyer

NOT_COVERED = "non couvert : le pass couvre les enfants de moins de 18 ans"


def children_listed(page) -> dict[str, str]:
    items = [li.get_text(" ", strip=True) for li in page.soup.select(".people li")]
    return {item.split(",")[0]: item for item in items}


def test_a_child_of_19_from_the_caf_is_said_not_covered_on_the_household_page(browser):
    page = through_api(browser, DUPONT).choose("Oui, elles sont correctes").submit("Continuer")
    assert page.h1 == "Votre foyer"

    children = children_listed(page)

    assert NOT_COVERED in children["LOUISE"]  # born 22/06/2007
    assert all(NOT_COVERED not in children[name] for name in ("LAURA", "INES", "MAXIME")), children


def test_an_added_child_past_the_age_limit_is_said_not_covered(browser):
    page = to_household_with_typed_address(browser)
    page = add_child(page, first_name="Hugo", born=("02", "03", str(date.today().year - 20)), reason="Autre raison")
    page = add_child(page, first_name="Léa")

    children = children_listed(page)

    assert NOT_COVERED in children["Hugo"] and NOT_COVERED not in children["Léa"], children


def test_a_family_asking_only_for_a_creche_place_reads_nothing_about_the_pass(browser):
    page = add_child(to_foyer(browser), first_name="Hugo", born=("02", "03", str(date.today().year - 20)))

    assert page.h1 == "Votre foyer"
    assert "non couvert" not in page.text and "couvre les enfants" not in page.text
