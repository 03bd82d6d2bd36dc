"""What the API Impôt particulier tests share: a sandbox of their own whose dates and clock they move (no sleeping),
the public sandbox credentials, and the test taxpayers."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from passfamille.impot_particulier import ImpotParticulierClient
from passfamille.sandbox.impot import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, impot_state
from passfamille.sandbox.impot.fixtures import load_taxpayers
from passfamille.sandbox.impot.state import EXTENSION_KEY, ImpotSandboxState
from passfamille.sandbox.server import start_in_thread

TODAY = date(2026, 11, 24)  # after the 22 July changeover: the last avis out is the one of incomes 2025
TELESERVICE = "teleservice-de-test"
ERIC = "3999999930262"  # CIS QUARANTECINQ: célibataire, RFR 28 678, 1 part (FranceConnect data set)
VINCENT = "3999999898230"  # CIS QUATORZE: marié, RFR 48 583, 2 parts, impôt 2 982 € (recorded by siade)
LATE = "3999990410451"  # our own case: its last avis is not out yet
NO_CONTENT, FORBIDDEN, NOT_FOUND, TECHNICAL = "3999990204245", "3999990403444", "3999990404445", "3999990500030"
UNKNOWN = "3999999001" + f"{3999999001 % 511:03d}"  # a well-formed numéro fiscal of nobody
BAD_KEY = "3999999930263"  # 13 digits, wrong key: the sandbox answers 400 « format SPI incorrect »


class Clock:
    """Epoch seconds that move only when told, five seconds into a minute."""

    def __init__(self):
        self.now = datetime(2026, 11, 24, 10, 0, 5, tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Days:
    today: date = TODAY

    def __call__(self) -> date:
        return self.today


@pytest.fixture(scope="module", name="running")
def running_impot_sandbox():
    days = Days()
    sandbox = start_in_thread(today=days)
    sandbox.days = days
    yield sandbox
    sandbox.stop()


@pytest.fixture(name="sandbox")
def fresh_impot_sandbox(running):
    """The module's sandbox, as new: its own clock, no token issued, no call counted, no fault armed."""
    running.clear_faults()
    running.days.today = TODAY
    running.clock = Clock()
    running.app.extensions[EXTENSION_KEY] = ImpotSandboxState(load_taxpayers(), clock=running.clock)
    running.impot = impot_state(running.app)
    yield running
    running.clear_faults()


def make_client(sandbox, **options) -> ImpotParticulierClient:
    settings = {
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "connect_timeout": 1,
        "read_timeout": 2,
        "clock": sandbox.clock,
        "sleep": lambda seconds: None,
        **options,
    }
    client_id, client_secret = settings.pop("client_id"), settings.pop("client_secret")
    return ImpotParticulierClient(
        f"{sandbox.url}/impotparticulier/1.0",
        f"{sandbox.url}/impotparticulier/token",
        client_id,
        client_secret,
        TELESERVICE,
        **settings,
    )
