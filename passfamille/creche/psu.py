"""Estimated price of a crèche place under the CNAF barème national des participations familiales (PSU).

Pure: no Flask, no HTTP, no database; the barème is dated data from the commune settings.

    monthly resources  = annual resources (year N-2, from CAF/MSA) / 12
    retained resources = monthly resources raised to the plancher, lowered to the plafond
    n                  = dependent children + children with AEEH (each moves the family one band down)
    hourly price       = retained resources × taux d'effort(n, table of the structure)

Rounding: everything is computed exactly in Decimal. No CNAF rounding rule was found, so the hourly price is
shown rounded half-up to the cent, as Suresnes publishes it (1.548 → 1.55), and the exact value is kept; the
monthly amount is hours × the rounded hourly price, as a crèche invoices it, rounded half-up to the cent.
It is an estimate: the crèche's contract decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from passfamille.creche.bareme import EffortRate, PsuBareme, ResourcesBounds

# Reason codes, in display order; the French wording lives in the templates.
PLANCHER_APPLIED = "PLANCHER_APPLIED"  # resources below the plancher: the plancher is used
PLAFOND_APPLIED = "PLAFOND_APPLIED"  # resources above the plafond: the plafond is used
AEEH_BAND_DOWN = "AEEH_BAND_DOWN"  # children with AEEH counted once more: lower taux d'effort
CHILD_CONCERNED_COUNTED = "CHILD_CONCERNED_COUNTED"  # no dependent child known: the child concerned counts as one

HOURS_IN_A_MONTH = 31 * 24
_CENT = Decimal("0.01")
# 34 significant digits: far more than any amount needs, so that annual / 12 is exact to the cent and beyond.
_EXACT = Context(prec=34)


def to_cent(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PsuEstimate:
    on: date
    table: str
    annual_resources: int
    monthly_resources: Decimal  # annual / 12, unrounded
    retained_resources: Decimal  # after plancher and plafond
    bounds: ResourcesBounds  # plancher, plafond and the barème period (with its source) used
    plancher_applied: bool  # strictly below the plancher
    plafond_applied: bool  # strictly above the plafond
    children: int  # dependent children as given
    aeeh_children: int
    children_counted: int  # at least 1: the child the family applies for
    n: int  # children_counted + aeeh_children
    rate: EffortRate  # the band, its per cent value and the rate table (with its source) used
    hourly_exact: Decimal
    hourly: Decimal  # half-up to the cent
    hours_per_month: Decimal | None = None
    monthly: Decimal | None = None  # hours × hourly (rounded), half-up to the cent

    @property
    def reasons(self) -> tuple[str, ...]:
        flags = (
            (PLANCHER_APPLIED, self.plancher_applied),
            (PLAFOND_APPLIED, self.plafond_applied),
            (AEEH_BAND_DOWN, self.aeeh_children > 0),
            (CHILD_CONCERNED_COUNTED, self.children_counted > self.children),
        )
        return tuple(code for code, applies in flags if applies)


def estimate(
    annual_resources: int,
    children: int,
    aeeh_children: int,
    table: str,
    bareme: PsuBareme,
    on: date,
    hours_per_month: Decimal | None = None,
) -> PsuEstimate:
    """The hourly (and, given the hours, monthly) participation of a family on date `on`.

    `children` is the CAF's count of dependent children. A family asking for a crèche has at least the child
    concerned, so 0 (a child not born yet, or not yet known to the CAF) is counted as 1 and the estimate
    says so (CHILD_CONCERNED_COUNTED). For an expected child in a family that already has children, the
    caller adds the child to come. Negative numbers, an unknown table or a date outside the barème raise.
    """
    for name, value in (
        ("annual_resources", annual_resources),
        ("children", children),
        ("aeeh_children", aeeh_children),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, {value!r} given")
        if value < 0:
            raise ValueError(f"{name} cannot be negative, {value} given")
    if hours_per_month is not None:
        hours_per_month = Decimal(str(hours_per_month))
        if not 0 <= hours_per_month <= HOURS_IN_A_MONTH:
            raise ValueError(f"hours_per_month must be between 0 and {HOURS_IN_A_MONTH}, {hours_per_month} given")

    bounds = bareme.resources_bounds(on)
    children_counted = max(children, 1)
    n = children_counted + aeeh_children
    rate = bareme.rate(table, n, on)
    with localcontext(_EXACT):
        monthly_resources = Decimal(annual_resources) / 12
        retained = min(max(monthly_resources, bounds.plancher), bounds.plafond)
        hourly_exact = retained * rate.percent / 100
    hourly = to_cent(hourly_exact)
    return PsuEstimate(
        on=on,
        table=table,
        annual_resources=annual_resources,
        monthly_resources=monthly_resources,
        retained_resources=retained,
        bounds=bounds,
        plancher_applied=monthly_resources < bounds.plancher,
        plafond_applied=monthly_resources > bounds.plafond,
        children=children,
        aeeh_children=aeeh_children,
        children_counted=children_counted,
        n=n,
        rate=rate,
        hourly_exact=hourly_exact,
        hourly=hourly,
        hours_per_month=hours_per_month,
        monthly=None if hours_per_month is None else to_cent(hours_per_month * hourly),
    )
