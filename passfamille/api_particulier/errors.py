"""One exception per meaning of API Particulier's failures; client.py maps each HTTP status to one of them."""


class ApiParticulierError(Exception):
    """Base class. `code` is the API's 5-character error code when there was one."""

    outcome = "error"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message or self.outcome)
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after


class IdentityNotRecognised(ApiParticulierError):
    """422: the civil identity is invalid or unknown to the national register."""

    outcome = "identity"


class NoFamilyFile(ApiParticulierError):
    """404: the person exists but has no CAF/MSA file (or no QF this month)."""

    outcome = "not_found"


class Unavailable(ApiParticulierError):
    """Timeout, connection failure, 409, 429, 5xx or an unreadable answer: try again later."""

    outcome = "unavailable"


class Refused(ApiParticulierError):
    """401/403: our token is invalid, expired or lacks the scope. A configuration problem for the admin."""

    outcome = "refused"


class FranceConnectTokenRefused(ApiParticulierError):
    """401 on a FranceConnect route: the family's FranceConnect access token is malformed, expired (it lives 60 s) or
    lacks the identity. A new FranceConnect login gives another one."""

    outcome = "reconnect"


class BadRequest(ApiParticulierError):
    """Any other 4xx: a bug on our side."""

    outcome = "bad_request"
