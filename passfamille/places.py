"""Birth places: French communes, départements and foreign countries with their INSEE COG codes.

Pure module (no Flask, no database). The vendored CSV files in ``passfamille/data`` (see PROVENANCE.md there) are
read once per process (``preload``, at start-up) and indexed per département by normalised name, so that lookups
are dictionary hits.

Name matching (``find_communes``) is forgiving about what people type: case, accents, hyphens, apostrophes
(' and ’), punctuation and repeated spaces do not matter; "St"/"Ste" equal "Saint"/"Sainte"; a leading article
(Le, La, Les, L') may be left out or put at the end ("Havre (Le)"); a qualifier in brackets may be left out
("Bors" finds both "Bors (Canton de …)"); spaces may be left out altogether ("lhay les roses"); municipal
arrondissements are found as "Paris 7e", "Paris 7", "Paris 07", "Paris 7ème arrondissement", "Marseille 1er".
"""

from __future__ import annotations

import csv
import difflib
import re
import sys
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Commune",
    "Country",
    "Department",
    "commune",
    "communes_in",
    "countries",
    "country",
    "department",
    "departments",
    "find_communes",
    "suggest_communes",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
FRANCE = "99100"


@dataclass(frozen=True, slots=True)
class Commune:
    code: str  # INSEE COG code, e.g. "35238"
    name: str
    department: str  # département code, e.g. "35", "2A", "971"


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # INSEE COG code, 99xxx
    name: str


# --- normalisation ------------------------------------------------------------------------------------------------

_ARTICLES = frozenset({"le", "la", "les", "l"})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
_NON_WORD = re.compile(r"[\W_]+")
_ORDINAL = re.compile(r"0*(\d+)(?:er|ere|re|e|eme|ieme|nd|nde)?")
_ARRONDISSEMENT_WORDS = frozenset({"arrondissement", "arrondissements", "arr", "arrt", "arrdt", "ardt"})
_TRAILING_ARTICLE = re.compile(r"^(.*?)[\s,]*\(\s*(les|le|la|l)\s*['’]?\s*\)\s*$")
_BRACKETS = re.compile(r"\([^)]*\)")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    """Lower case, without accents or ligatures."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES)))


def _tokens(text: str) -> list[str]:
    folded = _fold(text).strip()
    moved = _TRAILING_ARTICLE.match(folded)  # "Havre (Le)" -> "le havre"
    if moved:
        folded = f"{moved.group(2)} {moved.group(1)}"
    tokens: list[str] = []
    for token in _NON_WORD.split(folded):
        if not token:
            continue
        ordinal = _ORDINAL.fullmatch(token)
        if ordinal:
            tokens.append(str(int(ordinal.group(1))))
        elif token in _ARRONDISSEMENT_WORDS and tokens and tokens[-1].isdigit():
            continue  # "Paris 7e arrondissement" == "Paris 7"
        else:
            tokens.append(_ABBREVIATIONS.get(token, token))
    return tokens


def _keys(text: str) -> tuple[str, str, bool]:
    """(full key, key without a leading article, whether there was one)."""
    tokens = _tokens(text)
    has_article = len(tokens) > 1 and tokens[0] in _ARTICLES
    bare = tokens[1:] if has_article else tokens
    return " ".join(tokens), " ".join(bare), has_article


def _sort_key(text: str) -> str:
    return " ".join(_NON_WORD.split(_fold(text))).strip()


def _normalise_department(code: str) -> str:
    code = (code or "").strip().upper()
    return code.zfill(2) if code.isdigit() and len(code) == 1 else code


def _department_order(code: str) -> str:
    return {"2A": "20A", "2B": "20B"}.get(code, code)  # 01…19, 2A, 2B, 21…95, 971…


# --- data ---------------------------------------------------------------------------------------------------------

_TYPE_RANK = {"COM": 0, "ARM": 1, "COMA": 2, "COMD": 3}  # current communes first


@dataclass(frozen=True, slots=True)
class _Entry:
    commune: Commune
    rank: int


# What an index gives for a key: most keys name one commune, so that one is kept as is; the others, a tuple.
_Found = _Entry | tuple[_Entry, ...]


def _entries(found: _Found) -> tuple[_Entry, ...]:
    return (found,) if isinstance(found, _Entry) else found


def _add(index: dict[str, _Found], key: str, entry: _Entry) -> None:
    known = index.get(key)
    index[key] = entry if known is None else (*_entries(known), entry)


class _Data:
    """The three files, indexed. Kept small on purpose (about a quarter of a naive index): it is read once in
    gunicorn's master and shared by every worker, whose memory it counts in. Per département, one index of the
    names' article-less keys, and one of the full keys of the names that have an article (a name without one has
    the same two keys: the first index finds it); the spaceless form is matched by going through the département's
    few hundred keys, the rare case of a name that matched neither."""

    def __init__(self) -> None:
        self.departments: dict[str, Department] = {}
        for code, name, *_ in _rows("departements.csv", ("code", "nom")):
            self.departments[code] = Department(code, name)
        self.department_list = tuple(sorted(self.departments.values(), key=lambda d: _department_order(d.code)))

        self.countries: dict[str, Country] = {}
        for code, name, *_ in _rows("pays.csv", ("code", "nom")):
            if code != FRANCE:
                self.countries[code] = Country(code, name)
        self.country_list = tuple(sorted(self.countries.values(), key=lambda c: (_sort_key(c.name), c.code)))

        self.communes: dict[str, _Entry] = {}  # code -> preferred entry (the current commune when there is one)
        self.full: dict[str, dict[str, _Found]] = {}  # département -> full key of a name with an article -> …
        self.bare: dict[str, dict[str, _Found]] = {}  # département -> key without a leading article -> …
        for code, name, department_code, kind in _rows("communes.csv", ("code", "nom", "departement", "type")):
            department_code = sys.intern(department_code)
            entry = _Entry(Commune(code, name, department_code), _TYPE_RANK[kind])
            known = self.communes.get(code)
            if known is None or entry.rank < known.rank:
                self.communes[code] = entry
            names = [name]
            if "(" in name:
                names.append(_BRACKETS.sub(" ", name))  # "Bors (Canton de …)" is also "Bors"
            full_keys, bare_keys = set(), set()
            for each in names:
                full, bare, has_article = _keys(each)
                bare_keys.add(bare)
                if has_article:
                    full_keys.add(full)
            for index, keys in ((self.full, full_keys), (self.bare, bare_keys)):
                for key in keys:
                    if key:
                        _add(index.setdefault(department_code, {}), key, entry)
        # For suggestions: per département, the article-less keys in order.
        self.bare_keys = {department_code: tuple(sorted(keys)) for department_code, keys in self.bare.items()}


def _rows(filename: str, columns: tuple[str, ...]):
    """The file's rows after its header (which must name `columns` first), one at a time: the whole file is never
    held as a list of rows."""
    with (DATA_DIR / filename).open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = tuple(next(reader))
        if header[: len(columns)] != columns:
            raise ValueError(f"{filename}: columns {header}, expected {columns} first")
        yield from reader


_data: _Data | None = None
_lock = threading.Lock()


def _get() -> _Data:
    global _data
    if _data is None:
        with _lock:
            if _data is None:
                _data = _Data()
    return _data


def preload() -> None:
    """Read the files now: create_app calls it, so that gunicorn's master reads them once before it forks its
    workers (they share the memory) and no request waits for them."""
    _get()


def _resolve(entries: list[_Entry]) -> tuple[Commune, ...]:
    """One commune per code (the current commune's name when it matched too), current communes first."""
    best: dict[str, _Entry] = {}
    for entry in entries:
        known = best.get(entry.commune.code)
        if known is None or entry.rank < known.rank:
            best[entry.commune.code] = entry
    ordered = sorted(best.values(), key=lambda e: (e.rank, _sort_key(e.commune.name), e.commune.code))
    return tuple(e.commune for e in ordered)


# --- public API ---------------------------------------------------------------------------------------------------


def departments() -> tuple[Department, ...]:
    """Départements (with 2A/2B and the DROM 971…976) and the overseas collectivities (975, 977, 978, 984,
    986…989), which have COG commune codes too; in the usual order."""
    return _get().department_list


def department(code: str) -> Department | None:
    return _get().departments.get(_normalise_department(code))


def countries() -> tuple[Country, ...]:
    """Foreign countries and territories of the COG, France excluded, by French name ignoring accents."""
    return _get().country_list


def country(code: str) -> Country | None:
    return _get().countries.get((code or "").strip())


def commune(code: str) -> Commune | None:
    """The commune (or municipal arrondissement, or former commune still coded) with that COG code."""
    entry = _get().communes.get((code or "").strip().upper())
    return entry.commune if entry else None


def communes_in(department_code: str) -> tuple[Commune, ...]:
    """Every code of a département once, by name."""
    department_code = _normalise_department(department_code)
    entries = [e for e in _get().communes.values() if e.commune.department == department_code]
    return tuple(e.commune for e in sorted(entries, key=lambda e: (_sort_key(e.commune.name), e.commune.code)))


def find_communes(name: str, department_code: str) -> tuple[Commune, ...]:
    """The communes of the département whose name equals ``name`` once both are normalised.

    Several results mean several codes share that name (the caller asks which); none means no match
    (see ``suggest_communes``). A name typed with its article ("Le Pin") matches that exact name first;
    typed without ("Pin"), it matches both "Pin" and "Le Pin" when both exist.
    """
    data = _get()
    department_code = _normalise_department(department_code)
    full, bare, has_article = _keys(name or "")
    if not bare or department_code not in data.departments:
        return ()
    with_article, without = data.full.get(department_code, {}), data.bare.get(department_code, {})
    if has_article and full in with_article:
        return _resolve(_entries(with_article[full]))
    if bare in without:
        return _resolve(_entries(without[bare]))
    for wanted in (full.replace(" ", ""), bare.replace(" ", "")):
        found = [
            entry
            for index in (with_article, without)
            for key, value in index.items()
            if key.replace(" ", "") == wanted
            for entry in _entries(value)
        ]
        if found:
            return _resolve(found)
    return ()


def suggest_communes(name: str, department_code: str, limit: int = 5) -> tuple[Commune, ...]:
    """Communes of the département with a name close to ``name``: names it begins, then similar names."""
    data = _get()
    department_code = _normalise_department(department_code)
    _, bare, _ = _keys(name or "")
    keys = data.bare_keys.get(department_code)
    if not bare or not keys or limit <= 0:
        return ()
    prefixed = sorted((k for k in keys if k.startswith(bare)), key=lambda k: (len(k), k))
    similar = difflib.get_close_matches(bare, keys, n=limit * 3, cutoff=0.6)
    found: dict[str, Commune] = {}
    for key in [*prefixed, *similar]:
        for result in _resolve(_entries(data.bare[department_code][key])):
            found.setdefault(result.code, result)
        if len(found) >= limit:
            break
    return tuple(found.values())[:limit]
