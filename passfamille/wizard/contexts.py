"""What each step's template shows besides its form, read from the draft."""

from datetime import date

from flask import current_app

from ..creche_settings import TABLE_LABELS
from . import creche, documents, household
from .creche_forms import criterion_field, document_field
from .steps import Step, details_hidden, eaje, outcome, path, uses_api, wants_creche, wants_pass_famille
from .viewmodels import decision_view, recap_rows, verification_view


def step_context(step: Step, draft) -> dict:
    if step.name == "verification":
        return {"view": verification_view(draft)}
    if step.name == "foyer":
        return {
            "certified_children": household.certified_children(draft),
            "added_children": household.added_children(draft),
            "certified_address": household.certified_address(draft),
            "territory_check": decision_view(draft).get("resident"),
            "hidden": details_hidden(draft),
            "ruleset": current_app.extensions["commune"].pass_famille.rules.applicable(date.today()),
        }
    if step.name == "justificatif":
        return {"document": documents.summary(documents.for_draft(draft))}
    if step.name == "resultat":
        return {"result": decision_view(draft)}
    if step.name == "recapitulatif":
        return {"rows": recap_rows(draft), "result": decision_view(draft) if wants_pass_famille(draft) else None}
    if step.name == "demandeur":
        return {"identity_notice": outcome(draft) == "identity" and uses_api(draft)}
    if step.name == "information":
        return {"pass_famille": wants_pass_famille(draft), "creche": wants_creche(draft)}
    if step.name == "souhaits":
        return {"structures": creche.settings().structures, "child": creche.child_label(creche.child(draft))}
    if step.name == "situation":
        return {
            "sent": creche.criterion_documents(draft),
            "criterion_field": criterion_field,
            "document_field": document_field,
        }
    if step.name == "estimation":
        steps = path(draft)
        following = steps[steps.index(step) + 1] if step in steps and steps[-1] is not step else None
        return {
            "estimate": estimate_view(draft),
            # CGU: figures drawn from the CAF/MSA file are not shown when the commune hides its details.
            "hidden": details_hidden(draft),
            "eaje_outcome": eaje(draft).get("outcome"),
            "document": documents.summary(documents.for_draft(draft, documents.CRECHE_RESOURCES)),
            "stepper_next_slug": following.slug if following else None,
        }
    return {}


def estimate_view(draft) -> dict | None:
    found = creche.draft_estimates(draft, date.today())
    if not found:
        return None
    facts = eaje(draft)
    return {"facts": facts, "tables": found, "hours_per_week": creche.hours_per_week(draft), "labels": TABLE_LABELS}
