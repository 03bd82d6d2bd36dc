"""The app's API Particulier clients: one per token, and which one each démarche calls.

Since March 2026 the crèche prices (EAJE endpoint) have a habilitation of their own with fixed scopes, so a commune
doing both démarches usually holds two tokens (REFERENCE §10: one token per démarche). API_PARTICULIER_TOKEN serves
everything unless API_PARTICULIER_TOKEN_CRECHE is set, which then serves the crèche's calls alone.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app

from .api_particulier import ApiParticulierClient

# Application.demarche codes (demarches/pass_famille.py, demarches/creche.py).
PASS_FAMILLE, CRECHE = "pass_famille", "creche"
# app.extensions keys. The default client keeps the key it always had.
_DEFAULT_KEY, _CRECHE_KEY = "api_particulier", "api_particulier_creche"


def install(extensions: dict, config: Mapping, recipient: str) -> None:
    """Build the clients into app.extensions: the crèche's is the default one unless it has a token of its own."""

    def client(token: str) -> ApiParticulierClient:
        return ApiParticulierClient(
            config["API_PARTICULIER_URL"],
            token,
            recipient=recipient,
            connect_timeout=config["API_PARTICULIER_CONNECT_TIMEOUT"],
            read_timeout=config["API_PARTICULIER_READ_TIMEOUT"],
            deadline=config["API_PARTICULIER_DEADLINE"],
        )

    default = client(config["API_PARTICULIER_TOKEN"])
    creche_token = config.get("API_PARTICULIER_TOKEN_CRECHE") or ""
    extensions[_DEFAULT_KEY] = default
    extensions[_CRECHE_KEY] = client(creche_token) if creche_token not in ("", default.token) else default


def client_for(demarche: str) -> ApiParticulierClient:
    """The client whose token is habilitated for this démarche's endpoint."""
    return current_app.extensions[_CRECHE_KEY if demarche == CRECHE else _DEFAULT_KEY]


@dataclass(frozen=True)
class TokenUse:
    """A token the app calls API Particulier with: the setting that holds it and the démarches it serves."""

    setting: str
    client: ApiParticulierClient
    demarches: tuple[str, ...]


def tokens_in_use() -> tuple[TokenUse, ...]:
    """Each token the app really calls with. A commune without crèches never calls with the crèche's."""
    default = current_app.extensions[_DEFAULT_KEY]
    if current_app.extensions["commune"].creche is None:
        return (TokenUse("API_PARTICULIER_TOKEN", default, (PASS_FAMILLE,)),)
    creche = current_app.extensions[_CRECHE_KEY]
    if creche is default:
        return (TokenUse("API_PARTICULIER_TOKEN", default, (PASS_FAMILLE, CRECHE)),)
    return (
        TokenUse("API_PARTICULIER_TOKEN", default, (PASS_FAMILLE,)),
        TokenUse("API_PARTICULIER_TOKEN_CRECHE", creche, (CRECHE,)),
    )
