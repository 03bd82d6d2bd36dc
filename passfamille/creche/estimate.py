"""The PSU estimate of a crèche request, in one place: the wizard (CAF/MSA facts at submission), the later
re-check (facts fetched afterwards) and the agent who reads the family's resources proof all compute and store
it here. The barème arithmetic itself is psu.py's."""

from datetime import date
from decimal import Decimal

from flask import current_app

from ..models import CrecheRequest
from . import psu
from .bareme import NoBaremeInForce


def _settings():
    return current_app.extensions["commune"].creche


def hours_per_month(hours_week: int) -> Decimal:
    """Hours per week × 52 weeks ÷ 12 months: holidays and closures are not deducted."""
    return Decimal(hours_week) * 52 / 12


def tables_of(structure_codes) -> list[str]:
    """The barème tables (collective, familial) of the wished structures, in the family's order."""
    tables = []
    for code in structure_codes:
        structure = _settings().structure(code)
        if structure and structure.table not in tables:
            tables.append(structure.table)
    return tables


def estimates(annual: int, children: int, aeeh: int, tables, hours_week: int | None, on: date, expected: bool):
    """The PSU estimate for each table; an expected child counts as one more child than the CAF's count."""
    counted = children + (1 if expected else 0)
    found = {}
    for table in tables:
        try:
            found[table] = psu.estimate(
                annual,
                counted,
                aeeh,
                table,
                _settings().psu_bareme,
                on=on,
                hours_per_month=hours_per_month(hours_week) if hours_week else None,
            )
        except NoBaremeInForce:
            continue
    return found


def estimate_json(found: dict, on: date) -> dict:
    """What CrecheRequest.estimate keeps (see models.py)."""
    return {
        "on": on.isoformat(),
        "tables": {
            table: {"hourly": str(e.hourly), "monthly": str(e.monthly) if e.monthly is not None else None}
            for table, e in found.items()
        },
    }


def record(request: CrecheRequest, annual: int, children: int, aeeh: int, on: date) -> None:
    """Store the PSU facts of a recorded request and the estimate they give for its wishes on date `on`
    (None when no barème is in force then). The source (api, document) is the caller's to set."""
    request.psu_annual_resources, request.psu_children, request.psu_aeeh_children = annual, children, aeeh
    found = estimates(
        annual,
        children,
        aeeh,
        tables_of(w.structure_code for w in request.wishes),
        request.hours_per_week,
        on,
        expected=request.child_source == "expected",
    )
    request.estimate = estimate_json(found, on) if found else None
