"""Birth places: vendored COG data and forgiving commune-name lookup (passfamille.places)."""

import contextlib
import csv
import re

import pytest

from passfamille import places

# --- vendored data ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "department"),
    [
        ("35238", "Rennes", "35"),
        ("13055", "Marseille", "13"),
        ("13001", "Aix-en-Provence", "13"),
        ("13002", "Allauch", "13"),
        ("13054", "Marignane", "13"),
        ("13090", "Saint-Antonin-sur-Bayon", "13"),
        ("51108", "Châlons-en-Champagne", "51"),
        ("75107", "Paris 7e Arrondissement", "75"),
        ("08480", "Villers-Semeuse", "08"),
        ("13201", "Marseille 1er Arrondissement", "13"),
        ("75056", "Paris", "75"),
        ("2A004", "Ajaccio", "2A"),
        ("97120", "Pointe-à-Pitre", "971"),
        ("98818", "Nouméa", "988"),
    ],
)
def test_commune_by_code(code, name, department):
    assert places.commune(code) == places.Commune(code, name, department)


def test_commune_by_code_prefers_the_current_commune_over_its_delegated_one():
    # 01033 is both the commune nouvelle Valserhône and its commune déléguée Bellegarde-sur-Valserine.
    assert places.commune("01033").name == "Valserhône"
    # A commune déléguée that kept its own code is still found.
    assert places.commune("68031") == places.Commune("68031", "Bernwiller", "68")


def test_unknown_commune_code():
    assert places.commune("99999") is None
    assert places.commune("") is None


def test_communes_csv_is_complete_and_well_formed():
    with (places.DATA_DIR / "communes.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["code", "nom", "departement", "type"]
        rows = list(reader)
    assert 37_000 < len(rows) < 38_500
    assert {r["type"] for r in rows} == {"COM", "COMD", "COMA", "ARM"}
    assert sum(r["type"] == "ARM" for r in rows) == 45  # Paris 20, Marseille 16, Lyon 9
    assert all(re.fullmatch(r"[0-9][0-9AB][0-9]{3}", r["code"]) for r in rows)
    assert len({(r["code"], r["type"]) for r in rows}) == len(rows)
    departments = {d.code for d in places.departments()}
    assert {r["departement"] for r in rows} <= departments


def test_departments():
    found = places.departments()
    codes = [d.code for d in found]
    assert len(found) == 109  # 101 départements + 8 overseas collectivities (975, 977, 978, 984, 986…989)
    assert codes[:3] == ["01", "02", "03"]
    assert codes[18:22] == ["19", "2A", "2B", "21"]
    assert codes.index("95") < codes.index("971") < codes.index("976") < codes.index("988")
    assert len(set(codes)) == len(codes)
    assert places.department("2A") == places.Department("2A", "Corse-du-Sud")
    assert places.department("2b") == places.Department("2B", "Haute-Corse")
    assert places.department("976") == places.Department("976", "Mayotte")
    assert places.department("1") == places.Department("01", "Ain")
    assert places.department("20") is None
    assert places.department("") is None


def test_countries_include_current_countries_with_their_cog_codes():
    by_code = {c.code: c.name for c in places.countries()}
    assert by_code["99127"] == "Italie"
    assert by_code["99350"] == "Maroc"
    assert by_code["99404"] == "États-Unis"
    assert by_code["99109"] == "Allemagne"
    assert by_code["99230"] == "Hong Kong"  # a territory with its own code
    assert places.country("99127") == places.Country("99127", "Italie")
    assert 200 < len(by_code) < 260
    assert all(re.fullmatch(r"99[1-7]\d\d", code) for code in by_code)


def test_countries_exclude_france():
    assert "99100" not in {c.code for c in places.countries()}
    assert all(c.name != "France" for c in places.countries())
    assert places.country("99100") is None
    assert places.country("") is None


def test_countries_are_sorted_by_name_ignoring_accents():
    names = [c.name for c in places.countries()]
    assert names[0] == "Afghanistan"
    order = ["Égypte", "Émirats arabes unis", "Équateur", "Érythrée", "Espagne", "Estonie", "États-Unis", "Éthiopie"]
    assert [names.index(n) for n in order] == sorted(names.index(n) for n in order)
    assert names.index("Åland") < names.index("Albanie")


# --- find_communes ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "department", "code"),
    [
        ("Rennes", "35", "35238"),
        ("rennes", "35", "35238"),
        ("  RENNES ", "35", "35238"),
        ("Châlons-en-Champagne", "51", "51108"),
        ("chalons en champagne", "51", "51108"),
        ("CHÂLONS-EN-CHAMPAGNE", "51", "51108"),
        ("Chalons   en - Champagne", "51", "51108"),
        ("Saint-Étienne", "42", "42218"),
        ("St Etienne", "42", "42218"),
        ("st-étienne", "42", "42218"),
        ("St. Etienne", "42", "42218"),
        ("Ste Maxime", "83", "83115"),
        ("Villeneuve St Georges", "94", "94078"),
        ("L'Haÿ-les-Roses", "94", "94038"),
        ("L’Haÿ-les-Roses", "94", "94038"),
        ("l hay les roses", "94", "94038"),
        ("lhay les roses", "94", "94038"),
        ("Hay-les-Roses", "94", "94038"),
        ("Le Havre", "76", "76351"),
        ("Havre", "76", "76351"),
        ("HAVRE (LE)", "76", "76351"),
        ("Aix en Provence", "13", "13001"),
        ("Marseille", "13", "13055"),
        ("Marseille 1er", "13", "13201"),
        ("marseille 1", "13", "13201"),
        ("Marseille 1er arrondissement", "13", "13201"),
        ("Marseille 16e", "13", "13216"),
        ("Paris", "75", "75056"),
        ("Paris 7e", "75", "75107"),
        ("Paris 7e arrondissement", "75", "75107"),
        ("Paris 7ème", "75", "75107"),
        ("paris 07", "75", "75107"),
        ("Lyon 3e", "69", "69383"),
        ("Ajaccio", "2A", "2A004"),
        ("ajaccio", "2a", "2A004"),
        ("Pointe a Pitre", "971", "97120"),
        ("Villers Semeuse", "08", "08480"),
        ("Villers Semeuse", "8", "08480"),
    ],
)
def test_find_communes_finds_one(typed, department, code):
    assert [c.code for c in places.find_communes(typed, department)] == [code]


def test_marseille_is_the_commune_not_its_arrondissements():
    assert places.find_communes("Marseille", "13") == (places.Commune("13055", "Marseille", "13"),)


def test_paris_arrondissement_that_does_not_exist():
    assert places.find_communes("Paris 21e", "75") == ()


@pytest.mark.parametrize(
    ("typed", "department"),
    [("Rennes", "13"), ("Marseille", "75"), ("Châlons-en-Champagne", "52"), ("Rennes", "00"), ("Rennes", "")],
)
def test_wrong_department_finds_nothing(typed, department):
    assert places.find_communes(typed, department) == ()


@pytest.mark.parametrize("typed", ["", "   ", "-", "'"])
def test_empty_name_finds_nothing(typed):
    assert places.find_communes(typed, "35") == ()


def test_same_name_and_code_returns_the_current_commune_once():
    # Annecy is both a commune (74010) and a commune déléguée with the same code and name.
    assert places.find_communes("Annecy", "74") == (places.Commune("74010", "Annecy", "74"),)


def test_delegated_commune_is_found_under_its_own_name():
    assert places.find_communes("Bellegarde-sur-Valserine", "01") == (
        places.Commune("01033", "Bellegarde-sur-Valserine", "01"),
    )


def test_same_name_different_codes_returns_all_current_first():
    found = places.find_communes("Bernwiller", "68")
    assert [c.code for c in found] == ["68006", "68031"]  # the commune, then the commune déléguée


def test_name_without_article_matches_with_and_without_article():
    assert {c.code for c in places.find_communes("Vergne", "17")} == {"17464", "17465"}  # Vergné, La Vergne
    assert [c.code for c in places.find_communes("La Vergne", "17")] == ["17465"]
    # Accents do not count, so "Vergné" typed without an article is ambiguous the same way.
    assert {c.code for c in places.find_communes("Vergné", "17")} == {"17464", "17465"}


def test_name_typed_with_its_article_matches_exactly():
    assert [c.name for c in places.find_communes("La Vergne", "17")] == ["La Vergne"]


def test_bracketed_qualifier_can_be_left_out():
    assert {c.code for c in places.find_communes("Bors", "16")} == {"16052", "16053"}
    assert {c.code for c in places.find_communes("Chateau Chinon", "58")} == {"58062", "58063"}
    assert [c.code for c in places.find_communes("Château-Chinon (Ville)", "58")] == ["58062"]


# --- suggest_communes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "department", "code"),
    [
        ("Renes", "35", "35238"),
        ("Rennnes", "35", "35238"),
        ("Chalon en Champagne", "51", "51108"),
        ("Marseile", "13", "13055"),
        ("Aix en Provance", "13", "13001"),
        ("Saint Etiene", "42", "42218"),
        ("Saint-Éti", "42", "42218"),
    ],
)
def test_suggestions_contain_the_right_commune(typed, department, code):
    assert places.find_communes(typed, department) == ()
    suggestions = places.suggest_communes(typed, department)
    assert 0 < len(suggestions) <= 5
    assert code in {c.code for c in suggestions}
    assert all(c.department == department for c in suggestions)


def test_prefix_matches_come_first():
    suggestions = places.suggest_communes("Saint-Éti", "42")
    assert [c.code for c in suggestions[:2]] == ["42218", "42219"]  # Saint-Étienne, Saint-Étienne-le-Molard


def test_suggestions_respect_limit_and_department():
    assert len(places.suggest_communes("Saint", "42", limit=3)) == 3
    assert all(c.department == "13" for c in places.suggest_communes("Renes", "13"))
    assert "35238" not in {c.code for c in places.suggest_communes("Renes", "13")}
    assert places.suggest_communes("Renes", "00") == ()
    assert places.suggest_communes("", "35") == ()
    assert places.suggest_communes("Renes", "35", limit=0) == ()


def test_suggestions_are_distinct_codes():
    codes = [c.code for c in places.suggest_communes("Marseille", "13", limit=10)]
    assert len(codes) == len(set(codes)) == 10
    assert codes[0] == "13055"


# --- loading ------------------------------------------------------------------------------------------------------


def test_data_is_loaded_once():
    assert places._get() is places._get()


def test_a_caller_cannot_rename_a_commune_for_the_families_after_it():
    # The communes are loaded once and shared by every request: a change made by one caller would be seen by all.
    rennes = places.commune("35238")
    try:
        with contextlib.suppress(AttributeError):
            rennes.name = "Rens"  # type: ignore[misc]
        assert places.commune("35238").name == "Rennes"
        assert [c.name for c in places.find_communes("Rennes", "35")] == ["Rennes"]
    finally:
        object.__setattr__(rennes, "name", "Rennes")  # keep the shared data intact for the other tests


def test_resolve_prefers_the_current_commune_whatever_the_order():
    delegated = places._Entry(places.Commune("74010", "Annecy-délégué", "74"), places._TYPE_RANK["COMD"])
    current = places._Entry(places.Commune("74010", "Annecy", "74"), places._TYPE_RANK["COM"])
    assert places._resolve([delegated, current]) == (current.commune,)
    assert places._resolve([current, delegated]) == (current.commune,)
