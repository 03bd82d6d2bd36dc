"""The commune settings file: loaded once at start-up, validated whole, turned into the frozen dataclasses of
commune_settings.py.

Every mistake an installer can make in the YAML file is reported as a `SettingsError` whose message is one
French line naming the file, the line and the key path, so that the application refuses to start with a
message the installer can act on. No Flask here: the CLI and the tests load settings the same way.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from .commune_settings import (
    BASES,
    CAF_QF,
    DEFAULT_ANSWER_WITHIN_DAYS,
    ApiParticulierSettings,
    Bracket,
    Commune,
    CommuneSettings,
    Contact,
    DataProtectionOfficer,
    Deliberation,
    MailSettings,
    MunicipalQuotient,
    PassFamille,
    PassFamilleRules,
    PassValidity,
    Retention,
    RuleSet,
    Territory,
)
from .creche.settings import _read_creche
from .quotient_formula import FormulaError
from .quotient_formula import parse as parse_formula
from .settings_yaml import Section, SettingsError, french_number, read_yaml, shown

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


def _read_commune(root: Section, settings_dir: Path) -> Commune:
    s = root.section(
        "commune",
        ("name", "insee_code", "siret", "contact", "dpo", "logo", "colour", "legal_basis", "website"),
    )
    siret = s.text("siret").replace(" ", "")
    if not re.fullmatch(r"\d{14}", siret):
        s.fail("siret", f"SIRET de 14 chiffres attendu, {shown(siret)} trouvé")
    if not luhn_valid(siret):
        s.fail("siret", f"SIRET invalide (clé de contrôle fausse) : {shown(siret)} — vérifiez chaque chiffre")

    colour = s.text("colour", pattern=_COLOUR, expected="couleur #rrggbb entre guillemets attendue (ex. « #0b6e4f »)")
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST_WITH_WHITE:
        s.fail(
            "colour",
            f"couleur trop claire : contraste avec le texte blanc de {french_number(ratio)}:1, il faut au moins "
            f"{french_number(MIN_CONTRAST_WITH_WHITE)}:1 — choisissez une teinte plus foncée",
        )

    logo = None
    logo_name = s.text("logo", required=False)
    if logo_name is not None:
        logo = (settings_dir / logo_name).resolve()
        if logo.suffix.lower() not in LOGO_SUFFIXES:
            s.fail("logo", f"image PNG, SVG ou JPEG attendue, {shown(logo_name)} trouvé")
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


def _read_territory(root: Section) -> Territory:
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


def _read_retention(root: Section) -> Retention:
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


def _read_mail(root: Section) -> MailSettings:
    s = root.section("mail", ("from_address", "reply_to"))
    return MailSettings(
        from_address=s.text("from_address", pattern=_EMAIL, expected="adresse électronique attendue"),
        reply_to=s.text("reply_to", required=False, pattern=_EMAIL, expected="adresse électronique attendue"),
    )


def _read_api_particulier(root: Section) -> ApiParticulierSettings:
    s = root.section("api_particulier", ("show_details",), required=False)
    return ApiParticulierSettings(show_details=s.boolean("show_details")) if s else ApiParticulierSettings()


def _read_brackets(s: Section, full_price: Decimal, full_price_discount: int) -> tuple[Bracket, ...]:
    brackets: list[Bracket] = []
    for path, line, item in s.items("brackets"):
        b = Section(s.file, item, path, line, ("code", "label", "qf_max", "price", "discount_percent"))
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
            b.fail("code", f"code {shown(code)} déjà utilisé par une autre tranche")
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
    s = Section(
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
            "basis",
            "municipal_quotient",
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
        **_read_basis(s),
    )


def _read_basis(s: Section) -> dict:
    """The rule set's basis (the CAF/MSA QF unless said) and, when it uses the avis d'imposition, the council's
    formula of the municipal quotient, parsed here so that a wrong formula stops the start with its line."""
    basis = s.text("basis", required=False) or CAF_QF
    if basis not in BASES:
        s.fail("basis", f"{', '.join(f'« {b} »' for b in BASES)} attendu, {shown(basis)} trouvé")
    if basis == CAF_QF:
        if "municipal_quotient" in s.data:
            s.fail("municipal_quotient", "inutile avec « basis: caf_qf » : supprimez ce bloc, ou changez basis")
        return {"basis": basis}
    m = s.section("municipal_quotient", ("formula", "deliberation"))
    formula_text = m.text("formula")
    try:
        formula = parse_formula(formula_text)
    except FormulaError as error:
        m.fail("formula", str(error))
    return {"basis": basis, "municipal_quotient": MunicipalQuotient(formula, m.text("deliberation"))}


def _read_pass_famille(root: Section, territory: Territory) -> PassFamille:
    s = root.section("pass_famille", ("title", "summary", "benefits", "validity", "rules", "answer_within_days"))
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
        answer_within_days=s.integer("answer_within_days", 1, 120, required=False) or DEFAULT_ANSWER_WITHIN_DAYS,
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
    data = read_yaml(file, text)
    if data is None:
        raise SettingsError(f"{file} : fichier vide")

    root = Section(
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
