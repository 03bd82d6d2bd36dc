"""FranceConnect's claims as the applicant's answers: what the family sees read-only on « Vous » and what the CAF/MSA
re-check and the agents read (REFERENCE §2 formats, with the oddities FranceConnect's own test identities have)."""

from passfamille import places
from passfamille.franceconnect.identity import applicant_answers, has_pivot, is_certified
from passfamille.logs import mask_tokens
from passfamille.wizard.certify import to_identity

DUBOIS = {
    "sub": "abc",
    "given_name": "Angela Claire Louise",
    "given_name_array": ["Angela", "Claire", "Louise"],
    "family_name": "DUBOIS",
    "birthdate": "1962-08-24",
    "gender": "female",
    "birthplace": "75107",
    "birthcountry": "99100",
    "email": "wossewodda-3728@yopmail.com",
}


def setup_module():
    places.preload()


def test_the_certified_identity_fills_the_applicant_answers_as_the_form_would():
    values = applicant_answers(DUBOIS)
    assert is_certified(values)
    assert values["birth_name"] == "DUBOIS"
    assert [values[f"first_name_{i}"] for i in (1, 2, 3)] == ["Angela", "Claire", "Louise"]
    birth = (values["sex"], values["birth_day"], values["birth_month"], values["birth_year"])
    assert birth == ("F", "24", "08", "1962")
    assert values["born_in"] == "france" and values["birth_commune_code"] == "75107"
    assert values["birth_commune"].startswith("Paris") and values["birth_department"] == "75"
    assert values["email"] == "wossewodda-3728@yopmail.com"
    # The identity sent to a later re-check (« la mairie interrogera la CAF plus tard ») is the certified one.
    identity = to_identity(values)
    assert identity.first_names == ("Angela", "Claire", "Louise")
    assert identity.birth_commune_code == "75107" and identity.birth_country == "99100"


def test_an_e_mail_the_family_typed_is_kept_over_franceconnects():
    assert applicant_answers(DUBOIS, email="moi@example.org")["email"] == "moi@example.org"
    assert "email" not in applicant_answers({**DUBOIS, "email": None})


def test_a_presumed_birth_date_leaves_the_unknown_parts_empty():
    values = applicant_answers({**DUBOIS, "birthdate": "1977-00-03"})
    assert (values.get("birth_day"), values.get("birth_month"), values["birth_year"]) == ("03", None, "1977")
    assert values["birth_date_incomplete"] == "y"
    assert to_identity(values).birth_month is None


def test_more_than_three_first_names_share_the_third_box():
    values = applicant_answers({**DUBOIS, "given_name_array": ["A", "B", "C", "D"], "given_name": "A B C D"})
    assert [values[f"first_name_{i}"] for i in (1, 2, 3)] == ["A", "B", "C D"]


def test_born_abroad_gives_the_country_and_no_commune():
    values = applicant_answers({**DUBOIS, "birthplace": "", "birthcountry": "99350"})
    assert values["born_in"] == "abroad" and values["birth_country"] == "99350"
    assert "birth_commune_code" not in values


def test_without_the_identity_pivot_api_particulier_cannot_be_asked():
    assert has_pivot(DUBOIS)
    assert not has_pivot({key: value for key, value in DUBOIS.items() if key != "birthdate"})


def test_the_callbacks_query_never_reaches_an_access_log():
    line = '127.0.0.1 "GET /franceconnect/retour?code=s3cr3t&state=abc&iss=http%3A HTTP/1.1" 303'
    assert "s3cr3t" not in mask_tokens(line) and "state=abc" not in mask_tokens(line)
    assert "s3cr3t" not in mask_tokens("GET /franceconnect/deconnexion/retour?state=s3cr3t 303")
