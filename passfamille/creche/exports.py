"""Exports of the crèche requests (CLI and the commission's download), with wishes, ranks and points.

One row per request; the JSON keeps lists and objects (wishes, criteria, estimate), the CSV flattens them for a
French spreadsheet (BOM, ";", decimal comma, typed text never taken for a formula). Both are streamed: requests
are read from the database a batch at a time."""

import sys
from collections.abc import Iterable, Iterator

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import exports
from ..extensions import db
from ..models import Application, CrecheRequest, CrecheWish
from . import waiting_list

COLUMNS = (
    "reference",
    "reference_liee",
    "statut",
    "deposee_le",
    "derniere_confirmation",
    "relance_envoyee_le",
    "enfant_prenom",
    "enfant_naissance",
    "enfant_terme",
    "enfant_source",
    "date_entree",
    "jours_par_semaine",
    "heures_par_semaine",
    "souhaits",
    "criteres",
    "points",
    "psu_source",
    "ressources_annuelles",
    "enfants_a_charge",
    "enfants_aeeh",
    "estimation_horaire",
    "offre_structure",
    "offre_section",
    "offre_entree",
    "offre_reponse_avant",
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "courriel",
)
# What families typed: neutralised in the CSV so that a spreadsheet never runs it as a formula.
_TYPED = ("enfant_prenom", "nom_naissance", "nom_usage", "prenoms", "courriel")


def _ranks() -> dict[tuple[str, str], dict[int, int]]:
    """Every waiting list of the settings once, rather than once per exported request."""
    ranks = {}
    for structure in current_app.extensions["commune"].creche.structures:
        for group in structure.age_groups:
            entries = waiting_list.waiting_list(structure.code, group.code)
            ranks[(structure.code, group.code)] = {e.request.application_id: e.rank for e in entries}
    return ranks


def requests(wish: tuple[str, str] | None = None, batch: int = 500) -> Iterator[dict]:
    """Rows of every crèche request (or of those wishing one structure and section), oldest first. A generator:
    the queries run when the first row is asked for, i.e. inside a streamed response's own context."""
    ranks = _ranks()
    query = (
        select(CrecheRequest)
        .join(Application, CrecheRequest.application_id == Application.id)
        .options(
            selectinload(CrecheRequest.wishes),
            selectinload(CrecheRequest.application).selectinload(Application.linked_application),
        )
        .order_by(Application.created_at, Application.id)
    )
    if wish is not None:
        query = query.where(
            CrecheRequest.wishes.any((CrecheWish.structure_code == wish[0]) & (CrecheWish.age_group_code == wish[1]))
        )
    for request in db.session.scalars(query.execution_options(yield_per=batch)):
        yield row(request, ranks)


def _iso(value) -> str:
    return value.isoformat(timespec="seconds") if hasattr(value, "hour") else (value.isoformat() if value else "")


def row(request: CrecheRequest, ranks: dict[tuple[str, str], dict[int, int]]) -> dict:
    application = request.application
    linked = application.linked_application
    tables = (request.estimate or {}).get("tables") or {}
    return {
        "reference": application.reference,
        "reference_liee": linked.reference if linked else "",
        "statut": application.status,
        "deposee_le": _iso(application.created_at),
        "derniere_confirmation": _iso(request.confirmed_at),
        "relance_envoyee_le": _iso(request.relance_sent_at),
        "enfant_prenom": request.child_first_name or "",
        "enfant_naissance": _iso(request.child_birth_date),
        "enfant_terme": _iso(request.child_due_date),
        "enfant_source": request.child_source,
        "date_entree": _iso(request.start_date),
        "jours_par_semaine": request.days_per_week,
        "heures_par_semaine": request.hours_per_week,
        "souhaits": [
            {
                "choix": w.position,
                "structure": w.structure_code,
                "section": w.age_group_code,
                "rang": ranks.get((w.structure_code, w.age_group_code), {}).get(application.id),
            }
            for w in request.wishes
        ],
        "criteres": list(request.criteria or []),
        "points": waiting_list.points_of(request).total,
        "psu_source": request.psu_source or "",
        "ressources_annuelles": request.psu_annual_resources if request.psu_annual_resources is not None else "",
        "enfants_a_charge": request.psu_children if request.psu_children is not None else "",
        "enfants_aeeh": request.psu_aeeh_children if request.psu_aeeh_children is not None else "",
        "estimation_horaire": {table: values.get("hourly") for table, values in tables.items()},
        "offre_structure": request.offer_structure or "",
        "offre_section": request.offer_age_group or "",
        "offre_entree": _iso(request.offer_start_date),
        "offre_reponse_avant": _iso(request.offer_deadline),
        "nom_naissance": application.birth_name,
        "nom_usage": application.usage_name or "",
        "prenoms": application.first_names or "",
        "courriel": application.email,
    }


def _decimal_comma(value) -> str:
    return str(value).replace(".", ",") if value is not None else ""


def flat(values: dict) -> dict:
    """A row for a French spreadsheet: one cell per column."""
    values = dict(values)
    values["souhaits"] = " ; ".join(
        f"{w['choix']}. {w['structure']}/{w['section']} (rang {w['rang'] if w['rang'] else '–'})"
        for w in values["souhaits"]
    )
    values["criteres"] = " ".join(values["criteres"])
    values["estimation_horaire"] = " ; ".join(
        f"{table} {_decimal_comma(hourly)}" for table, hourly in values["estimation_horaire"].items()
    )
    return exports.defuse_formulas(values, _TYPED)


def as_json(rows: Iterable[dict]) -> Iterator[str]:
    return exports.as_json(rows, to_row=lambda values: values)


def as_spreadsheet_csv(rows: Iterable[dict]) -> Iterator[str]:
    """Semicolons and a BOM: what a French spreadsheet opens without an import dialog."""
    return exports.write_csv((flat(values) for values in rows), COLUMNS, delimiter=";", bom=True)


@click.command("export", help="Écrit toutes les demandes de place en crèche sur la sortie standard.")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def export_command(output_format):
    if current_app.extensions["commune"].creche is None:
        raise click.ClickException("Les paramètres de la commune n'ont pas de section « creche ».")
    render = as_json if output_format == "json" else as_spreadsheet_csv
    for chunk in render(requests()):
        sys.stdout.write(chunk)
