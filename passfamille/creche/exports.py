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


def _or_blank(value):
    return value if value is not None else ""


def _wishes(entry) -> list[dict]:
    request, ranks = entry
    return [
        {
            "choix": w.position,
            "structure": w.structure_code,
            "section": w.age_group_code,
            "rang": ranks.get((w.structure_code, w.age_group_code), {}).get(request.application_id),
        }
        for w in request.wishes
    ]


def _wishes_cell(wishes: list[dict]) -> str:
    return " ; ".join(
        f"{w['choix']}. {w['structure']}/{w['section']} (rang {w['rang'] if w['rang'] else '–'})" for w in wishes
    )


def _hourly(request: CrecheRequest) -> dict:
    tables = (request.estimate or {}).get("tables") or {}
    return {table: values.get("hourly") for table, values in tables.items()}


def _hourly_cell(hourly: dict) -> str:
    return " ; ".join(f"{table} {exports.decimal_comma(value)}" for table, value in hourly.items())


def _linked_reference(request: CrecheRequest) -> str:
    linked = request.application.linked_application
    return linked.reference if linked else ""


# Each column reads a (request, ranks) pair: the ranks of every waiting list, computed once per export.
def _request(read):
    return lambda entry: read(entry[0])


def _application(read):
    return lambda entry: read(entry[0].application)


CRECHE_COLUMNS = (
    exports.Column("reference", _application(lambda a: a.reference)),
    exports.Column("reference_liee", _request(_linked_reference)),
    exports.Column("statut", _application(lambda a: a.status)),
    exports.Column("deposee_le", _application(lambda a: _iso(a.created_at))),
    exports.Column("derniere_confirmation", _request(lambda r: _iso(r.confirmed_at))),
    exports.Column("relance_envoyee_le", _request(lambda r: _iso(r.relance_sent_at))),
    exports.Column("enfant_prenom", _request(lambda r: r.child_first_name or ""), typed=True),
    exports.Column("enfant_naissance", _request(lambda r: _iso(r.child_birth_date))),
    exports.Column("enfant_terme", _request(lambda r: _iso(r.child_due_date))),
    exports.Column("enfant_source", _request(lambda r: r.child_source)),
    exports.Column("date_entree", _request(lambda r: _iso(r.start_date))),
    exports.Column("jours_par_semaine", _request(lambda r: r.days_per_week)),
    exports.Column("heures_par_semaine", _request(lambda r: r.hours_per_week)),
    exports.Column("souhaits", _wishes, cell=_wishes_cell),
    exports.Column("criteres", _request(lambda r: list(r.criteria or [])), cell=" ".join),
    exports.Column("points", _request(lambda r: waiting_list.points_of(r).total)),
    exports.Column("psu_source", _request(lambda r: r.psu_source or "")),
    exports.Column("ressources_annuelles", _request(lambda r: _or_blank(r.psu_annual_resources))),
    exports.Column("enfants_a_charge", _request(lambda r: _or_blank(r.psu_children))),
    exports.Column("enfants_aeeh", _request(lambda r: _or_blank(r.psu_aeeh_children))),
    exports.Column("estimation_horaire", _request(_hourly), cell=_hourly_cell),
    exports.Column("offre_structure", _request(lambda r: r.offer_structure or "")),
    exports.Column("offre_section", _request(lambda r: r.offer_age_group or "")),
    exports.Column("offre_entree", _request(lambda r: _iso(r.offer_start_date))),
    exports.Column("offre_reponse_avant", _request(lambda r: _iso(r.offer_deadline))),
    exports.Column("nom_naissance", _application(lambda a: a.birth_name), typed=True),
    exports.Column("nom_usage", _application(lambda a: a.usage_name or ""), typed=True),
    exports.Column("prenoms", _application(lambda a: a.first_names or ""), typed=True),
    exports.Column("courriel", _application(lambda a: a.email), typed=True),
)
COLUMNS = tuple(column.name for column in CRECHE_COLUMNS)


def row(request: CrecheRequest, ranks: dict[tuple[str, str], dict[int, int]]) -> dict:
    return exports.values_of(CRECHE_COLUMNS, (request, ranks))


def as_json(rows: Iterable[dict]) -> Iterator[str]:
    return exports.as_json(rows, to_row=lambda values: values)


def as_spreadsheet_csv(rows: Iterable[dict]) -> Iterator[str]:
    """Semicolons and a BOM: what a French spreadsheet opens without an import dialog."""
    cells = (exports.cells_of(CRECHE_COLUMNS, values) for values in rows)
    return exports.write_csv(cells, COLUMNS, delimiter=";", bom=True)


@click.command("export", help="Écrit toutes les demandes de place en crèche sur la sortie standard.")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def export_command(output_format):
    if current_app.extensions["commune"].creche is None:
        raise click.ClickException("Les paramètres de la commune n'ont pas de section « creche ».")
    render = as_json if output_format == "json" else as_spreadsheet_csv
    for chunk in render(requests()):
        sys.stdout.write(chunk)
