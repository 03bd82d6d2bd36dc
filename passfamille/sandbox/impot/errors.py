"""The DGFiP's error bodies, `{"erreur": {"code": 4101, "message": "…", "horodatage": "…"}}` (REFERENCE §1.6).

Codes and texts are those of the swagger's codeapp lists; siade matched a 400 on the message « format SPI incorrect ».
The token endpoint answers as RFC 6749 §5.2 (`{"error": "invalid_client", …}`).
"""

from dataclasses import dataclass
from datetime import datetime

JSON_MEDIA_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class DgfipError:
    status: int
    code: int | None
    message: str

    def body(self, now: datetime) -> dict:
        error = {"code": self.code, "message": self.message, "horodatage": now.strftime("%Y-%m-%dT%H:%M:%S")}
        return {"erreur": {key: value for key, value in error.items() if value is not None}}


SPI_FORMAT = DgfipError(400, 4001, "format SPI incorrect")
YEAR_FORMAT = DgfipError(400, 4002, "mauvais format d'année (annrev ou bareme)")
CORRELATION_ID = DgfipError(400, None, "Requete mal formée : X-Correlation-ID absent ou qui n'est pas un UUID")
BAD_REQUEST = DgfipError(400, None, "Requete mal formée")
# Swagger 2019: « Le token ne vous permet pas d'accéder à l'API ».
INVALID_TOKEN = DgfipError(401, None, "Le token ne vous permet pas d'accéder à l'API")
NO_ACCESS = DgfipError(403, 4031, "L'utilisateur n'a pas accès à la ressource")
# How the DGFiP answers an unknown or expired FranceConnect token is not public: refused like a resource (inference).
FRANCE_CONNECT_TOKEN = DgfipError(403, 4031, "Jeton FranceConnect invalide ou expiré")
NOT_FOUND = DgfipError(404, None, "Les paramètres fournis sont incorrects ou ne correspondent pas à un avis")
# doc-v2.9 §6.3.2: a year not taxed (yet) answers 410 4101.
NO_RESULT = DgfipError(410, 4101, "La requête avec le spi et l'année ne renvoie aucun résultat")
UNKNOWN_SPI = DgfipError(410, 4102, "Le spi envoyé ne correspond à aucun usager")
# The gateway's quota (cgu-prod §9.2); its real body is not public.
QUOTA = DgfipError(429, None, "Quota d'appels dépassé : réessayez à la minute suivante")
TECHNICAL = DgfipError(500, None, "Erreur technique")
GATEWAY = {
    502: DgfipError(502, None, "Service indisponible (passerelle)"),
    503: DgfipError(503, None, "Service indisponible"),
    504: DgfipError(504, None, "Délai de réponse du service dépassé"),
}
BY_STATUS = {403: NO_ACCESS, 404: NOT_FOUND, 500: TECHNICAL}
