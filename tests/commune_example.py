"""The example commune settings file as text, and how the commune settings tests break it one mistake at a time."""

import shutil

import pytest

from passfamille.config import DEFAULT_COMMUNE_FILE

EXAMPLE_TEXT = DEFAULT_COMMUNE_FILE.read_text(encoding="utf-8")


# Imported by each commune settings test module, where it applies to every test.
@pytest.fixture(autouse=True)
def example_logo_beside(tmp_path):
    """Copies of the example settings written to tmp_path find the example's logo beside them."""
    shutil.copy(DEFAULT_COMMUNE_FILE.parent / "logo-val-fleuri.svg", tmp_path)


def broken(old: str, new: str) -> str:
    assert EXAMPLE_TEXT.count(old) >= 1, f"the example file no longer contains {old!r}"
    return EXAMPLE_TEXT.replace(old, new, 1)
