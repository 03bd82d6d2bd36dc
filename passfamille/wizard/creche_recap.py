"""The crèche sections of "Vérifiez votre demande": child, wishes, situation, estimate."""

from datetime import date

from ..creche_settings import TABLE_LABELS
from ..formatting import euros, short_date
from . import creche
from .creche_forms import RESOURCES_CHOICES
from .steps import answers, details_hidden, eaje_ok


def sections(draft) -> list[dict]:
    today = date.today()
    settings = creche.settings()
    found = creche.child(draft, today)
    start = creche.start_date(draft)
    wish_rows = []
    for index, code in enumerate(creche.wish_codes(draft)):
        structure = settings.structure(code)
        group = creche.age_group(structure, found, start) if structure and found and start else None
        name = structure.name if structure else code
        wish_rows.append((f"Choix n° {index + 1}", f"{name}{f' ({group.label})' if group else ''}", "souhaits"))
    wish_rows += [
        ("Date d'entrée souhaitée", short_date(start), "souhaits"),
        (
            "Temps d'accueil",
            f"{creche.days_per_week(draft)} jours, {creche.hours_per_week(draft)} heures par semaine",
            "souhaits",
        ),
    ]
    codes = creche.criteria(draft)
    grid = {c.code: c for c in settings.points_grid}
    situation = [(grid[code].label, f"{grid[code].points} points", "situation") for code in codes]
    situation.append(("Total", f"{creche.total_points(codes)} points", "situation"))
    if eaje_ok(draft) and details_hidden(draft):
        estimate = [("Tarif", "Estimé par la mairie à partir des informations de la CAF ou de la MSA", "estimation")]
    elif eaje_ok(draft):
        estimate = [
            (
                TABLE_LABELS[table],
                f"{euros(e.hourly)} de l'heure"
                + (f", environ {euros(e.monthly)} par mois" if e.monthly is not None else ""),
                "estimation",
            )
            for table, e in creche.draft_estimates(draft, today).items()
        ]
    else:
        choice = answers(draft, "estimation").get("psu_choice")
        estimate = [("Tarif", RESOURCES_CHOICES.get(choice, ""), "estimation")]
    return [
        {"title": "Votre enfant", "rows": [("Enfant", creche.child_label(found), "enfant")]},
        {"title": "Vos souhaits d'accueil", "rows": wish_rows},
        {"title": "Votre situation", "rows": situation},
        {"title": "Estimation du tarif de la crèche", "rows": estimate},
    ]
