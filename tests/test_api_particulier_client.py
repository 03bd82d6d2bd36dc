"""The API client against the real sandbox over HTTP: certified facts read into frozen results, each error mapped
to its exception, one retry, Retry-After, and logs without identity; faults caused for real (slow server, closed port,
dropped connection), patched only for the wait on Retry-After. The deadline is in test_api_particulier_deadline.py."""

import logging
import socket

import pytest

from passfamille.api_particulier import (
    ApiParticulierClient,
    Identity,
    IdentityNotRecognised,
    NoFamilyFile,
    PsuParameters,
    Refused,
    Unavailable,
)

from .api_particulier_cases import LEFEBVRE, RECIPIENT, sandbox_without_faults  # noqa: F401 (fixture)

DUPONT = Identity(
    birth_name="DUPONT",
    first_names=("SOPHIE",),
    sex="F",
    birth_year=1982,
    birth_month=9,
    birth_day=3,
    birth_country="99100",
    birth_commune_code="13001",
)
LISA = Identity(birth_name="LISA", first_names=("MONA",), sex="F", birth_country="99127")


@pytest.fixture
def client(sandbox):
    sandbox.clear_faults()
    waits = []
    yield ApiParticulierClient(
        sandbox.url, "bac-a-sable-passfamille", RECIPIENT, connect_timeout=1, read_timeout=2, sleep=waits.append
    )
    sandbox.clear_faults()


def test_certified_facts_are_read_into_frozen_results(client):
    facts = client.quotient_familial(DUPONT)
    assert (facts.quotient_familial.value, facts.quotient_familial.provider) == (900, "CNAF")
    assert (facts.quotient_familial.year, facts.quotient_familial.month) == (2023, 6)
    assert [c.first_names for c in facts.children] == ["LOUISE", "LAURA", "INES", "MAXIME"]
    assert facts.children[0].birth_date.isoformat() == "2007-06-22"
    assert (facts.address.postal_code, facts.address.city) == ("13006", "MARSEILLE")
    assert facts.request_id
    with pytest.raises(AttributeError):
        facts.quotient_familial.value = 1  # frozen


def test_a_person_born_abroad_without_birth_date_is_sent_without_date(client):
    assert client.quotient_familial(LISA).quotient_familial.value == 4270


def test_missing_scopes_leave_the_facts_absent(sandbox):
    client = ApiParticulierClient(sandbox.url, "bac-a-sable-qf-seulement", RECIPIENT)
    facts = client.quotient_familial(DUPONT)
    assert facts.quotient_familial.value == 900
    assert facts.children == () and facts.address is None and facts.allocataires == ()


def test_unknown_family_is_no_family_file(client):
    with pytest.raises(NoFamilyFile) as error:
        client.quotient_familial(
            Identity(
                birth_name="INCONNU",
                first_names=("X",),
                sex="M",
                birth_country="99100",
                birth_year=1980,
                birth_commune_code="08480",
            )
        )
    assert error.value.code == "37003"


def test_invalid_identity_is_identity_not_recognised(client):
    with pytest.raises(IdentityNotRecognised) as error:
        client.quotient_familial(
            Identity(
                birth_name="L3F3BVR3", first_names=("A",), sex="F", birth_country="99100", birth_commune_code="08480"
            )
        )
    assert (error.value.status, error.value.code) == (422, "00420")


@pytest.mark.parametrize(
    ("token", "code"), [("inconnu", "00101"), ("bac-a-sable-expire", "00103"), ("bac-a-sable-sans-droits", "00100")]
)
def test_refused_tokens_raise_refused_and_log_an_error(sandbox, caplog, token, code):
    client = ApiParticulierClient(sandbox.url, token, RECIPIENT)
    with pytest.raises(Refused) as error:
        client.quotient_familial(LEFEBVRE)
    assert error.value.code == code
    assert any(r.levelno == logging.ERROR and f"code={code}" in r.getMessage() for r in caplog.records)


def test_an_invalid_recipient_siret_is_a_bad_request_from_the_api(sandbox):
    client = ApiParticulierClient(sandbox.url, "bac-a-sable-passfamille", "12345678901234")
    with pytest.raises(IdentityNotRecognised) as error:  # the API answers 422 00210 for it
        client.quotient_familial(LEFEBVRE)
    assert error.value.code == "00210"


def test_one_retry_on_502_then_success(client, sandbox):
    sandbox.arm_fault("502", times=1)
    assert client.quotient_familial(LEFEBVRE).quotient_familial.value == 2550


def test_two_502_in_a_row_are_unavailable(client, sandbox):
    sandbox.arm_fault("502", times=2)
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(LEFEBVRE)
    assert error.value.status == 502
    sandbox.clear_faults()


def test_retry_after_is_honoured_within_its_bound(sandbox):
    waits = []
    client = ApiParticulierClient(
        sandbox.url, "bac-a-sable-passfamille", RECIPIENT, max_retry_after=3, sleep=waits.append
    )
    sandbox.arm_fault("429", retry_after=2, times=1)
    assert client.quotient_familial(LEFEBVRE).quotient_familial.value == 2550
    assert waits == [2]


def test_a_long_retry_after_is_not_waited_for(sandbox):
    waits = []
    client = ApiParticulierClient(
        sandbox.url, "bac-a-sable-passfamille", RECIPIENT, max_retry_after=3, sleep=waits.append
    )
    sandbox.arm_fault("429", retry_after=60, times=1)
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(LEFEBVRE)
    assert error.value.retry_after == 60 and waits == []


def test_a_slow_answer_times_out_without_retry(sandbox):
    client = ApiParticulierClient(sandbox.url, "bac-a-sable-passfamille", RECIPIENT, read_timeout=0.3)
    sandbox.arm_fault("slow", seconds=1.0, times=2)
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(LEFEBVRE)
    assert error.value.code == "timeout"
    sandbox.clear_faults()


def test_a_closed_port_is_unavailable_after_one_retry():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connections are refused
        waits = []
        client = ApiParticulierClient(f"http://127.0.0.1:{port}", "x", RECIPIENT, sleep=waits.append)
        with pytest.raises(Unavailable) as error:
            client.quotient_familial(LEFEBVRE)
    assert error.value.code == "connection" and len(waits) == 1


def test_a_dropped_connection_is_unavailable(client, sandbox):
    sandbox.arm_fault("drop", times=2)
    with pytest.raises(Unavailable):
        client.quotient_familial(LEFEBVRE)


def test_malformed_json_is_unavailable_not_a_crash(client, sandbox):
    sandbox.arm_fault("malformed", times=1)
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(LEFEBVRE)
    assert error.value.code == "malformed"


def test_logs_carry_status_duration_and_request_id_but_no_identity(client, caplog):
    caplog.set_level(logging.DEBUG)
    facts = client.quotient_familial(LEFEBVRE)
    lines = [r.getMessage() for r in caplog.records]
    ours = [line for line in lines if line.startswith("api_particulier ")]
    assert len(ours) == 1
    assert ours[0].startswith("api_particulier endpoint=quotient_familial status=200 duration_ms=")
    assert ours[0].endswith(f" code=- request_id={facts.request_id}")
    for line in lines:
        for secret in ("LEFEBVRE", "ALEXIS", "1982", "08480", "2550", "nomNaissance"):
            assert secret not in line, line


def test_exception_messages_never_hold_the_url(sandbox):
    client = ApiParticulierClient("http://127.0.0.1:9", "x", RECIPIENT, connect_timeout=0.2, sleep=lambda s: None)
    with pytest.raises(Unavailable) as error:
        client.quotient_familial(LEFEBVRE)
    assert "LEFEBVRE" not in str(error.value) and error.value.__cause__ is None


def test_psu_parameters_for_a_creche_estimate_are_read_from_the_eaje_endpoint(client):
    facts = client.participation_familiale_eaje(LEFEBVRE)
    assert facts.parameters == PsuParameters(annual_resources=40923, resources_year=2023, children=1, aeeh_children=1)
    assert facts.address.postal_code == "75002" and facts.address.city is None  # the fixture gives no town
    assert facts.request_id


def test_eaje_answers_no_family_file_for_an_unknown_identity(client):
    with pytest.raises(NoFamilyFile):
        client.participation_familiale_eaje(DUPONT)


def test_a_token_without_any_eaje_scope_is_refused_on_that_endpoint(sandbox):
    client = ApiParticulierClient(sandbox.url, "bac-a-sable-qf-seulement", RECIPIENT)
    with pytest.raises(Refused):  # the QF-only token holds none of the EAJE scopes
        client.participation_familiale_eaje(LEFEBVRE)
