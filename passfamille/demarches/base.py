"""What a démarche declares once: its code, label and reference prefix, its statuses and transitions, what a change
checks and does, the mail that tells the family, and the family's signed link."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..models import Application


@dataclass(frozen=True)
class Change:
    """What a status change carries besides its target: a refusal's reason, the document asked for, an offered
    place (structure code, age group code, start), or a line for the audit log (« pièce envoyée par la famille »)."""

    reason: str | None = None
    message: str | None = None
    offer: tuple[str, str, date] | None = None
    detail: str | None = None


@dataclass(frozen=True)
class FamilyLink:
    """The family's signed link (no account: the token is the key). `bound_to_status`: the link stops working as
    soon as the application moves on (an answer cannot be sent twice). The payload's key stays what links already
    mailed carry."""

    demarche: str
    salt: str
    key: str
    path: str  # "/demande/suivi"
    max_age: Callable[[], int]  # seconds
    bound_to_status: bool = False

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=self.salt)

    def token(self, application: Application) -> str:
        payload = {self.key: application.id}
        if self.bound_to_status:
            payload["status"] = application.status
        return self._serializer().dumps(payload)

    def url(self, application: Application) -> str:
        return f"{current_app.config['PASSFAMILLE_URL']}{self.path}/{self.token(application)}"

    def application(self, token: str, now: datetime | None = None) -> Application | None:
        """The application the token was made for, or None (forged, expired, spent, or another démarche's).
        `now`: a fixed clock, for the relance command's tests."""
        serializer = self._serializer()
        try:
            if now is None:
                data = serializer.loads(token, max_age=self.max_age())
            else:
                data, signed_at = serializer.loads(token, return_timestamp=True)
                if (now - signed_at.replace(tzinfo=None)).total_seconds() > self.max_age():
                    return None
        except (BadSignature, SignatureExpired):
            return None
        found = db.session.get(Application, data.get(self.key)) if isinstance(data, dict) else None
        if found is None or found.demarche != self.demarche:
            return None
        if self.bound_to_status and found.status != data.get("status"):
            return None
        return found


@dataclass(frozen=True)
class Demarche:
    code: str  # Application.demarche
    label: str
    prefix: str  # of the references: PF-2026-000001
    statuses: dict[str, str]  # status → label, in the workflow's order
    transitions: dict[str, frozenset[str]]
    # Why the change cannot be made (French), or None when it can. Without a Change, only what the application's
    # state allows (asked before the agent's form is read); with one, what the change carries too.
    check: Callable[[Application, str, Change | None], str | None]
    # What the change records on the application once its new status is claimed (given the status it left);
    # returns the audit log's detail, or None for the change's own.
    apply: Callable[[Application, str, Change, date], str | None]
    mail_template: str  # with {status}: "mails/statut-{status}.txt"
    mail_subject: Callable[[Application], str]
    link: FamilyLink
    # The agents' page of an application: the templates of its facts, its decision and its actions.
    detail_panels: dict[str, str]
