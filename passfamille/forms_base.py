"""The app's base form and what every form shares: French messages, whitespace and control characters stripped,
lengths that stop the other checks, an oversized body refused."""

import re

from flask import abort, current_app, has_request_context, request
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import get_translations as wtforms_translations
from wtforms.validators import Email, InputRequired, Length, StopValidation, ValidationError

from .parsing import ascii_int

# WTForms' own messages (a tampered choice, a length) in French too; Flask-WTF would need Flask-Babel. Read from
# WTForms' catalogue once per process: every form of every request shares it (it was read from disk for each form).
FRENCH = wtforms_translations(["fr"])


def as_choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


# Control characters left once whitespace is made spaces: invisible, carried by a copy and paste at most, and NUL
# is refused by PostgreSQL in a text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Said when a posted value is none of a radio group's options (a tampered or outdated form).
CHOICE_MESSAGE = "Choisissez une des réponses proposées"


def _strip(value):
    if not isinstance(value, str):
        return value
    # Phones type the typographic apostrophe; the API only knows the straight one.
    value = value.replace("\u2019", "'").replace("\u02bc", "'")
    return CONTROL_CHARACTERS.sub("", re.sub(r"\s+", " ", value)).strip()


class MaxLength(Length):
    """Length(max=…) that stops the field's other checks: no e-mail parser, name pattern or commune search is run on
    a value already refused for its length, and the field shows one message, not three."""

    def __init__(self, max: int, message: str):
        super().__init__(max=max, message=message)

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except ValidationError as error:
            raise StopValidation(error.args[0]) from None


def email_validators(missing: str) -> list:
    """A family's e-mail address: required (`missing` says which), 254 characters at most, then well formed (no
    DNS lookup: the page must not wait for one)."""
    return [
        InputRequired(missing),
        MaxLength(254, "L'adresse électronique doit faire 254 caractères au plus"),
        Email("Saisissez une adresse électronique valide, par exemple : nom@exemple.fr", check_deliverability=False),
    ]


def number_in(field, max_digits: int, low: int, high: int) -> int | None:
    """The field's value when it is ASCII digits from `low` to `high`, else None."""
    value = ascii_int(field.data or "", max_digits)
    return value if value is not None and low <= value <= high else None


class BaseForm(FlaskForm):
    """The app's base form (wizard, family pages, agents): strips whitespace and control characters from every
    text field; refuses an oversized body."""

    class Meta:
        def get_translations(self, form):
            return FRENCH

        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters:
                filters = [_strip, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)

    def __init__(self, *args, **kwargs):
        # Werkzeug caps a multipart field at MAX_FORM_MEMORY_SIZE but reads an urlencoded body whole, up to
        # MAX_CONTENT_LENGTH (sized for a 10 MB file): no form of ours takes more than a few kilobytes.
        if (
            has_request_context()
            and request.mimetype == "application/x-www-form-urlencoded"
            and (request.content_length or 0) > current_app.config["MAX_FORM_MEMORY_SIZE"]
        ):
            abort(413)
        super().__init__(*args, **kwargs)

    def finish(self, *not_applicable) -> bool:
        """End of validate(): the fields of an option not chosen are neither checked nor, once the form is valid,
        kept (their values are not stored). Valid when no other field has an error."""
        for field in not_applicable:
            field.errors = []
        valid = not any(field.errors for field in self)
        if valid:
            for field in not_applicable:
                field.data = False if field.type == "BooleanField" else ""
        return valid
