"""The optional `creche:` section of the commune settings: structures, pre-registration start, points grid,
delays and the CNAF PSU barème as dated data. Validated with the same helpers as the rest of the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..months import add_months, completed_months
from ..settings_yaml import Section, decimal_value, shown

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
_CODE_EXPECTED = "code court en minuscules attendu (lettres, chiffres, « - » ou « _ », ex. « pioupious »)"
# The CNAF barème has one taux d'effort table per kind of care: "collective" for crèche collective,
# multi-accueil, halte-garderie and PSU micro-crèche; "familial" for crèche familiale and parentale.
CRECHE_TABLES = ("collective", "familial")
# How a family reads a table's name (estimate, recap, follow-up page, public grid).
TABLE_LABELS = {"collective": "Crèche collective, multi-accueil ou micro-crèche", "familial": "Crèche familiale"}
# Établissements d'accueil du jeune enfant take children under six (code de la santé publique).
CRECHE_MAX_AGE_MONTHS = 72


class NoBaremeInForce(LookupError):
    """The CNAF barème in the settings does not cover the requested date."""


# --- Crèche pre-registration (optional section) -------------------------------------------------------------


def age_in_months(born: date, on: date) -> int:
    """Completed months from `born` to `on` (negative before birth): what AgeGroup.contains() is given."""
    return completed_months(born, on)


@dataclass(frozen=True)
class AgeGroup:
    """A section of a crèche. Ages in completed months: from min_months included to max_months excluded,
    so that "bébés 2–12, moyens 12–24" puts a child of exactly 12 months with the moyens."""

    code: str
    label: str
    min_months: int
    max_months: int
    places: int

    def contains(self, age_months: int) -> bool:
        return self.min_months <= age_months < self.max_months


@dataclass(frozen=True)
class Structure:
    code: str
    name: str
    address: str
    table: str  # one of CRECHE_TABLES
    opening_hours: str
    age_groups: tuple[AgeGroup, ...]

    @property
    def places(self) -> int:
        return sum(group.places for group in self.age_groups)

    def age_group(self, code: str) -> AgeGroup | None:
        return next((group for group in self.age_groups if group.code == code), None)


@dataclass(frozen=True)
class PreRegistrationStart:
    """From which month of pregnancy an expected child may be pre-registered."""

    pregnancy_month: int

    def earliest_date(self, due_date: date) -> date:
        """First day a pre-registration is accepted for a child expected on `due_date`.

        A pregnancy is counted as nine months before the due date, so month k starts (10 - k) months
        before it: from the 4th month, pre-registration opens 6 months before the due date.
        """
        return add_months(due_date, -(10 - self.pregnancy_month))


@dataclass(frozen=True)
class Criterion:
    """A line of the commune's points grid."""

    code: str
    label: str
    points: int
    requires_document: bool
    document_label: str | None = None


@dataclass(frozen=True)
class CrecheDelays:
    relance_months: int  # families still waiting are asked every N months to confirm their request
    relance_answer_days: int  # no answer to a relance after N days: the request is closed
    offer_answer_days: int  # a family has N days to accept an offered place


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


@dataclass(frozen=True)
class CrecheSettings:
    structures: tuple[Structure, ...]
    earliest_pre_registration: PreRegistrationStart
    points_grid: tuple[Criterion, ...]
    delays: CrecheDelays
    psu_bareme: PsuBareme

    def structure(self, code: str) -> Structure | None:
        return next((s for s in self.structures if s.code == code), None)


def _read_age_groups(st: Section) -> tuple[AgeGroup, ...]:
    groups: list[AgeGroup] = []
    for path, line, item in st.items("age_groups"):
        g = Section(st.file, item, path, line, ("code", "label", "min_months", "max_months", "places"))
        code = g.text("code", pattern=_CODE, expected=_CODE_EXPECTED)
        if any(other.code == code for other in groups):
            g.fail("code", f"code {shown(code)} déjà utilisé par une autre section de la structure")
        min_months = g.integer("min_months", 0, CRECHE_MAX_AGE_MONTHS - 1)
        max_months = g.integer("max_months", 1, CRECHE_MAX_AGE_MONTHS)
        if max_months <= min_months:
            g.fail("max_months", f"âge de fin supérieur à min_months ({min_months}) attendu, « {max_months} » trouvé")
        if groups and min_months < groups[-1].max_months:
            g.fail(
                "min_months",
                f"les sections doivent se suivre par âge croissant sans se chevaucher : {min_months} mois est avant "
                f"la fin de la section précédente ({groups[-1].max_months} mois)",
            )
        groups.append(AgeGroup(code, g.text("label"), min_months, max_months, g.integer("places", 1, 500)))
    return tuple(groups)


def _read_structures(s: Section) -> tuple[Structure, ...]:
    structures: list[Structure] = []
    for path, line, item in s.items("structures"):
        st = Section(s.file, item, path, line, ("code", "name", "address", "table", "opening_hours", "age_groups"))
        code = st.text("code", pattern=_CODE, expected=_CODE_EXPECTED)
        if any(other.code == code for other in structures):
            st.fail("code", f"code {shown(code)} déjà utilisé par une autre structure")
        table = st.text("table")
        if table not in CRECHE_TABLES:
            st.fail("table", f"« collective » ou « familial » attendu, {shown(table)} trouvé")
        structures.append(
            Structure(
                code=code,
                name=st.text("name"),
                address=st.text("address"),
                table=table,
                opening_hours=st.text("opening_hours"),
                age_groups=_read_age_groups(st),
            )
        )
    return tuple(structures)


def _read_points_grid(s: Section) -> tuple[Criterion, ...]:
    grid: list[Criterion] = []
    for path, line, item in s.items("points_grid"):
        c = Section(s.file, item, path, line, ("code", "label", "points", "requires_document", "document_label"))
        code = c.text("code", pattern=_CODE, expected=_CODE_EXPECTED)
        if any(other.code == code for other in grid):
            c.fail("code", f"code {shown(code)} déjà utilisé par un autre critère")
        label = c.text("label")
        points = c.integer("points", 0, 1000)
        requires_document = c.boolean("requires_document")
        document_label = c.text("document_label", required=False)
        if document_label is not None and not requires_document:
            c.fail("document_label", "pièce indiquée alors que requires_document vaut false")
        grid.append(Criterion(code, label, points, requires_document, document_label))
    return tuple(grid)


def _read_delays(s: Section) -> CrecheDelays:
    d = s.section("delays", ("relance_months", "relance_answer_days", "offer_answer_days"))
    delays = CrecheDelays(
        relance_months=d.integer("relance_months", 1, 24),
        relance_answer_days=d.integer("relance_answer_days", 1, 90),
        offer_answer_days=d.integer("offer_answer_days", 1, 60),
    )
    # Otherwise the next relance would be sent while the family may still answer the previous one.
    if delays.relance_answer_days >= delays.relance_months * 28:
        d.fail(
            "relance_answer_days",
            f"délai de réponse plus court que l'intervalle entre deux relances ({delays.relance_months} mois) "
            f"attendu, « {delays.relance_answer_days} » trouvé",
        )
    return delays


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


def _read_psu_bareme(s: Section) -> PsuBareme:
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


def _read_creche(root: Section) -> CrecheSettings | None:
    s = root.section(
        "creche",
        ("structures", "earliest_pre_registration", "points_grid", "delays", "psu_bareme"),
        required=False,
    )
    if s is None:
        return None
    structures = _read_structures(s)
    e = s.section("earliest_pre_registration", ("pregnancy_month",))
    return CrecheSettings(
        structures=structures,
        earliest_pre_registration=PreRegistrationStart(e.integer("pregnancy_month", 1, 9)),
        points_grid=_read_points_grid(s),
        delays=_read_delays(s),
        psu_bareme=_read_psu_bareme(s),
    )
