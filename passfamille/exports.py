"""Exports of recorded applications (CLI and the agents' downloads): a démarche declares its columns once, each
with its name and how its value is read (and, for a French spreadsheet, how its cell is written); the writers
here stream them as JSON or CSV. The Pass Famille's columns are below; the crèche's are in creche/exports.py."""

import csv
import io
import json
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .models import Application, PassFamilleRequest

CHUNK = 64 * 1024  # characters per piece of a streamed CSV


@dataclass(frozen=True)
class Column:
    name: str
    value: Callable[[Any], Any]
    # What families typed (names, e-mail, address…): a spreadsheet must never run it as a formula.
    typed: bool = False
    # The cell of a French spreadsheet, when the value is not shown as is (lists flattened, a decimal comma).
    cell: Callable[[Any], Any] | None = None


def values_of(columns: Sequence[Column], record) -> dict:
    return {column.name: column.value(record) for column in columns}


def cells_of(columns: Sequence[Column], values: dict) -> dict:
    """Values for a French spreadsheet: each column's cell, and typed text that cannot be taken for a formula."""
    cells = {}
    for column in columns:
        value = values[column.name]
        if column.cell is not None:
            value = column.cell(value)
        if column.typed and str(value).startswith(FORMULA_STARTS):
            value = "'" + str(value)
        cells[column.name] = value
    return cells


def decimal_comma(value) -> str:
    return str(value).replace(".", ",") if value not in (None, "") else ""


# A cell starting with one of these is run as a formula by spreadsheets (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- the Pass Famille ----------------------------------------------------------------------------------------

# The download's query: what the columns read, with the few JSON values they need extracted by the database, so
# that 100,000 rows go through without building ORM objects nor decoding every address and decision in Python.
FLAT = (
    Application.reference,
    Application.demarche,
    Application.status,
    Application.created_at,
    Application.birth_name,
    Application.usage_name,
    Application.first_names,
    Application.email,
    Application.address["postal_code"].as_string().label("postal_code"),
    Application.address["city"].as_string().label("city"),
    Application.address_source,
    PassFamilleRequest.qf_value,
    PassFamilleRequest.qf_provider,
    PassFamilleRequest.qf_year,
    PassFamilleRequest.qf_month,
    PassFamilleRequest.qf_source,
    PassFamilleRequest.eligible,
    PassFamilleRequest.bracket_code,
    PassFamilleRequest.tariff,
    # Lists come back as JSON text, on SQLite and PostgreSQL alike.
    PassFamilleRequest.decision["reasons"].as_string().label("reasons"),
    PassFamilleRequest.decision["covered_children"].as_string().label("covered_children"),
    PassFamilleRequest.rules_version,
)
# A plain named tuple: each read of a SQLAlchemy Row attribute by name allocates, which over 100,000 rows cost
# more than all the rest of the export (measured under tracemalloc).
Flat = namedtuple("Flat", [column.key for column in FLAT])
_FROM_JSON = {"postal_code", "city", "reasons", "covered_children"}
_PASS_FAMILLE = {column.key for column in FLAT if column.table is PassFamilleRequest.__table__} - _FROM_JSON
_ELIGIBLE = {True: "oui", False: "non", None: "en attente"}


def _qf_month(r: Flat) -> str:
    return f"{r.qf_year}-{r.qf_month:02d}" if r.qf_year and r.qf_month else ""


def _children(r: Flat) -> str:
    return "; ".join(f"{c['first_names']} {c.get('birth_date') or ''}".strip() for c in r.covered_children or [])


PASS_FAMILLE_COLUMNS = (
    Column("reference", lambda r: r.reference),
    Column("demarche", lambda r: r.demarche),
    Column("statut", lambda r: r.status),
    Column("deposee_le", lambda r: r.created_at.isoformat(timespec="seconds")),
    Column("nom_naissance", lambda r: r.birth_name, typed=True),
    Column("nom_usage", lambda r: r.usage_name or "", typed=True),
    Column("prenoms", lambda r: r.first_names or "", typed=True),
    Column("courriel", lambda r: r.email, typed=True),
    Column("code_postal", lambda r: r.postal_code or "", typed=True),
    Column("commune", lambda r: r.city or "", typed=True),
    Column("adresse_source", lambda r: r.address_source or ""),
    Column("qf", lambda r: r.qf_value if r.qf_value is not None else ""),
    Column("qf_fournisseur", lambda r: r.qf_provider or ""),
    Column("qf_mois", _qf_month),
    Column("qf_source", lambda r: r.qf_source or ""),
    # A crèche request has no Pass Famille decision: nothing is pending, there is nothing to decide.
    Column("eligible", lambda r: _ELIGIBLE[r.eligible] if r.demarche == "pass_famille" else ""),
    Column("tranche", lambda r: r.bracket_code or ""),
    Column("tarif", lambda r: r.tariff or "", cell=decimal_comma),
    Column("motifs", lambda r: " ".join(r.reasons or [])),
    Column("enfants_couverts", _children, typed=True),
    Column("version_regles", lambda r: r.rules_version or ""),
)
COLUMNS = tuple(column.name for column in PASS_FAMILLE_COLUMNS)


def row(application: Application) -> dict:
    """The export's values of one application."""
    pf = application.pass_famille
    address, decision = application.address or {}, (pf.decision if pf else None) or {}
    found = {key: getattr(application, key) for key in Flat._fields if key not in _FROM_JSON | _PASS_FAMILLE}
    found.update({key: getattr(pf, key) if pf else None for key in _PASS_FAMILLE})
    found.update(
        postal_code=address.get("postal_code"),
        city=address.get("city"),
        reasons=decision.get("reasons"),
        covered_children=decision.get("covered_children"),
    )
    return values_of(PASS_FAMILLE_COLUMNS, Flat(**found))


def flat_row(result_row) -> dict:
    """row() from a row of FLAT."""
    flat = Flat._make(result_row)
    return values_of(
        PASS_FAMILLE_COLUMNS,
        flat._replace(reasons=_listed(flat.reasons), covered_children=_listed(flat.covered_children)),
    )


def _listed(text: str | None) -> list:
    return json.loads(text) if text and text != "[]" else []


# --- writers -------------------------------------------------------------------------------------------------


def as_json(applications: Iterable, to_row: Callable[..., dict] = row) -> Iterator[str]:
    """A JSON array, streamed one application at a time. `to_row`: row, or flat_row for rows of FLAT."""
    yield "["
    for index, application in enumerate(applications):
        yield ("," if index else "") + "\n  " + json.dumps(to_row(application), ensure_ascii=False)
    yield "\n]\n"


def as_csv(
    applications: Iterable, delimiter: str = ",", spreadsheet: bool = False, to_row: Callable[..., dict] = row
) -> Iterator[str]:
    """CSV of the Pass Famille columns, streamed in pieces of about CHUNK characters. `spreadsheet`: for Excel or
    LibreOffice in French, i.e. a BOM (without it they read UTF-8 as Windows-1252) and each column's cell; give it
    delimiter=";" too."""
    rows = (to_row(application) for application in applications)
    if spreadsheet:
        rows = (cells_of(PASS_FAMILLE_COLUMNS, values) for values in rows)
    return write_csv(rows, COLUMNS, delimiter=delimiter, bom=spreadsheet)


def write_csv(rows: Iterable[dict], columns: Sequence[str], delimiter: str = ",", bom: bool = False) -> Iterator[str]:
    """Rows of values as CSV with a header line, streamed in pieces of about CHUNK characters."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values[name] for name in columns])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def in_chunks(pieces: Iterable[str], size: int = CHUNK) -> Iterator[str]:
    """Joins small pieces (JSON's one per application) into chunks of about `size` characters."""
    pending, length = [], 0
    for piece in pieces:
        pending.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)
