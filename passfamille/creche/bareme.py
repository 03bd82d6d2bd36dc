"""The CNAF PSU barème of the `creche:` section (`psu_bareme:`): resources plancher and plafond by period, taux
d'effort tables, the commune's higher plafond — dated data, read and validated like the rest of the settings file.
psu.py computes the price from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..settings_yaml import Section, decimal_value, shown

# The CNAF barème has one taux d'effort table per kind of care: "collective" for crèche collective,
# multi-accueil, halte-garderie and PSU micro-crèche; "familial" for crèche familiale and parentale.
CRECHE_TABLES = ("collective", "familial")


class NoBaremeInForce(LookupError):
    """The CNAF barème in the settings does not cover the requested date."""


def _covers(valid_from: date, valid_until: date | None, on: date) -> bool:
    return valid_from <= on and (valid_until is None or on <= valid_until)


@dataclass(frozen=True)
class ResourcesPeriod:
    """Monthly resources plancher and plafond of the CNAF barème, both bounds of the period included."""

    valid_from: date
    valid_until: date | None
    plancher: Decimal
    plafond: Decimal
    source: str

    def covers(self, on: date) -> bool:
        return _covers(self.valid_from, self.valid_until, on)


@dataclass(frozen=True)
class PlafondOverride:
    """A higher plafond chosen by the commune (never a lower one: the CNAF forbids it)."""

    valid_from: date
    valid_until: date | None
    plafond: Decimal
    source: str

    def covers(self, on: date) -> bool:
        return _covers(self.valid_from, self.valid_until, on)


@dataclass(frozen=True)
class ResourcesBounds:
    plancher: Decimal
    plafond: Decimal  # the one that applies: the commune's when it set a higher one
    period: ResourcesPeriod
    override: PlafondOverride | None


@dataclass(frozen=True)
class RateBand:
    """Taux d'effort for families of children_min to children_max children (None: and more)."""

    children_min: int
    children_max: int | None
    percent: Decimal  # per cent of the monthly resources, per hour: Decimal("0.0619") means 0.0619 %

    def contains(self, children: int) -> bool:
        return self.children_min <= children and (self.children_max is None or children <= self.children_max)


@dataclass(frozen=True)
class RateTable:
    """Both taux d'effort tables, in force from valid_from until the next table starts."""

    valid_from: date
    source: str
    collective: tuple[RateBand, ...]
    familial: tuple[RateBand, ...]

    def bands(self, table: str) -> tuple[RateBand, ...]:
        if table not in CRECHE_TABLES:
            raise ValueError(f"unknown taux d'effort table {table!r}, expected one of {CRECHE_TABLES}")
        return self.collective if table == "collective" else self.familial


@dataclass(frozen=True)
class EffortRate:
    table: str
    band: RateBand
    valid_from: date
    source: str

    @property
    def percent(self) -> Decimal:
        return self.band.percent

    @property
    def fraction(self) -> Decimal:
        return self.band.percent / 100


@dataclass(frozen=True)
class PsuBareme:
    """The CNAF barème national des participations familiales as dated data (oldest first)."""

    resources: tuple[ResourcesPeriod, ...]
    rate_tables: tuple[RateTable, ...]
    plafond_overrides: tuple[PlafondOverride, ...] = ()

    def resources_bounds(self, on: date) -> ResourcesBounds:
        period = next((p for p in self.resources if p.covers(on)), None)
        if period is None:
            raise NoBaremeInForce(f"aucun plancher ni plafond de ressources CNAF n'est en vigueur le {on:%d/%m/%Y}")
        override = next((o for o in self.plafond_overrides if o.covers(on)), None)
        if override is not None and override.plafond <= period.plafond:
            override = None  # a commune may raise the plafond, never lower it
        return ResourcesBounds(period.plancher, override.plafond if override else period.plafond, period, override)

    def rate(self, table: str, children: int, on: date) -> EffortRate:
        """The taux d'effort for a family of `children` children (AEEH children already added)."""
        if children < 1:
            raise ValueError(f"a family counts at least one child, {children} given")
        for rate_table in reversed(self.rate_tables):
            if rate_table.valid_from <= on:
                band = next(b for b in rate_table.bands(table) if b.contains(children))
                return EffortRate(table, band, rate_table.valid_from, rate_table.source)
        raise NoBaremeInForce(f"aucun taux d'effort CNAF n'est en vigueur le {on:%d/%m/%Y}")


def _period_dates(p: Section, previous: ResourcesPeriod | PlafondOverride | None, contiguous: bool):
    """valid_from and valid_until of a period listed after `previous`, oldest first."""
    valid_from = p.date("valid_from")
    valid_until = p.date("valid_until", required=False)
    if valid_until is not None and valid_until < valid_from:
        p.fail("valid_until", f"fin de période avant son début ({valid_from:%d/%m/%Y}), {valid_until:%d/%m/%Y} trouvé")
    if previous is None:
        return valid_from, valid_until
    if previous.valid_until is None:
        p.fail(
            "valid_from", "la période précédente n'a pas de fin (valid_until) : seule la dernière peut rester ouverte"
        )
    if valid_from <= previous.valid_until:
        p.fail(
            "valid_from",
            f"les périodes se chevauchent : celle-ci commence le {valid_from:%d/%m/%Y}, avant la fin de la "
            f"précédente ({previous.valid_until:%d/%m/%Y}) — classez-les de la plus ancienne à la plus récente",
        )
    # A gap in the national barème is a typo: each CNAF period starts the day after the previous one ends.
    if contiguous and valid_from != previous.valid_until + timedelta(days=1):
        p.fail(
            "valid_from",
            f"trou entre deux périodes : la précédente finit le {previous.valid_until:%d/%m/%Y}, celle-ci devrait "
            f"commencer le {previous.valid_until + timedelta(days=1):%d/%m/%Y}, {valid_from:%d/%m/%Y} trouvé",
        )
    return valid_from, valid_until


def _read_resources_periods(b: Section) -> tuple[ResourcesPeriod, ...]:
    periods: list[ResourcesPeriod] = []
    for path, line, item in b.items("resources"):
        p = Section(b.file, item, path, line, ("valid_from", "valid_until", "plancher", "plafond", "source"))
        valid_from, valid_until = _period_dates(p, periods[-1] if periods else None, contiguous=True)
        plancher = p.money("plancher")
        plafond = p.money("plafond")
        if plafond <= plancher:
            p.fail("plafond", f"plafond supérieur au plancher ({plancher}) attendu, « {plafond} » trouvé")
        periods.append(ResourcesPeriod(valid_from, valid_until, plancher, plafond, p.text("source")))
    return tuple(periods)


def _read_rate_bands(r: Section, table: str) -> tuple[RateBand, ...]:
    starts: list[tuple[int, Decimal]] = []
    expected = "bloc « nombre d'enfants: taux en % » attendu (ex. « 1: 0.0619 »)"
    for path, line, key, value in r.entries(table, expected):
        if isinstance(key, bool) or not isinstance(key, int) or key < 1:
            r.fail_at(
                path,
                line,
                f"nombre d'enfants du début de la tranche attendu (ex. 4 pour « 4 à 7 »), {shown(key)} trouvé",
            )
        if not starts and key != 1:
            r.fail_at(path, line, f"la première tranche doit commencer à 1 enfant, « {key} » trouvé")
        if starts and key <= starts[-1][0]:
            r.fail_at(
                path,
                line,
                f"les tranches doivent être croissantes : {key} enfant(s) après la tranche commençant à "
                f"{starts[-1][0]}",
            )
        percent = decimal_value(value)
        if percent is None or not 0 < percent < 1:
            r.fail_at(path, line, f"taux en % entre 0 et 1 attendu (ex. 0.0619 pour 0,0619 %), {shown(value)} trouvé")
        if starts and percent >= starts[-1][1]:
            r.fail_at(
                path,
                line,
                f"le taux doit baisser quand le nombre d'enfants augmente : {percent} n'est pas inférieur "
                f"à celui de la tranche précédente ({starts[-1][1]})",
            )
        starts.append((int(key), percent))
    ends = [start - 1 for start, _ in starts[1:]] + [None]
    return tuple(RateBand(start, end, percent) for (start, percent), end in zip(starts, ends, strict=True))


def _read_rate_tables(b: Section) -> tuple[RateTable, ...]:
    tables: list[RateTable] = []
    for path, line, item in b.items("rates"):
        r = Section(b.file, item, path, line, ("valid_from", "source", *CRECHE_TABLES))
        valid_from = r.date("valid_from")
        if tables and valid_from <= tables[-1].valid_from:
            r.fail(
                "valid_from",
                f"les tables de taux se suivent de la plus ancienne à la plus récente : {valid_from:%d/%m/%Y} "
                f"n'est pas après {tables[-1].valid_from:%d/%m/%Y}",
            )
        tables.append(
            RateTable(valid_from, r.text("source"), _read_rate_bands(r, "collective"), _read_rate_bands(r, "familial"))
        )
    return tuple(tables)


def _read_plafond_overrides(b: Section, periods: tuple[ResourcesPeriod, ...]) -> tuple[PlafondOverride, ...]:
    overrides: list[PlafondOverride] = []
    for path, line, item in b.items("plafond_override", required=False):
        o = Section(b.file, item, path, line, ("valid_from", "valid_until", "plafond", "source"))
        valid_from, valid_until = _period_dates(o, overrides[-1] if overrides else None, contiguous=False)
        plafond = o.money("plafond")
        # "Il n'est pas possible d'appliquer un plafond de ressources inférieur" (CNAF): checked against every
        # national period the commune's plafond overlaps.
        for period in periods:
            overlaps = valid_from <= (period.valid_until or date.max) and period.valid_from <= (valid_until or date.max)
            if overlaps and plafond < period.plafond:
                o.fail(
                    "plafond",
                    f"plafond inférieur au plafond national ({period.plafond} € à partir du "
                    f"{period.valid_from:%d/%m/%Y}) : une commune peut le relever, jamais l'abaisser — "
                    f"fixez valid_until, « {plafond} » trouvé",
                )
        overrides.append(PlafondOverride(valid_from, valid_until, plafond, o.text("source")))
    return tuple(overrides)


def read_psu_bareme(s: Section) -> PsuBareme:
    b = s.section("psu_bareme", ("resources", "rates", "plafond_override"))
    resources = _read_resources_periods(b)
    rate_tables = _read_rate_tables(b)
    if rate_tables[0].valid_from > resources[0].valid_from:
        b.fail(
            "rates",
            f"aucune table de taux pour le début des ressources ({resources[0].valid_from:%d/%m/%Y}) : la première "
            f"commence le {rate_tables[0].valid_from:%d/%m/%Y}",
        )
    return PsuBareme(resources, rate_tables, _read_plafond_overrides(b, resources))
