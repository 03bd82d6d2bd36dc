"""`make bench`: time the nominal journey, page by page, against the real sandbox over HTTP.

Speed is measured here and never asserted in a test. Prints the median and 95th percentile of each page's
server time (Flask test client in-process, SQLite on disk, sandbox on loopback) over N journeys.
"""

import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from flask_migrate import upgrade  # noqa: E402

from passfamille import create_app  # noqa: E402
from passfamille.sandbox.server import start_in_thread  # noqa: E402
from tests.conftest import edited_example_settings  # noqa: E402
from tests.formclient import Browser  # noqa: E402
from tests.functional.journeys import LEFEBVRE, add_child, finish, through_api  # noqa: E402

JOURNEYS = int(sys.argv[1]) if len(sys.argv) > 1 else 30


class TimedClient:
    """Wraps the test client to time each request by the path it asked for."""

    def __init__(self, client, timings):
        self.client, self.timings = client, timings

    def __getattr__(self, name):
        return getattr(self.client, name)

    def _timed(self, method, url, **kwargs):
        started = time.perf_counter()
        response = getattr(self.client, method)(url, **kwargs)
        self.timings[f"{method.upper()} {url.split('?')[0].replace('http://localhost', '')}"].append(
            time.perf_counter() - started
        )
        return response

    def get(self, url, **kwargs):
        return self._timed("get", url, **kwargs)

    def post(self, url, **kwargs):
        return self._timed("post", url, **kwargs)


# One client sends every journey from one address: the per-address and service-wide limits (issue 9) would cut it
# off after ten lookups. A bench measures speed, not the limits.
NO_LIMITS = dict.fromkeys(
    (
        "LOOKUPS_PER_ADDRESS_HOUR",
        "DRAFTS_PER_ADDRESS_HOUR",
        "API_CALLS_PER_SECOND",
        "API_CALLS_PER_MINUTE",
        "LOGIN_ATTEMPTS_PER_ADDRESS",
    ),
    10**6,
)


def main():
    sandbox = start_in_thread()
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}",
            "API_PARTICULIER_URL": sandbox.url,
            "MAIL_FOLDER": str(folder / "mails"),
            "DOCUMENTS_FOLDER": str(folder / "documents"),
            # The journeys confirm the CAF/MSA facts they read: a commune that identifies its families.
            "PASSFAMILLE_COMMUNE": str(edited_example_settings(folder / "commune", lambda text: text)),
            **NO_LIMITS,
        }
    )
    with app.app_context():
        upgrade()
    timings = defaultdict(list)
    totals = []
    for _ in range(JOURNEYS):
        browser = Browser(TimedClient(app.test_client(), timings))
        started = time.perf_counter()
        page = through_api(browser, LEFEBVRE).choose("Oui, elles sont correctes").submit("Continuer")
        page = finish(add_child(page).submit("Continuer"))
        assert page.h1 == "Votre demande est envoyée"
        totals.append(time.perf_counter() - started)
    sandbox.stop()

    print(f"Parcours nominal (LEFEBVRE), {JOURNEYS} parcours, temps serveur par requête (ms) :")
    print(f"{'requête':45} {'médiane':>8} {'p95':>8}")
    for key, values in timings.items():
        values = sorted(values)
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        print(f"{key:45} {statistics.median(values) * 1000:8.1f} {p95 * 1000:8.1f}")
    print(
        f"Parcours complet : médiane {statistics.median(totals) * 1000:.0f} ms, "
        f"max {max(totals) * 1000:.0f} ms ({len(timings)} requêtes distinctes)"
    )


if __name__ == "__main__":
    main()
