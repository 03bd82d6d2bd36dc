"""The optional `creche:` section of the commune settings: structures, pre-registration start, points grid and
delays, with the CNAF PSU barème as dated data (bareme.py). Validated with the same helpers as the rest of the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..months import add_months, completed_months
from ..settings_yaml import Section, shown
from .bareme import CRECHE_TABLES, PsuBareme, read_psu_bareme

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
_CODE_EXPECTED = "code court en minuscules attendu (lettres, chiffres, « - » ou « _ », ex. « pioupious »)"
# How a family reads a table's name (estimate, recap, follow-up page, public grid).
TABLE_LABELS = {"collective": "Crèche collective, multi-accueil ou micro-crèche", "familial": "Crèche familiale"}
# Établissements d'accueil du jeune enfant take children under six (code de la santé publique).
CRECHE_MAX_AGE_MONTHS = 72


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
    # The family's home is in the commune: pre-answered from the address (certified or typed), and with a
    # certified address no proof is asked — the CAF/MSA gave it, the agent checks it.
    address_in_commune: bool = False
    # A proof « de chaque parent »: several files may be sent for it.
    several_documents: bool = False


@dataclass(frozen=True)
class CrecheDelays:
    relance_months: int  # families still waiting are asked every N months to confirm their request
    relance_answer_days: int  # no answer to a relance after N days: the request is closed
    offer_answer_days: int  # a family has N days to accept an offered place


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
        c = Section(
            s.file,
            item,
            path,
            line,
            (
                "code",
                "label",
                "points",
                "requires_document",
                "document_label",
                "address_in_commune",
                "several_documents",
            ),
        )
        code = c.text("code", pattern=_CODE, expected=_CODE_EXPECTED)
        if any(other.code == code for other in grid):
            c.fail("code", f"code {shown(code)} déjà utilisé par un autre critère")
        label = c.text("label")
        points = c.integer("points", 0, 1000)
        requires_document = c.boolean("requires_document")
        document_label = c.text("document_label", required=False)
        if document_label is not None and not requires_document:
            c.fail("document_label", "pièce indiquée alors que requires_document vaut false")
        several = c.boolean("several_documents", default=False)
        if several and not requires_document:
            c.fail("several_documents", "plusieurs pièces indiquées alors que requires_document vaut false")
        if c.boolean("address_in_commune", default=False) and any(other.address_in_commune for other in grid):
            c.fail("address_in_commune", "un seul critère peut porter sur l'adresse dans la commune")
        grid.append(
            Criterion(
                code,
                label,
                points,
                requires_document,
                document_label,
                address_in_commune=c.boolean("address_in_commune", default=False),
                several_documents=several,
            )
        )
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
        psu_bareme=read_psu_bareme(s),
    )
