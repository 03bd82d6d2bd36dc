"""The two figures read on an avis d'imposition that a municipal quotient needs — the revenu fiscal de référence
and the nombre de parts — as a person types them: their fields, hints and French messages, for the family's proof
step and the agent's check alike, and how they are written back in French."""

import re
from decimal import ROUND_FLOOR, Decimal

from wtforms import StringField

from .formatting import euros, number
from .forms_base import MaxLength
from .parsing import whole_amount

MAX_RFR = 999_999_999  # 9 digits: beyond any household's income, and never a crash in int()
MAX_PARTS = 20
WHERE = "Sur la première page de votre avis d'imposition, dans le cadre « Vos références »"
RFR_LABEL = "Revenu fiscal de référence, en euros"
RFR_HINT = f"{WHERE}. Un nombre entier, sans centimes, par exemple : 32 400."
RFR_MISSING = "Saisissez le revenu fiscal de référence indiqué sur l'avis, par exemple : 32 400"
RFR_MESSAGE = "Le revenu fiscal de référence doit être un nombre entier d'euros, sans centimes, par exemple : 32 400"
PARTS_LABEL = "Nombre de parts"
PARTS_HINT = f"{WHERE}, sous le revenu fiscal de référence. Par exemple : 1, 2,5 ou 3,25."
PARTS_MISSING = "Saisissez le nombre de parts indiqué sur l'avis, par exemple : 2,5"
PARTS_MESSAGE = "Le nombre de parts doit aller de 1 à 20, par quart de part, par exemple : 1, 2,5 ou 3,25"

_PARTS = re.compile(r"([0-9]{1,2})(?:[.,]([0-9]{1,2}))?")


def parse_rfr(text) -> int | None:
    """'32400', '32 400', '32 400 €' -> 32400; cents, signs, other scripts' digits -> None."""
    value = whole_amount(text, len(str(MAX_RFR)))
    return value if value is not None and value <= MAX_RFR else None


def parse_parts(text) -> Decimal | None:
    """'2', '2,5', '2.50', '3,25' -> the number of parts, 1 to 20 in quarters; anything else -> None."""
    if not isinstance(text, str):
        return None
    match = _PARTS.fullmatch(text.replace(" ", ""))
    if match is None:
        return None
    parts = Decimal(f"{match[1]}.{match[2] or 0}")
    if not 1 <= parts <= MAX_PARTS or (parts * 4) % 1:
        return None
    return parts


def french_parts(parts: Decimal) -> str:
    """2.5 -> « 2,5 », 2 -> « 2 », 3.25 -> « 3,25 »."""
    return format(Decimal(parts).normalize(), "f").replace(".", ",")


def rfr_field(label: str = RFR_LABEL, hint: str = RFR_HINT) -> StringField:
    return StringField(label, description=hint, validators=[MaxLength(20, RFR_MESSAGE)])


def parts_field(label: str = PARTS_LABEL, hint: str = PARTS_HINT) -> StringField:
    return StringField(label, description=hint, validators=[MaxLength(10, PARTS_MESSAGE)])


def check_figures(rfr_field_: StringField, parts_field_: StringField) -> bool:
    """Both figures required and well formed; each field's message set, its value written back as stored (32400,
    2,5) so that it is validated again the same way. True when both are good."""
    good = True
    for field, parse, missing, message, written in (
        (rfr_field_, parse_rfr, RFR_MISSING, RFR_MESSAGE, str),
        (parts_field_, parse_parts, PARTS_MISSING, PARTS_MESSAGE, french_parts),
    ):
        if field.errors:
            good = False
            continue
        if not field.data:
            field.errors = [*field.errors, missing]
            good = False
            continue
        value = parse(field.data)
        if value is None:
            field.errors = [*field.errors, message]
            good = False
            continue
        field.data = written(value)
    return good


_SYMBOLS = {"*": "×", "/": "÷"}


def explain_quotient(formula, fiscal, quotient: int) -> str:
    """The council's formula with the family's figures, in French: « 32 400 € ÷ 12 ÷ 2,5 parts = 1 080 € ». A
    result with cents says it is rounded down; a negative one that it counts as 0 €."""
    pieces: list[str] = []
    for token in formula.tokens:
        if token.kind == "name" and token.text == "rfr":
            piece = euros(fiscal.rfr)
        elif token.kind == "name":
            piece = f"{french_parts(fiscal.parts)} part{'s' if fiscal.parts >= 2 else ''}"
        elif token.kind == "number":
            piece = number(Decimal(token.text))
        else:
            piece = _SYMBOLS.get(token.text, token.text)
        glued = not pieces or pieces[-1].endswith("(") or piece == ")"
        pieces.append(piece if glued else " " + piece)
    text = "".join(pieces)
    exact = formula.value(fiscal.rfr, fiscal.parts)
    if exact is None or exact == quotient:
        return f"{text} = {euros(quotient)}"
    if exact < 0:
        return f"{text} = {euros(exact.quantize(Decimal('0.01'), rounding=ROUND_FLOOR))}, compté {euros(0)}"
    shown = exact.quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
    return f"{text} = {euros(shown)}, arrondi à l'euro inférieur : {euros(quotient)}"
