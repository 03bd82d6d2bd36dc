"""The API Impôt particulier client against its sandbox over real HTTP: each outcome mapped to one exception, the
token cached and renewed, the year chosen by date with one fallback, the quota held, the FranceConnect modality,
and logs that never carry the numéro fiscal. Time is the tests' clock: nothing sleeps."""

import logging
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest

from passfamille.impot_particulier import (
    SCOPE_DERNIERE,
    SCOPE_IR,
    FiscalNotFound,
    FiscalRefused,
    FiscalUnavailable,
    ImpotParticulierClient,
    InvalidSpi,
    years_to_ask,
)
from passfamille.impot_particulier.results import read_fiscal_facts
from passfamille.sandbox.state import EXTENSION_KEY as SHARED_KEY

from .impot_particulier_cases import (  # noqa: F401 (fixtures)
    BAD_KEY,
    ERIC,
    FORBIDDEN,
    LATE,
    NO_CONTENT,
    NOT_FOUND,
    TECHNICAL,
    TELESERVICE,
    TODAY,
    UNKNOWN,
    VINCENT,
    fresh_impot_sandbox,
    make_client,
    running_impot_sandbox,
)

AFTER_CHANGEOVER, BEFORE_CHANGEOVER = date(2026, 8, 1), date(2026, 7, 1)


@pytest.fixture
def client(sandbox):
    return make_client(sandbox)


def test_the_last_avis_is_read_into_frozen_facts_with_only_what_the_app_uses(client, sandbox):
    facts = client.avis("399 999 993 0262", TODAY)  # spaced as on the avis

    assert (facts.year, facts.rfr, facts.parts, facts.dependants, facts.tax) == (2025, 28678, Decimal(1), 0, None)
    assert (facts.family_situation, facts.family_situation_label) == ("C", "Célibataire")
    assert facts.address.lines == ("42 RUE ABBE DE L EPEE",)
    assert (facts.address.postal_code, facts.address.city) == ("13005", "MARSEILLE")
    assert facts.fetched_at.isoformat() == "2026-11-24T10:00:05"
    # Every call carries a fresh X-Correlation-ID (a UUID) and the ID_Teleservice.
    assert facts.correlation_id == sandbox.impot.last_call["correlation_id"]
    assert uuid.UUID(facts.correlation_id)
    assert sandbox.impot.last_call["id_teleservice"] == TELESERVICE
    with pytest.raises(AttributeError):
        facts.rfr = 1  # frozen
    # Data minimisation: no names, birth dates or incomes by category are kept.
    assert not {"nmNaiDec1", "prnmDec1", "rev", "spi"} & set(vars(facts))


def test_a_married_couple_with_their_tax_amount(client):
    facts = client.avis(VINCENT, TODAY)
    assert (facts.rfr, facts.parts, facts.tax, facts.family_situation_label) == (48583, Decimal(2), 2982, "Marié(e)")
    assert (facts.address.lines, facts.address.postal_code, facts.address.city) == (
        ("18 RUE DU COMMANDANT MOWAT",),
        "94300",
        "VINCENNES",
    )


def test_a_habilitation_for_some_fields_leaves_the_others_absent(sandbox):
    client = make_client(sandbox, client_id="bac-a-sable-rfr-parts", client_secret="bac-a-sable-rfr-parts-secret")
    facts = client.avis(ERIC, TODAY)
    assert (facts.year, facts.rfr, facts.parts) == (2025, 28678, Decimal(1))
    assert (facts.family_situation, facts.dependants, facts.tax, facts.address) == (None, None, None, None)


@pytest.mark.parametrize(
    ("spi", "status", "code"),
    [(NO_CONTENT, 204, None), (FORBIDDEN, 403, "4031"), (NOT_FOUND, 404, None), (UNKNOWN, 410, "4102")],
)
def test_no_avis_answers_are_not_found(client, spi, status, code):
    with pytest.raises(FiscalNotFound) as error:
        client.avis(spi, TODAY)
    assert (error.value.status, error.value.code) == (status, code)


@pytest.mark.parametrize("typed", ["12345", "39999999302621", "3999999930x62", "3999999930²62", "", "   "])
def test_a_malformed_numero_fiscal_is_refused_before_any_call(client, sandbox, typed):
    with pytest.raises(InvalidSpi):
        client.avis(typed, TODAY)
    assert sandbox.impot.issued == 0 and sandbox.impot.last_call == {}


def test_a_numero_fiscal_the_api_calls_malformed_is_invalid_spi(client):
    with pytest.raises(InvalidSpi) as error:
        client.avis(BAD_KEY, TODAY)
    assert (error.value.status, error.value.code) == (400, "4001")


def test_one_retry_on_a_502_then_the_avis(sandbox):
    waits = []
    client = make_client(sandbox, sleep=waits.append)
    sandbox.arm_fault("502")
    assert client.avis(ERIC, TODAY).rfr == 28678
    assert waits == [0.2]


def test_two_503_in_a_row_are_unavailable(client, sandbox):
    sandbox.arm_fault("503", times=3)
    with pytest.raises(FiscalUnavailable) as error:
        client.avis(ERIC, TODAY)
    assert error.value.status == 503
    assert [fault["remaining"] for fault in armed_faults(sandbox)] == [1]  # two calls, the second a retry


def armed_faults(sandbox) -> list[dict]:
    return sandbox.app.extensions[SHARED_KEY].faults.armed()


def test_a_technical_error_is_unavailable_without_retry(client, sandbox):
    with pytest.raises(FiscalUnavailable) as error:
        client.avis(TECHNICAL, TODAY)
    assert error.value.status == 500
    assert sandbox.impot.calls("bac-a-sable-passfamille") == 1


def test_a_slow_answer_times_out(sandbox):
    client = make_client(sandbox, read_timeout=0.3)
    client.avis(ERIC, TODAY)  # the token is cached: only the resource is slow
    sandbox.arm_fault("slow", seconds=1.0)
    with pytest.raises(FiscalUnavailable) as error:
        client.avis(ERIC, TODAY)
    assert error.value.code == "timeout"


def test_a_closed_port_is_unavailable(sandbox):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = ImpotParticulierClient(
        f"http://127.0.0.1:{port}/impotparticulier/1.0",
        f"http://127.0.0.1:{port}/impotparticulier/token",
        "id",
        "secret",
        TELESERVICE,
        connect_timeout=0.5,
        sleep=lambda seconds: None,
    )
    with pytest.raises(FiscalUnavailable) as error:
        client.avis(ERIC, TODAY)
    assert error.value.code == "connection"


@pytest.mark.parametrize("kind", ["malformed", "drop"])
def test_an_unreadable_or_dropped_answer_is_unavailable(client, sandbox, kind):
    client.avis(ERIC, TODAY)
    sandbox.arm_fault(kind, times=2)
    with pytest.raises(FiscalUnavailable) as error:
        client.avis(ERIC, TODAY)
    assert error.value.code == ("malformed" if kind == "malformed" else "connection")


def test_the_token_is_cached_until_shortly_before_it_expires(client, sandbox):
    client.avis(ERIC, TODAY)
    sandbox.clock.advance(3600 - 31)
    client.avis(ERIC, TODAY)
    assert sandbox.impot.issued == 1
    sandbox.clock.advance(2)  # within the last 30 seconds of its hour: renewed before the API refuses it
    client.avis(ERIC, TODAY)
    assert sandbox.impot.issued == 2


def test_a_token_the_api_no_longer_accepts_is_renewed_once(client, sandbox, caplog):
    client.avis(ERIC, TODAY)
    sandbox.expire_impot_tokens()
    with caplog.at_level(logging.INFO, logger="passfamille.impot_particulier"):
        assert client.avis(ERIC, TODAY).rfr == 28678
    assert sandbox.impot.issued == 2
    assert [r.getMessage().split(" duration")[0] for r in caplog.records] == [
        "impot_particulier endpoint=deuxans status=401",
        "impot_particulier endpoint=token status=200",
        "impot_particulier endpoint=deuxans status=200",
    ]


def test_a_renewed_token_still_refused_is_refused(client, sandbox):
    sandbox.impot.token_seconds = 0  # every token is born expired
    with pytest.raises(FiscalRefused) as error:
        client.avis(ERIC, TODAY)
    assert error.value.status == 401
    assert sandbox.impot.issued == 2


def test_credentials_the_token_endpoint_refuses_are_refused_and_logged_as_an_error(sandbox, caplog):
    client = make_client(sandbox, client_secret="mauvais-secret")
    with caplog.at_level(logging.INFO, logger="passfamille.impot_particulier"), pytest.raises(FiscalRefused) as error:
        client.avis(ERIC, TODAY)
    assert (error.value.status, error.value.code) == (401, "invalid_client")
    assert sandbox.impot.last_call == {}  # the resource was never called
    assert [record.levelname for record in caplog.records] == ["ERROR"]
    assert "mauvais-secret" not in caplog.text


def test_the_last_year_not_yet_taxed_falls_back_to_the_year_before(sandbox):
    client = make_client(sandbox, scope=SCOPE_IR)
    sandbox.days.today = BEFORE_CHANGEOVER  # the DGFiP has not yet published incomes 2025
    facts = client.avis(ERIC, AFTER_CHANGEOVER)  # but the app believes they are out
    assert facts.year == 2024
    assert sandbox.impot.calls("bac-a-sable-passfamille") == 2


def test_a_foyer_taxed_late_falls_back_to_the_year_before(sandbox):
    facts = make_client(sandbox, scope=SCOPE_IR).avis(LATE, TODAY)
    assert (facts.year, facts.rfr) == (2024, 11600)


def test_before_the_changeover_only_the_year_before_last_is_asked(sandbox):
    sandbox.days.today = BEFORE_CHANGEOVER
    facts = make_client(sandbox, scope=SCOPE_IR).avis(ERIC, BEFORE_CHANGEOVER)
    assert facts.year == 2024
    assert sandbox.impot.calls("bac-a-sable-passfamille") == 1


def test_the_fallback_is_made_once(sandbox):
    sandbox.days.today = date(2025, 7, 1)  # the DGFiP's last avis: incomes 2023
    with pytest.raises(FiscalNotFound) as error:
        make_client(sandbox, scope=SCOPE_IR).avis(ERIC, AFTER_CHANGEOVER)  # asks 2025, then 2024
    assert (error.value.status, error.value.code) == (410, "4101")
    assert sandbox.impot.calls("bac-a-sable-passfamille") == 2


def test_deuxans_gives_the_avis_before_when_the_last_is_not_out(client):
    assert client.avis(LATE, TODAY).year == 2024


def test_the_dernieresituation_resource_by_year(sandbox):
    facts = make_client(sandbox, scope=SCOPE_DERNIERE).avis(VINCENT, TODAY)
    assert (facts.year, facts.tax) == (2025, 2982)


def test_the_51st_call_in_a_minute_is_not_made(client, sandbox):
    for _ in range(50):
        client.avis(ERIC, TODAY)
    with pytest.raises(FiscalUnavailable) as error:
        client.avis(ERIC, TODAY)
    assert (error.value.code, error.value.retry_after) == ("busy", 55)
    assert sandbox.impot.calls("bac-a-sable-passfamille") == 50
    sandbox.clock.advance(55)  # the next minute
    assert client.avis(ERIC, TODAY).rfr == 28678


def test_the_gateway_quota_is_unavailable_with_its_delay(client, sandbox):
    sandbox.impot.calls_per_minute = 1
    client.avis(ERIC, TODAY)
    with pytest.raises(FiscalUnavailable) as error:
        client.avis(ERIC, TODAY)
    assert (error.value.status, error.value.retry_after) == (429, 55)
    assert sandbox.impot.calls("bac-a-sable-passfamille") == 2  # a long Retry-After is not waited for


def test_the_france_connect_modality_needs_no_numero_fiscal(client, sandbox):
    facts = client.avis_france_connect("bac-a-sable-fc-dgfip-45", TODAY)
    assert (facts.rfr, facts.year) == (28678, 2025)
    assert sandbox.impot.last_call["france_connect"] is True


def test_the_france_connect_identity_comes_from_the_introspection_hook(client, sandbox):
    # What the FC sandbox's introspection gives for a token: the identity pivot (here CIS CINQUANTEHUIT's).
    claims = {"family_name": "CIS CINQUANTEHUIT", "given_name": "PRENOM JOSEPH", "birthdate": "1984-12-15"}
    sandbox.impot.fc_introspect = lambda token: claims if token == "jeton-fc" else None
    assert client.avis_france_connect("jeton-fc", TODAY).rfr == 11600
    with pytest.raises(FiscalNotFound):
        client.avis_france_connect("jeton-fc-expire", TODAY)


def test_logs_carry_endpoint_status_and_correlation_id_never_the_numero_fiscal_or_a_token(sandbox, caplog):
    spis = [ERIC, VINCENT, LATE, NO_CONTENT, FORBIDDEN, NOT_FOUND, TECHNICAL, UNKNOWN, BAD_KEY]
    client = make_client(sandbox, read_timeout=0.3)
    with caplog.at_level(logging.DEBUG):
        for spi in spis:
            try:
                client.avis(spi, TODAY)
            except (FiscalNotFound, FiscalUnavailable, InvalidSpi) as error:
                assert spi not in str(error)
        for kind, times in (("502", 2), ("slow", 1), ("drop", 2), ("malformed", 1)):  # as many as are used
            sandbox.arm_fault(kind, times=times)
            with pytest.raises(FiscalUnavailable) as error:
                client.avis(ERIC, TODAY)
            assert ERIC not in str(error.value)
        sandbox.expire_impot_tokens()
        make_client(sandbox, scope=SCOPE_IR).avis(LATE, TODAY)
        client.avis_france_connect("bac-a-sable-fc-dgfip-45", TODAY)
        with pytest.raises(FiscalRefused):
            make_client(sandbox, client_secret="mauvais-secret").avis(ERIC, TODAY)
    text = caplog.text
    assert "impot_particulier endpoint=deuxans status=200" in text
    assert "correlation_id=" in text
    assert "GET /impotparticulier/1.0/spi/[masqué]/dernieresituation" in text  # the sandbox's access log
    for secret in [*spis, "bac-a-sable-fc-dgfip-45", "bac-a-sable-passfamille-secret", "mauvais-secret"]:
        assert secret not in text
    assert client._token.value not in text


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (date(2026, 7, 21), (2024,)),
        (date(2026, 7, 22), (2025, 2024)),
        (date(2026, 12, 31), (2025, 2024)),
        (date(2027, 1, 1), (2025,)),
    ],
)
def test_years_asked_by_date(today, years):
    assert years_to_ask(today) == years


def test_the_swagger_names_of_the_address_and_fractional_parts_are_read():
    body = {
        "annRevenu": 2024,
        "nbPart": 2.5,
        "sitFam": "o",
        "aftDetail": {"voie": "43 RUE FRANKLIN", "getcodePostal": "69002", "getcommune": "LYON"},
        "montTotIr": 0,
    }
    facts = read_fiscal_facts(body, year=None, correlation_id="c", fetched_at=None)
    assert (facts.year, facts.parts, facts.family_situation_label, facts.tax) == (2024, Decimal("2.5"), "Pacsé(e)", 0)
    assert (facts.address.lines, facts.address.postal_code, facts.address.city) == (
        ("43 RUE FRANKLIN",),
        "69002",
        "LYON",
    )


@pytest.mark.parametrize("body", [[], {"rfr": "12"}, {"nbPart": -1}, {"pac": 2}, {"rfr": 1.5}, {"aftDetail": "x"}])
def test_a_mistyped_answer_is_unreadable(body):
    with pytest.raises((TypeError, ValueError)):
        read_fiscal_facts(body, year=2025, correlation_id="c", fetched_at=None)


def test_a_trickled_answer_is_cut_at_the_whole_call_deadline(sandbox):
    client = make_client(sandbox, read_timeout=2, deadline=1.0)
    client.avis(ERIC, TODAY)
    sandbox.arm_fault("trickle", seconds=5)  # each piece well within the read timeout
    with pytest.raises(FiscalUnavailable) as error:
        client.avis(ERIC, TODAY)
    assert error.value.code == "timeout"


def test_threads_sharing_the_client_share_one_token(client, sandbox):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda spi: client.avis(spi, TODAY).rfr, [ERIC, VINCENT] * 8))
    assert results == [28678, 48583] * 8
    assert sandbox.impot.issued == 1
