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
from ..demarches import status_label
from ..extensions import db
from ..models import Application, CrecheRequest, CrecheWish
from . import waiting_list
from .labels import CHILD_SOURCES, PSU_SOURCES, SHORT_TABLE_LABELS


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


def _hourly(request: CrecheRequest) -> dict:
    tables = (request.estimate or {}).get("tables") or {}
    return {table: values.get("hourly") for table, values in tables.items()}


def _linked_reference(request: CrecheRequest) -> str:
    linked = request.application.linked_application
    return linked.reference if linked else ""


# --- the agents' CSV: names and labels instead of codes, dates as 15/11/2013, times on the commune's clock -----


def _settings():
    return current_app.extensions["commune"].creche


def _structure_name(code: str) -> str:
    structure = _settings().structure(code) if code else None
    return structure.name if structure else code


def _section_label(structure_code: str, code: str) -> str:
    structure = _settings().structure(structure_code) if structure_code else None
    group = structure.age_group(code) if structure and code else None
    return group.label if group else code


def _wishes_cell(wishes: list[dict]) -> str:
    return " ; ".join(
        f"{w['choix']}. {_structure_name(w['structure'])} – {_section_label(w['structure'], w['section'])}"
        f" (rang {w['rang'] if w['rang'] else '–'})"
        for w in wishes
    )


def _criteria_cell(codes: list[str]) -> str:
    labels = {criterion.code: criterion.label for criterion in _settings().points_grid}
    return " ; ".join(labels.get(code, code) for code in codes)


def _hourly_cell(hourly: dict) -> str:
    return " ; ".join(
        f"{SHORT_TABLE_LABELS.get(table, table)} : {exports.decimal_comma(value)} €" for table, value in hourly.items()
    )


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day(value: str) -> str:
    return exports.french_dates(value) if value else ""


def _number(value) -> str:
    return "" if value is None else str(value)


# Each column reads a (request, ranks) pair: the ranks of every waiting list, computed once per export. The name
# and the value are the JSON's (an interface, kept stable); the title and the cell are the agents' CSV.
def _request(read):
    return lambda entry: read(entry[0])


def _application(read):
    return lambda entry: read(entry[0].application)


def _column(name, read, title, cell=None, typed=False):
    return exports.Column(name, read, typed=typed, cell=cell, title=title)


CRECHE_COLUMNS = (
    _column("reference", _application(lambda a: a.reference), "Référence"),
    _column("reference_liee", _request(_linked_reference), "Référence liée (Pass Famille)"),
    _column("statut", _application(lambda a: a.status), "Statut", cell=status_label),
    _column(
        "deposee_le", _application(lambda a: _iso(a.created_at)), "Déposée le (heure de Paris)", exports.paris_time
    ),
    _column(
        "derniere_confirmation",
        _request(lambda r: _iso(r.confirmed_at)),
        "Dernière confirmation (heure de Paris)",
        exports.paris_time,
    ),
    _column(
        "relance_envoyee_le",
        _request(lambda r: _iso(r.relance_sent_at)),
        "Relance envoyée le (heure de Paris)",
        exports.paris_time,
    ),
    _column("enfant_prenom", _request(lambda r: r.child_first_name or ""), "Prénom de l'enfant", typed=True),
    _column("enfant_naissance", _request(lambda r: _iso(r.child_birth_date)), "Date de naissance de l'enfant", _day),
    _column("enfant_terme", _request(lambda r: _iso(r.child_due_date)), "Naissance prévue le", _day),
    _column(
        "enfant_source",
        _request(lambda r: r.child_source),
        "Enfant connu par",
        lambda v: _first_upper(CHILD_SOURCES.get(v, v or "")),
    ),
    _column("date_entree", _request(lambda r: _iso(r.start_date)), "Entrée souhaitée le", _day),
    _column("jours_par_semaine", _request(lambda r: r.days_per_week), "Jours par semaine"),
    _column("heures_par_semaine", _request(lambda r: r.hours_per_week), "Heures par semaine"),
    _column("souhaits", _wishes, "Souhaits (rang sur la liste d'attente)", _wishes_cell),
    _column("criteres", _request(lambda r: list(r.criteria or [])), "Critères déclarés", _criteria_cell),
    _column("points", _request(lambda r: waiting_list.points_of(r).total), "Points"),
    _column(
        "psu_source",
        _request(lambda r: r.psu_source or ""),
        "Source des ressources",
        lambda v: _first_upper(PSU_SOURCES.get(v or None, v)),
    ),
    _column(
        "ressources_annuelles",
        _request(lambda r: _or_blank(r.psu_annual_resources)),
        "Ressources annuelles (€)",
        _number,
    ),
    _column("enfants_a_charge", _request(lambda r: _or_blank(r.psu_children)), "Enfants à charge"),
    _column("enfants_aeeh", _request(lambda r: _or_blank(r.psu_aeeh_children)), "Enfants bénéficiaires de l'AEEH"),
    _column("estimation_horaire", _request(_hourly), "Tarif horaire estimé", _hourly_cell),
    _column(
        "offre_structure", _request(lambda r: r.offer_structure or ""), "Place proposée : structure", _structure_name
    ),
    _column("offre_section", _request(lambda r: r.offer_age_group or ""), "Place proposée : section"),
    _column("offre_entree", _request(lambda r: _iso(r.offer_start_date)), "Place proposée : entrée le", _day),
    _column("offre_reponse_avant", _request(lambda r: _iso(r.offer_deadline)), "Réponse attendue avant le", _day),
    _column("nom_naissance", _application(lambda a: a.birth_name), "Nom de naissance", typed=True),
    _column("nom_usage", _application(lambda a: a.usage_name or ""), "Nom d'usage", typed=True),
    _column("prenoms", _application(lambda a: a.first_names or ""), "Prénoms", typed=True),
    _column("courriel", _application(lambda a: a.email), "Courriel", typed=True),
    _column(
        "identite",
        _application(lambda a: a.identity_modality or ""),
        "Identité",
        lambda v: exports.IDENTITY_LABELS.get(v, v),
    ),
)
COLUMNS = tuple(column.name for column in CRECHE_COLUMNS)
TITLES = exports.titles_of(CRECHE_COLUMNS)


def row(request: CrecheRequest, ranks: dict[tuple[str, str], dict[int, int]]) -> dict:
    return exports.values_of(CRECHE_COLUMNS, (request, ranks))


def as_json(rows: Iterable[dict]) -> Iterator[str]:
    return exports.as_json(rows, to_row=lambda values: values)


def as_spreadsheet_csv(rows: Iterable[dict]) -> Iterator[str]:
    """Semicolons and a BOM: what a French spreadsheet opens without an import dialog; French titles, names and
    labels rather than codes, as the applications' CSV."""
    return exports.write_csv(map(_cells, rows), COLUMNS, delimiter=";", bom=True, titles=TITLES)


def _cells(values: dict) -> dict:
    cells = exports.cells_of(CRECHE_COLUMNS, values)
    # A section's code is only unique within its structure (« bebes » in two of them): its label needs both.
    cells["offre_section"] = _section_label(values["offre_structure"], values["offre_section"])
    return cells


@click.command("export", help="Écrit toutes les demandes de place en crèche sur la sortie standard.")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def export_command(output_format):
    if current_app.extensions["commune"].creche is None:
        raise click.ClickException("Les paramètres de la commune n'ont pas de section « creche ».")
    render = as_json if output_format == "json" else as_spreadsheet_csv
    for chunk in render(requests()):
        sys.stdout.write(chunk)
