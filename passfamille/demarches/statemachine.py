"""One status change, for either démarche: checked, claimed exactly once, applied, logged, and committed with the
family's mail (outbox: sent after the response). The démarche (demarches/pass_famille.py, creche.py) says what is
allowed and what it does."""

import logging
from datetime import date

from flask import current_app, render_template
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from .. import audit, outbox
from ..clock import commune_today
from ..extensions import db
from ..models import Agent, Application, AuditEvent, OutboxMessage
from . import of, status_label
from .base import Change

log = logging.getLogger(__name__)


class TransitionError(Exception):
    """A status change that the workflow does not allow, or that lacks what it needs (a reason, a place)."""


def allowed(application: Application) -> frozenset[str]:
    return of(application).transitions.get(application.status, frozenset())


def not_allowed(application: Application, to_status: str) -> str:
    current = status_label(application.status)
    statuses = of(application).statuses
    if to_status not in statuses:
        return f"Action inconnue pour une demande « {current} »"
    if not allowed(application):
        return f"Cette demande est déjà « {current} » : son statut ne peut plus changer"
    return f"Cette demande est « {current} » : elle ne peut pas passer à « {statuses[to_status]} »"


def problem(application: Application, to_status: str, change: Change | None = None) -> str | None:
    """Why the application cannot move to `to_status` now, in French, or None when it can. Without `change`,
    what its state allows only (a second click on « Refuser » is told the application is refused already)."""
    if to_status not in allowed(application):
        return not_allowed(application, to_status)
    return of(application).check(application, to_status, change)


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
    offer: tuple[str, str, date] | None = None,
    detail: str | None = None,
    today: date | None = None,
    send_now: bool = True,
) -> AuditEvent:
    """Apply one status change, record it and the family's mail, commit. Raises TransitionError.

    `reason`: a refusal's; `message`: the document asked for; `offer`: (structure code, age group code, start) of
    a place. The audit log keeps what the démarche says of the change, else `detail`. `send_now=False`: the mail
    leaves after the response, by the outbox (a bulk change would otherwise wait on the mail server per row)."""
    change = Change(reason=reason, message=message, offer=offer, detail=detail)
    today = today or commune_today()  # an offer's deadline and a purge date are days in the commune
    from_status = application.status
    found = problem(application, to_status, change)
    if found:
        raise TransitionError(found)
    if not claim_status(application, to_status):
        raise TransitionError(not_allowed(application, to_status))
    detail = of(application).apply(application, from_status, change, today) or change.detail
    event = audit.record(application, agent, "status", detail, from_status, to_status)
    # In the change's transaction: the family is told of every change that stands, and of none that does not.
    message = notify_family(application, previous_status=from_status, agent=agent, detail=detail)
    db.session.commit()
    log.info("status reference=%s from=%s to=%s", application.reference, from_status, to_status)
    if agent is not None and send_now:
        # The agent's page says whether the mail left, so that the family can be reached otherwise: sent before the
        # response. A mail that did not leave stays queued and is tried again (outbox.py).
        event.family_notified = outbox.send_now(message)
    return event


def notify_family(
    application: Application, previous_status: str | None = None, agent: Agent | None = None, detail: str | None = None
) -> OutboxMessage:
    """Queue the mail for the application's current status, in plain French, with the family's link."""
    demarche = of(application)
    body = render_template(
        demarche.mail_template.format(status=application.status),
        application=application,
        request=application.creche,
        settings=current_app.extensions["commune"],
        family_link=family_link(application),
        previous_status=previous_status,
        by_agent=agent is not None,
        detail=detail,
    )
    subject, kind = demarche.mail_subject(application), f"statut-{application.status}"[:40]
    return outbox.queue(application.email, subject, body, kind=kind)


def family_token(application: Application) -> str:
    return of(application).link.token(application)


def family_link(application: Application) -> str:
    """The family's link (no account: the signed token is the key), as the mails give it."""
    return of(application).link.url(application)
