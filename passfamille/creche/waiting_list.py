"""The waiting lists, read from the database: points from the current grid, rank per structure and age group.

A small commune has a few hundred requests at most: the lists are ranked in Python by creche_points.rank, the
one place where the order (points, then date, then id) is defined.
"""

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..demarches.creche import WAITING
from ..extensions import db
from ..models import Application, CrecheCriterionCheck, CrecheRequest
from . import criteria_checks
from . import points as creche_points


def _grid():
    return current_app.extensions["commune"].creche.points_grid


def points_of(request: CrecheRequest) -> creche_points.Points:
    """A criterion an agent refused gives no points: the family's page, the lists and the exports all say so."""
    refused = [check.code for check in request.checks if check.state == criteria_checks.REFUSED]
    return creche_points.points(request.criteria or [], _grid(), refused)


def as_waiting_list_request(request: CrecheRequest) -> creche_points.WaitingListRequest:
    return creche_points.WaitingListRequest(
        id=request.application_id,
        points=points_of(request).total,
        requested_at=request.application.created_at,
        wishes=tuple(creche_points.Wish(w.structure_code, w.age_group_code) for w in request.wishes),
        status=request.application.status,
    )


def _waiting_requests(structure_code: str | None = None) -> list[CrecheRequest]:
    query = (
        select(CrecheRequest)
        .join(Application, CrecheRequest.application_id == Application.id)
        .where(Application.status == WAITING)
        # The commission shows each request's proofs: loaded with the list, not one query per row.
        .options(
            selectinload(CrecheRequest.wishes),
            selectinload(CrecheRequest.checks).selectinload(CrecheCriterionCheck.agent),
            selectinload(CrecheRequest.application).selectinload(Application.documents),
        )
    )
    if structure_code is not None:
        query = query.where(CrecheRequest.wishes.any(structure_code=structure_code))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Entry:
    rank: int
    request: CrecheRequest
    points: creche_points.Points
    wish_number: int


def waiting_list(structure_code: str, age_group_code: str) -> list[Entry]:
    """The requests waiting for this structure and age group, best first, with their points explained."""
    requests = {r.application_id: r for r in _waiting_requests(structure_code)}
    ranked = creche_points.rank([as_waiting_list_request(r) for r in requests.values()], structure_code, age_group_code)
    return [
        Entry(item.rank, requests[item.request.id], points_of(requests[item.request.id]), item.wish_number)
        for item in ranked
    ]


@dataclass(frozen=True)
class Position:
    structure_code: str
    age_group_code: str
    wish_number: int
    rank: int | None  # None when the request is not waiting (offered, closed…)
    waiting: int  # how many requests wait for this structure and age group


def positions(request: CrecheRequest) -> list[Position]:
    """The family's rank on the list of each structure and age group it wished, in its order of preference.

    The waiting requests are read once and ranked for each wish (one query, however many wishes)."""
    waiting = [as_waiting_list_request(r) for r in _waiting_requests()]
    result = []
    for wish in request.wishes:
        ranked = creche_points.rank(waiting, wish.structure_code, wish.age_group_code)
        mine = next((item.rank for item in ranked if item.request.id == request.application_id), None)
        result.append(Position(wish.structure_code, wish.age_group_code, wish.position, mine, len(ranked)))
    return result
