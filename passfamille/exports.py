"""The export of recorded applications (CLI today, back-office download later): one list of columns."""

import csv
import io
import json
from collections.abc import Iterable, Iterator

from .models import Application

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


def row(application: Application) -> dict:
    decision = application.decision or {}
    address = application.address or {}
    covered = decision.get("covered_children") or []
    return {
        "reference": application.reference,
        "demarche": application.demarche,
        "statut": application.status,
        "deposee_le": application.created_at.isoformat(timespec="seconds"),
        "nom_naissance": application.birth_name,
        "nom_usage": application.usage_name or "",
        "prenoms": application.first_names or "",
        "courriel": application.email,
        "code_postal": address.get("postal_code") or "",
        "commune": address.get("city") or "",
        "adresse_source": application.address_source or "",
        "qf": application.qf_value if application.qf_value is not None else "",
        "qf_fournisseur": application.qf_provider or "",
        "qf_mois": f"{application.qf_year}-{application.qf_month:02d}"
        if application.qf_year and application.qf_month
        else "",
        "qf_source": application.qf_source or "",
        "eligible": {True: "oui", False: "non", None: "en attente"}[application.eligible],
        "tranche": application.bracket_code or "",
        "tarif": application.tariff or "",
        "motifs": " ".join(decision.get("reasons") or []),
        "enfants_couverts": "; ".join(f"{c['first_names']} {c.get('birth_date') or ''}".strip() for c in covered),
        "version_regles": application.rules_version,
    }


def as_json(applications: Iterable[Application]) -> Iterator[str]:
    """A JSON array, streamed one application at a time."""
    yield "["
    for index, application in enumerate(applications):
        yield ("," if index else "") + "\n  " + json.dumps(row(application), ensure_ascii=False)
    yield "\n]\n"


def as_csv(applications: Iterable[Application], delimiter: str = ",") -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=delimiter)
    writer.writeheader()
    for application in applications:
        writer.writerow(row(application))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
