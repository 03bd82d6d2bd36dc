"""Numbers typed by a person, for the wizard's and the agents' forms alike.

Digits are ASCII digits with a length cap: `str.isdigit()` also takes « ² » or « ١ », on which `int()` fails or
which no agent reads, and `int()` refuses more than 4,300 digits; no field of ours needs more than a few."""

import re
from functools import cache

# What a person types between the figures of an amount: spaces (U+00A0 and U+202F too) and the euro sign.
_AMOUNT_NOISE = re.compile(r"[\s€]")


@cache
def _digits(max_digits: int) -> re.Pattern:
    return re.compile(f"[0-9]{{1,{max_digits}}}")


def ascii_int(text, max_digits: int) -> int | None:
    """'0042' -> 42; '', ' 4', '4,2', '-1', '²', '١' or more than `max_digits` digits -> None."""
    if not isinstance(text, str) or not _digits(max_digits).fullmatch(text):
        return None
    return int(text)


def whole_amount(text, max_digits: int) -> int | None:
    """'850', '1 500', '1 500 €' -> an int; anything else (cents, signs, other scripts' digits) -> None."""
    if not isinstance(text, str):
        return None
    return ascii_int(_AMOUNT_NOISE.sub("", text), max_digits)
