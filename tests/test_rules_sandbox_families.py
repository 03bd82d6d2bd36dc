"""The example commune file against the official API Particulier sandbox families: one row per family."""

from datetime import date

import pytest

from passfamille import rules as r
from passfamille.commune import load_settings
from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.rules import Child, Household, QuotientFamilial, decide

# The official API Particulier sandbox families (shared/api-particulier §9.3) against the example file:
# someone trying the app must meet eligible, not eligible and non-resident families.
SANDBOX_ON = date(2026, 11, 24)


def sandbox(postal: str, qf: int, provider: str, month: tuple[int, int], *births: str) -> Household:
    children = tuple(Child("ENFANT", date.fromisoformat(b), "api") for b in births)
    return Household(QuotientFamilial(qf, provider, *month, "api"), "known", children, postal)


SANDBOX_FAMILIES = [
    ("dupont_sophie", sandbox("13006", 900, "CNAF", (2023, 6), "2007-06-22", "2013-11-15", "2016-12-03", "2015-09-01"),
     (True, "B", ())),
    ("martin_pierre", sandbox("13001", 1200, "CNAF", (2023, 6), "2005-04-20", "2012-08-15", "2015-01-10"),
     (True, "C", ())),
    ("rocher_sandrine", sandbox("13001", 800, "CNAF", (2023, 6), "2009-05-14"), (True, "B", ())),
    ("bernanrd_julien", sandbox("13008", 1050, "CNAF", (2023, 6), "2006-06-08", "2015-09-01"), (True, "C", ())),
    ("lefebvre_alexis", sandbox("75002", 2550, "CNAF", (2023, 6)),
     (False, None, (r.NO_CHILD_UNDER_LIMIT,))),
    ("lisa_mona", sandbox("75001", 4270, "CNAF", (2026, 4)),
     (False, None, (r.NO_CHILD_UNDER_LIMIT, r.QF_ABOVE_CEILING))),
    ("roux_jeanne", sandbox("75002", 150, "MSA", (2026, 5), "2006-04-20", "2004-04-20"),
     (False, None, (r.NO_CHILD_UNDER_LIMIT,))),
    ("bernard_elodie", sandbox("75002", 650, "CNAF", (2023, 6), "1990-04-20"),
     (False, None, (r.NO_CHILD_UNDER_LIMIT,))),
    ("giraud_anne", sandbox("13400", 1200, "CNAF", (2023, 6), "2004-03-30", "2012-07-12", "2018-11-25"),
     (False, None, (r.NOT_RESIDENT,))),
    ("roux_david", sandbox("13127", 1200, "CNAF", (2023, 6), "2011-09-12", "2014-01-28", "2017-06-03"),
     (False, None, (r.NOT_RESIDENT,))),
    ("martin_axelle", sandbox("35000", 150, "CNAF", (2026, 4)),
     (False, None, (r.NOT_RESIDENT, r.NO_CHILD_UNDER_LIMIT))),
    ("martin_pierre_msa", sandbox("51000", 200, "MSA", (2024, 9), "2006-04-20", "2010-04-20"),
     (False, None, (r.NOT_RESIDENT,))),
    ("simpson_marge", sandbox("51000", 300, "CNAF", (2024, 8), "2012-02-28", "2013-03-01"),
     (False, None, (r.NOT_RESIDENT,))),
    ("durand_sophie", sandbox("75008", 800, "CNAF", (2024, 3)),
     (False, None, (r.NOT_RESIDENT, r.NO_CHILD_UNDER_LIMIT))),
    ("fakir_eymen", sandbox("92330", 4270, "CNAF", (2023, 6)),
     (False, None, (r.NOT_RESIDENT, r.NO_CHILD_UNDER_LIMIT, r.QF_ABOVE_CEILING))),
]  # fmt: skip


@pytest.fixture(scope="module")
def example_rules():
    return load_settings(DEFAULT_COMMUNE_FILE).pass_famille.rules


@pytest.mark.parametrize(
    ("household", "expected"), [row[1:] for row in SANDBOX_FAMILIES], ids=[row[0] for row in SANDBOX_FAMILIES]
)
def test_example_file_gives_the_documented_outcome_for_sandbox_families(example_rules, household, expected):
    decision = decide(household, example_rules, SANDBOX_ON)

    eligible, bracket_code, reasons = expected
    assert decision.eligible is eligible
    assert (decision.bracket.code if decision.bracket else None) == bracket_code
    assert decision.reasons == reasons
    assert decision.rules_version == "2026-01-01 / délibération n° 2025-112 du 15/12/2025"
