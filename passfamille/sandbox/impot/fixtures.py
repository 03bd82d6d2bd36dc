"""The sandbox's taxpayers: FranceConnect's public DGFiP data set, a case recorded by API Particulier, and a few
cases of our own (fixtures/impot_particulier/, provenance in fixtures/PROVENANCE.md).

The public data set holds the avis of incomes 2018 and 2019 (identical figures). The sandbox serves the latest
figures of each foyer for every year it can answer today (see views.py), so that the app runs at today's date.
"""

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..fixtures import FIXTURES_DIR

FOLDER = FIXTURES_DIR / "impot_particulier"
DATA_SET = "FD_Impot_IR_BacASable.csv"
FC_IDENTITIES = "DGFiP-shared-database.csv"
OWN_CASES = "cas-bac-a-sable.yaml"


@dataclass(frozen=True)
class Foyer:
    spi: str
    avis: Mapping  # the JSON body of the resource, every field of the schema the data gives
    latest_year_missing: bool = False  # taxed late: the last year's avis is not out yet


@dataclass(frozen=True)
class Taxpayers:
    foyers: Mapping[str, Foyer]
    statuses: Mapping[str, int]  # numéro fiscal -> HTTP status without avis (204, 403, 404, 500)
    fc_identities: tuple[Mapping[str, str], ...]  # FranceConnect test logins of the DGFiP's shared identities


def _number(text: str):
    value = float(text)
    return int(value) if value.is_integer() else value


def _rev(text: str) -> dict:
    """`1AJ=35200:1AK=6522` -> {"tspr": [{"code": "1AJ", "valeur": 35200}, …]}."""
    pairs = [item.split("=", 1) for item in text.split(":") if "=" in item]
    return {"tspr": [{"code": code, "valeur": int(value)} for code, value in pairs]}


def _avis_from_row(row: Mapping[str, str]) -> dict:
    """One line of the FranceConnect data set as the resource's JSON (schema names of the swagger)."""
    avis: dict = {"rfr": int(row["rfr"]), "sitFam": row["sitFam"], "nbPart": _number(row["nbParts"])}
    avis["pac"] = {"nbPac": int(row["pac.nbPac"])}
    for key in ("nmNaiDec1", "nmUsaDec1", "prnmDec1", "aft"):
        if row[key]:
            avis[key] = row[key]
    detail = {
        key: row[f"aftDetail.{key}"] for key in ("complementAdresse", "voie", "codePostal") if row[f"aftDetail.{key}"]
    }
    if detail:
        avis["aftDetail"] = detail
    if row["rev.tspr"]:
        avis["rev"] = _rev(row["rev.tspr"])
    return avis


def _read_csv(path: Path, header: list[str] | None = None) -> list[dict[str, str]]:
    # The upstream files pad their columns with spaces and end lines with CRLF.
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    rows = [[cell.strip() for cell in line] for line in reader if any(cell.strip() for cell in line)]
    if header is None:
        header, rows = rows[0], rows[1:]
    return [dict(zip(header, row, strict=True)) for row in rows]


_FC_COLUMNS = [
    "login",
    "spi",
    "password",
    "family_name",
    "preferred_username",
    "given_name",
    "gender",
    "email",
    "phone_number",
    "birthdate",
    "birthplace",
    "birthcountry",
    "country",
    "locality",
    "postal_code",
    "street_address",
]


def load_taxpayers(folder: Path = FOLDER) -> Taxpayers:
    foyers: dict[str, Foyer] = {}
    latest: dict[str, int] = {}
    for row in _read_csv(folder / DATA_SET):
        # Each foyer appears once per year: keep its latest avis.
        if row["codeHTTP"] == "200" and int(row["annrev"]) >= latest.get(row["spi"], 0):
            latest[row["spi"]] = int(row["annrev"])
            foyers[row["spi"]] = Foyer(row["spi"], _avis_from_row(row))
    own = yaml.safe_load((folder / OWN_CASES).read_text(encoding="utf-8"))
    for spi, case in own["foyers"].items():
        avis = case.get("avis") or foyers[case["comme"]].avis
        foyers[spi] = Foyer(spi, avis, latest_year_missing=bool(case.get("sans_derniere_annee")))
    statuses = {str(spi): int(status) for spi, status in own["statuts"].items()}
    fc_identities = tuple(_read_csv(folder / FC_IDENTITIES, header=_FC_COLUMNS))
    return Taxpayers(foyers=foyers, statuses=statuses, fc_identities=fc_identities)


def _same(a: str | None, b: str | None) -> bool:
    return re.sub(r"\s+", " ", (a or "").strip().upper()) == re.sub(r"\s+", " ", (b or "").strip().upper())


def fc_identity_to_spi(claims: Mapping[str, str], taxpayers: Taxpayers) -> str | None:
    """The numéro fiscal of the person a FranceConnect token stands for, as the DGFiP finds it from the identity
    pivot FranceConnect gives it (names and birth date), or None. The FC sandbox's introspection gives `claims`
    (see views.fc_claims); until then the test tokens of `fixture_fc_claims` do."""
    for person in taxpayers.fc_identities:
        if (
            _same(claims.get("family_name"), person["family_name"])
            and _same(claims.get("given_name"), person["given_name"])
            and _same(claims.get("birthdate"), person["birthdate"])
        ):
            return person["spi"]
    return None


FIXTURE_FC_TOKEN_PREFIX = "bac-a-sable-fc-"  # noqa: S105 - public test tokens


def fixture_fc_claims(token: str, taxpayers: Taxpayers) -> dict | None:
    """Identity claims for the sandbox's own FranceConnect test tokens, `bac-a-sable-fc-<login>` (e.g.
    `bac-a-sable-fc-dgfip-45`), one per login of FranceConnect's shared DGFiP identities; None for any other."""
    if not token.startswith(FIXTURE_FC_TOKEN_PREFIX):
        return None
    login = token.removeprefix(FIXTURE_FC_TOKEN_PREFIX)
    for person in taxpayers.fc_identities:
        if person["login"] == login:
            keys = ("family_name", "given_name", "birthdate", "gender", "birthplace", "birthcountry")
            return {key: person[key] for key in keys}
    return None
