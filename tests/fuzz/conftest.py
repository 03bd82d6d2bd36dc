"""Generated bad input against every form and query parameter, through the Flask test client in-process.

Each test reaches its page once (a draft, an application, an agent's session), takes a snapshot of the database,
then posts many generated values; a request that changed something (a valid post) is followed by a restore, so
that every example meets the same state. The run prints how many cases were generated."""

import shutil
import time
from pathlib import Path

import pytest

from passfamille.extensions import db

UNLIMITED = 10**6


@pytest.fixture
def app_config(app_config):
    """The run's configuration with the per-address and service-wide limits out of the way: they are not what
    these tests are about, and thousands of requests from 127.0.0.1 would meet them."""
    return {
        **app_config,
        "DRAFTS_PER_ADDRESS_HOUR": UNLIMITED,
        "LOOKUPS_PER_ADDRESS_HOUR": UNLIMITED,
        "API_CALLS_PER_SECOND": UNLIMITED,
        "API_CALLS_PER_MINUTE": UNLIMITED,
        "LOGIN_ATTEMPTS": UNLIMITED,
        "LOGIN_ATTEMPTS_PER_ADDRESS": UNLIMITED,
        "RATELIMIT_ENABLED": False,
    }


class Snapshot:
    """A copy of the test's SQLite database, put back after a request that changed it."""

    def __init__(self, app):
        self.app = app
        self.database = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
        self.copy = self.database.with_suffix(".snapshot")
        self.take()

    def _close(self):
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def take(self):
        self._close()
        shutil.copyfile(self.database, self.copy)

    def restore(self):
        self._close()
        shutil.copyfile(self.copy, self.database)


@pytest.fixture
def cases(request):
    """Counts the examples a test ran. The count goes with the test's report, so that tests/conftest.py adds up those
    of every xdist worker for the summary line printed at the end of the run."""
    started = time.monotonic()
    counter = {"n": 0}
    yield counter
    request.node.user_properties.extend([("fuzz_cases", counter["n"]), ("fuzz_seconds", time.monotonic() - started)])
