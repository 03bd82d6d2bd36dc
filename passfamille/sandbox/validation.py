"""Parameter validation of the v3 `dss/*/identite` endpoints, as production does it.

Rules and their order follow siade's `CNAV::QuotientFamilialV2::ValidateParams` organizer and its interactors
(REFERENCE §3.1): every failing rule adds its error and the call answers 422 with all of them, like production,
which runs the whole organizer before failing.
"""

import re
from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from . import errors
from .errors import ApiError

NAME = re.compile(r"[a-zA-ZÀ-ÖØ-öø-ÿ' -]+")
FIRST_NAME_FORBIDDEN = re.compile(r"[,()\[\]{}]")
COMMUNE_CODE = re.compile(r"([013-9]\d|2[AB1-9])\d{3}")
COUNTRY_CODE = re.compile(r"\d{5}")
DIGITS = re.compile(r"\d+")
DEPARTMENTS_OVERSEAS = {"971", "972", "973", "974", "976"}
LA_POSTE_SIREN = "356000000"
MAX_FIRST_NAMES = 3
OLDEST_BIRTH_DATE = date(1900, 1, 1)


def is_siret(value: str) -> bool:
    """14 digits with a valid Luhn checksum; La Poste's establishments are the one exception to Luhn."""
    if not re.fullmatch(r"\d{14}", value):
        return False
    if value.startswith(LA_POSTE_SIREN):
        return True
    total = 0
    for index, digit in enumerate(int(char) for char in reversed(value)):
        doubled = digit * 2 if index % 2 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def check_recipient(args: MultiDict) -> ApiError | None:
    recipient = args.get("recipient", "")
    if not recipient.strip():
        return errors.MISSING_RECIPIENT
    return None if is_siret(recipient) else errors.INVALID_RECIPIENT


def check_identity(args: MultiDict, *, today: date, with_period: bool) -> list[ApiError]:
    found = []
    if with_period:
        found += _check_period(args, today)
    checks = (_check_sex, _check_birth_place, _check_country, _check_birth_date, _check_first_names, _check_name)
    for check in checks:
        error = check(args, today)
        if error is not None:
            found.append(error)
    return found


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and DIGITS.fullmatch(value) else None


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def _check_period(args: MultiDict, today: date) -> list[ApiError]:
    found = []
    year_text, month_text = args.get("annee"), args.get("mois")
    year = _int(year_text)
    if year_text is not None and (year is None or not today.year - 2 <= year <= today.year):
        found.append(errors.INVALID_YEAR)
    if month_text is not None:
        month = _int(month_text)
        # The API documents that a month without a year means the current year, so a later month is "in the future".
        requested_year = year if year is not None else today.year
        if month is None or not 1 <= month <= 12 or (requested_year >= today.year and month > today.month):
            found.append(errors.INVALID_MONTH)
    return found


def _check_sex(args: MultiDict, today: date) -> ApiError | None:
    # Production rejects only a non-blank value other than M/F (any case); a missing one goes to the provider.
    sex = args.get("sexeEtatCivil")
    return None if _blank(sex) or sex.upper() in ("M", "F") else errors.INVALID_SEX


def _check_birth_place(args: MultiDict, today: date) -> ApiError | None:
    commune = args.get("codeCogInseeCommuneNaissance")
    if not _blank(commune):
        return None if COMMUNE_CODE.fullmatch(commune) else errors.INVALID_BIRTH_PLACE
    option_2 = ("nomCommuneNaissance", "anneeDateNaissance", "codeCogInseeDepartementNaissance")
    if all(not _blank(args.get(key)) for key in option_2):
        department = args["codeCogInseeDepartementNaissance"]
        metropole = re.fullmatch(r"\d{2}", department) and 1 <= int(department) <= 95
        if not (metropole or department in ("2A", "2B") or department in DEPARTMENTS_OVERSEAS):
            return errors.INVALID_DEPARTMENT
    # Neither option complete: production does not reject it either; the provider finds nobody (404).
    return None


def _check_country(args: MultiDict, today: date) -> ApiError | None:
    country = args.get("codeCogInseePaysNaissance")
    return None if _blank(country) or COUNTRY_CODE.fullmatch(country) else errors.INVALID_COUNTRY


def _check_birth_date(args: MultiDict, today: date) -> ApiError | None:
    texts = [args.get(key) for key in ("anneeDateNaissance", "moisDateNaissance", "jourDateNaissance")]
    year, month, day = (_int(text) for text in texts)
    ranges = ((year, 1, 9999), (month, 1, 12), (day, 1, 31))
    for text, (value, low, high) in zip(texts, ranges, strict=True):
        if text is not None and (value is None or not low <= value <= high):
            return errors.INVALID_BIRTH_DATE
    if None in (year, month, day):
        return None
    try:
        birth_date = date(year, month, day)
    except ValueError:
        return errors.INVALID_BIRTH_DATE
    in_range = OLDEST_BIRTH_DATE <= birth_date <= today - timedelta(days=1)
    return None if in_range else errors.INVALID_BIRTH_DATE


def _check_first_names(args: MultiDict, today: date) -> ApiError | None:
    if "prenoms" in args:
        return errors.INVALID_FIRST_NAMES  # a plain string, not the `prenoms[]` array
    if "prenoms[]" not in args:
        return None  # left to the provider by production; the app always sends at least one
    names = args.getlist("prenoms[]")
    valid = 1 <= len(names) <= MAX_FIRST_NAMES and all(
        NAME.fullmatch(name) and not FIRST_NAME_FORBIDDEN.search(name) for name in names
    )
    return None if valid else errors.INVALID_FIRST_NAMES


def _check_name(args: MultiDict, today: date) -> ApiError | None:
    name = args.get("nomNaissance")
    return None if not _blank(name) and NAME.fullmatch(name) else errors.INVALID_BIRTH_NAME
