"""The built-in FranceConnect v2 sandbox's contract, over real HTTP: discovery and keys, the code flow with its
checks, the mire, userinfo, logout, revocation and checktoken. Lifetimes are passed with the sandbox's clock."""

import base64
import hashlib
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey

from passfamille.sandbox.franceconnect import DP_CLIENT_ID, DP_CLIENT_SECRET, FS_CLIENT_ID, FS_CLIENT_SECRET
from passfamille.sandbox.franceconnect.citizens import CITIZEN_FILES, CITIZENS_DIR, load_citizens

from .sandbox_franceconnect import (  # noqa: F401 (fixtures)
    POST_LOGOUT_REDIRECT_URI,
    REDIRECT_URI,
    authorize_params,
    exchange,
    form_action,
    franceconnect_sandbox,
    key_set,
    log_in,
    module_clock,
    no_faults_left,
    query_of,
    tokens_for,
    verified,
)

SUB = re.compile(r"[0-9a-f]{64}v1")
ROOT = Path(__file__).resolve().parent.parent


def authorize(sandbox, session=None, **changes) -> requests.Response:
    client = session or requests
    return client.get(
        sandbox.franceconnect_issuer + "/authorize", params=authorize_params(**changes), allow_redirects=False
    )


def userinfo(sandbox, access_token: str) -> requests.Response:
    return requests.get(
        sandbox.franceconnect_issuer + "/userinfo", headers={"Authorization": f"Bearer {access_token}"}, timeout=5
    )


def checktoken(sandbox, **form) -> requests.Response:
    return requests.post(sandbox.franceconnect_issuer + "/checktoken", data=form, timeout=5)


# --- Discovery and keys ----------------------------------------------------------------------------------------


def test_discovery_names_the_issuer_and_franceconnect_endpoints(sandbox):
    issuer = sandbox.franceconnect_issuer
    discovery = requests.get(issuer + "/.well-known/openid-configuration", timeout=5).json()

    assert issuer == sandbox.url + "/franceconnect/api/v2"
    assert discovery["issuer"] == issuer
    assert {name: discovery[name] for name in discovery if name.endswith(("_endpoint", "_uri"))} == {
        "authorization_endpoint": issuer + "/authorize",
        "token_endpoint": issuer + "/token",
        "userinfo_endpoint": issuer + "/userinfo",
        "jwks_uri": issuer + "/jwks",
        "end_session_endpoint": issuer + "/session/end",
        "revocation_endpoint": issuer + "/token/revocation",
    }
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["grant_types_supported"] == ["authorization_code"]
    assert discovery["subject_types_supported"] == ["pairwise"]
    assert discovery["acr_values_supported"] == ["eidas1"]
    assert discovery["id_token_signing_alg_values_supported"] == ["ES256", "RS256"]
    assert discovery["userinfo_signing_alg_values_supported"] == ["ES256", "RS256"]
    assert "client_secret_post" in discovery["token_endpoint_auth_methods_supported"]
    assert "client_secret_basic" not in discovery["token_endpoint_auth_methods_supported"]
    assert discovery["claims_parameter_supported"] is True
    assert {"openid", "identite_pivot", "email", "cnaf_quotient_familial"} <= set(discovery["scopes_supported"])
    assert {"sub", "given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry", "email"} <= set(
        discovery["claims_supported"]
    )


def test_jwks_publishes_one_public_ec_and_one_public_rsa_signing_key(sandbox):
    keys = requests.get(sandbox.franceconnect_issuer + "/jwks", timeout=5).json()["keys"]

    assert sorted((key["kty"], key["alg"], key["use"]) for key in keys) == [
        ("EC", "ES256", "sig"),
        ("RSA", "RS256", "sig"),
    ]
    ec = next(key for key in keys if key["kty"] == "EC")
    assert ec["crv"] == "P-256"
    assert ec["kid"] == ECKey.import_key(ec).thumbprint()  # RFC 7638
    rsa = next(key for key in keys if key["kty"] == "RSA")
    assert len(base64.urlsafe_b64decode(rsa["n"] + "==")) == 256  # 2048 bits
    for key in keys:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "clé privée publiée"


# --- The code flow -----------------------------------------------------------------------------------------------


def test_full_code_flow_for_dubois_gives_signed_id_token_and_userinfo(sandbox):
    done = log_in(sandbox, "test")
    assert done.callback["state"] == done.params["state"]
    assert done.callback["iss"] == sandbox.franceconnect_issuer
    assert len(done.callback["code"]) >= 32

    answer = exchange(sandbox, done.callback["code"])
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "id_token", "scope"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 60, done.params["scope"])

    id_token = verified(sandbox, body["id_token"])
    assert id_token.header["alg"] == "ES256"
    assert id_token.header["kid"] in {key.kid for key in key_set(sandbox)}
    claims = id_token.claims
    assert claims["iss"] == sandbox.franceconnect_issuer
    assert claims["aud"] == FS_CLIENT_ID
    assert claims["nonce"] == done.params["nonce"]
    assert claims["acr"] == "eidas1"
    assert claims["exp"] == claims["iat"] + 60
    assert claims["auth_time"] <= claims["iat"]
    assert SUB.fullmatch(claims["sub"])
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()

    info = userinfo(sandbox, body["access_token"])
    assert info.status_code == 200
    assert info.headers["Content-Type"] == "application/jwt"
    user = verified(sandbox, info.text).claims
    assert user == {
        "iss": sandbox.franceconnect_issuer,
        "aud": FS_CLIENT_ID,
        "sub": claims["sub"],
        "given_name": "Angela Claire Louise",
        "given_name_array": ["Angela", "Claire", "Louise"],
        "family_name": "DUBOIS",
        "birthdate": "1962-08-24",
        "gender": "female",
        "birthplace": "75107",
        "birthcountry": "99100",
        "email": "wossewodda-3728@yopmail.com",
    }


def test_sub_is_pairwise_and_stable_per_citizen(sandbox):
    first, again, other = (
        verified(sandbox, tokens_for(sandbox, login)["id_token"]) for login in ("test", "test", "test_ELSA")
    )

    assert first.claims["sub"] == again.claims["sub"] != other.claims["sub"]
    expected = hashlib.sha256(f"{FS_CLIENT_ID}|test".encode()).hexdigest() + "v1"
    assert first.claims["sub"] == expected


def test_userinfo_gives_only_what_the_scopes_give(sandbox):
    tokens = tokens_for(sandbox, "avec_nom_dusage", scope="openid family_name preferred_username")
    user = verified(sandbox, userinfo(sandbox, tokens["access_token"]).text).claims

    assert set(user) == {"iss", "aud", "sub", "family_name", "preferred_username"}
    assert (user["family_name"], user["preferred_username"]) == ("MERCIER", "DUBOIS")


def test_a_citizen_without_email_gets_no_email_claim(sandbox):
    tokens = tokens_for(sandbox, "sans_mail")
    user = verified(sandbox, userinfo(sandbox, tokens["access_token"]).text).claims

    assert "email" not in user
    assert user["family_name"] == "DUFOUR"


# --- Authorize: refusals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": "inconnu"},
        {"redirect_uri": "https://127.0.0.1:5000/franceconnect/retour"},
        {"redirect_uri": "http://127.0.0.1:5000/autre/retour"},
        {"redirect_uri": "http://exemple.fr:5000/franceconnect/retour"},
        {"redirect_uri": None},
        {"state": None},
        {"nonce": "a" * 21},
        {"nonce": None},
        {"acr_values": None},
        {"response_type": "token"},
        {"response_type": None},
    ],
    ids=[
        "client-inconnu",
        "redirect-https",
        "redirect-autre-chemin",
        "redirect-autre-hote",
        "redirect-absente",
        "sans-state",
        "nonce-21-caracteres",
        "sans-nonce",
        "sans-acr",
        "response-type-token",
        "sans-response-type",
    ],
)
def test_malformed_authorize_gets_an_error_page_and_no_redirect(sandbox, changes):
    answer = authorize(sandbox, **changes)

    assert answer.status_code == 400
    assert "Location" not in answer.headers
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "Y000400" in answer.text
    assert '<html lang="fr">' in answer.text


def test_any_loopback_port_and_localhost_are_accepted_as_redirect_uri(sandbox):
    for redirect_uri in ("http://127.0.0.1:41234/franceconnect/retour", "http://localhost:8000/franceconnect/retour"):
        assert authorize(sandbox, redirect_uri=redirect_uri).status_code == 200


@pytest.mark.parametrize(
    "scope",
    # dgfip_rbg: a DGFiP scope the passfamille client is not given (its avis scopes are, for the DGFiP's modality).
    ["openid identite_pivot dgfip_rbg", "identite_pivot cnaf_quotient_familial", ""],
    ids=["scope-hors-habilitation", "sans-openid", "vide"],
)
def test_scopes_outside_the_clients_list_go_back_with_invalid_scope(sandbox, scope):
    answer = authorize(sandbox, scope=scope, state="etat-de-la-demande-1234567890")

    assert answer.status_code in (302, 303)
    assert answer.headers["Location"].startswith(REDIRECT_URI + "?")
    back = query_of(answer.headers["Location"])
    assert (back["error"], back["state"]) == ("invalid_scope", "etat-de-la-demande-1234567890")
    assert "code" not in back


def test_an_acr_other_than_eidas1_goes_back_with_invalid_request(sandbox):
    answer = authorize(sandbox, acr_values="eidas2", state="etat-de-la-demande-1234567890")

    back = query_of(answer.headers["Location"])
    assert (back["error"], back["state"]) == ("invalid_request", "etat-de-la-demande-1234567890")


# --- The mire ------------------------------------------------------------------------------------------------------


def test_mire_lists_every_test_citizen_those_with_fixtures_first(sandbox):
    page = authorize(sandbox).text
    logins = re.findall(r'name="login" id="[^"]+" value="([^"]+)"', page)

    assert '<html lang="fr">' in page and "<main>" in page
    assert re.search(r"<h1>\s*Bac à sable FranceConnect\s*</h1>", page)
    assert '<label for="identite-1">DUBOIS Angela Claire Louise (test)</label>' in page
    assert sorted(logins) == sorted(load_citizens())
    assert len(logins) == 128 + 2  # FranceConnect's citizens, and our own two DGFiP taxpayers
    with_fixtures = {
        "test",
        "avec_nom_dusage",
        "prénom_composé",
        "nom_composé",
        "sans_nom_dusage",
        "nom_prénom_long",
        "TestAttest15",
        "Testcommuneprénom",
        "test_FABIEN",
        "test_ELSA",
        "test_CINDY",
        "dgfip-45",  # our own: DGFiP test taxpayers (avis d'imposition)
        "dgfip-58",
    }
    assert set(logins[: len(with_fixtures)]) == with_fixtures
    assert 'name="action" value="continuer"' in page and 'name="action" value="annuler"' in page


def test_cancel_goes_back_with_access_denied(sandbox):
    browser = requests.Session()
    params = authorize_params()
    mire = browser.get(sandbox.franceconnect_issuer + "/authorize", params=params)
    answer = browser.post(sandbox.url + form_action(mire.text), data={"action": "annuler"}, allow_redirects=False)

    assert answer.status_code == 303
    assert query_of(answer.headers["Location"]) == {
        "error": "access_denied",
        "error_description": "User auth aborted",
        "state": params["state"],
    }


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"action": "continuer"}, "Choisissez une identité de test."),
        ({"action": "continuer", "login": "personne"}, "Cette identité de test n'existe pas."),
    ],
    ids=["aucune-identite", "identite-inconnue"],
)
def test_continue_without_a_known_citizen_shows_the_mire_again_with_a_message(sandbox, form, message):
    mire = authorize(sandbox)
    action = sandbox.url + form_action(mire.text)
    answer = requests.post(action, data=form, allow_redirects=False)

    assert answer.status_code == 400
    assert message in unescape(answer.text)
    assert "<title>Erreur : " in answer.text
    assert form_action(answer.text) == form_action(mire.text)
    # The same mire still works.
    assert (
        requests.post(action, data={"action": "continuer", "login": "test"}, allow_redirects=False).status_code == 303
    )


def test_a_mire_answers_once_and_expires_after_30_minutes(sandbox, clock):
    first, late = authorize(sandbox), authorize(sandbox)
    action = sandbox.url + form_action(first.text)
    choice = {"action": "continuer", "login": "test"}

    assert requests.post(action, data=choice, allow_redirects=False).status_code == 303
    again = requests.post(action, data=choice, allow_redirects=False)
    assert again.status_code == 400 and "a expiré ou n'existe pas" in unescape(again.text)

    clock.advance(30 * 60)
    expired = requests.post(sandbox.url + form_action(late.text), data=choice, allow_redirects=False)
    assert expired.status_code == 400 and "a expiré ou n'existe pas" in unescape(expired.text)
    assert requests.post(sandbox.franceconnect_issuer + "/interaction/inconnue", data=choice).status_code == 400


# --- Token endpoint ----------------------------------------------------------------------------------------------


def test_a_replayed_code_is_refused_and_revokes_the_token_it_gave(sandbox):
    code = log_in(sandbox).callback["code"]
    first = exchange(sandbox, code)
    assert userinfo(sandbox, first.json()["access_token"]).status_code == 200

    replay = exchange(sandbox, code)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert userinfo(sandbox, first.json()["access_token"]).status_code == 401


def test_a_code_lives_30_seconds(sandbox, clock):
    code = log_in(sandbox).callback["code"]
    clock.advance(30)

    answer = exchange(sandbox, code)

    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


def test_the_code_is_bound_to_the_exact_redirect_uri(sandbox):
    code = log_in(sandbox).callback["code"]

    answer = exchange(sandbox, code, redirect_uri="http://127.0.0.1:5001/franceconnect/retour")

    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "how",
    ["basic", "mauvais-secret", "sans-secret", "client-inconnu"],
)
def test_token_endpoint_accepts_client_secret_post_only(sandbox, how):
    code = log_in(sandbox).callback["code"]
    if how == "basic":
        answer = requests.post(
            sandbox.franceconnect_issuer + "/token",
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
            auth=(FS_CLIENT_ID, FS_CLIENT_SECRET),
        )
    else:
        changes = {
            "mauvais-secret": {"client_secret": "faux"},
            "sans-secret": {"client_secret": None},
            "client-inconnu": {"client_id": "inconnu"},
        }[how]
        answer = exchange(sandbox, code, **changes)

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"
    # The code was not spent by the refused call.
    assert exchange(sandbox, code).status_code == 200


# --- Userinfo, revocation ----------------------------------------------------------------------------------------


def test_userinfo_refuses_an_expired_token(sandbox, clock):
    access_token = tokens_for(sandbox)["access_token"]
    clock.advance(60)

    answer = userinfo(sandbox, access_token)

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_expire_hook_ends_every_token_issued_so_far(sandbox):
    before = tokens_for(sandbox)["access_token"]
    sandbox.expire_franceconnect_tokens()
    after = tokens_for(sandbox)["access_token"]

    assert userinfo(sandbox, before).status_code == 401
    assert userinfo(sandbox, after).status_code == 200


@pytest.mark.parametrize("header", [{}, {"Authorization": "Bearer inconnu"}, {"Authorization": "Basic eDp5"}])
def test_userinfo_refuses_a_missing_or_unknown_token(sandbox, header):
    answer = requests.get(sandbox.franceconnect_issuer + "/userinfo", headers=header, timeout=5)

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_a_revoked_token_is_refused(sandbox):
    access_token = tokens_for(sandbox)["access_token"]
    form = {"token": access_token, "client_id": FS_CLIENT_ID, "client_secret": FS_CLIENT_SECRET}

    answer = requests.post(sandbox.franceconnect_issuer + "/token/revocation", data=form, timeout=5)
    unknown = requests.post(sandbox.franceconnect_issuer + "/token/revocation", data={**form, "token": "x"}, timeout=5)

    assert (answer.status_code, unknown.status_code) == (200, 200)
    assert userinfo(sandbox, access_token).status_code == 401


# --- Logout ----------------------------------------------------------------------------------------------------


def _checked_login(page: str) -> list[str]:
    return re.findall(r'<input [^>]*value="([^"]+)"[^>]*\schecked>', page)


def test_logout_round_trip_ends_the_citizens_franceconnect_session(sandbox):
    browser = requests.Session()
    done = log_in(sandbox, "test_ELSA", browser=browser)
    id_token = exchange(sandbox, done.callback["code"]).json()["id_token"]
    # Within its FranceConnect session the citizen is remembered: the mire comes with the identity chosen.
    assert _checked_login(authorize(sandbox, session=browser).text) == ["test_ELSA"]

    answer = browser.get(
        sandbox.franceconnect_issuer + "/session/end",
        params={
            "id_token_hint": id_token,
            "state": "etat-deconnexion",
            "post_logout_redirect_uri": POST_LOGOUT_REDIRECT_URI,
        },
        allow_redirects=False,
    )

    assert answer.status_code in (302, 303)
    assert answer.headers["Location"] == POST_LOGOUT_REDIRECT_URI + "?state=etat-deconnexion"
    assert _checked_login(authorize(sandbox, session=browser).text) == []


def test_logout_accepts_an_expired_id_token(sandbox, clock):
    id_token = tokens_for(sandbox)["id_token"]
    clock.advance(2 * 3600)

    answer = requests.get(
        sandbox.franceconnect_issuer + "/session/end",
        params={"id_token_hint": id_token, "state": "s", "post_logout_redirect_uri": POST_LOGOUT_REDIRECT_URI},
        allow_redirects=False,
    )

    assert answer.headers["Location"] == POST_LOGOUT_REDIRECT_URI + "?state=s"


def _foreign_id_token() -> str:
    key = ECKey.generate_key("P-256", auto_kid=True)
    return jwt.encode({"alg": "ES256", "kid": key.kid}, {"aud": FS_CLIENT_ID, "sub": "x"}, key)


@pytest.mark.parametrize(
    "changes",
    [
        {"id_token_hint": None},
        {"id_token_hint": "pas-un-jwt"},
        {"id_token_hint": "etranger"},
        {"post_logout_redirect_uri": "http://127.0.0.1:5000/ailleurs"},
        {"post_logout_redirect_uri": None},
    ],
    ids=["sans-hint", "hint-illisible", "hint-signe-ailleurs", "uri-non-enregistree", "sans-uri"],
)
def test_logout_refuses_a_bad_hint_or_an_unregistered_uri(sandbox, changes):
    params = {
        "id_token_hint": tokens_for(sandbox)["id_token"],
        "state": "s",
        "post_logout_redirect_uri": POST_LOGOUT_REDIRECT_URI,
    }
    params.update(changes)
    if params["id_token_hint"] == "etranger":
        params["id_token_hint"] = _foreign_id_token()
    params = {key: value for key, value in params.items() if value is not None}

    answer = requests.get(sandbox.franceconnect_issuer + "/session/end", params=params, allow_redirects=False)

    assert answer.status_code == 400
    assert "Location" not in answer.headers


# --- Checktoken (API Particulier's side) -----------------------------------------------------------------------


def test_checktoken_gives_the_data_provider_a_signed_introspection(sandbox):
    tokens = tokens_for(sandbox)
    answer = checktoken(sandbox, token=tokens["access_token"], client_id=DP_CLIENT_ID, client_secret=DP_CLIENT_SECRET)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/token-introspection+jwt"
    signed = verified(sandbox, answer.text)
    assert signed.header["alg"] == "ES256"
    payload = signed.claims
    assert set(payload) == {"iss", "aud", "iat", "token_introspection"}
    assert (payload["iss"], payload["aud"]) == (sandbox.franceconnect_issuer, DP_CLIENT_ID)
    introspection = payload["token_introspection"]
    assert set(introspection) == {
        "active", "aud", "sub", "iat", "exp", "acr", "jti", "scope",
        "gender", "family_name", "given_name", "given_name_array", "birthdate", "birthplace", "birthcountry",
    }  # fmt: skip
    assert introspection["active"] is True
    assert introspection["aud"] == FS_CLIENT_ID
    # The data provider's own sub, and the scopes cut down to its own (no e-mail).
    assert SUB.fullmatch(introspection["sub"])
    assert introspection["sub"] != verified(sandbox, tokens["id_token"]).claims["sub"]
    assert (
        introspection["scope"]
        == "openid identite_pivot cnaf_quotient_familial cnaf_allocataires cnaf_enfants cnaf_adresse"
    )
    assert introspection["exp"] == introspection["iat"] + 60
    assert (introspection["family_name"], introspection["birthplace"]) == ("DUBOIS", "75107")


def test_checktoken_says_inactive_for_an_expired_or_unknown_token(sandbox, clock):
    access_token = tokens_for(sandbox)["access_token"]
    clock.advance(60)

    for token in (access_token, "inconnu"):
        answer = checktoken(sandbox, token=token, client_id=DP_CLIENT_ID, client_secret=DP_CLIENT_SECRET)
        assert answer.status_code == 200
        assert verified(sandbox, answer.text).claims["token_introspection"] == {"active": False}


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_secret": "faux"}, 401, "invalid_client"),
        ({"client_id": FS_CLIENT_ID, "client_secret": FS_CLIENT_SECRET}, 401, "invalid_client"),
        ({"client_secret": None}, 400, "invalid_request"),
        ({"token": None}, 400, "invalid_request"),
        ({"extra": "1"}, 400, "invalid_request"),
    ],
    ids=["mauvais-secret", "identifiants-du-fs", "sans-secret", "sans-jeton", "champ-en-trop"],
)
def test_checktoken_refuses_bad_data_provider_credentials_or_fields(sandbox, form, status, error):
    data = {"token": "x", "client_id": DP_CLIENT_ID, "client_secret": DP_CLIENT_SECRET, **form}
    answer = checktoken(sandbox, **{key: value for key, value in data.items() if value is not None})

    assert answer.status_code == status
    assert answer.json()["error"] == error


# --- The test citizens' files --------------------------------------------------------------------------------


def test_citizen_files_are_the_verbatim_upstream_files():
    provenance = (CITIZENS_DIR / "PROVENANCE.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `([^`]+\.csv)` \| `[^`]+` \| `([0-9a-f]{12})` \|$", provenance, flags=re.MULTILINE))

    assert sorted(listed) == sorted(CITIZEN_FILES)
    for name, blob in listed.items():
        content = Path(CITIZENS_DIR / name).read_bytes()
        computed = hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()
        assert computed.startswith(blob), name


def test_python_m_sandbox_prints_the_franceconnect_issuer_and_client_id():
    process = subprocess.Popen(
        [sys.executable, "-m", "passfamille.sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        first, second = process.stdout.readline(), process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=10)

    port = re.search(r"http://127\.0\.0\.1:(\d+)", first).group(1)
    assert second.strip() == (
        f"Bac à sable FranceConnect : émetteur http://127.0.0.1:{port}/franceconnect/api/v2 "
        f"— client_id : {FS_CLIENT_ID}"
    )
