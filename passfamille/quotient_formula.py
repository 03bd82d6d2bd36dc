"""The municipal quotient's formula, as a council writes it in the commune settings (e.g. « rfr / 12 / parts »).

A small language read once, when the settings are loaded: the variables `rfr` (revenu fiscal de référence, in
euros) and `parts` (nombre de parts), numbers, + - * / and parentheses. It is parsed by hand into a tree — never
`eval` — and every mistake is a FormulaError whose message is French, for the settings' one-line error.
Pure: no Flask, no I/O; rules.py computes with it and the result page shows it with the family's figures.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

VARIABLES = ("rfr", "parts")
MAX_LENGTH = 200
MAX_DEPTH = 10  # parentheses within parentheses: deeper says a mistake, not a council's formula
MAX_DIGITS = 12
OPERATORS = {"+": "+", "-": "-", "*": "*", "/": "/", "×": "*", "÷": "/"}
ALLOWED = "seuls rfr, parts, des nombres, + - * / et des parenthèses sont permis"
# Where a division by zero is looked for when the settings are read: the smallest and usual figures, every number
# of parts a family may have (1 to 20 in quarters). A formula dividing by zero elsewhere gives no quotient there.
_SAMPLE_RFR = (0, 1, 12, 1_000, 32_400, 100_000, 1_000_000)
_SAMPLE_PARTS = tuple(Decimal(quarters) / 4 for quarters in range(4, 81))
# Exact enough for any formula of MAX_LENGTH characters, and never an overflow (numbers of at most 12 digits,
# at most 100 of them multiplied).
_CONTEXT = decimal.Context(
    prec=40, Emax=10_000, Emin=-10_000, traps=[decimal.DivisionByZero, decimal.InvalidOperation, decimal.Overflow]
)

_TOKEN = re.compile(r"\s*(?:(?P<number>[0-9]+(?:[.,][0-9]+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/×÷()]))")


class FormulaError(ValueError):
    """The formula cannot be used; the message is French, for the settings' error line."""


@dataclass(frozen=True)
class Token:
    kind: str  # "number" | "name" | "op" | "(" | ")"
    text: str  # as written, operators normalised to + - * /
    position: int  # 1-based, for the error messages


@dataclass(frozen=True)
class Formula:
    text: str
    tokens: tuple[Token, ...]
    tree: tuple  # ("number", Decimal) | ("name", str) | (operator, left, right)

    def value(self, rfr: int, parts: Decimal) -> Decimal | None:
        """The exact result, or None when it divides by zero (or overflows) for these figures."""
        try:
            return _evaluate(self.tree, {"rfr": Decimal(rfr), "parts": Decimal(parts)})
        except (decimal.DivisionByZero, decimal.InvalidOperation, decimal.Overflow, ZeroDivisionError):
            return None

    def quotient(self, rfr: int, parts: Decimal) -> int | None:
        """The municipal quotient in whole euros: rounded DOWN to the euro (1 080,99 € gives 1 080 €, a family is
        never placed in a higher bracket by a rounding), and 0 € when the formula gives less than 0."""
        value = self.value(rfr, parts)
        if value is None:
            return None
        return max(0, int(value.to_integral_value(rounding=ROUND_FLOOR)))


def _evaluate(tree: tuple, variables: dict[str, Decimal]) -> Decimal:
    kind = tree[0]
    if kind == "number":
        return tree[1]
    if kind == "name":
        return variables[tree[1]]
    left, right = _evaluate(tree[1], variables), _evaluate(tree[2], variables)
    if kind == "+":
        return _CONTEXT.add(left, right)
    if kind == "-":
        return _CONTEXT.subtract(left, right)
    if kind == "*":
        return _CONTEXT.multiply(left, right)
    return _CONTEXT.divide(left, right)


def _shown(token: Token | None) -> str:
    return "la fin de la formule" if token is None else f"« {token.text} » (caractère {token.position})"


def _tokens(text: str) -> list[Token]:
    tokens = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            start = len(text) - len(text[position:].lstrip())
            raise FormulaError(f"caractère « {text[start]} » non permis (caractère {start + 1}) : {ALLOWED}")
        start = match.start(match.lastgroup) + 1
        if match["number"] is not None:
            if sum(c.isdigit() for c in match["number"]) > MAX_DIGITS:
                raise FormulaError(
                    f"nombre trop long « {match['number']} » (caractère {start}) : {MAX_DIGITS} chiffres au plus"
                )
            tokens.append(Token("number", match["number"].replace(",", "."), start))
        elif match["name"] is not None:
            name = match["name"]
            if name.lower() not in VARIABLES:
                raise FormulaError(f"nom inconnu « {name} » (caractère {start}) : {ALLOWED}")
            tokens.append(Token("name", name.lower(), start))
        elif match["op"] in "()":
            tokens.append(Token(match["op"], match["op"], start))
        else:
            tokens.append(Token("op", OPERATORS[match["op"]], start))
        position = match.end()
    return tokens


class _Parser:
    """expression := term (("+" | "-") term)* ; term := factor (("*" | "/") factor)* ;
    factor := number | rfr | parts | "(" expression ")"."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> Token | None:
        token = self.peek()
        self.index += 1
        return token

    def expression(self) -> tuple:
        tree = self.term()
        while (token := self.peek()) is not None and token.kind == "op" and token.text in "+-":
            self.take()
            tree = (token.text, tree, self.term())
        return tree

    def term(self) -> tuple:
        tree = self.factor()
        while (token := self.peek()) is not None and token.kind == "op" and token.text in "*/":
            self.take()
            tree = (token.text, tree, self.factor())
        return tree

    def factor(self) -> tuple:
        before = self.tokens[self.index - 1] if self.index else None
        token = self.take()
        if token is None:
            after = f" après « {before.text} »" if before else ""
            raise FormulaError(f"nombre, rfr, parts ou « ( » attendu{after}, la formule s'arrête")
        if token.kind == "number":
            return ("number", Decimal(token.text))
        if token.kind == "name":
            return ("name", token.text)
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise FormulaError(f"trop de parenthèses imbriquées ({MAX_DEPTH} au plus)")
            tree = self.expression()
            closing = self.take()
            if closing is None or closing.kind != ")":
                raise FormulaError(
                    f"parenthèse ouverte au caractère {token.position} non fermée : « ) » attendu, "
                    f"{_shown(closing)} trouvé"
                )
            self.depth -= 1
            return tree
        raise FormulaError(f"nombre, rfr, parts ou « ( » attendu, {_shown(token)} trouvé")


def _names(tree: tuple) -> set[str]:
    if tree[0] == "name":
        return {tree[1]}
    if tree[0] == "number":
        return set()
    return _names(tree[1]) | _names(tree[2])


def parse(text) -> Formula:
    """The formula written in the settings, checked; raises FormulaError with a French message."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError("formule vide : écrivez par exemple « rfr / 12 / parts »")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formule trop longue ({MAX_LENGTH} caractères au plus)")
    tokens = _tokens(text)
    parser = _Parser(tokens)
    tree = parser.expression()
    rest = parser.peek()
    if rest is not None:
        if rest.kind == ")":
            raise FormulaError(f"« ) » sans « ( » correspondante (caractère {rest.position})")
        raise FormulaError(f"opérateur (+ - * /) attendu avant {_shown(rest)}")
    if "rfr" not in _names(tree):
        raise FormulaError("la formule doit utiliser rfr (le revenu fiscal de référence)")
    formula = Formula(text.strip(), tuple(tokens), tree)
    for rfr in _SAMPLE_RFR:
        for parts in _SAMPLE_PARTS:
            if formula.value(rfr, parts) is None:
                raise FormulaError(
                    f"division par zéro quand rfr vaut {rfr} et parts vaut {str(parts).replace('.', ',')} : "
                    "revoyez la formule"
                )
    return formula
