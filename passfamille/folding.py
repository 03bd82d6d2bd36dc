"""Names as the agents' search compares them: accents, case, hyphens and apostrophes folded away. Pure, shared by
the model (which keeps the folded names of each application in a column of their own) and the search."""

# Names hold letters of Latin-1 (the wizard's NAME_PATTERN), hyphens and apostrophes.
_FOLDS = {
    "a": "àáâãäåÀÁÂÃÄÅ",
    "c": "çÇ",
    "e": "èéêëÈÉÊË",
    "i": "ìíîïÌÍÎÏ",
    "n": "ñÑ",
    "o": "òóôõöøÒÓÔÕÖØ",
    "u": "ùúûüÙÚÛÜ",
    "y": "ýÿÝŸ",
    "ae": "æÆ",
    "oe": "œŒ",
    " ": "-'\u2019",
}
_FOLD_TABLE = str.maketrans({accented: plain for plain, chars in _FOLDS.items() for accented in chars})


def fold(text: str | None) -> str:
    """'Gérôme-Élodie' -> 'gerome elodie': what the search compares."""
    return " ".join((text or "").translate(_FOLD_TABLE).lower().split())


def fold_names(birth_name: str | None, usage_name: str | None, first_names: str | None) -> str:
    """An applicant's names as one folded string of words, e.g. 'leger martin gerome elodie'."""
    return fold(f"{birth_name or ''} {usage_name or ''} {first_names or ''}")


def fold_details(children: list | None, email: str | None, address: dict | None, *child_names: str | None) -> str:
    """What else an agent searches an application by, folded: the children's first names (and a crèche request's
    child), the e-mail address, the postal address. E.g. 'laura ines sophie.dupont@example.org 1 rue des lilas
    13990 val fleuri'."""
    address = address or {}
    words = [c.get("first_names") for c in children or [] if isinstance(c, dict)]
    words += [*child_names, email, *(address.get("lines") or []), address.get("postal_code"), address.get("city")]
    return fold(" ".join(w for w in words if w))
