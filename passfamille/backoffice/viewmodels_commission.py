"""What the commission pages and the crèche part of a request's page show: templates never see the model.

The order of a waiting list is never computed here: it comes from creche.waiting_list.waiting_list()."""

from dataclasses import dataclass
from datetime import date

from flask import abort, current_app, g, url_for
from sqlalchemy import func, select

from ..creche import criteria_checks, waiting_list
from ..creche.labels import CHILD_SOURCES, PSU_SOURCES, SHORT_TABLE_LABELS
from ..creche.settings import AgeGroup, CrecheSettings, Structure, age_in_months
from ..demarches import statemachine, status_label
from ..demarches.creche import WAITING
from ..documents import CRITERION_PREFIX
from ..extensions import db
from ..formatting import date_time, euros, local, short_date
from ..models import Application, CrecheRequest, CrecheWish
from .viewmodels_queue import application_href

# The requests the commission still has to see once they left the waiting list of a structure and section.
AFTER_OFFER = ("offered", "offer_accepted", "offer_declined", "offer_expired")


def settings() -> CrecheSettings:
    """The crèche settings for the commission's pages, or a 404: a commune without a crèche section has no
    commission, and an agent of the Pass Famille only does not see it (nor that it exists)."""
    if not _works_for_creche():
        abort(404)
    return _creche()


def _creche() -> CrecheSettings:
    """The crèche settings, whoever asks (a crèche request's points, read outside the commission too)."""
    found = current_app.extensions["commune"].creche
    if found is None:
        abort(404)
    return found


def _works_for_creche() -> bool:
    agent = g.get("agent")
    return agent is not None and "creche" in agent.demarches


def has_creche() -> bool:
    return current_app.extensions["commune"].creche is not None and _works_for_creche()


def structure_and_group(structure_code: str, group_code: str) -> tuple[Structure, AgeGroup]:
    structure = settings().structure(structure_code)
    group = structure.age_group(group_code) if structure else None
    if group is None:
        abort(404)
    return structure, group


def wish_label(structure_code: str | None, group_code: str | None) -> str:
    """« Multi-accueil Les Pioupious, Bébés »; the codes when the settings no longer know them."""
    if not structure_code:
        return ""
    structure = settings().structure(structure_code)
    group = structure.age_group(group_code) if structure and group_code else None
    return f"{structure.name if structure else structure_code}, {group.label if group else group_code}"


def ordinal(number: int) -> str:
    return "1er choix" if number == 1 else f"{number}e choix"


def child_age(request: CrecheRequest) -> str:
    """The child's age at the desired start date, or the due date of an expected child."""
    if request.child_birth_date is None:
        return f"à naître, terme le {short_date(request.child_due_date)}" if request.child_due_date else "inconnu"
    months = age_in_months(request.child_birth_date, request.start_date)
    if months < 0:
        return f"pas encore né à cette date (naissance le {short_date(request.child_birth_date)})"
    if months < 24:
        return f"{months} mois"
    years, rest = divmod(months, 12)
    return f"{years} ans" + (f" et {rest} mois" if rest else "")


def _proofs(application: Application) -> set[str]:
    return {d.kind[len(CRITERION_PREFIX) :] for d in application.documents if d.kind.startswith(CRITERION_PREFIX)}


def _check(request: CrecheRequest, code: str) -> dict:
    """An agent's check of one criterion: its state, a short tag for the lists, who and when for the page."""
    check = next((c for c in request.checks if c.code == code), None)
    if check is None:
        return {"state": criteria_checks.PENDING, "tag": "à vérifier", "by": None, "on": None, "reason": None}
    return {
        "state": check.state,
        "tag": criteria_checks.STATES.get(check.state, check.state),
        "by": check.agent.email if check.agent else "un agent supprimé",
        "on": date_time(check.at),
        "reason": check.reason,
    }


def points_lines(request: CrecheRequest) -> dict:
    """The points with each criterion that gives them, whether its proof came with the request, and whether an agent
    verified it or refused it (a refused criterion is listed, worth nothing)."""
    points = waiting_list.points_of(request)
    proofs = _proofs(request.application)
    counted = {criterion.code: value for criterion, value in points.lines}
    lines = []
    for criterion in (c for c in _creche().points_grid if c.code in counted or c in points.refused):
        proof = None
        if criterion.requires_document:
            proof = "justificatif joint" if criterion.code in proofs else "justificatif manquant"
            # Ticked from the address the CAF/MSA gave, no proof was asked: the agent checks that address.
            if criterion.address_in_commune and criterion.code not in proofs:
                proof = "adresse de la CAF/MSA" if request.application.address_source == "api" else proof
        lines.append(
            {
                "code": criterion.code,
                "label": criterion.label,
                "points": counted.get(criterion.code, 0),
                "grid_points": criterion.points,
                "proof": proof,
                "check": _check(request, criterion.code),
            }
        )
    return {"total": points.total, "lines": lines, "unknown": list(points.unknown)}


def _days_hours(request: CrecheRequest) -> str:
    days = "jour" if request.days_per_week == 1 else "jours"
    return f"{request.days_per_week} {days}, {request.hours_per_week} h par semaine"


# --- the commission's overview ---------------------------------------------------------------------------------


# A place is free when nobody holds it: not a family that accepted it or was admitted, nor one that has not answered
# an offer yet (its deadline still runs). Declined and expired offers give their place back.
HOLDING_A_PLACE = ("offered", "offer_accepted", "admitted")


@dataclass(frozen=True)
class GroupSummary:
    label: str
    places: int
    waiting: int
    offered: int
    accepted: int
    admitted: int
    href: str

    @property
    def free(self) -> int:
        return max(0, self.places - self.offered - self.accepted - self.admitted)

    @property
    def overbooked(self) -> int:
        """How many more places are promised than the section has (the commission offered too many)."""
        return max(0, self.offered + self.accepted + self.admitted - self.places)

    @property
    def free_label(self) -> str:
        return free_places_label(self.free, self.places)


def free_places_label(free: int, places: int) -> str:
    """« 3 places libres sur 12 », « 1 place libre sur 10 », « aucune place libre sur 12 »."""
    if free == 0:
        return f"aucune place libre sur {places}"
    return f"{free} place{'s' if free > 1 else ''} libre{'s' if free > 1 else ''} sur {places}"


@dataclass(frozen=True)
class StructureSummary:
    name: str
    table: str
    groups: list[GroupSummary]


def _counts_by_wish(statuses: tuple[str, ...]) -> dict[tuple[str, str, str], int]:
    query = (
        select(CrecheWish.structure_code, CrecheWish.age_group_code, Application.status, func.count())
        .join(CrecheRequest, CrecheWish.request_id == CrecheRequest.id)
        .join(Application, CrecheRequest.application_id == Application.id)
        .where(Application.status.in_(statuses))
        .group_by(CrecheWish.structure_code, CrecheWish.age_group_code, Application.status)
    )
    return {(s, g, status): n for s, g, status, n in db.session.execute(query)}


def _counts_by_offer(statuses: tuple[str, ...], wish: tuple[str, str] | None = None) -> dict[tuple[str, str, str], int]:
    query = (
        select(CrecheRequest.offer_structure, CrecheRequest.offer_age_group, Application.status, func.count())
        .join(Application, CrecheRequest.application_id == Application.id)
        .where(Application.status.in_(statuses))
        .group_by(CrecheRequest.offer_structure, CrecheRequest.offer_age_group, Application.status)
    )
    if wish is not None:
        query = query.where(CrecheRequest.offer_structure == wish[0], CrecheRequest.offer_age_group == wish[1])
    return {(s, g, status): n for s, g, status, n in db.session.execute(query)}


def group_summary(structure: Structure, group: AgeGroup, waiting: int, offers: dict) -> GroupSummary:
    return GroupSummary(
        label=group.label,
        places=group.places,
        waiting=waiting,
        offered=offers.get((structure.code, group.code, "offered"), 0),
        accepted=offers.get((structure.code, group.code, "offer_accepted"), 0),
        admitted=offers.get((structure.code, group.code, "admitted"), 0),
        href=url_for("backoffice.commission_list", structure=structure.code, group=group.code),
    )


def section_summary(structure: Structure, group: AgeGroup, waiting: int) -> GroupSummary:
    """One structure and section's places; the places held are counted by the database in one query."""
    return group_summary(structure, group, waiting, _counts_by_offer(HOLDING_A_PLACE, (structure.code, group.code)))


def overview() -> list[StructureSummary]:
    """Per structure and section: free places out of its places, requests waiting, places offered, accepted and
    taken by an admitted child (one query for all the places held, one for the waiting requests)."""
    waiting = _counts_by_wish((WAITING,))
    offers = _counts_by_offer(HOLDING_A_PLACE)
    return [
        StructureSummary(
            name=structure.name,
            table=SHORT_TABLE_LABELS.get(structure.table, structure.table),
            groups=[
                group_summary(structure, group, waiting.get((structure.code, group.code, WAITING), 0), offers)
                for group in structure.age_groups
            ],
        )
        for structure in settings().structures
    ]


# --- one structure and section ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingRow:
    id: int
    rank: int
    reference: str
    href: str
    child_age: str
    start_date: date
    days_hours: str
    wish: str
    points: dict
    requested_at: str


@dataclass(frozen=True)
class OfferRow:
    reference: str
    href: str
    status_label: str
    start_date: str
    deadline: str
    offered_at: str


def waiting_rows(structure_code: str, group_code: str) -> list[WaitingRow]:
    return [
        WaitingRow(
            id=entry.request.application_id,
            rank=entry.rank,
            reference=entry.request.application.reference,
            href=application_href(entry.request.application_id),
            child_age=child_age(entry.request),
            start_date=entry.request.start_date,
            days_hours=_days_hours(entry.request),
            wish=ordinal(entry.wish_number),
            points=points_lines(entry.request),
            requested_at=date_time(entry.request.application.created_at),
        )
        for entry in waiting_list.waiting_list(structure_code, group_code)
    ]


def offer_rows(structure_code: str, group_code: str) -> list[OfferRow]:
    """The requests this structure and section offered a place to, whatever the family answered."""
    query = (
        select(CrecheRequest)
        .join(Application, CrecheRequest.application_id == Application.id)
        .where(
            CrecheRequest.offer_structure == structure_code,
            CrecheRequest.offer_age_group == group_code,
            Application.status.in_(AFTER_OFFER),
        )
        .order_by(CrecheRequest.offered_at, CrecheRequest.id)
    )
    return [
        OfferRow(
            reference=r.application.reference,
            href=application_href(r.application_id),
            status_label=status_label(r.application.status),
            start_date=short_date(r.offer_start_date),
            deadline=short_date(r.offer_deadline),
            offered_at=short_date(local(r.offered_at)),
        )
        for r in db.session.scalars(query)
    ]


# --- the crèche part of a request's page ------------------------------------------------------------------------


def _positions(request: CrecheRequest) -> list[dict]:
    return [
        {
            "wish": ordinal(p.wish_number),
            "label": wish_label(p.structure_code, p.age_group_code),
            "rank": f"{p.rank} sur {p.waiting}" if p.rank else "hors liste d'attente",
            "href": url_for("backoffice.commission_list", structure=p.structure_code, group=p.age_group_code)
            if settings().structure(p.structure_code)
            else None,
        }
        for p in waiting_list.positions(request)
    ]


def _estimate(request: CrecheRequest) -> list[dict]:
    tables = (request.estimate or {}).get("tables") or {}
    return [
        {
            "table": SHORT_TABLE_LABELS.get(table, table),
            "hourly": euros(values.get("hourly")),
            "monthly": euros(values.get("monthly")),
        }
        for table, values in tables.items()
    ]


def creche_detail(application: Application) -> dict | None:
    request = application.creche
    if request is None:
        return None
    offer = None
    if request.offer_structure:
        offer = {
            "where": wish_label(request.offer_structure, request.offer_age_group),
            "start": short_date(request.offer_start_date),
            "deadline": short_date(request.offer_deadline),
            "offered_at": date_time(request.offered_at),
        }
    return {
        "child": {
            "first_name": request.child_first_name or "Prénom non indiqué",
            "birth_date": short_date(request.child_birth_date),
            "due_date": short_date(request.child_due_date),
            "source": CHILD_SOURCES.get(request.child_source, request.child_source),
            "age": child_age(request),
        },
        "start_date": short_date(request.start_date),
        "days_hours": _days_hours(request),
        "wishes": _positions(request),
        "points": points_lines(request),
        "psu": {
            "source": PSU_SOURCES.get(request.psu_source, request.psu_source),
            "annual_resources": euros(request.psu_annual_resources)
            if request.psu_annual_resources is not None
            else None,
            "children": request.psu_children,
            "aeeh_children": request.psu_aeeh_children,
            "fetched_at": date_time(request.psu_fetched_at),
            "estimate_on": short_date((request.estimate or {}).get("on")),
            "estimate": _estimate(request),
        },
        "confirmed_at": date_time(request.confirmed_at),
        "relance_sent_at": date_time(request.relance_sent_at),
        "offer": offer,
    }


CRECHE_BUTTONS = {
    "admitted": "Prononcer l'admission",
    "waiting": "Remettre en liste d'attente",
    "withdrawn": "Retirer la demande",
}


def creche_actions(application: Application) -> list[dict]:
    """The crèche status changes an agent makes on the request's page; offering a place is the commission's."""
    allowed = statemachine.allowed(application)
    return [{"to": to, "label": label} for to, label in CRECHE_BUTTONS.items() if to in allowed]
