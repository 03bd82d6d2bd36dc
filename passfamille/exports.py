"""Exports of recorded applications (CLI and the agents' downloads): a démarche declares its columns once, each
with its name and how its value is read (and, for a French spreadsheet, its title and how its cell is written);
the writers here stream them as JSON or CSV. The Pass Famille's columns are below; the crèche's are in
creche/exports.py.

Two readers, two forms: the JSON is for programs (its keys and raw values are an interface, kept stable); the CSV
is for agents in a spreadsheet (French titles, status and reason labels, times on the commune's clock)."""

import csv
import io
import json
import re
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .demarches import status_label
from .formatting import local
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
    # The CSV's column title, in French for the agents (the name when there is none).
    title: str | None = None


def titles_of(columns: Sequence[Column]) -> tuple[str, ...]:
    return tuple(column.title or column.name for column in columns)


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
    Application.identity_modality,
    Application.address["postal_code"].as_string().label("postal_code"),
    Application.address["city"].as_string().label("city"),
    Application.address_source,
    PassFamilleRequest.qf_value,
    PassFamilleRequest.qf_provider,
    PassFamilleRequest.qf_year,
    PassFamilleRequest.qf_month,
    PassFamilleRequest.qf_source,
    PassFamilleRequest.fiscal_rfr,
    PassFamilleRequest.fiscal_parts,
    PassFamilleRequest.fiscal_source,
    PassFamilleRequest.fiscal_year,
    PassFamilleRequest.fiscal_fetched_at,
    PassFamilleRequest.decision["basis"].as_string().label("basis"),
    PassFamilleRequest.decision["quotient"].as_integer().label("quotient"),
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
_FROM_JSON = {"postal_code", "city", "reasons", "covered_children", "basis", "quotient"}
_PASS_FAMILLE = {column.key for column in FLAT if column.table is PassFamilleRequest.__table__} - _FROM_JSON
_ELIGIBLE = {True: "oui", False: "non", None: "en attente"}


# --- the agents' CSV: what a code means, in French ------------------------------------------------------------

DEMARCHE_LABELS = {"pass_famille": "Pass Famille", "creche": "Préinscription en crèche"}
ADDRESS_SOURCE_LABELS = {"api": "CAF/MSA", "declared": "Saisie par la famille"}
IDENTITY_LABELS = {"franceconnect": "Certifiée par FranceConnect", "identite": "Saisie par la famille"}
QF_SOURCE_LABELS = {
    "api": "CAF/MSA (API Particulier)",
    "document": "Justificatif",
    "declared": "Déclaré par la famille",
}
# What the brackets were applied to (rules.Decision.basis); a decision recorded before bases existed used the QF.
BASIS_LABELS = {"caf_qf": "Quotient familial CAF/MSA", "municipal_quotient": "Quotient municipal (avis d'imposition)"}
FISCAL_SOURCE_LABELS = {
    "document": "Avis d'imposition joint",
    "declared": "Déclaré par la famille",
    "api": "DGFiP (API Impôt particulier)",
}
# The decision's reason codes (rules.py), one plain sentence each; the detail page says more (_motifs.html).
REASON_LABELS = {
    "ADDRESS_UNKNOWN": "Adresse du foyer inconnue",
    "NOT_RESIDENT": "Adresse hors de la commune",
    "NO_CHILD_UNDER_LIMIT": "Aucun enfant sous l'âge limite",
    "PROVIDER_NOT_ACCEPTED": "Organisme du QF non accepté par le barème",
    "QF_TOO_OLD": "Quotient familial trop ancien",
    "QF_ABOVE_CEILING": "Quotient familial au-dessus du plafond",
    "QF_NOT_PROVIDED": "Quotient familial non communiqué : plein tarif",
    "QF_PENDING": "Quotient familial en attente de la CAF/MSA",
    "CHILD_BIRTH_DATE_UNKNOWN": "Date de naissance d'un enfant inconnue",
    "QF_FROM_DOCUMENT": "Quotient familial lu sur un justificatif : à vérifier",
    "QF_DECLARED": "Quotient familial déclaré sans justificatif",
    "QF_MONTH_UNKNOWN": "Mois du quotient familial inconnu",
    "CHILD_DECLARED": "Enfant ajouté par la famille : à vérifier",
    "QF_TO_COMPUTE": "Avis d'imposition joint : quotient à calculer par un agent",
    "FISCAL_INPUTS_MISSING": "Avis d'imposition manquant pour le quotient municipal",
    "QUOTIENT_UNDEFINED": "Formule du quotient municipal sans résultat",
    "FISCAL_FROM_DOCUMENT": "Revenu fiscal et parts lus sur l'avis : à vérifier",
    "FISCAL_DECLARED": "Revenu fiscal et parts déclarés sans avis",
}
_ISO_DAY = re.compile(r"\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b")


def paris_time(iso: str) -> str:
    """2026-03-02T07:30:00 (stored in UTC) as 02/03/2026 08:30, on the commune's clock."""
    return f"{local(datetime.fromisoformat(iso)):%d/%m/%Y %H:%M}" if iso else ""


def reasons_spelled_out(codes: str) -> str:
    return " ; ".join(REASON_LABELS.get(code, code) for code in codes.split())


def french_dates(text: str) -> str:
    """Dates as 15/11/2013 within a text (the covered children)."""
    return _ISO_DAY.sub(lambda m: f"{m[3]}/{m[2]}/{m[1]}", text)


def _qf_month(r: Flat) -> str:
    return f"{r.qf_year}-{r.qf_month:02d}" if r.qf_year and r.qf_month else ""


def _children(r: Flat) -> str:
    return "; ".join(f"{c['first_names']} {c.get('birth_date') or ''}".strip() for c in r.covered_children or [])


def _basis(r: Flat) -> str:
    return (r.basis or "caf_qf") if r.demarche == "pass_famille" else ""


def _municipal_quotient(r: Flat):
    return r.quotient if r.basis == "municipal_quotient" and r.quotient is not None else ""


PASS_FAMILLE_COLUMNS = (
    Column("reference", lambda r: r.reference, title="Référence"),
    Column("demarche", lambda r: r.demarche, title="Démarche", cell=lambda v: DEMARCHE_LABELS.get(v, v)),
    Column("statut", lambda r: r.status, title="Statut", cell=status_label),
    Column(
        "deposee_le",
        lambda r: r.created_at.isoformat(timespec="seconds"),
        title="Déposée le (heure de Paris)",
        cell=lambda v: paris_time(v),
    ),
    Column("nom_naissance", lambda r: r.birth_name, typed=True, title="Nom de naissance"),
    Column("nom_usage", lambda r: r.usage_name or "", typed=True, title="Nom d'usage"),
    Column("prenoms", lambda r: r.first_names or "", typed=True, title="Prénoms"),
    Column("courriel", lambda r: r.email, typed=True, title="Courriel"),
    Column(
        "identite",
        lambda r: r.identity_modality or "",
        title="Identité",
        cell=lambda v: IDENTITY_LABELS.get(v, v),
    ),
    Column("code_postal", lambda r: r.postal_code or "", typed=True, title="Code postal"),
    Column("commune", lambda r: r.city or "", typed=True, title="Commune"),
    Column(
        "adresse_source",
        lambda r: r.address_source or "",
        title="Source de l'adresse",
        cell=lambda v: ADDRESS_SOURCE_LABELS.get(v, v),
    ),
    Column("qf", lambda r: r.qf_value if r.qf_value is not None else "", title="Quotient familial (€)"),
    Column("qf_fournisseur", lambda r: r.qf_provider or "", title="Organisme du QF", cell=lambda v: (v or "").upper()),
    Column("qf_mois", _qf_month, title="Mois du QF", cell=lambda v: "/".join(reversed(v.split("-"))) if v else ""),
    Column("qf_source", lambda r: r.qf_source or "", title="Source du QF", cell=lambda v: QF_SOURCE_LABELS.get(v, v)),
    Column("base", _basis, title="Base du calcul", cell=lambda v: BASIS_LABELS.get(v, v)),
    Column("quotient_municipal", _municipal_quotient, title="Quotient municipal (€)"),
    Column("rfr", lambda r: r.fiscal_rfr if r.fiscal_rfr is not None else "", title="Revenu fiscal de référence (€)"),
    Column("parts", lambda r: r.fiscal_parts or "", title="Nombre de parts", cell=decimal_comma),
    Column(
        "rfr_parts_source",
        lambda r: r.fiscal_source or "",
        title="Source du revenu fiscal et des parts",
        cell=lambda v: FISCAL_SOURCE_LABELS.get(v, v),
    ),
    Column("rfr_annee", lambda r: r.fiscal_year or "", title="Année des revenus de l'avis"),
    Column(
        "rfr_obtenu_le",
        lambda r: r.fiscal_fetched_at.isoformat(timespec="seconds") if r.fiscal_fetched_at else "",
        title="Avis obtenu auprès de la DGFiP le (heure de Paris)",
        cell=lambda v: paris_time(v),
    ),
    # A crèche request has no Pass Famille decision: nothing is pending, there is nothing to decide.
    Column(
        "eligible",
        lambda r: _ELIGIBLE[r.eligible] if r.demarche == "pass_famille" else "",
        title="Éligible",
        cell=str.capitalize,
    ),
    Column("tranche", lambda r: r.bracket_code or "", title="Tranche"),
    Column("tarif", lambda r: r.tariff or "", cell=decimal_comma, title="Tarif (€)"),
    Column("motifs", lambda r: " ".join(r.reasons or []), title="Motifs", cell=lambda v: reasons_spelled_out(v)),
    Column("enfants_couverts", _children, typed=True, title="Enfants couverts", cell=lambda v: french_dates(v)),
    Column("version_regles", lambda r: r.rules_version or "", title="Version des règles"),
)
COLUMNS = tuple(column.name for column in PASS_FAMILLE_COLUMNS)
TITLES = titles_of(PASS_FAMILLE_COLUMNS)


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
        basis=decision.get("basis"),
        quotient=decision.get("quotient"),
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


def as_csv(applications: Iterable, to_row: Callable[..., dict] = row) -> Iterator[str]:
    """CSV of the Pass Famille columns for agents, the CLI's and the back-office's alike: what Excel or LibreOffice
    in French opens without an import dialog (a BOM, without which they read UTF-8 as Windows-1252, and ";"),
    French titles and each column's readable cell. Streamed in pieces of about CHUNK characters."""
    rows = (cells_of(PASS_FAMILLE_COLUMNS, to_row(application)) for application in applications)
    return write_csv(rows, COLUMNS, delimiter=";", bom=True, titles=TITLES)


def write_csv(
    rows: Iterable[dict],
    columns: Sequence[str],
    delimiter: str = ",",
    bom: bool = False,
    titles: Sequence[str] | None = None,
) -> Iterator[str]:
    """Rows of values as CSV with a header line (`titles`, or the columns' names), streamed in pieces of about
    CHUNK characters."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(titles or columns)
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
