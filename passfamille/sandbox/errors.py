"""The official API Particulier error bodies the sandbox answers with.

Texts are verbatim from the v3 OpenAPI file and siade's `config/errors.yml` (REFERENCE §7.3). Keep them verbatim:
the app's client and its tests key on `code`, and a commune's support desk compares what it sees with the docs.
"""

from dataclasses import dataclass, field

V3_MEDIA_TYPE = "application/vnd.api+json; charset=utf-8"
# Rate-limit refusals come from the platform's rack-attack layer, which answers plain JSON (REFERENCE §2).
JSON_MEDIA_TYPE = "application/json; charset=utf-8"

UNPROCESSABLE = "Entité non traitable"
_TOKEN = {"parameter": "token"}
_RECIPIENT = {"parameter": "recipient"}


@dataclass(frozen=True)
class ApiError:
    code: str
    title: str
    detail: str
    source: dict | None = None
    meta: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "title": self.title, "detail": self.detail, "source": self.source, "meta": self.meta}


def errors_body(*errors: ApiError) -> dict:
    """The v3 (JSON:API-like) body: `{"errors": [{code, title, detail, source, meta}, ...]}`."""
    return {"errors": [error.as_dict() for error in errors]}


def flat_body(error: ApiError) -> dict:
    """The v2 "flat" body, used by /api/introspect which lives in the v2 namespace."""
    return {"error": "access_denied", "reason": error.detail, "message": error.detail}


# Token and habilitation (401 / 403).
INVALID_TOKEN = ApiError("00101", "Interdit", "Votre token n'est pas valide ou n'est pas renseigné", _TOKEN)
EXPIRED_TOKEN = ApiError("00103", "Jeton expiré", "Votre token est expiré. Vous devez refaire une demande", _TOKEN)
INSUFFICIENT_PRIVILEGES = ApiError(
    "00100",
    "Privilèges insuffisants",
    "Votre token est valide mais vos privilèges sont insuffisants. Listez vos privilèges sur /api/introspect",
    _TOKEN,
)

# The FranceConnect modality's token (401): siade `InvalidFranceConnectAccessTokenError`, texts of `config/errors.yml`.
FRANCE_CONNECT_TITLE = "Accès non autorisé"
FRANCE_CONNECT_TOKEN_NOT_FOUND = ApiError(
    "50002", FRANCE_CONNECT_TITLE, "Le jeton d'accès n'a pas été trouvé ou est expiré."
)


def france_connect_missing_identity(scopes: list[str]) -> ApiError:
    """50003: the FranceConnect token lacks the identity pivot, which API Particulier needs to find the person."""
    detail = "Le jeton d'accès ne possède pas les données pivot requises pour effectuer cet appel."
    return ApiError(
        "50003", FRANCE_CONNECT_TITLE, f"{detail} Le jeton possède les scopes suivants: {', '.join(scopes)}."
    )


# Parameters (422).
MISSING_RECIPIENT = ApiError("00203", UNPROCESSABLE, "Le paramètre recipient est obligatoire", _RECIPIENT)
INVALID_RECIPIENT = ApiError("00210", UNPROCESSABLE, "Le paramètre recipient n'est pas un siret valide", _RECIPIENT)
INVALID_MONTH = ApiError("00354", UNPROCESSABLE, "Le mois demandé est incorrect ou est dans le futur.")
INVALID_YEAR = ApiError("00356", UNPROCESSABLE, "L'année demandée doit être l'année en cours (N), N-1 ou N-2.")
INVALID_BIRTH_DATE = ApiError("00363", UNPROCESSABLE, "La date de naissance n'est pas correctement formatté")
INVALID_BIRTH_PLACE = ApiError("00365", UNPROCESSABLE, "Le lieu de naissance n'est pas correctement formaté")
INVALID_FIRST_NAMES = ApiError("00367", UNPROCESSABLE, "Le ou les prénoms sont manquants.")
INVALID_COUNTRY = ApiError("00400", UNPROCESSABLE, "Le code pays INSEE n'est pas correctement formaté")
INVALID_BIRTH_NAME = ApiError("00420", UNPROCESSABLE, "Le nom de naissance est manquant")
INVALID_SEX = ApiError("00427", UNPROCESSABLE, "Le sexe de l'état civil est manquant")
INVALID_DEPARTMENT = ApiError(
    "00428", UNPROCESSABLE, "Le code cog du département de naissance est manquant ou invalide"
)

# The provider's national register (SNGI) could not identify the person: 422 too, but no sandbox case has it.
IDENTITY_NOT_FOUND = ApiError(
    "00355",
    "Impossible d'identifier l'allocataire",
    "Les paramètres fournis ne permettent pas d'identifier un allocataire.",
)

# Platform and provider failures (429 / 5xx), used by the fault injection.
TOO_MANY_REQUESTS = ApiError("00429", "Trop de requêtes", "Vous avez effectué trop de requêtes")
INTERNAL_ERROR = ApiError(
    "00500",
    "Erreur interne",
    "Une erreur interne a été détectée, l'équipe d'API Entreprise a été notifié de l'erreur.",
)
PROVIDER_UNKNOWN_ERROR = ApiError(
    "37999",
    "Erreur inconnue du fournisseur de données",
    "La réponse retournée par le fournisseur de données est invalide et inconnue de notre service. "
    "L'équipe technique a été notifiée de cette erreur pour investigation.",
    meta={"provider": "CNAV"},
)
PROVIDER_TIMEOUT = ApiError(
    "37002",
    "Intermédiaire hors-délai",
    "Temps d’attente d’une réponse du fournisseur de données écoulé.",
    meta={"provider": "CNAV"},
)


def provider_maintenance(retry_in: int) -> ApiError:
    """503: siade's MaintenanceError (subcode 020) for the CNAV provider the sandbox fixtures name.

    The CNAF & MSA window is Sunday 23:00-23:45 (siade `config/maintenances.yml`); `retry_in` is the rest of it.
    """
    return ApiError(
        "37020",
        "Maintenance du fournisseur de données",
        "Le fournisseur de données est en maintenance de 23:00 à 23:45",
        meta={"provider": "CNAV", "retry_in": retry_in},
    )
