"""FranceConnect v2 for families: they log in, their identity comes certified, and API Particulier is asked with
their FranceConnect access token (REFERENCE §3, ../shared/franceconnect/REFERENCE.md).

The package: the OpenID Connect client (client.py), the identity as applicant's answers (identity.py), the routes
of the login, its callback and the logout (views.py). A commune without FranceConnect habilitation (no client id)
never sees any of it: `client()` is None."""

from collections.abc import Mapping

from flask import Flask, current_app

from .client import FranceConnectClient, FranceConnectError, Login

__all__ = ["FranceConnectClient", "FranceConnectError", "Login", "client", "install", "scopes_for"]

EXTENSION_KEY = "franceconnect"


def install(app: Flask) -> None:
    config: Mapping = app.config
    settings = (config["FRANCECONNECT_URL"], config["FRANCECONNECT_CLIENT_ID"], config["FRANCECONNECT_CLIENT_SECRET"])
    app.extensions[EXTENSION_KEY] = (
        FranceConnectClient(*settings, scopes=config["FRANCECONNECT_SCOPES"]) if all(settings) else None
    )
    from .views import bp

    app.register_blueprint(bp)


def client() -> FranceConnectClient | None:
    return current_app.extensions.get(EXTENSION_KEY)


# FranceConnect's own scopes (REFERENCE §2): the identity, asked whatever the démarches; the others are data
# providers' (the CAF/MSA's QF, the EAJE's, the DGFiP's), asked only for the démarche that uses them.
IDENTITY_SCOPES = frozenset(
    {
        "openid",
        "identite_pivot",
        "profile",
        "birth",
        "given_name",
        "family_name",
        "birthdate",
        "gender",
        "birthplace",
        "birthcountry",
        "email",
        "preferred_username",
    }
)


def scopes_for(wants_pass_famille: bool, wants_creche: bool, wants_dgfip: bool = False) -> str:
    """The scopes of a login (data minimisation): the identity, the Pass Famille's data when the pass is asked, the
    crèche's data when a place is, and the DGFiP's when its avis d'imposition may be asked (wizard/fiscal.py)."""
    configured = current_app.config["FRANCECONNECT_SCOPES"].split()
    scopes = configured if wants_pass_famille else [s for s in configured if s in IDENTITY_SCOPES]
    if wants_creche:
        scopes += [s for s in current_app.config["FRANCECONNECT_SCOPES_CRECHE"].split() if s not in scopes]
    if wants_dgfip:
        scopes += [s for s in current_app.config.get("FRANCECONNECT_SCOPES_DGFIP", "").split() if s not in scopes]
    return " ".join(scopes)
