"""The sandbox's signing keys: one EC P-256 key (ES256) and one RSA-2048 key (RS256), made at start-up.

FranceConnect v2 signs ID tokens, userinfo answers and checktoken answers with ES256 or RS256 and publishes both kinds
of keys in its JWKS (REFERENCE §1.3). Keys live in memory only: a restarted sandbox has new keys, so a client that
cached the old JWKS must fetch it again on an unknown `kid`, as FranceConnect asks.
"""

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, RSAKey

ALGORITHMS = ("ES256", "RS256")


class SigningKeys:
    def __init__(self):
        # auto_kid: the kid is the key's RFC 7638 thumbprint.
        self._by_alg = {
            "ES256": ECKey.generate_key("P-256", parameters={"use": "sig", "alg": "ES256"}, auto_kid=True),
            "RS256": RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True),
        }
        self._key_set = KeySet(list(self._by_alg.values()))

    def jwks(self) -> dict:
        return {"keys": [key.as_dict(private=False) for key in self._by_alg.values()]}

    def sign(self, claims: dict, alg: str = "ES256", typ: str = "JWT") -> str:
        key = self._by_alg[alg]
        return jwt.encode({"alg": alg, "kid": key.kid, "typ": typ}, claims, key, algorithms=list(ALGORITHMS))

    def verify(self, token: str) -> dict | None:
        """The claims of a JWT signed by one of our keys, expired or not; None for anything else."""
        try:
            return jwt.decode(token, self._key_set, algorithms=list(ALGORITHMS)).claims
        except (JoseError, ValueError, TypeError):
            return None
