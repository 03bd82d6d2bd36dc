"""The numéro fiscal (« Votre numéro fiscal », issue 14) under generated bad input: never a server error; a value that
cannot be 13 digits is refused in French at the field and shown again; a valid one asks the DGFiP (the sandbox)."""

from ..fiscal import ERIC, app_config, municipal_settings  # noqa: F401 (the commune with the DGFiP)
from ..functional.test_fiscal_journey import to_numero_fiscal
from .harness import fuzz, target


def test_numero_fiscal_step(app, browser, cases):
    page = to_numero_fiscal(browser).fill("Numéro fiscal", ERIC)
    form = target(app, page, "/demande/numero-fiscal", {"spi": "number", "asked": "not_applicable"}, cases)
    fuzz(form, 300)
