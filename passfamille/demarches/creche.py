"""A crèche pre-registration after submission:

    en attente → place proposée → place acceptée → admis
                                → place refusée / proposition expirée → (the commission) en attente again
    en attente → close sans réponse (relance unanswered) / retirée par la famille

An offer records the place and the answer's deadline; back on the waiting list the request keeps its rank."""

from datetime import date, timedelta

from flask import current_app

from ..models import Application, CrecheRequest, utcnow
from ..retention import months_after
from .base import Change, Demarche, FamilyLink

WAITING = "waiting"
STATUSES = {
    "waiting": "En attente",
    "offered": "Place proposée",
    "offer_accepted": "Place acceptée",
    "offer_declined": "Place refusée",
    "offer_expired": "Proposition expirée",
    "admitted": "Admis",
    "closed": "Close sans réponse",
    "withdrawn": "Retirée",
}
TRANSITIONS: dict[str, frozenset[str]] = {
    "waiting": frozenset({"offered", "closed", "withdrawn"}),
    "offered": frozenset({"offer_accepted", "offer_declined", "offer_expired"}),
    "offer_accepted": frozenset({"admitted"}),
    "offer_declined": frozenset({"waiting", "withdrawn"}),
    "offer_expired": frozenset({"waiting", "withdrawn"}),
    "admitted": frozenset(),
    "closed": frozenset(),
    "withdrawn": frozenset(),
}
# Statuses after which the request is finished: it is erased retention.refused_application_months later.
FINISHED = frozenset({"admitted", "closed", "withdrawn"})


def settings():
    return current_app.extensions["commune"].creche


def offer_problem(request: CrecheRequest, structure_code: str, age_group_code: str, start: date | None) -> str | None:
    """Why this place cannot be offered to this request, in French, or None."""
    if request.application.status != WAITING:
        status = STATUSES.get(request.application.status, request.application.status)
        return f"Cette demande est « {status} » : aucune place ne peut lui être proposée"
    if not any(w.structure_code == structure_code and w.age_group_code == age_group_code for w in request.wishes):
        return "La famille n'a pas demandé cette structure pour cette section"
    if start is None:
        return "Indiquez la date d'entrée proposée"
    return None


def check(application: Application, to_status: str, change: Change | None) -> str | None:
    if application.creche is None:
        return "Cette demande n'est pas une demande de place en crèche"
    if to_status == "offered" and change is not None:
        structure_code, age_group_code, start = change.offer or (None, None, None)
        return offer_problem(application.creche, structure_code, age_group_code, start)
    return None


def apply(application: Application, from_status: str, change: Change, today: date) -> str | None:
    request, to_status = application.creche, application.status
    detail = None
    if to_status == "offered":
        request.offer_structure, request.offer_age_group, request.offer_start_date = change.offer
        request.offer_deadline = today + timedelta(days=settings().delays.offer_answer_days)
        request.offered_at = utcnow()
        request.relance_sent_at = None  # an offer answers the question "do you still want a place?"
        detail = change.detail or offer_detail(request)
    elif to_status == WAITING:
        request.offer_structure = request.offer_age_group = None
        request.offer_start_date = request.offer_deadline = request.offered_at = None
        request.confirmed_at = utcnow()
    if to_status in FINISHED:
        application.decided_at = utcnow()
        months = current_app.extensions["commune"].retention.refused_application_months
        application.purge_after = months_after(today, months)
    return detail


def offer_detail(request: CrecheRequest) -> str:
    structure = settings().structure(request.offer_structure)
    group = structure.age_group(request.offer_age_group) if structure else None
    where = f"{structure.name if structure else request.offer_structure}, {group.label if group else ''}".rstrip(", ")
    start, deadline = request.offer_start_date, request.offer_deadline
    return f"{where} — entrée le {start:%d/%m/%Y}, réponse attendue avant le {deadline:%d/%m/%Y}"


def link_max_age() -> int:
    """Seconds a link stays valid: until the answer to the next relance is due. Every relance and every offer
    mails a fresh link, so a family always holds a valid one while its request lives."""
    delays = settings().delays
    return (delays.relance_months * 31 + delays.relance_answer_days) * 24 * 3600


DEMARCHE = Demarche(
    code="creche",
    label="Préinscription en crèche",
    prefix="CR",
    statuses=STATUSES,
    transitions=TRANSITIONS,
    check=check,
    apply=apply,
    mail_template="mails/creche-{status}.txt",
    mail_subject=lambda application: f"Préinscription en crèche : demande {application.reference}",
    link=FamilyLink(
        demarche="creche", salt="passfamille-creche", key="creche", path="/creche/suivi", max_age=link_max_age
    ),
    detail_panels={
        "facts": "backoffice/_creche-demande.html",
        "decision": "backoffice/_sans-decision.html",
        "actions": "backoffice/_creche-actions.html",
    },
)
