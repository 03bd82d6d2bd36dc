"""The identity FranceConnect certifies, as the applicant's answers the rest of the app reads.

FranceConnect's claims (REFERENCE §2): `family_name` is the birth name, `given_name` every first name separated by
spaces, `birthdate` YYYY-MM-DD (« présumés nés »: 00 or a shorter date), `gender` male/female, `birthplace` the
5-character COG code of the commune (empty when born abroad), `birthcountry` the COG code of the country (99100 for
France), `email` when the scope was granted. The nom d'usage (`preferred_username`) is shown but never sent to API
Particulier, which does not use it on the FranceConnect route either (REFERENCE §3.6)."""

import re

from .. import places

FRANCE = "99100"
# The applicant's answers say where the identity came from: the page shows it read-only, the recap says so.
CERTIFIED_FLAG = "franceconnect"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _text(claims: dict, name: str, limit: int = 100) -> str:
    value = claims.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _first_names(claims: dict) -> list[str]:
    names = claims.get("given_name_array")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        names = _text(claims, "given_name", 300).split()
    names = [n.strip() for n in names if n.strip()]
    # Three boxes, as on the form: any further first names share the third (the CAF/MSA is not asked with them).
    return names[:2] + [" ".join(names[2:])] if len(names) > 3 else names


def _birth_date(value: str) -> tuple[str, str, str]:
    """(day, month, year) as the form holds them; an unknown part (00, or absent) is empty."""
    found = _DATE.match(value or "")
    if not found:
        return "", "", ""
    year, month, day = found.groups()
    known = [part if part and int(part) else "" for part in (day, month)]
    return known[0], known[1], year


def applicant_answers(claims: dict, email: str = "") -> dict:
    """The applicant's answers from FranceConnect's claims (the e-mail: FranceConnect's, or the one the family
    typed before and keeps)."""
    first_names = _first_names(claims)
    day, month, year = _birth_date(_text(claims, "birthdate", 10))
    country = _text(claims, "birthcountry", 5) or FRANCE
    values = {
        CERTIFIED_FLAG: "y",
        "birth_name": _text(claims, "family_name"),
        "usage_name": _text(claims, "preferred_username"),
        "sex": {"male": "M", "female": "F"}.get(claims.get("gender"), ""),
        "birth_day": day,
        "birth_month": month,
        "birth_year": year,
        "email": email or _text(claims, "email", 254),
    }
    for index, name in enumerate(first_names[:3], start=1):
        values[f"first_name_{index}"] = name
    if not first_names:
        values["no_first_name"] = "y"
    if not (day and month):
        values["birth_date_incomplete"] = "y"
    if country == FRANCE:
        code = _text(claims, "birthplace", 5)
        commune = places.commune(code)
        values.update(
            born_in="france",
            birth_commune_code=code,
            birth_commune=commune.name if commune else code,
            birth_department=commune.department if commune else "",
        )
    else:
        values.update(born_in="abroad", birth_country=country)
    return {key: value for key, value in values.items() if value}


def is_certified(applicant: dict) -> bool:
    return applicant.get(CERTIFIED_FLAG) == "y"


def has_pivot(claims: dict) -> bool:
    """Whether FranceConnect gave the identity pivot API Particulier needs (without it: a 401 50003)."""
    return all(_text(claims, name, 300) for name in ("family_name", "birthdate", "gender", "birthcountry"))
