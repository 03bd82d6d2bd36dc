"""Checking a quotient familial read on a document: the agent confirms or corrects it, the same rules decide
again, the check is audited, and the document, no longer needed, is deleted. Where the rules compute a municipal
quotient from the avis d'imposition, the agent reads its revenu fiscal de référence and nombre de parts instead,
and the same rules.decide() computes the quotient."""

import logging
from decimal import Decimal

from flask import current_app

from .. import audit, decisions, documents, rules
from ..avis_figures import french_parts
from ..commune_settings import MUNICIPAL_QUOTIENT, NoRulesInForce
from ..demarches import status_label
from ..extensions import db
from ..formatting import euros
from ..models import Agent, Application, AuditEvent, utcnow

log = logging.getLogger(__name__)


class VerificationError(Exception):
    """The QF of this application cannot be verified (already verified, decided, or nothing to check)."""


def problem(application: Application) -> str | None:
    """Why the QF of this application cannot be verified now, in French, or None when it can."""
    found = application.pass_famille
    if found is None:
        return "Cette demande n'a pas de quotient familial à vérifier"
    if found.qf_verified_at is not None:
        return "Le quotient familial de cette demande est déjà vérifié"
    if application.status in ("accepted", "refused"):
        return f"Cette demande est déjà « {status_label(application.status)} »"
    # A QF the family read on its document, or none at all but a document sent since (after a failed API call).
    if found.qf_source == "document" or (found.qf_value is None and application.documents):
        return None
    if found.qf_source == "api":
        return "Le quotient familial de cette demande vient de la CAF ou de la MSA : il n'y a rien à vérifier"
    return "Cette demande n'a pas de justificatif de quotient familial à vérifier"


def can_verify(application: Application) -> bool:
    return problem(application) is None


def asks_avis_figures(application: Application) -> bool:
    """Whether the check asks the avis's RFR and parts rather than a QF: the rules in force when the family applied
    compute a municipal quotient, and no CAF/MSA QF read on an attestation decides instead (« QF when the CAF/MSA
    gives one, else the avis »)."""
    found = application.pass_famille
    if found is None:
        return False
    try:
        rule_set = current_app.extensions["commune"].pass_famille.rules.applicable(application.created_at.date())
    except NoRulesInForce:
        return False
    if not rule_set.uses_avis:
        return False
    return rule_set.basis == MUNICIPAL_QUOTIENT or found.qf_value is None


def deletes_documents() -> bool:
    """Whether the proof is deleted once checked (the default: only the figure is needed afterwards).

    Read from an optional boolean `retention.delete_documents_once_verified` of the commune settings, so that a
    commune that prefers to keep proofs until retention.documents_days_after_decision can say so."""
    return current_app.extensions["commune"].retention.delete_documents_once_verified


def delete_checked_proofs(application: Application, agent: Agent, proofs: list) -> None:
    """Once an agent has read what a proof says, delete it when the settings say so, and audit the deletion.
    Shared by the QF check and the crèche resources entry; the caller commits."""
    if proofs and deletes_documents():
        for document in proofs:
            documents.delete(document)
        what = "Justificatif supprimé" if len(proofs) == 1 else f"{len(proofs)} pièces supprimées"
        audit.record(application, agent, "document_deleted", f"{what} après vérification")


def household(application: Application, qf_value: int) -> rules.Household:
    """The facts the application was decided on, with the QF the agent read on the document."""
    return rules.Household(
        qf=rules.QuotientFamilial(qf_value, None, None, None, "document"),
        qf_status="known",
        children=decisions.children_from_json(application.children),
        postal_code=(application.address or {}).get("postal_code"),
    )


def avis_household(application: Application, fiscal: rules.FiscalInputs) -> rules.Household:
    """The facts the application was decided on, with the avis's figures the agent read: no CAF/MSA QF."""
    return rules.Household(
        qf=None,
        qf_status="to_compute",
        children=decisions.children_from_json(application.children),
        postal_code=(application.address or {}).get("postal_code"),
        fiscal=fiscal,
    )


def _detail(before: int | None, after: int, bracket_before: str | None, bracket_after: str | None) -> str:
    if before is None:
        text = f"QF vérifié : {euros(after)} lu sur le document"
    elif before == after:
        text = f"QF vérifié : {euros(after)} confirmé"
    else:
        text = f"QF vérifié : corrigé de {euros(before)} à {euros(after)}"
    if bracket_before != bracket_after:
        text += f" ; tranche : {bracket_before or 'aucune'} → {bracket_after or 'aucune'}"
    return text


def _figures(rfr: int, parts: Decimal) -> str:
    return f"RFR {euros(rfr)}, {french_parts(parts)} part{'s' if parts >= 2 else ''}"


def _avis_detail(before: rules.FiscalInputs | None, after: rules.FiscalInputs, decision: rules.Decision) -> str:
    if before is None:
        text = f"Avis vérifié : {_figures(after.rfr, after.parts)} lus sur l'avis"
    elif (before.rfr, before.parts) == (after.rfr, after.parts):
        text = f"Avis vérifié : {_figures(after.rfr, after.parts)} confirmés"
    else:
        text = f"Avis vérifié : corrigé de {_figures(before.rfr, before.parts)} à {_figures(after.rfr, after.parts)}"
    if decision.basis == MUNICIPAL_QUOTIENT and decision.quotient is not None:
        text += f" ; quotient municipal {euros(decision.quotient)}"
    return text


def verify_avis(application: Application, agent: Agent, rfr: int, parts: Decimal) -> AuditEvent:
    """Record the RFR and parts read on the avis, decide again with the same rules (the municipal quotient),
    audit, delete the proof; commits. Raises VerificationError."""
    if not can_verify(application):
        raise VerificationError(problem(application))
    settings = current_app.extensions["commune"]
    found = application.pass_famille
    before, bracket_before = decisions.fiscal_of(found), found.bracket_code
    fiscal = rules.FiscalInputs(rfr, parts, "document", before.year if before else None)
    # The rules in force when the family applied decide, as they did at submission.
    decision = rules.decide(
        avis_household(application, fiscal), settings.pass_famille.rules, on=application.created_at.date()
    )
    decisions.record(found, decision)
    decisions.record_fiscal(found, fiscal)
    found.qf_source = "document"
    found.qf_verified_by = agent
    found.qf_verified_at = utcnow()
    detail = _avis_detail(before, fiscal, decision)
    if bracket_before != found.bracket_code:
        detail += f" ; tranche : {bracket_before or 'aucune'} → {found.bracket_code or 'aucune'}"
    event = audit.record(application, agent, "qf_verified", detail)
    delete_checked_proofs(application, agent, list(application.documents))
    db.session.commit()
    changed = before is None or (before.rfr, before.parts) != (rfr, parts)
    log.info("avis verified reference=%s changed=%s", application.reference, changed)
    return event


def verify(application: Application, agent: Agent, qf_value: int) -> AuditEvent:
    """Record the QF read on the document, decide again, audit, delete the proof; commits. Raises
    VerificationError."""
    if not can_verify(application):
        raise VerificationError(problem(application))
    settings = current_app.extensions["commune"]
    found = application.pass_famille
    before, bracket_before = found.qf_value, found.bracket_code
    # The rules in force when the family applied decide, as they did at submission.
    decision = rules.decide(
        household(application, qf_value), settings.pass_famille.rules, on=application.created_at.date()
    )
    decisions.record(found, decision)
    found.qf_value, found.qf_source = qf_value, "document"
    found.qf_provider = found.qf_year = found.qf_month = None
    found.qf_verified_by = agent
    found.qf_verified_at = utcnow()
    event = audit.record(
        application, agent, "qf_verified", _detail(before, qf_value, bracket_before, found.bracket_code)
    )
    delete_checked_proofs(application, agent, list(application.documents))
    db.session.commit()
    log.info("qf verified reference=%s changed=%s", application.reference, before != qf_value)
    return event
