"""The audit log: every action on an application (status changes, checks, documents deleted), who and when."""

from .extensions import db
from .models import Agent, Application, AuditEvent


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
