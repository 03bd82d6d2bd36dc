"""FranceConnectClient: FranceConnect v2's OpenID Connect contract for a service provider, one object per app.

Authlib does the protocol (discovery, the authorization URL, the code exchanged with `client_secret_post`, the ID
token's signature, `iss`, `aud`, `exp`, `nonce` and `at_hash`, a new JWKS on an unknown key, the logout URL); this
module adds what FranceConnect asks besides (REFERENCE §1, §8): `acr_values=eidas1` and a nonce of 32 characters
(Authlib's default is 20, FranceConnect wants 22 at least), the `acr` checked, and userinfo, which FranceConnect signs
(`application/jwt`), checked with the same keys and its `sub` compared with the ID token's.

No state is kept here: the `state` and `nonce` of a login live on the family's draft (the caller's), so that any
worker can receive the callback. Nothing is logged but the step and the class of an error: never a token, a code or
an identity.
"""

import logging
import secrets
import time
from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import BaseApp, FrameworkIntegration, OAuth2Mixin, OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

log = logging.getLogger("passfamille.franceconnect")

ACR = "eidas1"  # FranceConnect v2: eIDAS « faible » (FranceConnect+ is another platform)
# The claims of the identity pivot (scope identite_pivot), all that API Particulier needs to find the family.
PIVOT_CLAIMS = ("given_name", "family_name", "birthdate", "gender", "birthplace", "birthcountry")


class FranceConnectError(Exception):
    """The login did not come through: FranceConnect unreachable, or an answer that fails a check. `step` says where
    (discovery, token, id_token, userinfo), for the log and the agents' health page; never shown to the family."""

    def __init__(self, step: str, cause: str):
        super().__init__(f"{step}: {cause}")
        self.step = step
        self.cause = cause


@dataclass(frozen=True)
class Authorization:
    url: str
    state: str
    nonce: str


@dataclass(frozen=True)
class Login:
    """What one login gives the service: the access token (60 s: API Particulier is called with it at once), the ID
    token (kept for the logout only) and the userinfo claims."""

    access_token: str
    id_token: str
    claims: dict
    scope: str


class _App(OAuth2Mixin, OpenIDMixin, BaseApp):
    client_cls = OAuth2Session


class FranceConnectClient:
    def __init__(self, issuer: str, client_id: str, client_secret: str, scopes: str, timeout: float = 8.0):
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.scopes = scopes
        self._app = _App(
            FrameworkIntegration("franceconnect"),
            name="franceconnect",
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={
                "scope": scopes,
                "token_endpoint_auth_method": "client_secret_post",
                "default_timeout": timeout,
                # Authlib counts a token as expired 60 s early by default: FranceConnect's live 60 s in all.
                "leeway": 5,
            },
        )

    # --- the way out to FranceConnect ---------------------------------------------------------------------

    def authorization(self, redirect_uri: str, scopes: str | None = None) -> Authorization:
        """The URL of FranceConnect's login page for this family, with a fresh state and nonce to keep."""
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        found = self._guard(
            "discovery",
            lambda: self._app.create_authorization_url(
                redirect_uri, state=state, nonce=nonce, acr_values=ACR, scope=scopes or self.scopes
            ),
        )
        return Authorization(url=found["url"], state=state, nonce=nonce)

    # --- the way back -------------------------------------------------------------------------------------

    def login(self, code: str, redirect_uri: str, nonce: str) -> Login:
        """Exchange the callback's code, check the ID token and the signed userinfo; raise FranceConnectError."""
        token = self._guard("token", lambda: self._app.fetch_access_token(redirect_uri, code=code))
        if not token.get("access_token") or not token.get("id_token"):
            raise FranceConnectError("token", "incomplete")
        id_claims = self._guard("id_token", lambda: self._app.parse_id_token(token, nonce=nonce, leeway=30))
        if id_claims.get("acr") != ACR:
            raise FranceConnectError("id_token", "acr")
        claims = self._userinfo(token)
        if claims.get("sub") != id_claims.get("sub"):
            raise FranceConnectError("userinfo", "sub")
        return Login(
            access_token=token["access_token"],
            id_token=token["id_token"],
            claims=claims,
            scope=token.get("scope") or "",
        )

    def _userinfo(self, token: dict) -> dict:
        metadata = self._guard("discovery", self._app.load_server_metadata)
        response = self._guard("userinfo", lambda: self._app.get(metadata["userinfo_endpoint"], token=token))
        if response.status_code != 200:
            raise FranceConnectError("userinfo", f"HTTP {response.status_code}")
        algorithms = metadata.get("userinfo_signing_alg_values_supported") or ["ES256", "RS256"]
        registry = JWSRegistry(algorithms=algorithms)

        def decode(force: bool):
            keys = KeySet.import_key_set(self._app.fetch_jwk_set(force=force))
            return jwt.decode(response.text.strip(), keys, registry=registry)

        try:
            try:
                decoded = decode(force=False)
            except InvalidKeyIdError:
                decoded = decode(force=True)  # FranceConnect rotated its keys
        except (JoseError, ValueError, requests.RequestException) as error:
            raise self._failed("userinfo", error) from None
        claims = dict(decoded.claims)
        if claims.get("iss") != self.issuer or claims.get("aud") not in (self.client_id, [self.client_id]):
            raise FranceConnectError("userinfo", "iss/aud")
        return claims

    # --- logout -------------------------------------------------------------------------------------------

    def logout_url(self, id_token: str, post_logout_redirect_uri: str, state: str) -> str:
        found = self._guard(
            "discovery",
            lambda: self._app.create_logout_url(
                post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token, state=state
            ),
        )
        return found["url"]

    # --- errors -------------------------------------------------------------------------------------------

    def _guard(self, step: str, call):
        started = time.monotonic()
        try:
            result = call()
        except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError, RuntimeError) as error:
            raise self._failed(step, error, started) from None
        return result

    @staticmethod
    def _failed(step: str, error: Exception, started: float | None = None) -> FranceConnectError:
        # The class and, for Authlib's protocol errors, their code (invalid_grant…): never the message, which may
        # quote a URL with the code or a claim.
        cause = getattr(error, "error", None) or type(error).__name__
        duration = f" duration_ms={round((time.monotonic() - started) * 1000)}" if started else ""
        log.warning("franceconnect step=%s error=%s%s", step, cause, duration)
        return FranceConnectError(step, str(cause))
