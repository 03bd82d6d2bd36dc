"""The built-in API Particulier sandbox ("bac à sable"), with a FranceConnect v2 sandbox beside it.

A small standalone Flask app that follows the API Particulier v3 HTTP contract for the endpoints passfamille uses
(identity and FranceConnect modalities), answers from the official sandbox fixtures, filters data by the token's
scopes as production does, and injects faults on demand. The FranceConnect sandbox (`franceconnect/`) is a blueprint
of the same app, under `/franceconnect/api/v2`: the access tokens it issues are the ones the FranceConnect modality
introspects. The app is never registered on the main app: it runs as its own HTTP server (`server.py`,
`python -m passfamille.sandbox`), so the app and its tests talk to it over real HTTP.
"""

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from flask import Flask

from . import franceconnect, impot
from .fixtures import FIXTURES_DIR, load_folder, load_france_connect_tokens
from .france_connect_modality import fixtures_by_login
from .state import ENDPOINTS, EXTENSION_KEY, FRANCE_CONNECT_ENDPOINTS, FRANCE_CONNECT_TOKENS_FOLDER, SandboxState
from .tokens import DEFAULT_TOKENS, normalise_tokens
from .views import bp

__all__ = ["DEFAULT_TOKENS", "create_sandbox_app"]


def _clock(today: date | Callable[[], date] | None) -> Callable[[], date]:
    if today is None:
        return date.today
    if isinstance(today, date):
        return lambda: today
    return today


def create_sandbox_app(
    tokens: Mapping[str, tuple] | None = None,
    today: date | Callable[[], date] | None = None,
    fixtures_dir: Path | None = None,
    clock: Callable[[], float] | None = None,
) -> Flask:
    """A new sandbox app with its own fixtures, tokens, fault board and FranceConnect keys and sessions.

    tokens: token -> Grant or (scopes, expired); default `DEFAULT_TOKENS`.
    today: a fixed date or a clock giving "N" and "yesterday" to the validation; default the real date.
    clock: seconds since the epoch for FranceConnect's lifetimes (code 30 s, access token 60 s…); default time.time.
    """
    folder = fixtures_dir or FIXTURES_DIR
    endpoints = ENDPOINTS + FRANCE_CONNECT_ENDPOINTS
    state = SandboxState(
        tokens=normalise_tokens(tokens),
        today=_clock(today),
        fixtures={endpoint.name: load_folder(folder / endpoint.fixtures_folder) for endpoint in endpoints},
        france_connect_tokens=load_france_connect_tokens(folder / FRANCE_CONNECT_TOKENS_FOLDER),
    )
    citizens = franceconnect.load_citizens()
    featured = fixtures_by_login(citizens, state.fixtures, FRANCE_CONNECT_ENDPOINTS)
    # The citizens the DGFiP sandbox knows as taxpayers are listed first too (our own fixture, see its PROVENANCE).
    taxpayers = impot.load_taxpayers()
    for login, citizen in citizens.items():
        if impot.fc_identity_to_spi(citizen.claims({"identite_pivot"}), taxpayers):
            featured[login] = (*featured.get(login, ()), "avis d'imposition (DGFiP)")
    app = Flask(__name__, static_folder=None)
    app.extensions[EXTENSION_KEY] = state
    app.extensions[franceconnect.EXTENSION_KEY] = franceconnect.FranceConnectState(citizens, clock, featured)
    app.register_blueprint(bp)
    app.register_blueprint(franceconnect.bp)
    impot.install(app)  # API Impôt particulier (DGFiP), sandbox/impot/
    # The DGFiP sandbox reads the FranceConnect sandbox's tokens (in-process introspection), and still its own
    # fixture tokens (`bac-a-sable-fc-<login>`).
    impot_state = impot.impot_state(app)
    fixture_claims = impot_state.fc_introspect
    impot_state.fc_introspect = lambda token: franceconnect.dgfip_claims(app, token) or fixture_claims(token)
    return app
