"""The life of an application after submission: allowed status changes, what each one records, and the mail
that tells the family. Every change leaves an AuditEvent (who, when, from, to)."""

import logging
from datetime import date, datetime, time, timedelta

from flask import current_app, render_template
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from .. import mail, numbering
from ..extensions import db
from ..models import STATUS_LABELS, Agent, Application, AuditEvent, utcnow
from ..retention import months_after

log = logging.getLogger(__name__)

# déposée → en instruction → acceptée / refusée / pièce demandée → (the family answers) → en instruction → …
TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"in_review"}),
    "to_verify": frozenset({"in_review"}),
    "awaiting_recheck": frozenset({"in_review"}),
    "in_review": frozenset({"accepted", "refused", "documents_requested"}),
    "documents_requested": frozenset({"in_review"}),
    "accepted": frozenset(),
    "refused": frozenset(),
}
FAMILY_LINK_MAX_AGE = 60 * 24 * 3600  # a family has two months to answer a request for a document


class TransitionError(Exception):
    """A status change that the workflow does not allow, or that lacks what it needs (a reason, a message)."""


def allowed(application: Application) -> frozenset[str]:
    return TRANSITIONS.get(application.status, frozenset())


def record(
    application: Application,
    agent: Agent | None,
    action: str,
    detail: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
) -> AuditEvent:
    event = AuditEvent(agent=agent, action=action, detail=detail, from_status=from_status, to_status=to_status)
    # AuditEvent has no relationship back to its application: the list of events holds the link.
    application.events.append(event)
    db.session.add(event)
    return event


def claim_status(application: Application, to_status: str) -> bool:
    """Move the application to `to_status` in the database if its status is still the one this request read:
    True for exactly one of several concurrent requests (a double click, two agents, two workers).

    A conditional UPDATE, made as the transaction's first write: on PostgreSQL a concurrent request waits on the
    row's lock, on SQLite on the database lock, then finds the status changed. On False the transaction is rolled
    back and the application reloaded, so the caller can say what it has become."""
    from_status = application.status
    claimed = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status == from_status)
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return False
    set_committed_value(application, "status", to_status)
    return True


def change_status(
    application: Application,
    to_status: str,
    agent: Agent | None,
    *,
    reason: str | None = None,
    message: str | None = None,
    detail: str | None = None,
    today: date | None = None,
) -> AuditEvent:
    """Apply one status change, record it, commit, then mail the family. Raises TransitionError.

    `detail` is kept in the audit log when the change itself has none (e.g. "pièce envoyée par la famille")."""
    today = today or date.today()
    from_status = application.status
    problem = transition_problem(application, to_status)
    if problem:
        raise TransitionError(problem)
    if to_status == "refused" and not (reason or "").strip():
        raise TransitionError("Indiquez le motif du refus")
    if to_status == "documents_requested" and not (message or "").strip():
        raise TransitionError("Indiquez la pièce demandée à la famille")
    if not claim_status(application, to_status):
        raise TransitionError(_not_allowed(application.status, to_status))
    if to_status == "refused":
        application.refusal_reason = detail = reason.strip()
    elif to_status == "documents_requested":
        application.requested_document = detail = message.strip()
    elif to_status == "accepted":
        _grant_pass(application, today)
        detail = f"Pass n° {application.pass_number}"
    settings = current_app.extensions["commune"]
    if to_status in ("accepted", "refused"):
        application.decided_at = utcnow()
        months = (
            settings.retention.application_months
            if to_status == "accepted"
            else (settings.retention.refused_application_months)
        )
        application.purge_after = months_after(today, months)
    elif to_status == "documents_requested":
        # A file left without an answer is erased sooner (retention.incomplete_application_days) ...
        days = settings.retention.incomplete_application_days
        application.purge_after = (
            months_after(today, settings.retention.refused_application_months)
            if days is None
            else datetime.combine(today, time()) + timedelta(days=days)
        )
    elif from_status == "documents_requested":
        # ... and gets back the ordinary retention once the family has answered.
        application.purge_after = months_after(today, settings.retention.application_months)
    event = record(application, agent, "status", detail, from_status, to_status)
    db.session.commit()
    log.info("application status reference=%s from=%s to=%s", application.reference, from_status, to_status)
    # The change stands even if the mail fails; the agent is told so that the family can be reached otherwise.
    event.family_notified = notify_family(application, previous_status=from_status, by_agent=agent is not None)
    return event


def transition_problem(application: Application, to_status: str) -> str | None:
    """Why the application cannot move to `to_status` now, in French, or None when it can."""
    if to_status not in allowed(application):
        return _not_allowed(application.status, to_status)
    if to_status == "accepted":
        return acceptance_problem(application)
    return None


def acceptance_problem(application: Application) -> str | None:
    """Why the application cannot be accepted yet, in French, or None.

    The pass carries a tariff: only a decision the rules call eligible can be granted, and a QF read on a
    document counts only once an agent has checked it on the document."""
    if application.qf_source == "document" and application.qf_verified_at is None:
        return "Vérifiez d'abord le quotient familial sur le justificatif"
    if application.eligible is None:
        return "Le quotient familial n'est pas encore connu : demandez un justificatif à la famille"
    if not application.eligible:
        return "Selon les règles, cette demande ne remplit pas les conditions : elle ne peut pas être acceptée"
    return None


def _not_allowed(from_status: str, to_status: str) -> str:
    current = STATUS_LABELS.get(from_status, from_status)
    if to_status not in STATUS_LABELS:
        return f"Action inconnue pour une demande « {current} »"
    if not TRANSITIONS.get(from_status):
        return f"Cette demande est déjà « {current} » : son statut ne peut plus changer"
    return f"Cette demande est « {current} » : elle ne peut pas passer à « {STATUS_LABELS[to_status]} »"


def _grant_pass(application: Application, today: date) -> None:
    validity = current_app.extensions["commune"].pass_famille.validity
    application.pass_number = numbering.next_number("PASS", today.year)
    application.pass_valid_from = today
    if validity.until is not None:
        application.pass_valid_until = validity.until
    else:
        application.pass_valid_until = months_after(today, validity.months).date()


def notify_family(application: Application, previous_status: str | None = None, by_agent: bool = True) -> bool:
    """The mail for the application's current status, in plain French."""
    settings = current_app.extensions["commune"]
    body = render_template(
        f"mails/statut-{application.status}.txt",
        application=application,
        settings=settings,
        family_link=family_link(application),
        previous_status=previous_status,
        by_agent=by_agent,
    )
    subject = f"{settings.pass_famille.title} : demande {application.reference}"
    return mail.send(application.email, subject, body)


# --- the family's link (answer a request for a document, see the attestation) -----------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="passfamille-famille")


def family_token(application: Application) -> str:
    # Bound to the status: once the family has answered (or the application moved on), the link expires.
    return _serializer().dumps({"application": application.id, "status": application.status})


def family_link(application: Application) -> str:
    return f"{current_app.config['PASSFAMILLE_URL']}/demande/suivi/{family_token(application)}"


def application_from_family_token(token: str) -> Application | None:
    try:
        data = _serializer().loads(token, max_age=FAMILY_LINK_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    application = db.session.get(Application, data.get("application")) if isinstance(data, dict) else None
    if application is None or application.status != data.get("status"):
        return None
    return application
