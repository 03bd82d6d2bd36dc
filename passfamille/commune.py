"""The commune settings file: loaded once at start-up, validated whole, turned into frozen dataclasses.

Every mistake an installer can make in the YAML file is reported as a `SettingsError` whose message is one
French line naming the file, the line and the key path, so that the application refuses to start with a
message the installer can act on. No Flask here: the CLI and the tests load settings the same way.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
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


class SettingsError(Exception):
    """The settings file cannot be used; the message is one French line for the installer."""


class NoRulesInForce(LookupError):
    """No Pass Famille rule set applies on the requested date."""


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


@dataclass(frozen=True)
class CommuneSettings:
    commune: Commune
    territory: Territory
    retention: Retention
    mail: MailSettings
    api_particulier: ApiParticulierSettings
    pass_famille: PassFamille
    source: Path


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
        amount = None
        if not isinstance(value, bool) and isinstance(value, int | float | str):
            try:
                amount = Decimal(getattr(value, "raw", None) or str(value))
            except InvalidOperation:
                amount = None
        if amount is None or not amount.is_finite():
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
        file, data, "", None, ("commune", "territory", "retention", "mail", "api_particulier", "pass_famille")
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
    )
