"""The crèche side of a draft: which child, its age at the desired start, the wishes' age groups, the declared
criteria and the PSU estimate. Read from the stored answers; the views and submission share it."""

from datetime import date

from flask import current_app

from ..creche import points as creche_points
from ..creche.estimate import estimate_json as estimate_json  # re-exported: submit.py stores it
from ..creche.estimate import estimates, tables_of
from ..creche.settings import CRECHE_MAX_AGE_MONTHS, age_in_months
from ..formatting import short_date
from ..parsing import ascii_int
from . import household
from .creche_forms import criterion_field
from .draft import answers, details_hidden, eaje, eaje_ok, uses_api


def settings():
    return current_app.extensions["commune"].creche


# --- the child -----------------------------------------------------------------------------------------------


def household_choices(draft, today: date) -> list[tuple[str, str, dict]]:
    """The household's children under 6 as (radio value, label, child): CAF/MSA ones, then those added."""
    found = []
    if not details_hidden(draft):
        for index, child in enumerate(household.certified_children(draft)):
            found.append((f"caf-{index}", child, "caf"))
    for index, child in enumerate(household.added_children(draft)):
        found.append((f"ajoute-{index}", child, "declared"))
    choices = []
    for value, child, source in found:
        born = date.fromisoformat(child["birth_date"]) if child.get("birth_date") else None
        if born is None or age_in_months(born, today) >= CRECHE_MAX_AGE_MONTHS:
            continue
        label = f"{child.get('first_names')}, né ou née le {short_date(born)}"
        choices.append((value, label, {"source": source, "first_name": child.get("first_names"), "birth_date": born}))
    return choices


def child(draft, today: date | None = None) -> dict | None:
    """The chosen child: source ("caf", "declared", "expected"), first_name, birth_date, due_date."""
    values = answers(draft, "enfant")
    choice = values.get("child")
    if not choice:
        return None
    if choice == "autre":
        born = _date(values, "other_birth")
        return {
            "source": "declared",
            "first_name": values.get("other_first_name"),
            "birth_date": born,
            "due_date": None,
        }
    if choice == "a-naitre":
        return {
            "source": "expected",
            "first_name": values.get("expected_first_name") or None,
            "birth_date": None,
            "due_date": _date(values, "due"),
        }
    for value, _label, found in household_choices(draft, today or date.today()):
        if value == choice:
            return {**found, "due_date": None}
    return None


def _date(values: dict, prefix: str) -> date | None:
    year, month, day = (
        ascii_int(values.get(f"{prefix}_{part}"), digits) for part, digits in (("year", 4), ("month", 2), ("day", 2))
    )
    try:
        return date(year, month, day)
    except (TypeError, ValueError):
        return None


def child_label(found: dict | None) -> str:
    if not found:
        return ""
    if found["source"] == "expected":
        name = f"{found['first_name']}, " if found.get("first_name") else ""
        return f"{name}enfant à naître, naissance prévue le {short_date(found['due_date'])}"
    return f"{found.get('first_name')}, né ou née le {short_date(found['birth_date'])}"


def reference_birth(found: dict) -> date:
    """An expected child's age is counted from the due date."""
    return found["birth_date"] or found["due_date"]


def _ages(groups) -> str:
    return ", ".join(f"{g.label.lower()} : de {g.min_months} à {g.max_months} mois" for g in groups)


def age_group(structure, found: dict, start: date):
    age = age_in_months(reference_birth(found), start)
    return next((g for g in structure.age_groups if g.contains(age)), None)


def age_problem(structure_code: str, found: dict | None, start: date) -> str | None:
    structure = settings().structure(structure_code)
    if structure is None:
        return "Choisissez une structure de la liste"
    if found is None:
        return None
    if age_group(structure, found, start) is not None:
        return None
    age = age_in_months(reference_birth(found), start)
    age_text = "ne sera pas encore né" if age < 0 else f"aura {age} mois"
    return (
        f"{structure.name} n'accueillera pas votre enfant le {short_date(start)} : il {age_text} à cette date, "
        f"et la structure accueille les enfants de {structure.age_groups[0].min_months} à "
        f"{structure.age_groups[-1].max_months} mois ({_ages(structure.age_groups)})"
    )


# --- wishes --------------------------------------------------------------------------------------------------


def wish_codes(draft) -> list[str]:
    values = answers(draft, "souhaits")
    codes = []
    index = 1
    while f"wish_{index}" in values:
        if values[f"wish_{index}"]:
            codes.append(values[f"wish_{index}"])
        index += 1
    return codes


def start_date(draft) -> date | None:
    return _date(answers(draft, "souhaits"), "start")


def wishes(draft) -> list[tuple[str, str]]:
    """(structure code, age group code) in the family's order."""
    found = child(draft)
    start = start_date(draft)
    result = []
    for code in wish_codes(draft):
        structure = settings().structure(code)
        group = age_group(structure, found, start) if structure and found and start else None
        if structure and group:
            result.append((code, group.code))
    return result


def hours_per_week(draft) -> int | None:
    return ascii_int(answers(draft, "souhaits").get("hours_per_week"), 3)


def days_per_week(draft) -> int | None:
    return ascii_int(answers(draft, "souhaits").get("days_per_week"), 2)


# --- situation -----------------------------------------------------------------------------------------------


def address_criterion():
    """The grid's criterion of a home in the commune (settings: address_in_commune), or None."""
    return next((c for c in settings().points_grid if c.address_in_commune), None)


def home_in_commune(draft) -> tuple[bool, str | None]:
    """Whether the household's address (certified, else typed) is in the commune, and where it comes from."""
    facts = household.known(draft)
    postal_code = (facts.home or {}).get("postal_code")
    inside = bool(postal_code) and current_app.extensions["commune"].territory.contains(postal_code)
    return inside, facts.address_source


def pre_answered(draft) -> list[str]:
    """Criteria ticked in advance on a first visit: the address criterion when the home is in the commune."""
    criterion = address_criterion()
    return [criterion.code] if criterion and home_in_commune(draft)[0] else []


def proof_not_needed(draft) -> set[str]:
    """Criteria whose proof is not asked: the address criterion when the CAF/MSA certified a home in the commune
    (the agent checks the certified address; asking the family for a proof of it again is a lost 40 points)."""
    criterion = address_criterion()
    if criterion is None:
        return set()
    inside, source = home_in_commune(draft)
    return {criterion.code} if inside and source == "api" else set()


def criteria(draft) -> list[str]:
    values = answers(draft, "situation")
    return [c.code for c in settings().points_grid if values.get(criterion_field(c.code))]


def total_points(codes) -> int:
    return creche_points.points(codes, settings().points_grid).total


# --- estimate (computed by creche.estimate, shared with the re-check and the agents' entry) -----------------------


def draft_estimates(draft, today: date) -> dict:
    if not eaje_ok(draft):
        return {}
    facts = eaje(draft)
    found = child(draft, today)
    return estimates(
        facts.annual_resources,
        facts.children_count or 0,
        facts.aeeh_children or 0,
        tables_of(wish_codes(draft)),
        hours_per_week(draft),
        today,
        expected=bool(found and found["source"] == "expected"),
    )


def psu_source(draft) -> str | None:
    if eaje_ok(draft):
        return "api"
    return {"documents": "document", "later": "pending"}.get(answers(draft, "estimation").get("psu_choice"))


def later_allowed(draft) -> bool:
    return uses_api(draft) and eaje(draft).outcome == "unavailable"
