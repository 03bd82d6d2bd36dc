"""Agents' internal notes on an application: written by an agent, read by agents only (never in a mail, the
family's pages or an export), deleted with the application by the purge (its retention)."""

import secrets

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Agent, Application, ApplicationNote

MAX_NOTE = 2000


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def add(application: Application, agent: Agent, body: str, form_token: str) -> bool:
    """Records the note once per form: a second post of the same form (a double click, a reload) records nothing.
    Returns whether this call recorded it."""
    db.session.add(ApplicationNote(application_id=application.id, agent_id=agent.id, body=body, form_token=form_token))
    try:
        db.session.commit()
    except IntegrityError:  # the unique form token: the same form was recorded by another request
        db.session.rollback()
        return False
    return True
