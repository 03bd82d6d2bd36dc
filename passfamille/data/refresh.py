"""Regenerate communes.csv, departements.csv and pays.csv from their upstream sources.

Not used at run time: the app reads the CSV files vendored next to this script. See PROVENANCE.md.

Usage (from the repository root)::

    cd /tmp && npm pack @etalab/decoupage-administratif@6.0.0 && tar xzf etalab-decoupage-administratif-6.0.0.tgz
    # pays: INSEE's v_pays_territoire_<year>.csv, or sfaut/data-cog's cog-countries@<year>.csv (same data)
    python passfamille/data/refresh.py --decoupage /tmp/package --pays /tmp/cog-countries@2025.csv

Both pays layouts are accepted: INSEE's own column names (COG, ACTUAL, CRPAY, LIBCOG, CODEISO2, ...) and
sfaut/data-cog's (code, actual_id, parent_code, name, iso2_code, ...).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Short labels for the commune types: INSEE's own TYPECOM codes.
COMMUNE_TYPES = {
    "commune-actuelle": "COM",
    "arrondissement-municipal": "ARM",
    "commune-associee": "COMA",
    "commune-deleguee": "COMD",
}
TYPE_ORDER = {"COM": 0, "ARM": 1, "COMA": 2, "COMD": 3}

FRANCE = "99100"
# INSEE "actualité" of a pays entry: 1 current country, 4 territory with its own code (2 and 3 are historical).
PAYS_KINDS = {"1": "pays", "4": "territoire"}
PAYS_COLUMNS = {  # our name: (INSEE column, sfaut/data-cog column)
    "code": ("COG", "code"),
    "actual": ("ACTUAL", "actual_id"),
    "parent": ("CRPAY", "parent_code"),
    "nom": ("LIBCOG", "name"),
    "iso2": ("CODEISO2", "iso2_code"),
}


def department_sort_key(code: str) -> str:
    """01…19, 2A, 2B, 21…95, 971…"""
    return {"2A": "20A", "2B": "20B"}.get(code, code)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"{path.name}: {len(rows)} rows, {path.stat().st_size} bytes")


def communes(decoupage: Path) -> list[list[str]]:
    data = json.loads((decoupage / "data" / "communes.json").read_text(encoding="utf-8"))
    rows = []
    for item in data:
        kind = COMMUNE_TYPES.get(item["type"])
        if kind is None:
            raise SystemExit(f"unknown commune type {item['type']!r} for {item['code']}")
        rows.append([item["code"], item["nom"], item["departement"], kind])
    rows.sort(key=lambda r: (r[0], TYPE_ORDER[r[3]], r[1]))
    return rows


def departements(decoupage: Path) -> list[list[str]]:
    data = json.loads((decoupage / "data" / "departements.json").read_text(encoding="utf-8"))
    rows = [[item["code"], item["nom"], item["zone"]] for item in data]
    rows.sort(key=lambda r: department_sort_key(r[0]))
    return rows


def pays(source: Path) -> list[list[str]]:
    with source.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames or []
        layout = 0 if "COG" in fields else 1
        by_code: dict[str, list[str]] = {}
        for raw in reader:
            row = {ours: (raw.get(theirs[layout]) or "").strip() for ours, theirs in PAYS_COLUMNS.items()}
            kind = PAYS_KINDS.get(row["actual"])
            if kind is None or row["code"] == FRANCE:
                continue  # historical entry, or France itself (not a foreign country)
            # A code appears once per current entry; if a source ever repeats one, keep the first current name.
            by_code.setdefault(row["code"], [row["code"], row["nom"], row["iso2"], kind, row["parent"]])
    return sorted(by_code.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decoupage", type=Path, help="unpacked npm package @etalab/decoupage-administratif")
    parser.add_argument("--pays", type=Path, help="INSEE v_pays_territoire CSV (or sfaut/data-cog countries CSV)")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: this folder)")
    args = parser.parse_args()
    if args.decoupage:
        write_csv(args.out / "communes.csv", ["code", "nom", "departement", "type"], communes(args.decoupage))
        write_csv(args.out / "departements.csv", ["code", "nom", "zone"], departements(args.decoupage))
    if args.pays:
        write_csv(args.out / "pays.csv", ["code", "nom", "iso2", "type", "parent"], pays(args.pays))
    if not (args.decoupage or args.pays):
        parser.error("give --decoupage and/or --pays")


if __name__ == "__main__":
    main()
