"""Client of API Impôt particulier (DGFiP): the avis d'imposition of a foyer, by numéro fiscal or FranceConnect.

Same shape as passfamille.api_particulier: one object built at start-up, safe across threads, knowing the HTTP
contract and nothing of eligibility; frozen results with only the fields the app uses; one exception per meaning.
It needs no Flask: the app gives it a quota counter shared by its workers (passfamille/impot_clients.py).
"""

from .client import ImpotParticulierClient
from .errors import FiscalNotFound, FiscalRefused, FiscalUnavailable, ImpotParticulierError, InvalidSpi
from .quota import MinuteLimiter
from .resources import SCOPE_DERNIERE, SCOPE_DEUXANS, SCOPE_IR, last_available_year, years_to_ask
from .results import FAMILY_SITUATIONS, FiscalAddress, FiscalFacts
from .spi import normalise_spi

__all__ = [
    "FAMILY_SITUATIONS",
    "SCOPE_DERNIERE",
    "SCOPE_DEUXANS",
    "SCOPE_IR",
    "FiscalAddress",
    "FiscalFacts",
    "FiscalNotFound",
    "FiscalRefused",
    "FiscalUnavailable",
    "ImpotParticulierClient",
    "ImpotParticulierError",
    "InvalidSpi",
    "MinuteLimiter",
    "last_available_year",
    "normalise_spi",
    "years_to_ask",
]
