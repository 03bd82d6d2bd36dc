"""Actions on a selection of the queue (at most one page): follow them all, or move the Pass Famille applications
« Déposée » to « En instruction ». Each row changes at most once, decided by the database as for one row
(assignment.take, statemachine.claim_status); what is skipped is counted and said, never an error."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select, update

from .. import audit
from ..demarches import statemachine
from ..extensions import db
from ..models import Agent, Application, utcnow
from ..parsing import ascii_int
from .queries import PAGE_SIZE

MAX_SELECTION = PAGE_SIZE
ID_DIGITS = 9
REVIEW_FROM, REVIEW_TO = "submitted", "in_review"


class SelectionError(ValueError):
    """A selection that cannot be acted on, with the French message for the agent."""


def parse_selection(values: list[str]) -> list[int]:
    """The application ids posted, in ascending order (rows are locked in one order: two agents never deadlock)."""
    ids = {ascii_int(value, ID_DIGITS) for value in values}
    if None in ids:
        raise SelectionError("La sélection n'est pas valide : rechargez la liste et cochez les demandes à nouveau")
    if not ids:
        raise SelectionError("Cochez au moins une demande dans la liste")
    if len(ids) > MAX_SELECTION:
        raise SelectionError(f"Sélectionnez au plus {MAX_SELECTION} demandes à la fois (une page de la liste)")
    return sorted(ids)


@dataclass
class Outcome:
    updated: int = 0
    # Why the other rows were left as they were: French reason -> how many.
    skipped: Counter = field(default_factory=Counter)
    mails_not_sent: int = 0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def follow(ids: list[int], agent: Agent) -> Outcome:
    """Assigns to `agent` each selected application nobody follows, in one transaction."""
    outcome = Outcome()
    for application_id in ids:
        taken = db.session.execute(
            update(Application)
            .where(Application.id == application_id, Application.assigned_agent_id.is_(None))
            .values(assigned_agent_id=agent.id, assigned_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            outcome.updated += 1
            audit.record(db.session.get(Application, application_id), agent, "assigned")
    db.session.commit()
    if outcome.updated < len(ids):
        owners = db.session.execute(
            select(Application.id, Agent.email)
            .join(Agent, Agent.id == Application.assigned_agent_id)
            .where(Application.id.in_(ids))
        ).all()
        found = {application_id for application_id, _ in owners}
        for _, email in owners:
            if email != agent.email:
                outcome.skipped[f"déjà pris en charge par {email}"] += 1
        mine = sum(1 for _, email in owners if email == agent.email) - outcome.updated
        if mine:
            outcome.skipped["déjà suivis par vous"] += mine
        missing = len(set(ids) - found)
        if missing:
            outcome.skipped["introuvables"] += missing
    return outcome


def reviewable(ids: list[int]) -> list[Application]:
    """The selected Pass Famille applications that « Passer en instruction » moves (and whose family it mails)."""
    return list(
        db.session.scalars(
            select(Application)
            .where(
                Application.id.in_(ids),
                Application.demarche == "pass_famille",
                Application.status == REVIEW_FROM,
            )
            .order_by(Application.id)
        )
    )


def start_review(ids: list[int], agent: Agent) -> Outcome:
    """Moves each selected Pass Famille application « Déposée » to « En instruction », one change each (the
    family's mail is committed with it, and sent after the response by the outbox)."""
    outcome = Outcome()
    for application in reviewable(ids):
        try:
            statemachine.change_status(application, REVIEW_TO, agent, send_now=False)
        except statemachine.TransitionError:
            db.session.rollback()  # another agent or tab was first: that row has changed already
            continue
        outcome.updated += 1
    others = len(ids) - outcome.updated
    if others:
        outcome.skipped["pas au statut « Déposée » du Pass Famille"] += others
    return outcome


def summary(outcome: Outcome) -> str:
    """« 12 dossiers mis à jour, 3 ignorés (déjà pris en charge par …) »."""
    updated = f"{outcome.updated} dossier{'s' if outcome.updated > 1 else ''} mis à jour"
    if not outcome.skipped_total:
        return updated
    reasons = " ; ".join(
        reason if count == outcome.skipped_total else f"{count} {reason}" for reason, count in outcome.skipped.items()
    )
    total = outcome.skipped_total
    return f"{updated}, {total} ignoré{'s' if total > 1 else ''} ({reasons})"
