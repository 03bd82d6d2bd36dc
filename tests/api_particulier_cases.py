"""What the API client tests share: the commune's SIRET, the official sandbox's nominal identity, and the run's
sandbox with no fault left armed."""

import pytest

from passfamille.api_particulier import Identity

RECIPIENT = "21130990100018"
LEFEBVRE = Identity(
    birth_name="LEFEBVRE",
    first_names=("ALEXIS", "GÉRÔME", "JEAN-PHILIPPE"),
    sex="F",
    birth_year=1982,
    birth_month=12,
    birth_day=27,
    birth_country="99100",
    birth_commune_code="08480",
)


# Imported by each API client test module, where it stands for the run's sandbox.
@pytest.fixture(name="sandbox")
def sandbox_without_faults(sandbox):
    """The run's sandbox with no fault left armed before or after: these tests arm several, some not all used."""
    sandbox.clear_faults()
    yield sandbox
    sandbox.clear_faults()
