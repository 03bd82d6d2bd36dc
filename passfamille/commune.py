"""The commune settings file: loaded once at start-up, validated whole, turned into frozen dataclasses.

Every mistake an installer can make in the YAML file is reported as a `SettingsError` whose message is one
French line naming the file, the line and the key path, so that the application refuses to start with a
message the installer can act on. No Flask here: the CLI and the tests load settings the same way.
"""

from __future__ import annotations

import bisect
import calendar
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

import yaml

PROVIDERS = ("CNAF", "MSA")
LOGO_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg")
MIN_CONTRAST_WITH_WHITE = 4.5  # WCAG 2.1 AA / RGAA for normal text

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{2,}$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_POSTAL_CODE = re.compile(r"^(?:0[1-9]|[1-8]\d|9[0-8])\d{3}$")
# Corsica's départements are 2A/2B in the COG since 1976; "20" only survives in postal codes.
_INSEE_CODE = re.compile(r"^(?:0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-8])\d{3}$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,29}$")
_CODE_EXPECTED = "code court en minuscules attendu (lettres, chiffres, « - » ou « _ », ex. « pioupious »)"

# The CNAF barème has one taux d'effort table per kind of care: "collective" for crèche collective,
# multi-accueil, halte-garderie and PSU micro-crèche; "familial" for crèche familiale and parentale.
CRECHE_TABLES = ("collective", "familial")
# Établissements d'accueil du jeune enfant take children under six (code de la santé publique).
CRECHE_MAX_AGE_MONTHS = 72


class SettingsError(Exception):
    """The settings file cannot be used; the message is one French line for the installer."""


class NoRulesInForce(LookupError):
    """No Pass Famille rule set applies on the requested date."""


class NoBaremeInForce(LookupError):
    """The CNAF barème in the settings does not cover the requested date."""


# --- Settings -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    email: str
    phone: str
    address: str
    hours: str | None = None


@dataclass(frozen=True)
class DataProtectionOfficer:
    name: str
    email: str
    address: str


@dataclass(frozen=True)
class Commune:
    name: str
    insee_code: str
    siret: str
    contact: Contact
    dpo: DataProtectionOfficer
    colour: str
    legal_basis: str
    logo: Path | None = None
    website: str | None = None


@dataclass(frozen=True)
class Territory:
    insee_codes: frozenset[str]
    postal_codes: frozenset[str]

    def contains(self, postal_code: str | None, insee_code: str | None = None) -> bool:
        """Whether an address is inside the commune's territory.

        A postal code may serve several communes, so the INSEE code decides when it is known and the
        territory lists INSEE codes; otherwise the postal code (all API Particulier gives) decides.
        """
        insee_code = (insee_code or "").strip().upper()
        if insee_code and self.insee_codes:
            return insee_code in self.insee_codes
        postal_code = (postal_code or "").replace(" ", "")
        return bool(postal_code) and postal_code in self.postal_codes


@dataclass(frozen=True)
class Retention:
    draft_hours: int
    application_months: int
    refused_application_months: int
    documents_days_after_decision: int
    # Once an agent has checked the QF on a proof, only the figure is needed: the file goes (the default).
    delete_documents_once_verified: bool = True
    incomplete_application_days: int | None = None


@dataclass(frozen=True)
class MailSettings:
    from_address: str
    reply_to: str | None = None


@dataclass(frozen=True)
class Deliberation:
    number: str
    date: date
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Bracket:
    """A quotient familial bracket; both bounds are inclusive."""

    code: str
    label: str
    qf_min: int
    qf_max: int
    price: Decimal
    discount_percent: int

    def contains(self, qf: int) -> bool:
        return self.qf_min <= qf <= self.qf_max


@dataclass(frozen=True)
class RuleSet:
    """The conditions and tariffs set by one council decision, in force from `valid_from`."""

    valid_from: date
    deliberation: Deliberation
    children_age_limit: int
    residency_required: bool
    accepted_providers: tuple[str, ...]
    qf_max_age_months: int | None
    full_price: Decimal
    full_price_discount_percent: int
    brackets: tuple[Bracket, ...]

    @property
    def version(self) -> str:
        """Stored with each application, e.g. "2026-01-01 / délibération n° 2025-112 du 15/12/2025"."""
        return (
            f"{self.valid_from.isoformat()} / délibération n° {self.deliberation.number}"
            f" du {self.deliberation.date:%d/%m/%Y}"
        )

    @property
    def qf_ceiling(self) -> int:
        return self.brackets[-1].qf_max

    def bracket_for(self, qf: int) -> Bracket | None:
        """The bracket holding this QF, or None above the ceiling."""
        index = bisect.bisect_left([b.qf_max for b in self.brackets], qf)
        return self.brackets[index] if index < len(self.brackets) else None


@dataclass(frozen=True)
class PassFamilleRules:
    """The dated rule sets (oldest first) and the territory residency is checked against."""

    rule_sets: tuple[RuleSet, ...]
    territory: Territory

    def applicable(self, on: date) -> RuleSet:
        """The rule set in force on `on`: the latest whose valid_from is not after it."""
        for rule_set in reversed(self.rule_sets):
            if rule_set.valid_from <= on:
                return rule_set
        raise NoRulesInForce(
            f"aucun barème du Pass Famille n'est en vigueur le {on:%d/%m/%Y} "
            f"(le premier s'applique à partir du {self.rule_sets[0].valid_from:%d/%m/%Y})"
        )


@dataclass(frozen=True)
class PassValidity:
    """Either a number of months from the decision, or a fixed end date (exactly one is set)."""

    months: int | None = None
    until: date | None = None


@dataclass(frozen=True)
class PassFamille:
    title: str
    benefits: tuple[str, ...]
    validity: PassValidity
    rules: PassFamilleRules
    summary: str | None = None


@dataclass(frozen=True)
class ApiParticulierSettings:
    # API Particulier's CGU: show the data to the citizen only if the service can identify them.
    show_details: bool = True


# --- Crèche pre-registration (optional section) -------------------------------------------------------------


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


def _months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, or the last day of that month if it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PreRegistrationStart:
    """From which month of pregnancy an expected child may be pre-registered."""

    pregnancy_month: int

    def earliest_date(self, due_date: date) -> date:
        """First day a pre-registration is accepted for a child expected on `due_date`.

        A pregnancy is counted as nine months before the due date, so month k starts (10 - k) months
        before it: from the 4th month, pre-registration opens 6 months before the due date.
        """
        return _months_before(due_date, 10 - self.pregnancy_month)


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


@dataclass(frozen=True)
class CommuneSettings:
    commune: Commune
    territory: Territory
    retention: Retention
    mail: MailSettings
    api_particulier: ApiParticulierSettings
    pass_famille: PassFamille
    source: Path
    creche: CrecheSettings | None = None  # None: the commune offers no crèche pre-registration


# --- Checks shared with other modules -----------------------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    """The Luhn check used by SIREN and SIRET numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio between white text and a #rrggbb background."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return 1.05 / (luminance + 0.05)


# --- YAML loading with line numbers -------------------------------------------------------------------------


class _Map(dict):
    lines: dict[Any, int]


class _Seq(list):
    lines: list[int]


class _Int(int):
    raw: str


class _Float(float):
    raw: str


class _Loader(yaml.SafeLoader):
    """SafeLoader that records line numbers, refuses duplicate keys and keeps dates and numbers' source text.

    Dates stay strings so that a wrong date is reported with its key path rather than as a crash inside
    PyYAML; numbers keep their text because YAML 1.1 reads `01000` as octal 512.
    """


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):
            raise yaml.constructor.ConstructorError(None, None, "nom de clé invalide", key_node.start_mark)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"clé « {key} » en double (déjà vue ligne {result.lines[key]})", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> _Int:
    result = _Int(yaml.SafeLoader.construct_yaml_int(loader, node))
    result.raw = node.value
    return result


def _construct_float(loader: _Loader, node: yaml.ScalarNode) -> _Float:
    result = _Float(yaml.SafeLoader.construct_yaml_float(loader, node))
    result.raw = node.value
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)

# PyYAML's most frequent complaints, said in French; others are quoted as they are.
_YAML_PROBLEMS = {
    "found character '\\t' that cannot start any token": "tabulation interdite : indentez avec des espaces",
    "mapping values are not allowed here": (
        "« : » inattendu : vérifiez l'indentation, ou mettez entre guillemets une valeur qui contient « : »"
    ),
    "could not find expected ':'": "« : » attendu après le nom de la clé",
    "found undefined alias": "alias YAML inconnu",
}


def _yaml_error(file: str, error: yaml.YAMLError) -> SettingsError:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    for english, french in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            problem = french
            break
    where = f"{file}, ligne {mark.line + 1}" if mark is not None else file
    return SettingsError(f"{where} : YAML invalide : {problem}")


# --- Validation ---------------------------------------------------------------------------------------------


def _french_number(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def _shown(value: Any) -> str:
    """How a wrong value is quoted back to the installer."""
    if value is None:
        return "aucune valeur"
    if isinstance(value, dict):
        return "un bloc de clés"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, bool):
        return "« true »" if value else "« false »"
    text = getattr(value, "raw", None) or str(value)
    text = " ".join(text.split())
    if len(text) > 40:
        text = text[:39] + "…"
    return f"« {text} »"


def _decimal(value: Any) -> Decimal | None:
    """The exact number as written (0.0310 stays 0.0310, not the float 0.031000000000000003), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(getattr(value, "raw", None) or str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class _Section:
    """A mapping of the settings file at a key path, with typed getters that fail with a one-line message."""

    def __init__(self, file: str, data: Any, path: str, line: int | None, allowed: tuple[str, ...]):
        self.file = file
        self.path = path
        self.line = line
        if not isinstance(data, dict):
            if not path:
                first_keys = f"« {allowed[0]} », « {allowed[1]} »"
                raise SettingsError(f"{file} : le fichier doit commencer par les clés {first_keys}…")
            self._fail_at(path, line, f"bloc de clés attendu, {_shown(data)} trouvé")
        self.data: _Map = data
        for key in data:
            if key not in allowed:
                suggestion = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f" — vouliez-vous dire « {self._key_path(suggestion[0])} » ?" if suggestion else ""
                known = "" if suggestion else f" (clés possibles : {', '.join(allowed)})"
                raise SettingsError(
                    f"{self._where(data.lines.get(key))} : clé inconnue « {self._key_path(key)} »{hint}{known}"
                )

    def _where(self, line: int | None) -> str:
        return f"{self.file}, ligne {line}" if line else self.file

    def _key_path(self, key: Any) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    def _fail_at(self, path: str, line: int | None, message: str) -> NoReturn:
        raise SettingsError(f"{self._where(line)} : clé « {path} » : {message}")

    def fail(self, key: str, message: str) -> NoReturn:
        self._fail_at(self._key_path(key), self.data.lines.get(key) or self.line, message)

    def _raw(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            if key in self.data:
                self.fail(key, "valeur obligatoire absente")
            self._fail_at(self._key_path(key), self.line, "clé obligatoire manquante")
        return value

    def section(self, key: str, allowed: tuple[str, ...], required: bool = True) -> _Section | None:
        value = self._raw(key, required)
        if value is None:
            return None
        return _Section(self.file, value, self._key_path(key), self.data.lines.get(key), allowed)

    def text(self, key: str, required: bool = True, pattern: re.Pattern | None = None, expected: str = "") -> Any:
        value = self._raw(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            hint = " (mettez-le entre guillemets)" if isinstance(value, int | float) else ""
            self.fail(key, f"texte attendu{hint}, {_shown(value)} trouvé")
        value = value.strip()
        if not value:
            self.fail(key, "texte vide")
        if pattern is not None and not pattern.match(value):
            self.fail(key, f"{expected}, {_shown(value)} trouvé")
        return value

    def integer(self, key: str, minimum: int, maximum: int | None = None, required: bool = True) -> Any:
        value = self._raw(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"nombre entier attendu, {_shown(value)} trouvé")
        if value < minimum or (maximum is not None and value > maximum):
            limits = f"entre {minimum} et {maximum}" if maximum is not None else f"d'au moins {minimum}"
            self.fail(key, f"nombre {limits} attendu, {_shown(value)} trouvé")
        return int(value)

    def money(self, key: str) -> Decimal:
        value = self._raw(key, True)
        amount = _decimal(value)
        if amount is None:
            self.fail(key, f"montant en euros attendu (ex. 12.50), {_shown(value)} trouvé")
        if amount < 0 or amount.as_tuple().exponent < -2:
            self.fail(key, f"montant positif avec au plus 2 décimales attendu, {_shown(value)} trouvé")
        return amount

    def boolean(self, key: str, default: bool | None = None) -> bool:
        value = self._raw(key, default is None)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"« true » ou « false » attendu, {_shown(value)} trouvé")
        return value

    def date(self, key: str, required: bool = True) -> date | None:
        value = self._raw(key, required)
        if value is None:
            return None
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                raise ValueError
            return date.fromisoformat(value.strip())
        except ValueError:
            self.fail(key, f"date AAAA-MM-JJ attendue (ex. 2026-01-01), {_shown(value)} trouvé")

    def items(self, key: str, required: bool = True) -> Iterator[tuple[str, int | None, Any]]:
        """(path, line, value) of each element of a list."""
        value = self._raw(key, required)
        if value is None:
            return iter(())
        if not isinstance(value, list):
            self.fail(key, f"liste attendue, {_shown(value)} trouvé")
        if required and not value:
            self.fail(key, "liste vide")
        path = self._key_path(key)
        return ((f"{path}[{i}]", value.lines[i], item) for i, item in enumerate(value))

    def entries(self, key: str, expected: str) -> Iterator[tuple[str, int | None, Any, Any]]:
        """(path, line, key, value) of each entry of a mapping whose keys are data, not names."""
        value = self._raw(key, True)
        if not isinstance(value, dict):
            self.fail(key, f"{expected}, {_shown(value)} trouvé")
        if not value:
            self.fail(key, "bloc vide")
        path = self._key_path(key)
        return ((f"{path}.{k}", value.lines[k], k, v) for k, v in value.items())

    def fail_at(self, path: str, line: int | None, message: str) -> NoReturn:
        """Fail on an element found by items() or entries()."""
        self._fail_at(path, line, message)

    def text_list(self, key: str, pattern: re.Pattern | None = None, expected: str = "", required: bool = True):
        result = []
        for path, line, item in self.items(key, required):
            if not isinstance(item, str) or not item.strip():
                hint = " (mettez-le entre guillemets)" if isinstance(item, int | float) else ""
                self._fail_at(path, line, f"texte attendu{hint}, {_shown(item)} trouvé")
            item = item.strip()
            if pattern is not None and not pattern.match(item):
                self._fail_at(path, line, f"{expected}, {_shown(item)} trouvé")
            if item in result:
                self._fail_at(path, line, f"{_shown(item)} figure deux fois dans la liste")
            result.append(item)
        return tuple(result)


def _read_commune(root: _Section, settings_dir: Path) -> Commune:
    s = root.section(
        "commune",
        ("name", "insee_code", "siret", "contact", "dpo", "logo", "colour", "legal_basis", "website"),
    )
    siret = s.text("siret").replace(" ", "")
    if not re.fullmatch(r"\d{14}", siret):
        s.fail("siret", f"SIRET de 14 chiffres attendu, {_shown(siret)} trouvé")
    if not luhn_valid(siret):
        s.fail("siret", f"SIRET invalide (clé de contrôle fausse) : {_shown(siret)} — vérifiez chaque chiffre")

    colour = s.text("colour", pattern=_COLOUR, expected="couleur #rrggbb entre guillemets attendue (ex. « #0b6e4f »)")
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST_WITH_WHITE:
        s.fail(
            "colour",
            f"couleur trop claire : contraste avec le texte blanc de {_french_number(ratio)}:1, il faut au moins "
            f"{_french_number(MIN_CONTRAST_WITH_WHITE)}:1 — choisissez une teinte plus foncée",
        )

    logo = None
    logo_name = s.text("logo", required=False)
    if logo_name is not None:
        logo = (settings_dir / logo_name).resolve()
        if logo.suffix.lower() not in LOGO_SUFFIXES:
            s.fail("logo", f"image PNG, SVG ou JPEG attendue, {_shown(logo_name)} trouvé")
        if not logo.is_file():
            s.fail("logo", f"fichier introuvable : {logo}")

    c = s.section("contact", ("email", "phone", "address", "hours"))
    contact = Contact(
        email=c.text("email", pattern=_EMAIL, expected="adresse électronique attendue"),
        phone=c.text("phone", pattern=_PHONE, expected="numéro de téléphone entre guillemets attendu"),
        address=c.text("address"),
        hours=c.text("hours", required=False),
    )
    d = s.section("dpo", ("name", "email", "address"))
    dpo = DataProtectionOfficer(
        name=d.text("name"),
        email=d.text("email", pattern=_EMAIL, expected="adresse électronique attendue"),
        address=d.text("address"),
    )
    return Commune(
        name=s.text("name"),
        insee_code=s.text(
            "insee_code", pattern=_INSEE_CODE, expected="code INSEE de 5 caractères attendu (ex. « 13055 »)"
        ),
        siret=siret,
        contact=contact,
        dpo=dpo,
        colour=colour.lower(),
        legal_basis=s.text("legal_basis"),
        logo=logo,
        website=s.text("website", required=False, pattern=_URL, expected="adresse https://… attendue"),
    )


def _read_territory(root: _Section) -> Territory:
    s = root.section("territory", ("insee_codes", "postal_codes"))
    return Territory(
        insee_codes=frozenset(
            s.text_list(
                "insee_codes", _INSEE_CODE, "code INSEE de 5 caractères entre guillemets attendu", required=False
            )
        ),
        postal_codes=frozenset(
            s.text_list("postal_codes", _POSTAL_CODE, "code postal de 5 chiffres entre guillemets attendu")
        ),
    )


def _read_retention(root: _Section) -> Retention:
    s = root.section(
        "retention",
        (
            "draft_hours",
            "incomplete_application_days",
            "application_months",
            "refused_application_months",
            "documents_days_after_decision",
            "delete_documents_once_verified",
        ),
    )
    retention = Retention(
        draft_hours=s.integer("draft_hours", 1, 24 * 31),
        incomplete_application_days=s.integer("incomplete_application_days", 1, 365, required=False),
        application_months=s.integer("application_months", 1, 120),
        refused_application_months=s.integer("refused_application_months", 1, 120),
        documents_days_after_decision=s.integer("documents_days_after_decision", 0, 3650),
        delete_documents_once_verified=s.boolean("delete_documents_once_verified", default=True),
    )
    if retention.refused_application_months > retention.application_months:
        s.fail(
            "refused_application_months",
            f"une demande refusée ne peut être gardée plus longtemps qu'une demande acceptée "
            f"({retention.application_months} mois), {retention.refused_application_months} trouvé",
        )
    return retention


def _read_mail(root: _Section) -> MailSettings:
    s = root.section("mail", ("from_address", "reply_to"))
    return MailSettings(
        from_address=s.text("from_address", pattern=_EMAIL, expected="adresse électronique attendue"),
        reply_to=s.text("reply_to", required=False, pattern=_EMAIL, expected="adresse électronique attendue"),
    )


def _read_api_particulier(root: _Section) -> ApiParticulierSettings:
    s = root.section("api_particulier", ("show_details",), required=False)
    return ApiParticulierSettings(show_details=s.boolean("show_details")) if s else ApiParticulierSettings()


def _read_brackets(s: _Section, full_price: Decimal, full_price_discount: int) -> tuple[Bracket, ...]:
    brackets: list[Bracket] = []
    for path, line, item in s.items("brackets"):
        b = _Section(s.file, item, path, line, ("code", "label", "qf_max", "price", "discount_percent"))
        code = b.text("code")
        qf_min = brackets[-1].qf_max + 1 if brackets else 0
        qf_max = b.integer("qf_max", 0)
        if brackets and qf_max < qf_min:
            b.fail(
                "qf_max",
                f"les tranches doivent être croissantes : {qf_max} n'est pas supérieur au plafond "
                f"de la tranche précédente ({brackets[-1].qf_max})",
            )
        if any(other.code == code for other in brackets):
            b.fail("code", f"code {_shown(code)} déjà utilisé par une autre tranche")
        price = b.money("price")
        discount = b.integer("discount_percent", 0, 100)
        # Otherwise a family would be better off not giving its QF (see full_price in the example file).
        if price > full_price:
            b.fail("price", f"prix supérieur au plein tarif (full_price = {full_price}) : {price} trouvé")
        if discount < full_price_discount:
            b.fail(
                "discount_percent",
                f"réduction inférieure à celle du plein tarif (full_price_discount_percent = {full_price_discount}) :"
                f" {discount} trouvé",
            )
        brackets.append(Bracket(code, b.text("label"), qf_min, qf_max, price, discount))
    return tuple(brackets)


def _read_rule_set(file: str, path: str, line: int | None, item: Any) -> RuleSet:
    s = _Section(
        file,
        item,
        path,
        line,
        (
            "valid_from",
            "deliberation",
            "children_age_limit",
            "residency_required",
            "accepted_providers",
            "qf_max_age_months",
            "full_price",
            "full_price_discount_percent",
            "brackets",
        ),
    )
    valid_from = s.date("valid_from")
    d = s.section("deliberation", ("number", "date", "title", "url"))
    deliberation = Deliberation(
        number=d.text("number"),
        date=d.date("date"),
        title=d.text("title"),
        url=d.text("url", required=False, pattern=_URL, expected="adresse https://… attendue"),
    )
    # Administrative decisions are not retroactive: tariffs cannot apply before the council voted them.
    if deliberation.date > valid_from:
        s.fail(
            "valid_from",
            f"le barème ne peut s'appliquer avant la délibération du {deliberation.date:%d/%m/%Y} "
            f"(pas de rétroactivité), {valid_from:%d/%m/%Y} trouvé",
        )
    providers = s.text_list("accepted_providers", re.compile(r"^(?:CNAF|MSA)$"), "« CNAF » ou « MSA » attendu")
    full_price = s.money("full_price")
    full_price_discount = s.integer("full_price_discount_percent", 0, 100, required=False) or 0
    return RuleSet(
        valid_from=valid_from,
        deliberation=deliberation,
        children_age_limit=s.integer("children_age_limit", 1, 25),
        residency_required=s.boolean("residency_required"),
        accepted_providers=providers,
        # The CAF keeps 24 months of QF history: a longer limit would mean nothing.
        qf_max_age_months=s.integer("qf_max_age_months", 0, 24, required=False),
        full_price=full_price,
        full_price_discount_percent=full_price_discount,
        brackets=_read_brackets(s, full_price, full_price_discount),
    )


def _read_pass_famille(root: _Section, territory: Territory) -> PassFamille:
    s = root.section("pass_famille", ("title", "summary", "benefits", "validity", "rules"))
    v = s.section("validity", ("months", "until"))
    validity = PassValidity(months=v.integer("months", 1, 60, required=False), until=v.date("until", required=False))
    if (validity.months is None) == (validity.until is None):
        s.fail("validity", "indiquez soit « months » (durée en mois), soit « until » (date de fin), pas les deux")

    rule_sets: list[RuleSet] = []
    first_path: dict[date, str] = {}
    for path, line, item in s.items("rules"):
        rule_set = _read_rule_set(s.file, path, line, item)
        if rule_set.valid_from in first_path:
            raise SettingsError(
                f"{s.file}, ligne {item.lines['valid_from']} : clé « {path}.valid_from » : "
                f"date {rule_set.valid_from.isoformat()} "
                f"déjà utilisée par « {first_path[rule_set.valid_from]} » — un seul barème par date"
            )
        first_path[rule_set.valid_from] = path
        rule_sets.append(rule_set)

    return PassFamille(
        title=s.text("title"),
        summary=s.text("summary", required=False),
        benefits=s.text_list("benefits"),
        validity=validity,
        rules=PassFamilleRules(tuple(sorted(rule_sets, key=lambda r: r.valid_from)), territory),
    )


def _read_age_groups(st: _Section) -> tuple[AgeGroup, ...]:
    groups: list[AgeGroup] = []
    for path, line, item in st.items("age_groups"):
        g = _Section(st.file, item, path, line, ("code", "label", "min_months", "max_months", "places"))
        code = g.text("code", pattern=_CODE, expected=_CODE_EXPECTED)
        if any(other.code == code for other in groups):
            g.fail("code", f"code {_shown(code)} déjà utilisé par une autre section de la structure")
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


def _read_structures(s: _Section) -> tuple[Structure, ...]:
    structures: list[Structure] = []
    for path, line, item in s.items("structures"):
        st = _Section(s.file, item, path, line, ("code", "name", "address", "table", "opening_hours", "age_groups"))
        code = st.text("code", pattern=_CODE, expected=_CODE_EXPECTED)
        if any(other.code == code for other in structures):
            st.fail("code", f"code {_shown(code)} déjà utilisé par une autre structure")
        table = st.text("table")
        if table not in CRECHE_TABLES:
            st.fail("table", f"« collective » ou « familial » attendu, {_shown(table)} trouvé")
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


def _read_points_grid(s: _Section) -> tuple[Criterion, ...]:
    grid: list[Criterion] = []
    for path, line, item in s.items("points_grid"):
        c = _Section(s.file, item, path, line, ("code", "label", "points", "requires_document", "document_label"))
        code = c.text("code", pattern=_CODE, expected=_CODE_EXPECTED)
        if any(other.code == code for other in grid):
            c.fail("code", f"code {_shown(code)} déjà utilisé par un autre critère")
        label = c.text("label")
        points = c.integer("points", 0, 1000)
        requires_document = c.boolean("requires_document")
        document_label = c.text("document_label", required=False)
        if document_label is not None and not requires_document:
            c.fail("document_label", "pièce indiquée alors que requires_document vaut false")
        grid.append(Criterion(code, label, points, requires_document, document_label))
    return tuple(grid)


def _read_delays(s: _Section) -> CrecheDelays:
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


def _period_dates(p: _Section, previous: ResourcesPeriod | PlafondOverride | None, contiguous: bool):
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


def _read_resources_periods(b: _Section) -> tuple[ResourcesPeriod, ...]:
    periods: list[ResourcesPeriod] = []
    for path, line, item in b.items("resources"):
        p = _Section(b.file, item, path, line, ("valid_from", "valid_until", "plancher", "plafond", "source"))
        valid_from, valid_until = _period_dates(p, periods[-1] if periods else None, contiguous=True)
        plancher = p.money("plancher")
        plafond = p.money("plafond")
        if plafond <= plancher:
            p.fail("plafond", f"plafond supérieur au plancher ({plancher}) attendu, « {plafond} » trouvé")
        periods.append(ResourcesPeriod(valid_from, valid_until, plancher, plafond, p.text("source")))
    return tuple(periods)


def _read_rate_bands(r: _Section, table: str) -> tuple[RateBand, ...]:
    starts: list[tuple[int, Decimal]] = []
    expected = "bloc « nombre d'enfants: taux en % » attendu (ex. « 1: 0.0619 »)"
    for path, line, key, value in r.entries(table, expected):
        if isinstance(key, bool) or not isinstance(key, int) or key < 1:
            r.fail_at(
                path,
                line,
                f"nombre d'enfants du début de la tranche attendu (ex. 4 pour « 4 à 7 »), {_shown(key)} trouvé",
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
        percent = _decimal(value)
        if percent is None or not 0 < percent < 1:
            r.fail_at(path, line, f"taux en % entre 0 et 1 attendu (ex. 0.0619 pour 0,0619 %), {_shown(value)} trouvé")
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


def _read_rate_tables(b: _Section) -> tuple[RateTable, ...]:
    tables: list[RateTable] = []
    for path, line, item in b.items("rates"):
        r = _Section(b.file, item, path, line, ("valid_from", "source", *CRECHE_TABLES))
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


def _read_plafond_overrides(b: _Section, periods: tuple[ResourcesPeriod, ...]) -> tuple[PlafondOverride, ...]:
    overrides: list[PlafondOverride] = []
    for path, line, item in b.items("plafond_override", required=False):
        o = _Section(b.file, item, path, line, ("valid_from", "valid_until", "plafond", "source"))
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


def _read_psu_bareme(s: _Section) -> PsuBareme:
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


def _read_creche(root: _Section) -> CrecheSettings | None:
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


def load_settings(path: str | Path) -> CommuneSettings:
    """Read and validate the commune settings file; raise SettingsError with one French line otherwise."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(f"{file} : fichier de paramètres de la commune introuvable") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{file} : le fichier doit être enregistré en UTF-8") from None
    except OSError as error:
        raise SettingsError(f"{file} : lecture impossible ({error.strerror})") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader subclass
    except yaml.YAMLError as error:
        raise _yaml_error(file, error) from None
    if data is None:
        raise SettingsError(f"{file} : fichier vide")

    root = _Section(
        file,
        data,
        "",
        None,
        ("commune", "territory", "retention", "mail", "api_particulier", "pass_famille", "creche"),
    )
    commune = _read_commune(root, path.resolve().parent)
    territory = _read_territory(root)
    return CommuneSettings(
        commune=commune,
        territory=territory,
        retention=_read_retention(root),
        mail=_read_mail(root),
        api_particulier=_read_api_particulier(root),
        pass_famille=_read_pass_famille(root, territory),
        source=path,
        creche=_read_creche(root),
    )
