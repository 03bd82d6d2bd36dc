"""One exception per meaning of API Impôt particulier's failures; client.py maps each answer to one of them."""


class ImpotParticulierError(Exception):
    """Base class. `code` is the DGFiP's codeapp (e.g. "4101") when there was one, or our own word ("timeout",
    "connection", "malformed", "busy")."""

    outcome = "error"

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        correlation_id: str | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message or self.outcome)
        self.status = status
        self.code = code
        self.correlation_id = correlation_id
        self.retry_after = retry_after


class FiscalNotFound(ImpotParticulierError):
    """204, 403, 404 or 410: no avis for this numéro fiscal (or this year). The family can upload its avis."""

    outcome = "not_found"


class InvalidSpi(ImpotParticulierError):
    """The numéro fiscal is malformed: not 13 digits (checked before any call), or refused as such by the API.
    The interface says « vérifiez votre numéro fiscal »."""

    outcome = "invalid_spi"


class FiscalUnavailable(ImpotParticulierError):
    """Timeout, connection failure, 429, 5xx, an unreadable answer, or our own quota reached (code "busy"):
    try again later."""

    outcome = "unavailable"


class FiscalRefused(ImpotParticulierError):
    """The token endpoint refused our credentials (or a renewed token is still refused): a configuration problem
    for the administrator, not for the family."""

    outcome = "refused"
