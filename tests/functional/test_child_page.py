"""The household's added children (« add another »: each checked alone, changed or removed) and the crèche's child
page (« Votre enfant ») and the hints of the crèche's dates: examples the fields accept
today, the latest due date from which an expected child may be pre-registered, and only the chosen option's
answers checked and kept (the page works the same without JavaScript: both panels show, each saying when it
applies)."""

import json
import re
from datetime import date

from babel.dates import format_date
from sqlalchemy import select

from passfamille.extensions import db
from passfamille.models import Application
from passfamille.months import add_months

from ..backoffice.agents import logged_in, make_agent
from .journeys import BOTH, LEFEBVRE, add_child, through_api, type_child
from .test_creche_journeys import fill_wishes, to_foyer, to_wishes


def hint_example(page, legend: str) -> tuple[str, str, str]:
    """The « Par exemple : JJ MM AAAA » of a date group, as the family reads it."""
    fieldset = next(f for f in page.soup.find_all("fieldset") if f.legend and f.legend.get_text(strip=True) == legend)
    found = re.search(r"Par exemple : (\d{2}) (\d{2}) (\d{4})", fieldset.select_one(".hint").get_text())
    assert found, fieldset.select_one(".hint").get_text()
    return found.groups()


def test_the_due_date_example_is_a_date_the_page_accepts_today(browser):
    page = to_foyer(browser).submit("Continuer")
    day, month, year = hint_example(page, "Date prévue d'accouchement")

    page.choose("Un enfant à naître")
    page = page.fill("Jour prévu", day).fill("Mois prévu", month).fill("Année prévue", year).submit("Continuer")

    assert page.h1 == "Vos souhaits d'accueil", page.error_summary()


def test_the_birth_date_example_is_a_date_the_page_accepts_today(browser):
    page = to_foyer(browser).submit("Continuer")
    day, month, year = hint_example(page, "Date de naissance de l'enfant")

    page.choose("Un autre enfant").fill("Prénom de l'enfant", "Noé")
    page = page.fill("Jour de naissance", day).fill("Mois de naissance", month)
    page = page.fill("Année de naissance", year).submit("Continuer")

    assert page.h1 == "Vos souhaits d'accueil", page.error_summary()


def test_the_page_says_until_which_due_date_an_expected_child_may_be_pre_registered(browser):
    page = to_foyer(browser).submit("Continuer")
    # Val-Fleuri: from the 4th month of pregnancy, i.e. a birth expected within 6 months.
    latest = format_date(add_months(date.today(), 6), "long", locale="fr_FR")

    assert f"à partir du 4e mois de grossesse : aujourd'hui, pour une naissance prévue au plus tard le {latest}" in (
        page.text
    )
    assert f"La naissance doit être prévue au plus tard le {latest}" in page.text


def test_a_date_typed_incompletely_is_told_with_an_example_the_page_accepts(browser):
    page = to_foyer(browser).submit("Continuer").choose("Un enfant à naître").fill("Jour prévu", "12")
    page = page.submit("Continuer")

    message = page.field_error("Jour prévu")
    assert "Saisissez la date prévue d'accouchement complète" in message
    day, month, year = re.search(r"Par exemple : (\d{2}) (\d{2}) (\d{4})", message).groups()
    page = page.fill("Jour prévu", day).fill("Mois prévu", month).fill("Année prévue", year).submit("Continuer")
    assert page.h1 == "Vos souhaits d'accueil", page.error_summary()


def test_the_start_date_example_is_a_date_the_wishes_page_accepts(browser):
    page = to_wishes(browser)
    day, month, year = hint_example(page, "Date d'entrée souhaitée")

    page.select("Premier choix", "Multi-accueil Les Pioupious")
    page.fill("Jour", day).fill("Mois", month).fill("Année", year)
    page.fill("Nombre de jours d'accueil par semaine", "4").fill("Nombre d'heures d'accueil par semaine", "32")
    page = page.submit("Continuer")

    assert page.h1 == "Votre situation", page.error_summary()


def test_each_panel_is_tied_to_its_option_and_says_when_it_applies(browser):
    page = to_foyer(browser).submit("Continuer")

    born = page.soup.select_one('[data-visible-si="child=autre"]')
    expected = page.soup.select_one('[data-visible-si="child=a-naitre"]')

    # Shown only once its option is chosen (passfamille.js); without JavaScript each says when it applies.
    assert born is not None and born.find(id="other_first_name") is not None
    assert expected is not None and expected.find(id="due_day") is not None
    assert born.legend.get_text(strip=True) == "Si vous avez choisi « Un autre enfant »"
    assert expected.legend.get_text(strip=True) == "Si vous avez choisi « Un enfant à naître »"


def test_the_fields_of_the_option_not_chosen_are_neither_checked_nor_kept(browser):
    page = to_foyer(browser).submit("Continuer")
    due = add_months(date.today(), 3)
    page.choose("Un enfant à naître")
    page.fill("Jour prévu", f"{due.day:02d}").fill("Mois prévu", f"{due.month:02d}").fill("Année prévue", str(due.year))
    # Typed in the other panel, then the family changed its mind (as it can without JavaScript).
    page.fill("Prénom de l'enfant", "N0é").fill("Année de naissance", "20x5")

    page = page.submit("Continuer")

    assert page.h1 == "Vos souhaits d'accueil", page.error_summary()
    page = browser.get("/demande/enfant")
    assert page.value("Prénom de l'enfant") == "" and page.value("Année de naissance") == ""
    assert page.value("Jour prévu") == f"{due.day:02d}"


# --- « Votre foyer »: children added one at a time (add another), each changed or removed -------------------------


def to_household_with_typed_address(browser):
    page = through_api(browser, {**LEFEBVRE, "birth_name": "INCONNU"})
    page = page.choose("Continuer sans justificatif : le Pass Famille sera au plein tarif").submit("Continuer")
    assert page.h1 == "Votre foyer" and page.has_label("Numéro et voie")
    return page


def added_children_listed(page) -> list[str]:
    return [li.get_text(" ", strip=True) for li in page.soup.select(".people li") if "ajouté par vous" in li.text]


def test_adding_a_child_checks_the_child_alone_and_keeps_the_address_typed(browser):
    page = to_household_with_typed_address(browser).fill("Numéro et voie", "3 rue du Four")

    page = add_child(page)

    assert page.status == 200 and page.error_summary() == []  # nothing said about the address not reached yet
    assert page.h1 == "Votre foyer"
    assert "Léa, né ou née le 14/07/2024" in page.text
    assert page.value("Numéro et voie") == "3 rue du Four"
    assert page.value("Prénom de l'enfant") == ""  # ready for another child
    page = add_child(page, first_name="Noé", born=("02", "03", "2022"))
    assert len(added_children_listed(page)) == 2


def test_a_wrong_child_is_told_at_its_fields_without_a_word_on_the_address(browser):
    page = to_household_with_typed_address(browser)
    page = page.fill("Prénom de l'enfant", "Léa").fill("Jour", "31").fill("Mois", "02").fill("Année", "2024")

    page = page.submit("Enregistrer et ajouter un autre enfant")

    assert page.status == 400
    assert "Cette date n'existe pas" in page.field_error("Jour")
    assert page.field_error("Numéro et voie") == "" and page.field_error("Code postal") == ""
    assert page.value("Prénom de l'enfant") == "Léa"


def test_continuing_still_asks_the_address(browser):
    page = add_child(to_household_with_typed_address(browser)).submit("Continuer")

    assert page.status == 400
    assert "Saisissez le numéro et la voie de votre adresse" in page.field_error("Numéro et voie")


def test_an_added_child_is_changed_in_place(browser):
    page = add_child(to_household_with_typed_address(browser))
    page = add_child(page, first_name="Noé", born=("02", "03", "2022"))

    page = page.click("Modifier Léa")

    assert page.soup.find("legend", string="Modifier l'enfant Léa") is not None
    assert (page.value("Prénom de l'enfant"), page.value("Jour"), page.value("Année")) == ("Léa", "14", "2024")
    page = page.fill("Prénom de l'enfant", "Léna").submit("Enregistrer cet enfant")
    assert page.h1 == "Votre foyer" and page.error_summary() == []
    listed = added_children_listed(page)
    assert len(listed) == 2
    assert listed[0].startswith("Léna, né ou née le 14/07/2024") and listed[1].startswith("Noé")


def test_a_wrong_change_keeps_the_child_being_changed(browser):
    page = add_child(to_household_with_typed_address(browser)).click("Modifier Léa")

    page = page.fill("Mois", "13").submit("Enregistrer cet enfant")

    assert page.status == 400
    assert page.soup.find("legend", string="Modifier l'enfant Léa") is not None
    page = page.fill("Mois", "08").submit("Enregistrer cet enfant")
    assert [c.split(" Modifier")[0] for c in added_children_listed(page)] == [
        "Léa, né ou née le 14/08/2024 ajouté par vous"
    ]


def test_adding_the_same_child_twice_lists_it_once(browser):
    page = to_household_with_typed_address(browser)
    page.fill("Prénom de l'enfant", "Léa").fill("Jour", "14").fill("Mois", "07").fill("Année", "2024")
    page.select("Pourquoi cet enfant n'apparaît-il pas ?", "Naissance récente")

    page.submit("Enregistrer et ajouter un autre enfant")
    page = page.submit("Enregistrer et ajouter un autre enfant")  # a double click, or the same page in another tab

    assert len(added_children_listed(page)) == 1


def test_removing_twice_from_the_same_page_removes_one_child(browser):
    page = add_child(to_household_with_typed_address(browser))
    page = add_child(page, first_name="Noé", born=("02", "03", "2022"))

    page.submit("Retirer Léa")
    page = page.submit("Retirer Léa")  # the second click posts the list as it was shown

    listed = added_children_listed(page)
    assert len(listed) == 1 and listed[0].startswith("Noé")


# --- the only child to add rides on « Continuer »: no reload of « Votre foyer » -------------------------------------

LEA = "Léa, né ou née le 14/07/2024"


def recap_section(page, title: str) -> list[tuple[str, str]]:
    heading = page.soup.find("h2", string=title)
    assert heading is not None, f"pas de section « {title} » : {page.text}"
    rows = heading.find_parent("section").select(".recap-list__row")
    return [(row.dt.get_text(" ", strip=True), row.dd.get_text(" ", strip=True)) for row in rows]


ONE_CHILD_HINT = (
    "Saisissez l'enfant puis appuyez sur « Continuer », en bas de la page\xa0: il sera ajouté à votre foyer."
)


def test_the_page_says_that_continuer_adds_the_child_typed_and_a_wrong_address_loses_nothing(browser):
    page = to_household_with_typed_address(browser)
    assert ONE_CHILD_HINT in page.text
    assert "« Enregistrer et ajouter un autre enfant » après chacun, sauf le dernier" in page.text

    page = type_child(page).submit("Continuer")  # the address forgotten

    assert page.status == 400 and "Saisissez le numéro et la voie" in page.field_error("Numéro et voie")
    assert (page.value("Prénom de l'enfant"), page.value("Année")) == ("Léa", "2024")
    assert added_children_listed(page) == []  # not added while the page is refused
    page = page.fill("Numéro et voie", "8 rue Paradis").fill("Code postal", "13006").fill("Commune", "Marseille")
    page = page.submit("Continuer")
    assert page.h1 == "Votre résultat", page.error_summary()
    assert re.search(r"Léa \(\d+ ans?\) : couvert par le pass", page.text), page.text


def test_the_only_child_to_add_is_added_by_continuer_for_the_pass_and_the_creche(app, browser):
    page = to_foyer(browser, BOTH)
    assert ONE_CHILD_HINT in page.text
    page = type_child(page)

    page.submit("Continuer")
    page = page.submit("Continuer")  # a double click, or the same page in another tab: the child is added once

    # Straight on to the crèche's child, Léa among the household's children (once).
    assert page.h1 == "Votre enfant", page.error_summary()
    assert [label.get_text(strip=True) for label in page.soup.find_all("label")].count(LEA) == 1
    page = fill_wishes(page.choose(LEA).submit("Continuer")).submit("Continuer")
    page = page.submit("Continuer").click("Continuer")
    # The Pass Famille covers her, as an added child (the agent checks her).
    assert page.h1 == "Votre résultat", page.error_summary()
    assert re.search(r"Léa \(\d+ ans?\) : couvert par le pass", page.text), page.text
    page = page.click("Continuer")
    assert page.h1 == "Vérifiez votre demande"
    # Once among the household's children, once as the crèche's child.
    assert recap_section(page, "Enfants") == [("Léa", "né ou née le 14/07/2024 (ajouté : naissance récente)")]
    assert recap_section(page, "Votre enfant") == [("Enfant", LEA)]

    page.submit("Envoyer ma demande")

    with app.app_context():
        pf, cr = sorted(db.session.scalars(select(Application)), key=lambda a: a.reference, reverse=True)
        assert (pf.demarche, cr.demarche) == ("pass_famille", "creche")
        assert [(c["first_names"], c["birth_date"], c["source"]) for c in pf.children] == [
            ("Léa", "2024-07-14", "declared")
        ]
        assert [c["first_names"] for c in pf.pass_famille.decision["covered_children"]] == ["Léa"]
        request = cr.creche
        assert (request.child_source, request.child_first_name, request.child_birth_date) == (
            "declared",
            "Léa",
            date(2024, 7, 14),
        )
        (pf_id, pf_reference), (cr_id, cr_reference) = (pf.id, pf.reference), (cr.id, cr.reference)
    pass_rows = json.loads(app.test_cli_runner().invoke(args=["adhesions", "export", "--format", "json"]).output)
    assert {row["reference"]: row["enfants_couverts"] for row in pass_rows}[pf_reference] == "Léa 2024-07-14"
    creche_rows = json.loads(app.test_cli_runner().invoke(args=["creche", "export", "--format", "json"]).output)
    assert [(row["reference"], row["enfant_prenom"], row["enfant_naissance"]) for row in creche_rows] == [
        (cr_reference, "Léa", "2024-07-14")
    ]
    # The agent reads her as added by the family, on both requests.
    make_agent(app)
    agent = logged_in(app)
    for application_id in (pf_id, cr_id):
        text = agent.get(f"/agents/demandes/{application_id}").text
        assert "Enfants Léa, né ou née le 14/07/2024 ajouté par la famille" in text
    assert "Enfant Léa, né ou née le 14/07/2024 déclaré par la famille" in text
