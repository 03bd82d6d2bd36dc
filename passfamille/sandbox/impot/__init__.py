"""The built-in API Impôt particulier (DGFiP) sandbox, served by the same app as the API Particulier one.

    POST /impotparticulier/token                          OAuth 2.0 client credentials (public sandbox clients)
    GET  /impotparticulier/1.0/spi/{spi}/situations/ir/assiettes/annrev/{annrev}          scope RessourceIR
    GET  /impotparticulier/1.0/spi/{spi}/dernieresituation/ir/assiettes/annrev/{annrev}   scope RessourceIRDerniere
    GET  /impotparticulier/1.0/spi/{spi}/dernieresituation/ir/assiettes/deuxans           scope RessourceIRDerniere2
    … and each without `/spi/{spi}`, with the header X-FranceConnect-OAuth (FranceConnect modality).

So the app's IMPOT_PARTICULIER_URL is `<sandbox>/impotparticulier/1.0` and IMPOT_PARTICULIER_TOKEN_URL
`<sandbox>/impotparticulier/token`. Faults armed on the sandbox (`/_bac-a-sable/pannes`) apply to the resources.
"""

from flask import Flask

from .fixtures import FIXTURE_FC_TOKEN_PREFIX, fc_identity_to_spi, load_taxpayers
from .state import (
    EXTENSION_KEY,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_ID_TELESERVICE,
    ImpotSandboxState,
)
from .views import UNDERSCORE_HEADERS_KEY, bp

__all__ = [
    "FIXTURE_FC_TOKEN_PREFIX",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_CLIENT_SECRET",
    "SANDBOX_ID_TELESERVICE",
    "UNDERSCORE_HEADERS_KEY",
    "fc_identity_to_spi",
    "impot_state",
    "install",
    "load_taxpayers",
]


def install(app: Flask) -> None:
    """Register the DGFiP routes and their state on a sandbox app (called by create_sandbox_app)."""
    app.extensions[EXTENSION_KEY] = ImpotSandboxState(load_taxpayers())
    app.register_blueprint(bp)


def impot_state(app: Flask) -> ImpotSandboxState:
    """The state tests drive: `clock`, `calls_per_minute`, `token_seconds`, `fc_introspect`, `last_call`."""
    return app.extensions[EXTENSION_KEY]
