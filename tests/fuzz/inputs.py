"""Bad input, generated: what a tampered form, a copy and paste or a phone keyboard can send.

A case is (category, value, how): the category says what the app must do with it (refuse it at the field, drop the
invisible characters, answer 413), `how` whether the value replaces the field's, is sent twice (the bad value first
or second) or the field is left out."""

import unicodedata
from functools import cache
from typing import NamedTuple

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

MEGABYTE = 1 << 20

# Other scripts' digits and the "No" numbers (², ½, ①…): str.isdigit() takes many of them, int() some.
UNICODE_DIGITS = st.text(
    st.characters(categories=["Nd", "No"], exclude_characters="0123456789"), min_size=1, max_size=8
)
# Past int()'s 4,300-digit limit.
HUGE_NUMBERS = st.one_of(
    st.sampled_from(["9" * 5000, "1" + "0" * 4999, "0" * 4301 + "1"]),
    st.integers(min_value=4301, max_value=6000).map(lambda n: "7" * n),
)
# Control characters that are not whitespace (NUL among them): invisible, they are dropped from any value.
CONTROL_CHARACTERS = [chr(i) for i in range(0x100) if unicodedata.category(chr(i)) == "Cc" and not chr(i).isspace()]
WHITESPACE = st.lists(
    st.sampled_from([" ", "\t", "\n", "\r\n", "\u00a0", "\u202f", "\u2009", "\u3000"]), min_size=1, max_size=6
).map("".join)
# Longer than any field of ours (the longest takes 2,000 characters), shorter than the 100 KB a field may weigh.
TOO_LONG = st.integers(min_value=2_001, max_value=50_000).map(lambda n: ("Lorem ipsum " * (n // 12 + 1))[:n])
ANY_TEXT = st.text(max_size=40)
IMPOSSIBLE_DATES = st.sampled_from(
    [
        ("31", "02", "2020"),
        ("30", "02", "2024"),
        ("29", "02", "2023"),
        ("31", "04", "2021"),
        ("0", "0", "2020"),
        ("00", "00", "0000"),
        ("0", "6", "2020"),
        ("15", "0", "2020"),
        ("32", "01", "2020"),
        ("99", "99", "9999"),
    ]
)


class Case(NamedTuple):
    category: str
    value: object  # a str, None (left out), a (day, month, year) tuple, or control characters to mix in
    how: str = "replace"

    def __repr__(self) -> str:
        # A megabyte in a failure report hides the report.
        value = repr(self.value)
        shown = value if len(value) <= 80 else f"{value[:60]}… ({len(value)} caractères)"
        return f"Case({self.category!r}, {shown}, {self.how!r})"

    def _repr_pretty_(self, printer, cycle):  # what hypothesis prints for a failing example
        printer.text(repr(self))


# What a field of each kind must do with a value of each category: "refuse" it with a message at the field,
# "accept" it as if it were the good value (no message at the field), or anything but an error of ours ("any").
KINDS = ("number", "date", "name", "email", "choice", "text", "bool", "password", "not_applicable")
REFUSED = {
    "unicode_digits": {"number", "date", "name", "email", "choice"},
    "huge_number": {"number", "date", "name", "email", "choice", "text", "password"},
    "too_long": {"number", "date", "name", "email", "choice", "text", "password"},
    "impossible_date": {"date"},
}


def expectation(case: Case, kind: str) -> str:
    if case.category == "megabyte":
        return "too_large"
    if case.how == "good_first" or kind == "not_applicable":
        return "accept"  # the form reads the first of two values; a field of an option not chosen is ignored
    if case.category == "control":
        return "accept"
    if kind in REFUSED.get(case.category, ()):
        return "refuse"
    return "any"


@cache
def cases(with_dates: bool = False, megabyte: bool = True) -> st.SearchStrategy[Case]:
    """Bad values of every category, sent in every way."""
    how = st.sampled_from(["replace", "replace", "replace", "bad_first", "good_first"])
    categories = [
        st.builds(Case, st.just("unicode_digits"), UNICODE_DIGITS, how),
        st.builds(Case, st.just("huge_number"), HUGE_NUMBERS, how),
        st.builds(Case, st.just("too_long"), TOO_LONG, how),
        st.builds(Case, st.just("whitespace"), WHITESPACE, how),
        st.builds(Case, st.just("any_text"), ANY_TEXT, how),
        st.builds(
            Case,
            st.just("control"),
            st.lists(st.sampled_from(CONTROL_CHARACTERS), min_size=1, max_size=3),
            st.just("replace"),
        ),
        st.just(Case("missing", None)),
    ]
    if with_dates:
        categories.append(st.builds(Case, st.just("impossible_date"), IMPOSSIBLE_DATES))
    weighted = categories * 4
    if megabyte:
        weighted.append(st.just(Case("megabyte", "x" * MEGABYTE)))  # rare: a megabyte to encode and send each time
    return st.one_of(weighted)


def mixed_in(value: str, characters: list[str]) -> str:
    """The good value with control characters put at its start, middle and end."""
    middle = len(value) // 2
    parts = [value[:middle], value[middle:]]
    return characters[0] + parts[0] + "".join(characters[1:2]) + parts[1] + "".join(characters[2:])


def fuzz_settings(examples: int) -> settings:
    # Function-scoped fixtures are reached once per test on purpose: every example reuses the page reached.
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
