"""Loading the official sandbox fixtures and matching a request against them.

Matching follows siade's mock backend (REFERENCE §9.2): build the "mocking params" from the request, lower-case
every string, and compare the whole set with each fixture's `params` normalised the same way. No match answers
the folder's `404.yaml`.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from werkzeug.datastructures import MultiDict

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
FALLBACK_FILE = "404.yaml"
FRANCE = "99100"
IDENTITY_KEYS = (
    "nomNaissance",
    "nomUsage",
    "prenoms",
    "anneeDateNaissance",
    "moisDateNaissance",
    "jourDateNaissance",
    "sexeEtatCivil",
    "codeCogInseePaysNaissance",
    "codeCogInseeCommuneNaissance",
    "nomCommuneNaissance",
    "codeCogInseeDepartementNaissance",
)
PERIOD_KEYS = ("annee", "mois")

Key = tuple[tuple[str, str | tuple[str, ...]], ...]


@dataclass(frozen=True)
class Case:
    file: str
    params: dict
    status: int
    payload: object  # the parsed JSON body

    @property
    def key(self) -> Key:
        return normalise(self.params)


def normalise(params: dict) -> Key:
    """Order-free, case-free form of a parameter set. Fixtures give years as ints, query strings as text."""
    items = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            items.append((name, tuple(str(item).lower() for item in value)))
        else:
            items.append((name, str(value).lower()))
    return tuple(sorted(items))


def mocking_params(args: MultiDict, *, with_period: bool) -> dict:
    """The parameters siade compares with the fixtures: listed keys only, `recipient` never."""
    keys = IDENTITY_KEYS + (PERIOD_KEYS if with_period else ())
    params = {key: args.get(key) for key in keys if key != "prenoms"}
    if "prenoms[]" in args:
        params["prenoms"] = args.getlist("prenoms[]")
    # The birth date reaches the provider as one date: month needs the year, day needs the month, parts are ints.
    year, month, day = (_int_or_none(params.pop(key)) for key in IDENTITY_KEYS[3:6])
    month = month if year else None
    day = day if month else None
    params.update(anneeDateNaissance=year, moisDateNaissance=month, jourDateNaissance=day)
    if params.get("codeCogInseePaysNaissance") != FRANCE:
        params.pop("codeCogInseeCommuneNaissance", None)
    return {key: value for key, value in params.items() if value is not None}


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) or None
    except (TypeError, ValueError):
        return None


class FixtureSet:
    """The cases of one endpoint folder, indexed by their normalised params."""

    def __init__(self, cases: list[Case]):
        self.cases = cases
        self._by_key: dict[Key, Case] = {}
        for case in cases:
            other = self._by_key.setdefault(case.key, case)
            if other is not case:
                # Two cases with the same params would make the answer depend on file order: refuse at start-up.
                raise ValueError(f"Cas de test ambigus : {other.file} et {case.file} ont les mêmes paramètres")
        self.fallback = next(case for case in cases if case.file == FALLBACK_FILE)

    def find(self, params: dict) -> Case | None:
        return self._by_key.get(normalise(params))

    def answer(self, params: dict) -> Case:
        return self.find(params) or self.fallback


def load_case(path: Path) -> Case:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Case(file=path.name, params=raw["params"], status=int(raw["status"]), payload=json.loads(raw["payload"]))


def load_folder(folder: Path) -> FixtureSet:
    paths = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    return FixtureSet([load_case(path) for path in paths])


def load_france_connect_tokens(folder: Path) -> dict[str, dict]:
    """The official sandbox's fake FranceConnect tokens: `params.token` -> the `token_introspection` its payload holds
    (what FranceConnect's checktoken would say about it)."""
    tokens = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        tokens[str(raw["params"]["token"])] = json.loads(raw["payload"])["token_introspection"]
    return tokens
