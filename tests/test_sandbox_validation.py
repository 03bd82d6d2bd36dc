"""The sandbox's HTTP contract, over real HTTP: parameters checked as production does, refused with 422 and the
official codes."""

import pytest

from .sandbox_http import NOT_FOUND_BODY, call, codes, contract_sandbox, no_faults_left  # noqa: F401 (fixtures)

# --- Validation (422) ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "drop", "code"),
    [
        pytest.param({}, ["recipient"], "00203", id="recipient-missing"),
        pytest.param({"recipient": "13002526500014"}, [], "00210", id="recipient-bad-luhn"),
        pytest.param({"recipient": "1300252650001"}, [], "00210", id="recipient-13-digits"),
        pytest.param({}, ["nomNaissance"], "00420", id="birth-name-missing"),
        pytest.param({"nomNaissance": "LEFEBVRE2"}, [], "00420", id="birth-name-digit"),
        pytest.param({"prenoms": "ALEXIS"}, ["prenoms[]"], "00367", id="first-names-plain-string"),
        pytest.param({"prenoms[]": [""]}, [], "00367", id="first-names-empty-array"),
        pytest.param({"prenoms[]": ["A", "B", "C", "D"]}, [], "00367", id="first-names-four"),
        pytest.param({"prenoms[]": ["ALEXIS (AL)"]}, [], "00367", id="first-names-parenthesis"),
        pytest.param({"sexeEtatCivil": "X"}, [], "00427", id="sex-not-m-or-f"),
        pytest.param({"codeCogInseePaysNaissance": "9910"}, [], "00400", id="country-four-digits"),
        pytest.param({"codeCogInseeCommuneNaissance": "75056A"}, [], "00365", id="commune-six-chars"),
        pytest.param({"codeCogInseeCommuneNaissance": "2C123"}, [], "00365", id="commune-bad-corsica"),
        pytest.param(
            {"nomCommuneNaissance": "Charleville-Mézières", "codeCogInseeDepartementNaissance": "99"},
            ["codeCogInseeCommuneNaissance"],
            "00428",
            id="option-2-bad-department",
        ),
        pytest.param({"jourDateNaissance": "30", "moisDateNaissance": "2"}, [], "00363", id="birth-date-30-feb"),
        pytest.param({"moisDateNaissance": "13"}, [], "00363", id="birth-month-13"),
        pytest.param({"anneeDateNaissance": "1899"}, [], "00363", id="birth-date-before-1900"),
        pytest.param(
            {"anneeDateNaissance": "2026", "moisDateNaissance": "11", "jourDateNaissance": "24"},
            [],
            "00363",
            id="birth-date-today",
        ),
        pytest.param({"annee": "2023"}, [], "00356", id="year-n-minus-3"),
        pytest.param({"annee": "2027"}, [], "00356", id="year-next"),
        pytest.param({"annee": "2026", "mois": "12"}, [], "00354", id="month-in-future"),
        pytest.param({"mois": "12"}, [], "00354", id="month-in-future-without-year"),
        pytest.param({"annee": "2025", "mois": "13"}, [], "00354", id="month-13"),
    ],
)
def test_invalid_parameter_is_refused_with_its_official_code(sandbox, changes, drop, code):
    response = call(sandbox, changes=changes, drop=drop)

    assert response.status_code == 422
    assert codes(response) == [code]
    error = response.json()["errors"][0]
    assert error["title"] == "Entité non traitable"
    assert error["detail"]


def test_every_invalid_parameter_is_reported_at_once(sandbox):
    response = call(sandbox, changes={"sexeEtatCivil": "X", "nomNaissance": "L3F"}, drop=["prenoms[]"])

    assert response.status_code == 422
    assert codes(response) == ["00427", "00420"]


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        pytest.param({"recipient": "35600000000048"}, 200, id="la-poste-siret"),
        pytest.param({"sexeEtatCivil": "f"}, 200, id="sex-lower-case"),
        # Valid periods, but `annee`/`mois` are part of the match and the nominal case has none: 404, not 422.
        pytest.param({"annee": "2024", "mois": "11"}, 404, id="year-n-minus-2"),
        pytest.param({"mois": "11"}, 404, id="current-month"),
    ],
)
def test_valid_variants_pass_validation(sandbox, changes, status):
    response = call(sandbox, changes=changes)

    assert response.status_code == status


def test_absent_first_names_are_left_to_the_provider(sandbox):
    # Production only rejects a plain string or an empty array; an identity without first names just matches nothing.
    response = call(sandbox, drop=["prenoms[]"])

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY


def test_complete_option_2_birth_place_passes_validation(sandbox):
    changes = {"nomCommuneNaissance": "Charleville-Mézières", "codeCogInseeDepartementNaissance": "08"}
    response = call(sandbox, changes=changes, drop=["codeCogInseeCommuneNaissance"])

    assert response.status_code == 404  # valid, but no official case uses option 2
