"""The built-in API Particulier sandbox ("bac à sable").

A small standalone Flask app that follows the API Particulier v3 HTTP contract for the two endpoints passfamille
uses, answers from the official sandbox fixtures, filters data by the token's scopes as production does, and injects
faults on demand. It is never registered on the main app: it runs as its own HTTP server (`server.py`,
`python -m passfamille.sandbox`), so the app and its tests talk to it over real HTTP.
"""

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from flask import Flask

from . import impot
from .fixtures import FIXTURES_DIR, load_folder
from .state import ENDPOINTS, EXTENSION_KEY, SandboxState
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
) -> Flask:
    """A new sandbox app with its own fixtures, tokens and fault board.

    tokens: token -> Grant or (scopes, expired); default `DEFAULT_TOKENS`.
    today: a fixed date or a clock giving "N" and "yesterday" to the validation; default the real date.
    """
    folder = fixtures_dir or FIXTURES_DIR
    state = SandboxState(
        tokens=normalise_tokens(tokens),
        today=_clock(today),
        fixtures={endpoint.name: load_folder(folder / endpoint.fixtures_folder) for endpoint in ENDPOINTS},
    )
    app = Flask(__name__, static_folder=None)
    app.extensions[EXTENSION_KEY] = state
    app.register_blueprint(bp)
    impot.install(app)  # API Impôt particulier (DGFiP), sandbox/impot/
    return app
