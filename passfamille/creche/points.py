"""Crèche waiting list: a request's points from the commune's grid, and the order of the waiting requests.

Pure: no Flask, no database. The order is the one documented beside points_grid in the settings file: more
points first; equal points, the earlier request first; same instant, the smaller id, so that the order never
depends on the order in which the database returns rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from passfamille.creche.settings import Criterion

WAITING = "waiting"


@dataclass(frozen=True)
class Points:
    total: int
    lines: tuple[tuple[Criterion, int], ...]  # in the grid's order
    # Declared codes no longer in the grid (a criterion removed by the council): worth nothing, shown to agents.
    unknown: tuple[str, ...] = ()
    # Declared criteria an agent refused (the proof does not show it): worth nothing, shown to agents.
    refused: tuple[Criterion, ...] = ()


def points(declared_criteria: Iterable[str], grid: Sequence[Criterion], refused: Iterable[str] = ()) -> Points:
    declared = set(declared_criteria)
    refused_codes = set(refused) & declared
    lines = tuple(
        (criterion, criterion.points)
        for criterion in grid
        if criterion.code in declared and criterion.code not in refused_codes
    )
    unknown = tuple(sorted(declared - {criterion.code for criterion in grid}))
    refused_lines = tuple(criterion for criterion in grid if criterion.code in refused_codes)
    return Points(sum(value for _, value in lines), lines, unknown, refused_lines)


@dataclass(frozen=True)
class Wish:
    structure_code: str
    age_group_code: str


@dataclass(frozen=True)
class WaitingListRequest:
    id: Hashable  # comparable within one list (all int, or all str)
    points: int
    requested_at: datetime
    wishes: tuple[Wish, ...]  # the family's order of preference
    status: str


@dataclass(frozen=True)
class Ranked:
    rank: int  # 1-based
    request: WaitingListRequest
    wish_number: int  # 1 = the family's first wish


def rank(
    requests: Iterable[WaitingListRequest],
    structure_code: str,
    age_group_code: str,
    waiting_statuses: frozenset[str] = frozenset({WAITING}),
) -> list[Ranked]:
    """The waiting requests that wish this structure and age group, best first."""
    wanted = Wish(structure_code, age_group_code)
    candidates = [
        (request, request.wishes.index(wanted) + 1)
        for request in requests
        if request.status in waiting_statuses and wanted in request.wishes
    ]
    candidates.sort(key=lambda pair: (-pair[0].points, pair[0].requested_at, pair[0].id))
    return [Ranked(position, request, wish) for position, (request, wish) in enumerate(candidates, start=1)]
