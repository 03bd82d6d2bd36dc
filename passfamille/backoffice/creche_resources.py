"""Resources read on a crèche request's proof: when the family sent a resources proof instead of letting the
commune ask the CAF or the MSA, an agent enters what the proof says, the PSU estimate is computed as the wizard
computes it (creche.estimate), the entry is audited, and the proof, no longer needed, is deleted like a QF proof
once checked (qf_check.delete_checked_proofs)."""

import logging
from datetime import date

from .. import audit, documents
from ..creche import estimate
from ..demarches import status_label
from ..extensions import db
from ..models import Agent, Application, AuditEvent
from . import qf_check

log = logging.getLogger(__name__)

ACTION = "psu_verified"
ENDED = ("admitted", "closed", "withdrawn")
FIELDS = ("ressources annuelles", "enfants à charge", "enfants bénéficiaires de l'AEEH")


class ResourcesError(Exception):
    """The resources of this request cannot be entered from a proof."""


def problem(application: Application) -> str | None:
    """Why an agent cannot enter this request's resources now, in French, or None when it can (again: a first
    entry may be corrected)."""
    request = application.creche
    if request is None:
        return "Cette demande n'est pas une demande de place en crèche"
    if request.psu_source == "api":
        return (
            "Les ressources de cette demande viennent de la CAF ou de la MSA : il n'y a rien à lire sur un justificatif"
        )
    if request.psu_source != "document":
        return "La famille n'a pas choisi d'envoyer un justificatif de ressources pour cette demande"
    if application.status in ENDED:
        return f"Cette demande est « {status_label(application.status)} » : ses ressources ne sont plus à saisir"
    return None


def can_enter(application: Application) -> bool:
    return problem(application) is None


def last_entry(application: Application) -> AuditEvent | None:
    """The latest entry of resources read on the proof: who and when."""
    entries = [e for e in application.events if e.action == ACTION]
    return max(entries, key=lambda e: (e.at, e.id)) if entries else None


def _detail(before: tuple, after: tuple, estimated: bool) -> str:
    """What the history says, without the figures: they are on the page, the history keeps who did what."""
    if before == (None, None, None):
        text = "Ressources lues sur le justificatif"
    else:
        changed = [name for name, old, new in zip(FIELDS, before, after, strict=True) if old != new]
        text = f"Correction : {', '.join(changed)}" if changed else "Ressources relues, sans changement"
    return text + (
        " ; estimation du tarif calculée" if estimated else " ; aucune estimation (pas de barème en vigueur)"
    )


def enter(application: Application, agent: Agent, annual: int, children: int, aeeh: int, today: date) -> AuditEvent:
    """Store the figures and the estimate (barème in force `today`), audit, delete the resources proof; commits.
    Raises ResourcesError."""
    if not can_enter(application):
        raise ResourcesError(problem(application))
    request = application.creche
    before = (request.psu_annual_resources, request.psu_children, request.psu_aeeh_children)
    estimate.record(request, annual, children, aeeh, on=today)
    event = audit.record(
        application, agent, ACTION, _detail(before, (annual, children, aeeh), request.estimate is not None)
    )
    # Only the resources proof: the criteria's proofs still justify the points.
    proofs = [d for d in application.documents if d.kind == documents.CRECHE_RESOURCES]
    qf_check.delete_checked_proofs(application, agent, proofs)
    db.session.commit()
    log.info("creche resources entered reference=%s estimated=%s", application.reference, request.estimate is not None)
    return event
