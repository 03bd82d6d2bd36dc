"""An agent's check of the criteria a family declared for its crèche request: each one « vérifié » or « refusé »
(with an internal reason). A refused criterion gives no points (waiting_list.points_of), so the rank on every list
and the family's total follow at once; the agent can change their mind, each change in the audit log.

No row means « à vérifier ». A change names the state the agent saw: the database applies it only if the
criterion is still in that state (a unique row per criterion, or a conditional UPDATE), so that a double click or
two tabs record one change, and the second is told what the first did."""

import logging

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from .. import audit
from ..demarches.creche import FINISHED
from ..extensions import db
from ..models import Agent, Application, CrecheCriterionCheck, utcnow

log = logging.getLogger(__name__)

PENDING, VERIFIED, REFUSED = "pending", "verified", "refused"
STATES = {PENDING: "à vérifier", VERIFIED: "vérifié", REFUSED: "refusé"}


def state_of(application: Application, code: str) -> CrecheCriterionCheck | None:
    return next((check for check in application.creche.checks if check.code == code), None)


def problem(application: Application, code: str) -> str | None:
    """Why this criterion cannot be checked now, in French, or None."""
    request = application.creche
    if request is None:
        return "Cette demande n'est pas une demande de place en crèche"
    if code not in (request.criteria or []):
        return "La famille n'a pas déclaré ce critère"
    if application.status in FINISHED:
        return "Cette demande est close : ses critères ne peuvent plus être vérifiés"
    return None


def change(application: Application, code: str, label: str, to: str, seen: str, agent: Agent, reason: str | None):
    """Puts the criterion in state `to` if it is still in state `seen`; commits. Returns whether this call did it."""
    request = application.creche
    values = {"state": to, "agent_id": agent.id, "at": utcnow(), "reason": reason if to == REFUSED else None}
    try:
        if seen == PENDING:
            # The unique (request, criterion) row: a second first check of the same criterion fails here.
            db.session.execute(insert(CrecheCriterionCheck).values(request_id=request.id, code=code, **values))
        else:
            done = db.session.execute(
                update(CrecheCriterionCheck)
                .where(
                    CrecheCriterionCheck.request_id == request.id,
                    CrecheCriterionCheck.code == code,
                    CrecheCriterionCheck.state == seen,
                )
                .values(**values)
            )
            if done.rowcount != 1:
                db.session.rollback()
                return False
    except IntegrityError:
        db.session.rollback()
        return False
    detail = f"« {label} » : {STATES[to]}" + (f". Motif : {reason}" if to == REFUSED else "")
    audit.record(application, agent, f"criterion_{to}", detail=detail)
    db.session.commit()
    db.session.expire(request, ["checks"])
    log.info("creche criterion checked application=%s state=%s", application.id, to)
    return True
