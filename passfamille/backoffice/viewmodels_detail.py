"""What an application's page, its attestation and the family's link show: templates never see the model."""

from datetime import date

from flask import current_app, g, url_for

from .. import decisions, demarches, documents
from ..avis_figures import explain_quotient, french_parts
from ..commune_settings import MUNICIPAL_QUOTIENT, NoRulesInForce
from ..demarches import creche as creche_demarche
from ..demarches import pass_famille, statemachine, status_label
from ..documents import DOCUMENT_KINDS
from ..formatting import date_time as when
from ..formatting import euros, local, month_year, short_date
from ..models import Application
from ..wizard.viewmodels import provider_label
from . import creche_resources, duplicates, qf_check, services
from .viewmodels_commission import creche_actions, creche_detail

FAMILY_DOCUMENT_KIND = "piece_demandee"  # a document the family sent through its link
KIND_LABELS = {**dict(DOCUMENT_KINDS), FAMILY_DOCUMENT_KIND: "Pièce envoyée par la famille"}

API_OUTCOMES = {
    "not_found": "aucun dossier trouvé à la CAF ou à la MSA",
    "identity": "identité non reconnue par la CAF ou la MSA",
    "unavailable": "CAF/MSA indisponible lors de la demande",
    "refused": "accès à API Particulier refusé (jeton de la commune)",
    "limit": "trop de vérifications pendant la demande",
    "bad_request": "erreur technique lors de l'appel à la CAF/MSA",
    "error": "erreur technique lors de l'appel à la CAF/MSA",
}
ACTION_LABELS = {
    "qf_verified": "Vérification du quotient familial",
    "psu_verified": "Ressources lues sur le justificatif",
    "document_deleted": "Justificatif supprimé",
    "relance": "Relance envoyée",
    "relance_answer": "Réponse à la relance",
    "assigned": "Dossier pris en charge",
    "criterion_verified": "Critère vérifié",
    "criterion_refused": "Critère refusé",
    "released": "Dossier laissé à un autre agent",
}
DEMARCHE_LABELS = {"creche": "préinscription en crèche"}

# How the identity the CAF/MSA was asked with was known (Application.identity_modality).
IDENTITY_LABELS = {
    "franceconnect": "Identité certifiée par FranceConnect",
    "identite": "Identité saisie par la famille",
}


def _kind_label(kind: str) -> str:
    if kind.startswith(documents.CRITERION_PREFIX):
        code = kind[len(documents.CRITERION_PREFIX) :]
        creche = current_app.extensions["commune"].creche
        criterion = next((c for c in creche.points_grid if c.code == code), None) if creche else None
        return f"Justificatif du critère « {criterion.label if criterion else code} »"
    if kind == documents.CRECHE_RESOURCES:
        return "Justificatif de ressources (crèche)"
    return KIND_LABELS.get(kind, "Justificatif")


def full_name(application: Application) -> str:
    name = " ".join(n for n in (application.first_names, application.birth_name) if n)
    return f"{name} (nom d'usage {application.usage_name})" if application.usage_name else name


def _children(application: Application) -> list[dict]:
    return [
        {
            "first_names": c.get("first_names"),
            "birth_date": short_date(c.get("birth_date")) or "date de naissance inconnue",
            "source": "CAF/MSA" if c.get("source") == "api" else "ajouté par la famille",
        }
        for c in application.children or []
    ]


def _address(application: Application) -> dict | None:
    home = application.address
    if not home:
        return None
    return {
        "lines": [*home.get("lines", []), f"{home.get('postal_code') or ''} {home.get('city') or ''}".strip()],
        "source": "CAF/MSA" if application.address_source == "api" else "saisie par la famille",
    }


def _verified(application: Application) -> dict | None:
    pf = application.pass_famille
    if pf.qf_verified_at is None:
        return None
    agent = pf.qf_verified_by
    return {"by": agent.email if agent else "un agent", "on": short_date(local(pf.qf_verified_at))}


def _resources_entry(application: Application) -> dict:
    """A crèche request's resources read on its proof: whether an agent can enter them, and who last did."""
    entry = creche_resources.last_entry(application)
    return {
        "can_enter": creche_resources.can_enter(application),
        "entered": {"by": entry.agent.email if entry.agent else "un agent", "on": short_date(local(entry.at))}
        if entry
        else None,
    }


def _qf(application: Application) -> dict:
    pf = application.pass_famille
    source = pf.qf_source
    qf = {
        "source": source,
        "value": euros(pf.qf_value) if pf.qf_value is not None else None,
        "verified": _verified(application),
        "api_outcome": API_OUTCOMES.get(application.api_outcome or ""),
    }
    if source == "api":
        qf |= {
            "provider": provider_label(pf.qf_provider),
            "month": month_year(pf.qf_year, pf.qf_month),
            "fetched_at": when(pf.qf_fetched_at),
            "request_id": application.api_request_id,
        }
    elif source is None:
        pending = "QF_PENDING" in (pf.decision or {}).get("reasons", [])
        qf["missing"] = "En attente de la CAF ou de la MSA" if pending else "Non fourni par la famille : plein tarif"
    qf["avis"] = _avis(application)
    qf["asks_avis_figures"] = qf_check.asks_avis_figures(application)
    return qf


def _avis(application: Application) -> dict | None:
    """The avis's RFR and parts, their source, and the municipal quotient the decision computed from them."""
    pf = application.pass_famille
    fiscal = decisions.fiscal_of(pf)
    if fiscal is None:
        return None
    decision = pf.decision or {}
    ruleset = _ruleset(application)
    formula = ruleset.municipal_quotient.formula if ruleset and ruleset.municipal_quotient else None
    calculation = None
    if decision.get("basis") == MUNICIPAL_QUOTIENT and decision.get("quotient") is not None and formula:
        calculation = explain_quotient(formula, fiscal, decision["quotient"])
    return {
        "rfr": euros(fiscal.rfr),
        "parts": french_parts(fiscal.parts),
        "source": fiscal.source,
        "calculation": calculation,
        "deliberation": ruleset.municipal_quotient.deliberation if ruleset and ruleset.municipal_quotient else None,
        # From the DGFiP (API Impôt particulier): the year of the income, when it was fetched, the call's id.
        "year": fiscal.year,
        "fetched_at": when(pf.fiscal_fetched_at) if pf.fiscal_fetched_at else None,
        "correlation_id": pf.fiscal_correlation_id,
    }


def _ruleset(application: Application):
    pf = application.pass_famille
    decided_on = (pf.decision or {}).get("decided_on")
    try:
        on = date.fromisoformat(decided_on) if decided_on else application.created_at.date()
        return current_app.extensions["commune"].pass_famille.rules.applicable(on)
    except (ValueError, NoRulesInForce):
        return None  # a rule set since removed from the settings: the reasons are shown without figures


BASIS_LABELS = {
    "caf_qf": "Quotient familial de la CAF ou de la MSA",
    MUNICIPAL_QUOTIENT: "Quotient municipal, calculé d'après l'avis d'imposition",
}


def _decision(application: Application) -> dict:
    pf = application.pass_famille
    decision = pf.decision or {}
    bracket = decision.get("bracket") or {}
    ruleset = _ruleset(application)
    home = application.address or {}
    municipal = decision.get("basis") == MUNICIPAL_QUOTIENT
    return {
        "basis": BASIS_LABELS.get(decision.get("basis") or "caf_qf"),
        "uses_avis": bool(ruleset and ruleset.uses_avis),
        "eligible": decision.get("eligible", pf.eligible),
        "bracket": bracket.get("label") or pf.bracket_code,
        "tariff": euros(decision.get("tariff") or pf.tariff),
        "discount_percent": decision.get("discount_percent"),
        "reasons": decision.get("reasons") or [],
        "covered": [c.get("first_names") for c in decision.get("covered_children") or []],
        "rules_version": pf.rules_version,
        "decided_on": short_date(decision.get("decided_on")),
        # What the French sentences of the reasons quote.
        "why": {
            "postal_code": home.get("postal_code"),
            "city": home.get("city"),
            "qf": euros(decision.get("quotient") if municipal else pf.qf_value),
            "quotient_name": "quotient municipal" if municipal else "quotient familial",
            "asks_avis_figures": qf_check.asks_avis_figures(application),
            "qf_month": month_year(pf.qf_year, pf.qf_month),
            "provider": provider_label(pf.qf_provider),
            "age_limit": ruleset.children_age_limit if ruleset else None,
            "ceiling": euros(ruleset.qf_ceiling) if ruleset else None,
            "max_age_months": ruleset.qf_max_age_months if ruleset else None,
            "verified": pf.qf_verified_at is not None,
        },
    }


def _documents(application: Application) -> list[dict]:
    return [
        {
            "kind": _kind_label(d.kind),
            "summary": documents.summary(d),
            "received": short_date(local(d.created_at)),
            "url": url_for("backoffice.document", document_id=d.id),
            "preview_url": url_for("backoffice.document_preview", document_id=d.id),
        }
        for d in sorted(application.documents, key=lambda d: d.id)
    ]


# Crèche changes made without an agent: the family answered through its link, or the relance command ran.
_BY_FAMILY = {"offer_accepted", "offer_declined", "withdrawn"}


def _who(event) -> str:
    if event.agent is not None:
        return event.agent.email
    if event.from_status == "documents_requested" or event.to_status in _BY_FAMILY or event.action == "relance_answer":
        return "La famille"
    return "Traitement automatique"


def _history(application: Application) -> list[dict]:
    rows = [{"when": when(application.created_at), "who": "La famille", "what": "Demande déposée", "detail": None}]
    for event in application.events:
        if event.action == "status":
            what = f"{status_label(event.from_status)} → {status_label(event.to_status)}"
        else:
            what = ACTION_LABELS.get(event.action, event.action)
        rows.append({"when": when(event.at), "who": _who(event), "what": what, "detail": event.detail})
    return rows


ACTION_BUTTONS = {"accepted": "Accepter", "refused": "Refuser", "documents_requested": "Demander une pièce"}


def action_label(application: Application, to: str) -> str:
    """The button of a Pass Famille status change, as on the page and its confirmation."""
    if to == "in_review" and application.status == "documents_requested":
        return "Reprendre l'instruction sans attendre la pièce"
    return ACTION_BUTTONS.get(to, "Prendre en charge")


def confirmation_view(application: Application, label: str, written: tuple[str, str] | None) -> dict:
    """The step before a change that mails the family: what will be done, to whom the mail goes, what it says."""
    return {
        "id": application.id,
        "reference": application.reference,
        "status_label": status_label(application.status),
        "label": label,
        "email": application.email,
        "written": written,  # (what it is, the text) when the agent wrote something the mail carries
        "href": url_for("backoffice.application", application_id=application.id),
    }


def _actions(application: Application) -> list[dict]:
    """The status changes the workflow allows now, in the order an agent reads them."""
    allowed = statemachine.allowed(application)
    actions = []
    for to in ("in_review", "accepted", "documents_requested", "refused"):
        if to not in allowed:
            continue
        label = action_label(application, to)
        problem = pass_famille.acceptance_problem(application) if to == "accepted" else None
        actions.append({"to": to, "label": label, "problem": problem})
    return actions


def _linked(application: Application) -> dict | None:
    linked = application.linked_application
    # « Les deux »: the other request is shown only to an agent of its service too.
    if linked is None or not services.sees(g.agent, linked):
        return None
    label = DEMARCHE_LABELS.get(linked.demarche) or current_app.extensions["commune"].pass_famille.title
    return {
        "reference": linked.reference,
        "label": label,
        "href": url_for("backoffice.application", application_id=linked.id),
    }


def _pass_famille_part(application: Application) -> dict:
    pf = application.pass_famille
    return {
        "qf": _qf(application),
        "decision": _decision(application),
        "can_verify": qf_check.can_verify(application),
        "actions": _actions(application),
        "pass": _pass(application),
        "refusal_reason": pf.refusal_reason,
        "requested_document": pf.requested_document,
    }


def _creche_part(application: Application) -> dict:
    return {
        "creche": creche_detail(application),
        "creche_actions": creche_actions(application),
        "resources_entry": _resources_entry(application),
        "criterion_proofs": _criterion_proofs(application),
        "can_check_criteria": application.status not in creche_demarche.FINISHED,
        "qf": None,
        "pass": None,
        "refusal_reason": None,
        "requested_document": None,
    }


def _criterion_proofs(application: Application) -> dict[str, list[dict]]:
    """Each criterion's proofs, by code, to open beside the « Vérifié » / « Refusé » buttons."""
    found: dict[str, list[dict]] = {}
    for d in sorted(application.documents, key=lambda d: d.id):
        if d.kind.startswith(documents.CRITERION_PREFIX):
            viewable = d.content_type in documents.LABELS
            endpoint = "backoffice.document_preview" if viewable else "backoffice.document"
            summary = documents.summary(d)
            found.setdefault(d.kind[len(documents.CRITERION_PREFIX) :], []).append(
                {"name": f"{summary['label']}, {summary['size_kb']} Ko", "href": url_for(endpoint, document_id=d.id)}
            )
    return found


# What each démarche adds to the page, shown by the panels its record names (demarches/*.py: detail_panels).
PARTS = {"pass_famille": _pass_famille_part, "creche": _creche_part}


def _follow(application: Application, agent) -> dict:
    owner = application.assigned_agent
    return {
        "owner": owner.email if owner else None,
        "since": when(application.assigned_at),
        "mine": owner is not None and agent is not None and owner.id == agent.id,
    }


def _notes(application: Application) -> list[dict]:
    """Newest first: the latest is what the next agent needs."""
    return [
        {"when": when(note.at), "who": note.agent.email if note.agent else "Agent supprimé", "body": note.body}
        for note in reversed(application.notes)
    ]


def _duplicates(application: Application) -> list[dict]:
    found = []
    for duplicate in duplicates.probable(application):
        why = [w for w, same in (("mêmes noms", duplicate.same_names), ("même courriel", duplicate.same_email)) if same]
        other = duplicate.application
        if not services.sees(g.agent, other):  # another service's family: not this agent's to see
            continue
        found.append(
            {
                "reference": other.reference,
                "href": url_for("backoffice.application", application_id=other.id),
                "status_label": status_label(other.status),
                "created_at": when(other.created_at),
                "why": " et ".join(why),
            }
        )
    return found


def detail_view(application: Application, agent=None) -> dict:
    """`agent`: who reads the page (to say « vous » for their own assignment)."""
    return {
        "duplicates": _duplicates(application),
        "duplicate_months": duplicates.MONTHS,
        "follow": _follow(application, agent),
        "notes": _notes(application),
        "id": application.id,
        "reference": application.reference,
        "panels": demarches.of(application).detail_panels,
        **PARTS[application.demarche](application),
        "linked": _linked(application),
        "status": application.status,
        "status_label": status_label(application.status),
        "created_at": when(application.created_at),
        "applicant": {
            "birth_name": application.birth_name,
            "usage_name": application.usage_name,
            "first_names": application.first_names,
            "email": application.email,
            "identity": IDENTITY_LABELS.get(application.identity_modality),
        },
        "children": _children(application),
        "address": _address(application),
        "deletes_documents": qf_check.deletes_documents(),
        "decided_at": when(application.decided_at),
        "documents": _documents(application),
        "history": _history(application),
    }


def _pass(application: Application) -> dict | None:
    pf = application.pass_famille
    if not pf.pass_number:
        return None
    return {
        "number": pf.pass_number,
        "valid_from": short_date(pf.pass_valid_from),
        "valid_until": short_date(pf.pass_valid_until),
    }


def attestation_view(application: Application) -> dict:
    pf = application.pass_famille
    decision = pf.decision or {}
    bracket = decision.get("bracket") or {}
    return {
        "id": application.id,
        "reference": application.reference,
        "name": full_name(application),
        "children": [
            {"first_names": c.get("first_names"), "birth_date": short_date(c.get("birth_date"))}
            for c in decision.get("covered_children") or []
        ],
        "pass": _pass(application),
        "bracket": bracket.get("label") or pf.bracket_code,
        "tariff": euros(pf.tariff),
        "discount_percent": decision.get("discount_percent"),
        "issued_on": short_date(local(application.decided_at)),
        "rules_version": pf.rules_version,
    }


def follow_view(application: Application) -> dict:
    """The family's view of its application, through its link: the reference and where things stand."""
    pf = application.pass_famille
    return {
        "reference": application.reference,
        "status": application.status,
        "created_on": short_date(local(application.created_at)),
        "requested_document": pf.requested_document,
        "refusal_reason": pf.refusal_reason,
    }
