"""The commune's clock: « today », for a deadline or a date that must not be past, is a calendar day in France,
whatever the server's time zone (a UTC server's `date.today()` is still yesterday between midnight and 1 or 2 a.m.
in the commune). `now` is the one reading of the time here, which a test replaces to stand at a given moment."""

from datetime import UTC, date, datetime

from .formatting import TIMEZONE


def now() -> datetime:
    return datetime.now(UTC)


def commune_today() -> date:
    return now().astimezone(TIMEZONE).date()
