"""Client of API Particulier v3 (CAF/MSA quotient familial, crèche PSU parameters).

One object, built in create_app, safe to use from several threads at once. It knows the HTTP contract and
nothing of eligibility: it returns frozen results with only the fields the app uses, or raises one exception per
meaning. The package: the identity asked about (identity.py), the results and how answers are read (results.py),
the exceptions (errors.py), the transport with its whole-call deadline (transport.py) and the client (client.py).
"""

from .client import ApiParticulierClient
from .errors import (
    ApiParticulierError,
    BadRequest,
    FranceConnectTokenRefused,
    IdentityNotRecognised,
    NoFamilyFile,
    Refused,
    Unavailable,
)
from .identity import Identity
from .results import Address, EajeFacts, FamilyFacts, Person, PsuParameters, QuotientFamilial, TokenGrant

__all__ = [
    "Address",
    "ApiParticulierClient",
    "ApiParticulierError",
    "BadRequest",
    "EajeFacts",
    "FamilyFacts",
    "FranceConnectTokenRefused",
    "Identity",
    "IdentityNotRecognised",
    "NoFamilyFile",
    "Person",
    "PsuParameters",
    "QuotientFamilial",
    "Refused",
    "TokenGrant",
    "Unavailable",
]
