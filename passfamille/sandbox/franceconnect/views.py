"""HTTP routes of the FranceConnect v2 sandbox, with FranceConnect's names under `/franceconnect/api/v2`
(REFERENCE §1, §7): discovery, JWKS, authorize and its mire, token, userinfo, logout, revocation, checktoken.

A request that cannot be answered to the client (unknown client, redirect_uri not registered, missing state or
nonce…) gets an HTML error page, never a redirect to an unchecked address; a valid client asking for too much is
sent back to its redirect_uri with an OAuth error, as FranceConnect does.
"""

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from ..tokens import bearer_token
from .clients import DATA_PROVIDERS, SERVICE_PROVIDERS, Client, claims_for
from .state import ACR, EXTENSION_KEY, ID_TOKEN_TTL, CodeRefused, FranceConnectState, Interaction, pairwise_sub

PREFIX = "/franceconnect/api/v2"
MIN_NONCE_LENGTH = 22
SESSION_COOKIE = "bac_a_sable_franceconnect"
CHECKTOKEN_FIELDS = {"token", "client_id", "client_secret"}
ERROR_CODE = "Y000400"  # FranceConnect's code for a malformed request (fc-docs `technique-endpoints.md`)

bp = Blueprint("franceconnect_sandbox", __name__, url_prefix=PREFIX, template_folder="templates")


def _state() -> FranceConnectState:
    return current_app.extensions[EXTENSION_KEY]


def issuer() -> str:
    # From the request, so that a sandbox on port 0 (tests) or on another host name has the right issuer.
    return request.url_root.rstrip("/") + PREFIX


def _json(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")
    response.headers.update(headers or {})
    return response


def _oauth_error(error: str, status: int, description: str = "") -> Response:
    body = {"error": error, "error_description": description} if description else {"error": error}
    return _json(body, status, {"Cache-Control": "no-store"})


def _error_page(message: str, status: int = 400) -> tuple[str, int]:
    return render_template("franceconnect_sandbox/erreur.html", message=message, code=ERROR_CODE), status


def _with_query(uri: str, **params: str) -> str:
    parts = urlsplit(uri)
    query = "&".join(part for part in (parts.query, urlencode(params)) if part)
    return urlunsplit(parts._replace(query=query))


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _authenticated_client(clients: dict[str, Client]) -> Client | None:
    """client_secret_post only (FranceConnect's default; HTTP Basic is refused): id and secret in the form."""
    if "Authorization" in request.headers:
        return None
    client = clients.get(request.form.get("client_id", ""))
    if client is None or not _same(request.form.get("client_secret"), client.client_secret):
        return None
    return client


# --- Discovery and keys --------------------------------------------------------------------------------------------


@bp.get("/.well-known/openid-configuration")
def discovery():
    base = issuer()
    scopes = sorted(set().union(*(client.scopes for client in SERVICE_PROVIDERS.values())))
    return _json(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks",
            "end_session_endpoint": f"{base}/session/end",
            "revocation_endpoint": f"{base}/token/revocation",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise"],
            "acr_values_supported": [ACR],
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            "userinfo_signing_alg_values_supported": ["ES256", "RS256"],
            # FranceConnect's list; this sandbox checks client_secret_post only (its clients have no keys).
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "claims_parameter_supported": True,
            "request_parameter_supported": False,
            "scopes_supported": scopes,
            "claims_supported": ["sub", *claims_for(set(scopes)), "acr", "amr", "auth_time", "nonce", "at_hash"],
        }
    )


@bp.get("/jwks")
def jwks():
    return _json(_state().keys.jwks())


# --- Authorize, the mire, and the way back ------------------------------------------------------------------------


@bp.route("/authorize", methods=["GET", "POST"])
def authorize():
    params = request.values
    client = SERVICE_PROVIDERS.get(params.get("client_id", ""))
    if client is None:
        return _error_page("Le client_id est inconnu de FranceConnect.")
    redirect_uri = params.get("redirect_uri", "")
    if not client.accepts_redirect(redirect_uri):
        return _error_page("La redirect_uri n'est pas enregistrée pour ce fournisseur de service.")
    state, nonce = params.get("state", ""), params.get("nonce", "")
    if not state:
        return _error_page("Le paramètre state est obligatoire.")
    if len(nonce) < MIN_NONCE_LENGTH:
        return _error_page(
            f"Le paramètre nonce est obligatoire et doit compter au moins {MIN_NONCE_LENGTH} caractères."
        )
    acr_values = params.get("acr_values", "").split()
    if not acr_values:
        return _error_page("Le paramètre acr_values est obligatoire (eidas1).")
    if params.get("response_type") != "code":
        return _error_page("Le paramètre response_type doit valoir code.")

    scopes = params.get("scope", "").split()
    if "openid" not in scopes or not set(scopes) <= client.scopes:
        refused = " ".join(sorted(set(scopes) - client.scopes)) or "openid manquant"
        return redirect(_with_query(redirect_uri, error="invalid_scope", error_description=refused, state=state))
    if set(acr_values) != {ACR}:
        described = "acr_values non pris en charge : seul eidas1 l'est"
        return redirect(_with_query(redirect_uri, error="invalid_request", error_description=described, state=state))

    scopes = list(dict.fromkeys(scopes))  # duplicates dropped, order kept
    uid = _state().start_interaction(client.client_id, redirect_uri, state, nonce, scopes)
    return _mire(uid, selected=_state().session_login(request.cookies.get(SESSION_COOKIE)))


def _mire(uid: str, selected: str | None = None, error: str = "", status: int = 200):
    state = _state()
    featured = [login for login in state.citizens if login in state.featured]
    others = [login for login in state.citizens if login not in state.featured]
    citizens = [
        {"login": login, "label": state.citizens[login].label, "fixtures": state.featured.get(login, ())}
        for login in featured + others
    ]
    html = render_template(
        "franceconnect_sandbox/mire.html",
        action=url_for(".finish_interaction", uid=uid),
        citizens=citizens,
        selected=selected,
        error=error,
    )
    return html, status


@bp.get("/interaction/<uid>")
def show_interaction(uid: str):
    if _state().interaction(uid) is None:
        return _expired_interaction()
    return _mire(uid, selected=_state().session_login(request.cookies.get(SESSION_COOKIE)))


@bp.post("/interaction/<uid>")
def finish_interaction(uid: str):
    # The uid is an unguessable value of this one interaction, held only by the page that shows the form: it plays
    # the part of a CSRF token.
    state = _state()
    interaction = state.interaction(uid)
    if interaction is None:
        return _expired_interaction()
    if request.form.get("action") == "annuler":
        state.end_interaction(uid)
        return _back(interaction, error="access_denied", error_description="User auth aborted", state=interaction.state)
    login = request.form.get("login", "")
    if login not in state.citizens:
        message = "Cette identité de test n'existe pas." if login else "Choisissez une identité de test."
        return _mire(uid, error=message, status=400)
    if state.end_interaction(uid) is None:  # the same form sent twice at once: the first one wins
        return _expired_interaction()
    code = state.issue_code(interaction, login)
    response = _back(interaction, code=code, state=interaction.state, iss=issuer())
    response.set_cookie(
        SESSION_COOKIE, state.open_session(login), path=PREFIX, httponly=True, samesite="Lax", max_age=30 * 60
    )
    return response


def _back(interaction: Interaction, **params: str) -> Response:
    return redirect(_with_query(interaction.redirect_uri, **params), code=303)


def _expired_interaction():
    return _error_page(
        "Cette demande de connexion a expiré ou n'existe pas : retournez sur le service pour vous connecter à nouveau."
    )


# --- Token, userinfo, revocation -----------------------------------------------------------------------------------


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


@bp.post("/token")
def token():
    client = _authenticated_client(SERVICE_PROVIDERS)
    if client is None:
        return _oauth_error("invalid_client", 401, "client_secret_post attendu, identifiants du client refusés")
    if request.form.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type", 400)
    code = request.form.get("code", "")
    if not code:
        return _oauth_error("invalid_request", 400, "code manquant")
    state = _state()
    try:
        exchange = state.exchange_code(code, client.client_id, request.form.get("redirect_uri", ""))
    except CodeRefused as refused:
        return _oauth_error("invalid_grant", 400, str(refused))
    grant = exchange.grant
    now = int(grant.issued_at)
    id_token = state.keys.sign(
        {
            "iss": issuer(),
            "sub": pairwise_sub(client.client_id, grant.login),
            "aud": client.client_id,
            "exp": now + ID_TOKEN_TTL,
            "iat": now,
            "auth_time": exchange.auth_time,
            "nonce": exchange.nonce,
            "acr": ACR,
            "at_hash": _at_hash(exchange.access_token),
        },
        client.id_token_signed_response_alg,
    )
    body = {
        "access_token": exchange.access_token,
        "token_type": "Bearer",
        "expires_in": int(grant.expires_at - grant.issued_at),
        "id_token": id_token,
        "scope": " ".join(grant.scopes),
    }
    return _json(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


@bp.get("/userinfo")
def userinfo():
    state = _state()
    grant = state.active_grant(bearer_token(request.headers.get("Authorization")))
    citizen = state.citizens.get(grant.login) if grant else None
    if grant is None or citizen is None:
        response = _oauth_error("invalid_token", 401, "jeton d'accès inconnu, expiré ou révoqué")
        response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'  # RFC 6750 §3
        return response
    client = SERVICE_PROVIDERS[grant.client_id]
    claims = {
        "iss": issuer(),
        "aud": client.client_id,
        "sub": pairwise_sub(client.client_id, grant.login),
        **citizen.claims(set(grant.scopes)),
    }
    signed = state.keys.sign(claims, client.userinfo_signed_response_alg)
    return Response(signed, content_type="application/jwt", headers={"Cache-Control": "no-store"})


@bp.post("/token/revocation")
def revocation():
    client = _authenticated_client(SERVICE_PROVIDERS)
    if client is None:
        return _oauth_error("invalid_client", 401)
    _state().revoke(request.form.get("token", ""), client.client_id)
    return Response(status=200)  # RFC 7009 §2.2: the same answer whether the token was known or not


# --- Logout --------------------------------------------------------------------------------------------------------


@bp.get("/session/end")
def end_session():
    state = _state()
    claims = state.keys.verify(request.args.get("id_token_hint", ""))  # an expired ID token is fine here
    audience = (claims or {}).get("aud")
    client = SERVICE_PROVIDERS.get(audience if isinstance(audience, str) else "")
    if client is None:
        return _error_page("Le paramètre id_token_hint doit être un ID token émis par FranceConnect.")
    target = request.args.get("post_logout_redirect_uri", "")
    if not client.accepts_post_logout_redirect(target):
        return _error_page("La post_logout_redirect_uri n'est pas enregistrée pour ce fournisseur de service.")
    state.close_session(request.cookies.get(SESSION_COOKIE))
    back = request.args.get("state")
    response = redirect(_with_query(target, state=back) if back else target, code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


# --- Checktoken (data providers) ---------------------------------------------------------------------------------


@bp.post("/checktoken")
def checktoken():
    """For data providers (here the API Particulier sandbox). FranceConnect encrypts this JWS into a JWE for the
    provider's key; the sandbox answers the signed JWS only (REFERENCE §7)."""
    fields = set(request.form.keys())
    if fields != CHECKTOKEN_FIELDS or not all(request.form.get(name) for name in CHECKTOKEN_FIELDS):
        return _oauth_error("invalid_request", 400)
    provider = _authenticated_client(DATA_PROVIDERS)
    if provider is None:
        return _oauth_error("invalid_client", 401)
    state = _state()
    payload = {
        "iss": issuer(),
        "aud": provider.client_id,
        "iat": int(state.clock()),
        "token_introspection": state.introspect(request.form["token"], provider.client_id),
    }
    signed = state.keys.sign(payload, "ES256", typ="token-introspection+jwt")
    return Response(signed, content_type="application/token-introspection+jwt", headers={"Cache-Control": "no-store"})
