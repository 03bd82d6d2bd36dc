"""The numéro fiscal (SPI) as the family types it: 13 digits, spaces allowed (the avis prints it in groups)."""

import re

from .errors import InvalidSpi

# ASCII digits only: str.isdigit() accepts « ² » and other digits no API knows.
_SPI = re.compile(r"[0-9]{13}")


def normalise_spi(text: str) -> str:
    """The 13 digits without spaces, or InvalidSpi. Never put the value in the exception or a log."""
    compact = re.sub(r"\s+", "", text or "")
    if not _SPI.fullmatch(compact):
        raise InvalidSpi("numéro fiscal mal formé", code="format")
    return compact
