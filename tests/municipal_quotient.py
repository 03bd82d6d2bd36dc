"""A commune whose rules read « the QF when the CAF/MSA answers, else the avis »: the example settings with the 2026
rule set given `basis: caf_qf_else_municipal` and the municipal quotient rfr / 12 / parts. Used by the tests of the
proof step, the result page, the agent's check, the exports and the browser checks."""

from pathlib import Path

import pytest

from .conftest import edited_example_settings

DELIBERATION = "Délibération n° 2025-113 du 15 décembre 2025"
BASIS_BLOCK = f"""      full_price_discount_percent: 10
      basis: caf_qf_else_municipal
      municipal_quotient:
        formula: "rfr / 12 / parts"
        deliberation: "{DELIBERATION}"
"""


def with_municipal_quotient(text: str) -> str:
    """The example's 2026 rule set (the only one with full_price_discount_percent: 10) reading the avis too: as the
    example is shipped, or put back where the tests' copy has it on the CAF QF alone (conftest.on_the_caf_qf)."""
    if "      basis: caf_qf_else_municipal\n" in text:
        assert f'        deliberation: "{DELIBERATION}"\n' in text
        return text
    assert text.count("      full_price_discount_percent: 10\n") == 1
    return text.replace("      full_price_discount_percent: 10\n", BASIS_BLOCK)


@pytest.fixture
def municipal_settings(tmp_path) -> Path:
    return edited_example_settings(tmp_path / "commune-quotient-municipal", with_municipal_quotient)


@pytest.fixture
def app_config(app_config, municipal_settings):
    """Imported by a test module: every app of the module is the commune with the municipal quotient."""
    return {**app_config, "PASSFAMILLE_COMMUNE": str(municipal_settings)}
