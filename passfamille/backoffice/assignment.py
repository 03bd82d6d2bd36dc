"""Who follows an application (« pris en charge par »): one agent at a time, decided by the database.

Taking is a conditional UPDATE (`WHERE assigned_agent_id IS NULL`): of two agents, or two clicks, exactly one
writes; the other reads who won and is told so. Releasing only clears the agent's own assignment."""

from sqlalchemy import select, update

from .. import audit
from ..extensions import db
from ..models import Agent, Application, utcnow


def take(application: Application, agent: Agent) -> Agent:
    """Assigns the application to `agent` if nobody follows it; returns who follows it now (maybe another)."""
    taken = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.assigned_agent_id.is_(None))
        .values(assigned_agent_id=agent.id, assigned_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:
        audit.record(application, agent, "assigned")
    db.session.commit()
    return owner(application)


def release(application: Application, agent: Agent) -> bool:
    """Clears the assignment if it is `agent`'s; says whether it was."""
    released = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.assigned_agent_id == agent.id)
        .values(assigned_agent_id=None, assigned_at=None)
        .execution_options(synchronize_session=False)
    )
    if released.rowcount == 1:
        audit.record(application, agent, "released")
    db.session.commit()
    return released.rowcount == 1


def owner(application: Application) -> Agent | None:
    """Who follows it, as stored now (after a commit, the object reloads)."""
    agent_id = db.session.scalar(select(Application.assigned_agent_id).where(Application.id == application.id))
    return db.session.get(Agent, agent_id) if agent_id is not None else None
