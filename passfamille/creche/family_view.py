"""What the family's crèche pages show, built from the request and the settings (templates get no raw model)."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask import current_app

from ..demarches import status_label
from ..demarches.creche import WAITING
from ..formatting import long_date
from ..models import Application
from . import relance, waiting_list
from .settings import TABLE_LABELS, CrecheDelays, CrecheSettings, Structure

# Why a request has no rank: only waiting requests are on the lists (creche_points.rank).
NO_RANK_REASONS = {
    "offered": "Une place vous est proposée : votre demande ne figure plus sur les listes d'attente pendant que "
    "vous répondez.",
    "offer_accepted": "Vous avez accepté une place : votre demande a quitté les listes d'attente.",
    "offer_declined": "Vous avez refusé la place proposée : la commission décidera si votre demande revient sur "
    "les listes d'attente, avec les mêmes points et la même date.",
    "offer_expired": "La proposition de place a expiré sans réponse : la commission décidera si votre demande "
    "revient sur les listes d'attente, avec les mêmes points et la même date.",
    "admitted": "Votre enfant est admis : votre demande est terminée.",
    "closed": "Votre demande est close : elle ne figure plus sur les listes d'attente.",
    "withdrawn": "Votre demande est retirée : elle ne figure plus sur les listes d'attente.",
}


@dataclass(frozen=True)
class WishRow:
    number: int
    structure: str
    section: str
    rank: str  # "Rang : 3 sur 12 familles en attente", or "Pas de rang"


@dataclass(frozen=True)
class EstimateRow:
    kind: str
    structures: tuple[str, ...]
    hourly: Decimal
    monthly: Decimal | None


@dataclass(frozen=True)
class Offer:
    structure: str
    section: str | None
    address: str | None
    start: date
    deadline: date
    expired: bool


@dataclass(frozen=True)
class FollowView:
    token: str
    reference: str
    status: str
    status_label: str
    created_at: datetime
    child: str
    start_date: date
    days_per_week: int
    hours_per_week: int
    wishes: tuple[WishRow, ...]
    no_rank_reason: str | None
    points_total: int
    points_lines: tuple[tuple[str, int], ...]
    estimate_on: date | None
    estimate: tuple[EstimateRow, ...]
    estimate_hidden: bool  # the commune does not show CAF/MSA figures online (api_particulier.show_details)
    psu_source: str | None  # where the figures of the estimate come from: "api" (CAF/MSA), "document" (the proof)
    relance_deadline: date | None  # set when a relance waits for the family's answer
    next_relance_on: date | None
    offer: Offer | None
    delays: CrecheDelays


def _settings() -> CrecheSettings:
    return current_app.extensions["commune"].creche


def rank_text(rank: int, waiting: int) -> str:
    return f"Rang : {rank} sur {waiting} famille{'s' if waiting > 1 else ''} en attente"


def _child(request) -> str:
    if request.child_source == "expected":
        named = f" ({request.child_first_name})" if request.child_first_name else ""
        return f"Enfant à naître{named}, naissance prévue le {long_date(request.child_due_date)}"
    return request.child_first_name or "Votre enfant"


def _names(settings: CrecheSettings, structure_code: str, group_code: str) -> tuple[str, str]:
    structure = settings.structure(structure_code)
    group = structure.age_group(group_code) if structure else None
    return (structure.name if structure else structure_code), (group.label if group else group_code)


def _wishes(settings: CrecheSettings, request, waiting: bool) -> tuple[WishRow, ...]:
    rows = []
    for position in waiting_list.positions(request):
        structure, section = _names(settings, position.structure_code, position.age_group_code)
        rank = rank_text(position.rank, position.waiting) if waiting and position.rank else "Pas de rang"
        rows.append(WishRow(position.wish_number, structure, section, rank))
    return tuple(rows)


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _estimate(settings: CrecheSettings, request) -> tuple[date | None, tuple[EstimateRow, ...]]:
    """The estimate kept at submission, by barème table, with the wished structures it applies to."""
    kept = request.estimate if isinstance(request.estimate, dict) else {}
    tables = kept.get("tables") if isinstance(kept.get("tables"), dict) else {}
    wished = [settings.structure(w.structure_code) for w in request.wishes]
    rows = []
    for table, figures in tables.items():
        hourly = _amount(figures.get("hourly")) if isinstance(figures, dict) else None
        if hourly is None:
            continue
        names = tuple(s.name for s in wished if s is not None and s.table == table)
        rows.append(EstimateRow(TABLE_LABELS.get(table, table), names, hourly, _amount(figures.get("monthly"))))
    try:
        on = date.fromisoformat(kept["on"]) if rows and kept.get("on") else None
    except (TypeError, ValueError):
        on = None
    return on, tuple(rows)


def _offer(settings: CrecheSettings, request, today: date) -> Offer | None:
    if request.offer_structure is None or request.offer_start_date is None or request.offer_deadline is None:
        return None
    structure = settings.structure(request.offer_structure)
    group = structure.age_group(request.offer_age_group) if structure else None
    return Offer(
        structure=structure.name if structure else request.offer_structure,
        section=group.label if group else None,
        address=structure.address.strip() if structure else None,
        start=request.offer_start_date,
        deadline=request.offer_deadline,
        expired=request.offer_deadline < today,
    )


def _points_lines(points) -> tuple[tuple[str, int], ...]:
    """Each declared criterion with its points; one an agent refused is said « non retenu », at 0 (its reason is
    internal to the commune)."""
    refused = {criterion.code for criterion in points.refused}
    counted = {criterion.code: value for criterion, value in points.lines}
    return tuple(
        (
            f"{criterion.label} : non retenu après vérification" if criterion.code in refused else criterion.label,
            counted.get(criterion.code, 0),
        )
        for criterion in _settings().points_grid
        if criterion.code in counted or criterion.code in refused
    )


def follow_view(application: Application, token: str, today: date) -> FollowView:
    settings = _settings()
    request = application.creche
    waiting = application.status == WAITING
    points = waiting_list.points_of(request)
    estimate_on, estimate = _estimate(settings, request)
    # CGU: an estimate drawn from the CAF/MSA file is not shown to whoever holds the link when the commune hides
    # those details (the link goes to an address nobody checked); one read on the family's own proof is.
    hidden = request.psu_source == "api" and not current_app.extensions["commune"].api_particulier.show_details
    if hidden:
        estimate_on, estimate = None, ()
    return FollowView(
        token=token,
        reference=application.reference,
        status=application.status,
        status_label=status_label(application.status),
        created_at=application.created_at,
        child=_child(request),
        start_date=request.start_date,
        days_per_week=request.days_per_week,
        hours_per_week=request.hours_per_week,
        wishes=_wishes(settings, request, waiting),
        no_rank_reason=None
        if waiting
        else NO_RANK_REASONS.get(application.status, "Votre demande n'est pas en attente."),
        points_total=points.total,
        points_lines=_points_lines(points),
        estimate_on=estimate_on,
        estimate=estimate,
        psu_source=request.psu_source,
        estimate_hidden=hidden,
        relance_deadline=relance.answer_deadline(request) if waiting else None,
        next_relance_on=relance.next_relance_on(request) if waiting and request.relance_sent_at is None else None,
        offer=_offer(settings, request, today) if application.status == "offered" else None,
        delays=settings.delays,
    )


# --- the public points grid ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridStructure:
    name: str
    address: str
    kind: str
    opening_hours: str
    sections: tuple[tuple[str, str, int], ...]  # label, ages, places
    places: int


def age_text(months: int) -> str:
    if months >= 12 and months % 12 == 0:
        years = months // 12
        return f"{years} an{'s' if years > 1 else ''}"
    return f"{months} mois"


def _structure(structure: Structure) -> GridStructure:
    sections = tuple(
        (group.label, f"de {age_text(group.min_months)} à moins de {age_text(group.max_months)}", group.places)
        for group in structure.age_groups
    )
    return GridStructure(
        structure.name,
        structure.address.strip(),
        TABLE_LABELS.get(structure.table, structure.table),
        structure.opening_hours,
        sections,
        structure.places,
    )


@dataclass(frozen=True)
class GridView:
    criteria: tuple  # creche_settings.Criterion, in the grid's order
    structures: tuple[GridStructure, ...]
    delays: CrecheDelays


def grid_view(settings: CrecheSettings) -> GridView:
    return GridView(settings.points_grid, tuple(_structure(s) for s in settings.structures), settings.delays)
