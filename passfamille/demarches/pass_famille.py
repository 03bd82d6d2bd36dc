"""The Pass Famille after submission: déposée → en instruction → acceptée / refusée / pièce demandée → (the family
answers) → en instruction → … Accepting grants a pass number; each end sets how long the file is kept."""

from datetime import date, datetime, time, timedelta

from flask import current_app

from .. import numbering
from ..models import Application, PassFamilleRequest, utcnow
from ..retention import months_after
from .base import Change, Demarche, FamilyLink

STATUSES = {
    "submitted": "Déposée",
    "to_verify": "Déposée, à vérifier",
    "awaiting_recheck": "En attente de la CAF/MSA",
    "in_review": "En instruction",
    "documents_requested": "Pièce demandée",
    "accepted": "Acceptée",
    "refused": "Refusée",
}
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


def check(application: Application, to_status: str, change: Change | None) -> str | None:
    if to_status == "accepted":
        return acceptance_problem(application)
    if change is None:
        return None
    if to_status == "refused" and not (change.reason or "").strip():
        return "Indiquez le motif du refus"
    if to_status == "documents_requested" and not (change.message or "").strip():
        return "Indiquez la pièce demandée à la famille"
    return None


def acceptance_problem(application: Application) -> str | None:
    """Why the application cannot be accepted yet, in French, or None.

    The pass carries a tariff: only a decision the rules call eligible can be granted, and a QF read on a
    document counts only once an agent has checked it on the document."""
    found = application.pass_famille
    if found.qf_source == "document" and found.qf_verified_at is None:
        if found.fiscal_rfr is not None:  # a municipal quotient from the figures the family read on its avis
            return "Vérifiez d'abord le revenu fiscal de référence et le nombre de parts sur l'avis d'imposition"
        return "Vérifiez d'abord le quotient familial sur le justificatif"
    if found.eligible is None:
        return "Le quotient familial n'est pas encore connu : demandez un justificatif à la famille"
    if not found.eligible:
        return "Selon les règles, cette demande ne remplit pas les conditions : elle ne peut pas être acceptée"
    return None


def apply(application: Application, from_status: str, change: Change, today: date) -> str | None:
    to_status = application.status
    retention, found = current_app.extensions["commune"].retention, application.pass_famille
    detail = None
    if to_status == "refused":
        found.refusal_reason = detail = change.reason.strip()
    elif to_status == "documents_requested":
        found.requested_document = detail = change.message.strip()
    elif to_status == "accepted":
        _grant_pass(found, today)
        detail = f"Pass n° {found.pass_number}"
    if to_status in ("accepted", "refused"):
        application.decided_at = utcnow()
        months = retention.application_months if to_status == "accepted" else retention.refused_application_months
        application.purge_after = months_after(today, months)
    elif to_status == "documents_requested":
        # A file left without an answer is erased sooner (retention.incomplete_application_days) ...
        days = retention.incomplete_application_days
        application.purge_after = (
            months_after(today, retention.refused_application_months)
            if days is None
            else datetime.combine(today, time()) + timedelta(days=days)
        )
    elif from_status == "documents_requested":
        # ... and gets back the ordinary retention once the family has answered.
        application.purge_after = months_after(today, retention.application_months)
    return detail


def _grant_pass(found: PassFamilleRequest, today: date) -> None:
    validity = current_app.extensions["commune"].pass_famille.validity
    found.pass_number = numbering.next_number("PASS", today.year)
    found.pass_valid_from = today
    if validity.until is not None:
        found.pass_valid_until = validity.until
    else:
        found.pass_valid_until = months_after(today, validity.months).date()


DEMARCHE = Demarche(
    code="pass_famille",
    label="Pass Famille",
    prefix="PF",
    statuses=STATUSES,
    transitions=TRANSITIONS,
    check=check,
    apply=apply,
    mail_template="mails/statut-{status}.txt",
    mail_subject=lambda application: (
        f"{current_app.extensions['commune'].pass_famille.title} : demande {application.reference}"
    ),
    link=FamilyLink(
        demarche="pass_famille",
        salt="passfamille-famille",
        key="application",
        path="/demande/suivi",
        max_age=lambda: FAMILY_LINK_MAX_AGE,
        bound_to_status=True,
    ),
    detail_panels={
        "facts": "backoffice/_quotient.html",
        "decision": "backoffice/_decision.html",
        "actions": "backoffice/_actions.html",
    },
)
