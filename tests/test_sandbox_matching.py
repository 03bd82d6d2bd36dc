"""The sandbox's HTTP contract, over real HTTP: how a call's identity matches an official case."""

from .sandbox_http import EAJE, NOMINAL, NOT_FOUND_BODY, RECIPIENT, call, codes, contract_sandbox, no_faults_left  # noqa: F401 (fixtures)

# --- Matching --------------------------------------------------------------------------------------------------------


def test_unmatched_identity_answers_the_official_404(sandbox):
    response = call(sandbox, changes={"nomNaissance": "INCONNU"})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND_BODY


def test_matching_ignores_case_and_key_order(sandbox):
    lower = {
        key: [v.lower() for v in value] if isinstance(value, list) else value.lower() for key, value in NOMINAL.items()
    }
    shuffled = dict(reversed(list(lower.items())))
    response = call(sandbox, shuffled)

    assert response.status_code == 200
    assert response.json()["data"]["quotient_familial"]["valeur"] == 2550


def test_first_names_order_matters(sandbox):
    response = call(sandbox, changes={"prenoms[]": ["GÉRÔME", "ALEXIS", "JEAN-PHILIPPE"]})

    assert response.status_code == 404


def test_date_parts_match_as_numbers(sandbox):
    response = call(sandbox, changes={"moisDateNaissance": "012", "jourDateNaissance": "027"})

    assert response.status_code == 200


def test_an_extra_identity_parameter_misses(sandbox):
    response = call(sandbox, changes={"nomUsage": "MARTIN"})

    assert response.status_code == 404
    assert codes(response) == ["37003"]


def test_a_missing_identity_parameter_misses(sandbox):
    assert call(sandbox, drop=["jourDateNaissance"]).status_code == 404


def test_recipient_and_unknown_parameters_are_not_part_of_the_match(sandbox):
    response = call(sandbox, changes={"recipient": "21750001600019", "utm_source": "test"})

    assert response.status_code == 200


def test_commune_code_is_ignored_for_people_born_abroad(sandbox):
    # 200-identite-cas-etranger.yaml: FAKIR, born in 99350; a stray commune code is not sent to the provider.
    params = {
        "recipient": RECIPIENT,
        "nomNaissance": "FAKIR",
        "prenoms[]": ["EYMEN", "MOHAMED"],
        "sexeEtatCivil": "M",
        "anneeDateNaissance": "1992",
        "moisDateNaissance": "11",
        "jourDateNaissance": "14",
        "codeCogInseePaysNaissance": "99350",
        "codeCogInseeCommuneNaissance": "75056",
    }
    response = call(sandbox, params)

    assert response.status_code == 200


def test_eaje_endpoint_ignores_qf_period_parameters(sandbox):
    response = call(sandbox, path=EAJE, changes={"annee": "2020"})

    assert response.status_code == 200
    assert "parametres_calcul_participation_familiale" in response.json()["data"]
