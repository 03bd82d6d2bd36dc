"""Reading a YAML settings file with line numbers, and validating it key by key.

Each mistake becomes a `SettingsError` whose message is one French line naming the file, the line and the key
path. Used by the commune settings (commune.py) and the crèche section (creche/settings.py)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

import yaml


class SettingsError(Exception):
    """The settings file cannot be used; the message is one French line for the installer."""


# --- YAML loading with line numbers -------------------------------------------------------------------------


class _Map(dict):
    lines: dict[Any, int]


class _Seq(list):
    lines: list[int]


class _Int(int):
    raw: str


class _Float(float):
    raw: str


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, list | dict):
            raise yaml.constructor.ConstructorError(None, None, "nom de clé invalide", key_node.start_mark)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"clé « {key} » en double (déjà vue ligne {result.lines[key]})", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> _Int:
    result = _Int(yaml.SafeLoader.construct_yaml_int(loader, node))
    result.raw = node.value
    return result


def _construct_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> _Float:
    result = _Float(yaml.SafeLoader.construct_yaml_float(loader, node))
    result.raw = node.value
    return result


def _settings_loader(base: type) -> type:
    """A safe loader that records line numbers, refuses duplicate keys and keeps dates and numbers' source text.

    Dates stay strings so that a wrong date is reported with its key path rather than as a crash inside
    PyYAML; numbers keep their text because YAML 1.1 reads `01000` as octal 512.
    """
    loader = type(f"Settings{base.__name__}", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
    loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
    return loader


# libyaml's parser when PyYAML was built with it (its wheels are): the settings are read at every start and by
# every test's app, several times faster. Its complaints are worded differently, so a file it refuses is read
# again by the pure-Python parser, whose complaints are the ones said in French below.
_FAST_LOADER = _settings_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))
_PURE_LOADER = _settings_loader(yaml.SafeLoader)


def read_yaml(file: str, text: str) -> Any:
    """The YAML document in `text`, or SettingsError with one French line naming `file` and the line."""
    try:
        return yaml.load(text, Loader=_FAST_LOADER)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        pass
    try:
        return yaml.load(text, Loader=_PURE_LOADER)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        raise yaml_error(file, error) from None


# PyYAML's most frequent complaints, said in French; others are quoted as they are.
_YAML_PROBLEMS = {
    "found character '\\t' that cannot start any token": "tabulation interdite : indentez avec des espaces",
    "mapping values are not allowed here": (
        "« : » inattendu : vérifiez l'indentation, ou mettez entre guillemets une valeur qui contient « : »"
    ),
    "could not find expected ':'": "« : » attendu après le nom de la clé",
    "found undefined alias": "alias YAML inconnu",
}


def yaml_error(file: str, error: yaml.YAMLError) -> SettingsError:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    for english, french in _YAML_PROBLEMS.items():
        if problem.startswith(english):
            problem = french
            break
    where = f"{file}, ligne {mark.line + 1}" if mark is not None else file
    return SettingsError(f"{where} : YAML invalide : {problem}")


# --- Validation ---------------------------------------------------------------------------------------------


def french_number(number: float) -> str:
    return f"{number:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def shown(value: Any) -> str:
    """How a wrong value is quoted back to the installer."""
    if value is None:
        return "aucune valeur"
    if isinstance(value, dict):
        return "un bloc de clés"
    if isinstance(value, list):
        return "une liste"
    if isinstance(value, bool):
        return "« true »" if value else "« false »"
    text = getattr(value, "raw", None) or str(value)
    text = " ".join(text.split())
    if len(text) > 40:
        text = text[:39] + "…"
    return f"« {text} »"


def decimal_value(value: Any) -> Decimal | None:
    """The exact number as written (0.0310 stays 0.0310, not the float 0.031000000000000003), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(getattr(value, "raw", None) or str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class Section:
    """A mapping of the settings file at a key path, with typed getters that fail with a one-line message."""

    def __init__(self, file: str, data: Any, path: str, line: int | None, allowed: tuple[str, ...]):
        self.file = file
        self.path = path
        self.line = line
        if not isinstance(data, dict):
            if not path:
                first_keys = f"« {allowed[0]} », « {allowed[1]} »"
                raise SettingsError(f"{file} : le fichier doit commencer par les clés {first_keys}…")
            self._fail_at(path, line, f"bloc de clés attendu, {shown(data)} trouvé")
        self.data: _Map = data
        for key in data:
            if key not in allowed:
                suggestion = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f" — vouliez-vous dire « {self._key_path(suggestion[0])} » ?" if suggestion else ""
                known = "" if suggestion else f" (clés possibles : {', '.join(allowed)})"
                raise SettingsError(
                    f"{self._where(data.lines.get(key))} : clé inconnue « {self._key_path(key)} »{hint}{known}"
                )

    def _where(self, line: int | None) -> str:
        return f"{self.file}, ligne {line}" if line else self.file

    def _key_path(self, key: Any) -> str:
        return f"{self.path}.{key}" if self.path else str(key)

    def _fail_at(self, path: str, line: int | None, message: str) -> NoReturn:
        raise SettingsError(f"{self._where(line)} : clé « {path} » : {message}")

    def fail(self, key: str, message: str) -> NoReturn:
        self._fail_at(self._key_path(key), self.data.lines.get(key) or self.line, message)

    def _raw(self, key: str, required: bool) -> Any:
        value = self.data.get(key)
        if value is None and required:
            if key in self.data:
                self.fail(key, "valeur obligatoire absente")
            self._fail_at(self._key_path(key), self.line, "clé obligatoire manquante")
        return value

    def section(self, key: str, allowed: tuple[str, ...], required: bool = True) -> Section | None:
        value = self._raw(key, required)
        if value is None:
            return None
        return Section(self.file, value, self._key_path(key), self.data.lines.get(key), allowed)

    def text(self, key: str, required: bool = True, pattern: re.Pattern | None = None, expected: str = "") -> Any:
        value = self._raw(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            hint = " (mettez-le entre guillemets)" if isinstance(value, int | float) else ""
            self.fail(key, f"texte attendu{hint}, {shown(value)} trouvé")
        value = value.strip()
        if not value:
            self.fail(key, "texte vide")
        if pattern is not None and not pattern.match(value):
            self.fail(key, f"{expected}, {shown(value)} trouvé")
        return value

    def integer(self, key: str, minimum: int, maximum: int | None = None, required: bool = True) -> Any:
        value = self._raw(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"nombre entier attendu, {shown(value)} trouvé")
        if value < minimum or (maximum is not None and value > maximum):
            limits = f"entre {minimum} et {maximum}" if maximum is not None else f"d'au moins {minimum}"
            self.fail(key, f"nombre {limits} attendu, {shown(value)} trouvé")
        return int(value)

    def money(self, key: str) -> Decimal:
        value = self._raw(key, True)
        amount = decimal_value(value)
        if amount is None:
            self.fail(key, f"montant en euros attendu (ex. 12.50), {shown(value)} trouvé")
        if amount < 0 or amount.as_tuple().exponent < -2:
            self.fail(key, f"montant positif avec au plus 2 décimales attendu, {shown(value)} trouvé")
        return amount

    def boolean(self, key: str, default: bool | None = None) -> bool:
        value = self._raw(key, default is None)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"« true » ou « false » attendu, {shown(value)} trouvé")
        return value

    def date(self, key: str, required: bool = True) -> date | None:
        value = self._raw(key, required)
        if value is None:
            return None
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                raise ValueError
            return date.fromisoformat(value.strip())
        except ValueError:
            self.fail(key, f"date AAAA-MM-JJ attendue (ex. 2026-01-01), {shown(value)} trouvé")

    def items(self, key: str, required: bool = True) -> Iterator[tuple[str, int | None, Any]]:
        """(path, line, value) of each element of a list."""
        value = self._raw(key, required)
        if value is None:
            return iter(())
        if not isinstance(value, list):
            self.fail(key, f"liste attendue, {shown(value)} trouvé")
        if required and not value:
            self.fail(key, "liste vide")
        path = self._key_path(key)
        return ((f"{path}[{i}]", value.lines[i], item) for i, item in enumerate(value))

    def entries(self, key: str, expected: str) -> Iterator[tuple[str, int | None, Any, Any]]:
        """(path, line, key, value) of each entry of a mapping whose keys are data, not names."""
        value = self._raw(key, True)
        if not isinstance(value, dict):
            self.fail(key, f"{expected}, {shown(value)} trouvé")
        if not value:
            self.fail(key, "bloc vide")
        path = self._key_path(key)
        return ((f"{path}.{k}", value.lines[k], k, v) for k, v in value.items())

    def fail_at(self, path: str, line: int | None, message: str) -> NoReturn:
        """Fail on an element found by items() or entries()."""
        self._fail_at(path, line, message)

    def text_list(self, key: str, pattern: re.Pattern | None = None, expected: str = "", required: bool = True):
        result = []
        for path, line, item in self.items(key, required):
            if not isinstance(item, str) or not item.strip():
                hint = " (mettez-le entre guillemets)" if isinstance(item, int | float) else ""
                self._fail_at(path, line, f"texte attendu{hint}, {shown(item)} trouvé")
            item = item.strip()
            if pattern is not None and not pattern.match(item):
                self._fail_at(path, line, f"{expected}, {shown(item)} trouvé")
            if item in result:
                self._fail_at(path, line, f"{shown(item)} figure deux fois dans la liste")
            result.append(item)
        return tuple(result)
