"""Crèche waiting list: points from the grid, and the rank of each waiting request. One row per case."""

from datetime import datetime

import pytest

from passfamille.commune import load_settings
from passfamille.config import DEFAULT_COMMUNE_FILE
from passfamille.creche.points import WAITING, WaitingListRequest, Wish, points, rank
from passfamille.creche.settings import Criterion

GRID = (
    Criterion("parents-actifs", "Parents qui travaillent", 30, True, "Attestations d'employeur"),
    Criterion("parent-seul", "Parent seul", 20, True),
    Criterion("fratrie", "Frère ou sœur dans la structure", 15, False),
    Criterion("handicap", "Handicap", 25, True),
    Criterion("residence", "Famille résidente", 40, True),
    Criterion("sans-point", "Critère informatif", 0, False),
)

# id, declared criteria, total, codes of the lines in grid order, unknown codes
POINTS = [
    ("nothing_declared", set(), 0, (), ()),
    ("one_criterion", {"fratrie"}, 15, ("fratrie",), ()),
    ("points_add_up", {"residence", "parents-actifs"}, 70, ("parents-actifs", "residence"), ()),
    (
        "every_criterion",
        {"parents-actifs", "parent-seul", "fratrie", "handicap", "residence"},
        130,
        ("parents-actifs", "parent-seul", "fratrie", "handicap", "residence"),
        (),
    ),
    ("zero_point_criterion_is_listed", {"sans-point", "fratrie"}, 15, ("fratrie", "sans-point"), ()),
    (
        "code_removed_from_the_grid_is_worth_nothing",
        {"residence", "ancien", "autre"},
        40,
        ("residence",),
        ("ancien", "autre"),
    ),
]


@pytest.mark.parametrize(
    ("declared", "total", "codes", "unknown"), [row[1:] for row in POINTS], ids=[row[0] for row in POINTS]
)
def test_points_of_the_declared_criteria(declared, total, codes, unknown):
    result = points(declared, GRID)

    assert result.total == total
    assert tuple(criterion.code for criterion, _ in result.lines) == codes
    assert [value for _, value in result.lines] == [c.points for c in GRID if c.code in codes]
    assert result.unknown == unknown


# id, declared, refused by an agent, total, codes still counted, codes listed as refused
REFUSED = [
    ("refused_criterion_gives_nothing", {"residence", "fratrie"}, {"residence"}, 15, ("fratrie",), ("residence",)),
    ("every_criterion_refused", {"residence"}, {"residence"}, 0, (), ("residence",)),
    ("refusing_an_undeclared_code_changes_nothing", {"fratrie"}, {"residence"}, 15, ("fratrie",), ()),
]


@pytest.mark.parametrize(
    ("declared", "refused", "total", "codes", "refused_codes"),
    [row[1:] for row in REFUSED],
    ids=[row[0] for row in REFUSED],
)
def test_a_criterion_refused_by_an_agent_no_longer_counts(declared, refused, total, codes, refused_codes):
    result = points(declared, GRID, refused)

    assert result.total == total
    assert tuple(criterion.code for criterion, _ in result.lines) == codes
    assert tuple(criterion.code for criterion in result.refused) == refused_codes


def test_points_with_the_example_grid():
    grid = load_settings(DEFAULT_COMMUNE_FILE).creche.points_grid

    assert points({"parents-actifs", "residence"}, grid).total == 70


PIOU_BEBES = Wish("pioupious", "bebes")
PIOU_MOYENS = Wish("pioupious", "moyens")
LOUPS = Wish("petits-loups", "tous-ages")


def request(request_id, points, day, wishes=(PIOU_BEBES,), status=WAITING, hour=9):
    return WaitingListRequest(request_id, points, datetime(2026, 1, day, hour), tuple(wishes), status)


# id, requests, expected (id, rank, wish number) for pioupious / bebes
RANKS = [
    ("no_request", [], []),
    ("more_points_first", [request(1, 40, 1), request(2, 70, 5)], [(2, 1, 1), (1, 2, 1)]),
    ("equal_points_earlier_request_first", [request(1, 40, 9), request(2, 40, 3)], [(2, 1, 1), (1, 2, 1)]),
    (
        "same_day_earlier_hour_first",
        [request(1, 40, 3, hour=15), request(2, 40, 3, hour=8)],
        [(2, 1, 1), (1, 2, 1)],
    ),
    ("same_instant_smaller_id_first", [request(7, 40, 3), request(4, 40, 3)], [(4, 1, 1), (7, 2, 1)]),
    (
        "points_before_date_before_id",
        [request(5, 40, 3), request(3, 40, 3), request(9, 55, 20), request(1, 40, 2)],
        [(9, 1, 1), (1, 2, 1), (3, 3, 1), (5, 4, 1)],
    ),
    ("request_not_wishing_the_structure_is_absent", [request(1, 40, 1), request(2, 90, 1, [LOUPS])], [(1, 1, 1)]),
    ("other_age_group_of_the_same_structure_is_absent", [request(1, 90, 1, [PIOU_MOYENS])], []),
    (
        "second_wish_is_ranked_with_its_number",
        [request(1, 40, 1), request(2, 90, 1, [LOUPS, PIOU_BEBES])],
        [(2, 1, 2), (1, 2, 1)],
    ),
    ("offered_place_is_excluded", [request(1, 90, 1, status="offered"), request(2, 10, 1)], [(2, 1, 1)]),
    ("closed_request_is_excluded", [request(1, 90, 1, status="closed"), request(2, 10, 1)], [(2, 1, 1)]),
    ("accepted_request_is_excluded", [request(1, 90, 1, status="accepted"), request(2, 10, 1)], [(2, 1, 1)]),
]


@pytest.mark.parametrize(("requests", "expected"), [row[1:] for row in RANKS], ids=[row[0] for row in RANKS])
def test_rank_of_waiting_requests(requests, expected):
    ranked = rank(requests, "pioupious", "bebes")

    assert [(r.request.id, r.rank, r.wish_number) for r in ranked] == expected


def test_rank_does_not_depend_on_the_order_of_the_requests():
    requests = [request(5, 40, 3), request(3, 40, 3), request(9, 55, 20), request(1, 40, 2)]

    assert [r.request.id for r in rank(reversed(requests), "pioupious", "bebes")] == [9, 1, 3, 5]


def test_other_waiting_statuses_can_be_given():
    requests = [request(1, 40, 1, status="relance"), request(2, 10, 1), request(3, 90, 1, status="closed")]

    ranked = rank(requests, "pioupious", "bebes", waiting_statuses=frozenset({WAITING, "relance"}))

    assert [r.request.id for r in ranked] == [1, 2]
