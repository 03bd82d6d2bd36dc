"""The export of recorded applications (CLI and the agents' download): one list of columns, streamed."""

import csv
import io
import json
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Sequence

from .models import Application

CHUNK = 64 * 1024  # characters per piece of a streamed CSV

COLUMNS = (
    "reference",
    "demarche",
    "statut",
    "deposee_le",
    "nom_naissance",
    "nom_usage",
    "prenoms",
    "courriel",
    "code_postal",
    "commune",
    "adresse_source",
    "qf",
    "qf_fournisseur",
    "qf_mois",
    "qf_source",
    "eligible",
    "tranche",
    "tarif",
    "motifs",
    "enfants_couverts",
    "version_regles",
)

# The download's query: what row() reads, with the few JSON values it needs extracted by the database, so that
# 100,000 rows go through without building ORM objects nor decoding every address and decision in Python.
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
    Application.qf_value,
    Application.qf_provider,
    Application.qf_year,
    Application.qf_month,
    Application.qf_source,
    Application.eligible,
    Application.bracket_code,
    Application.tariff,
    # Lists come back as JSON text, on SQLite and PostgreSQL alike.
    Application.decision["reasons"].as_string().label("reasons"),
    Application.decision["covered_children"].as_string().label("covered_children"),
    Application.rules_version,
)


def row(application: Application) -> dict:
    decision = application.decision or {}
    address = application.address or {}
    return _values(
        application,
        address.get("postal_code"),
        address.get("city"),
        decision.get("reasons"),
        decision.get("covered_children"),
    )


# A plain named tuple: each read of a SQLAlchemy Row attribute by name allocates, which over 100,000 rows cost
# more than all the rest of the export (measured under tracemalloc).
_Flat = namedtuple("_Flat", [column.key for column in FLAT])


def flat_row(result_row) -> dict:
    """row() from a row of FLAT."""
    flat = _Flat._make(result_row)
    return _values(flat, flat.postal_code, flat.city, _listed(flat.reasons), _listed(flat.covered_children))


def _listed(text: str | None) -> list:
    return json.loads(text) if text and text != "[]" else []


_ELIGIBLE = {True: "oui", False: "non", None: "en attente"}


def _values(application, postal_code, city, reasons, covered) -> dict:
    return {
        "reference": application.reference,
        "demarche": application.demarche,
        "statut": application.status,
        "deposee_le": application.created_at.isoformat(timespec="seconds"),
        "nom_naissance": application.birth_name,
        "nom_usage": application.usage_name or "",
        "prenoms": application.first_names or "",
        "courriel": application.email,
        "code_postal": postal_code or "",
        "commune": city or "",
        "adresse_source": application.address_source or "",
        "qf": application.qf_value if application.qf_value is not None else "",
        "qf_fournisseur": application.qf_provider or "",
        "qf_mois": f"{application.qf_year}-{application.qf_month:02d}"
        if application.qf_year and application.qf_month
        else "",
        "qf_source": application.qf_source or "",
        # A crèche request has no Pass Famille decision: nothing is pending, there is nothing to decide.
        "eligible": _ELIGIBLE[application.eligible] if application.demarche == "pass_famille" else "",
        "tranche": application.bracket_code or "",
        "tarif": application.tariff or "",
        "motifs": " ".join(reasons or []),
        "enfants_couverts": "; ".join(f"{c['first_names']} {c.get('birth_date') or ''}".strip() for c in covered or []),
        "version_regles": application.rules_version,
    }


# A cell starting with one of these is run as a formula by spreadsheets (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The columns holding what families typed (names, e-mail, address, children's first names); the others are ours.
_TYPED = ("nom_naissance", "nom_usage", "prenoms", "courriel", "code_postal", "commune", "enfants_couverts")


def for_spreadsheet(values: dict) -> dict:
    """Values for a French spreadsheet: a decimal comma, and typed text that cannot be taken for a formula."""
    values["tarif"] = values["tarif"].replace(".", ",")
    return defuse_formulas(values, _TYPED)


def defuse_formulas(values: dict, names: Iterable[str]) -> dict:
    """Typed text that a spreadsheet would run as a formula gets a leading apostrophe."""
    for name in names:
        if str(values[name]).startswith(FORMULA_STARTS):
            values[name] = "'" + str(values[name])
    return values


def as_json(applications: Iterable, to_row: Callable[..., dict] = row) -> Iterator[str]:
    """A JSON array, streamed one application at a time. `to_row`: row, or flat_row for rows of FLAT."""
    yield "["
    for index, application in enumerate(applications):
        yield ("," if index else "") + "\n  " + json.dumps(to_row(application), ensure_ascii=False)
    yield "\n]\n"


def as_csv(
    applications: Iterable, delimiter: str = ",", spreadsheet: bool = False, to_row: Callable[..., dict] = row
) -> Iterator[str]:
    """CSV, streamed in pieces of about CHUNK characters. `spreadsheet`: for Excel or LibreOffice in French, i.e.
    a BOM (without it they read UTF-8 as Windows-1252) and for_spreadsheet(); give it delimiter=";" too."""
    rows = (to_row(application) for application in applications)
    if spreadsheet:
        rows = (for_spreadsheet(values) for values in rows)
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
