"""French formats for citizens and agents (Babel): 14/07/1985, 1 234 €, juin 2023."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date as _format_date
from babel.numbers import format_currency, format_decimal

LOCALE = "fr_FR"
# Times are stored in UTC; agents and families read them on the commune's clock.
TIMEZONE = ZoneInfo("Europe/Paris")


def as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def short_date(value) -> str:
    """14/07/1985."""
    day = as_date(value)
    return _format_date(day, "short", locale=LOCALE) if day else ""


def long_date(value) -> str:
    """14 juillet 1985; « 1er mars 2026 »: French writes the first of the month as an ordinal, Babel does not."""
    day = as_date(value)
    if not day:
        return ""
    if day.day == 1:
        return f"1er {_format_date(day, 'MMMM y', locale=LOCALE)}"
    return _format_date(day, "long", locale=LOCALE)


def local(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) time on the commune's clock."""
    return moment.replace(tzinfo=UTC).astimezone(TIMEZONE) if moment else None


def date_time(moment: datetime | None) -> str:
    """24/11/2026 à 08:15, on the commune's clock."""
    moment = local(moment)
    return f"{short_date(moment)} à {moment:%H:%M}" if moment else ""


def month_year(year: int | None, month: int | None) -> str:
    """juin 2023."""
    if not year:
        return ""
    if not month:
        return str(year)
    return _format_date(date(year, month, 1), "MMMM y", locale=LOCALE)


def months_duration(months: int) -> str:
    """A number of months in words: « 8 mois », « 1 an », « 3 ans et 5 mois »."""
    years, rest = divmod(abs(months), 12)
    parts = []
    if years:
        parts.append(f"{years} an{'s' if years > 1 else ''}")
    if rest or not years:
        parts.append(f"{rest} mois")
    return " et ".join(parts)


def euros(amount) -> str:
    """1 234 € for whole amounts, 12,50 € otherwise."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    if value == value.to_integral_value():
        return format_currency(value, "EUR", format="#,##0\u00a0¤", currency_digits=False, locale=LOCALE)
    return format_currency(value, "EUR", locale=LOCALE)


def born(sex: str | None) -> str:
    """The participle that agrees with the person: « née », « né », or both when the sex is unknown."""
    return {"F": "née", "M": "né"}.get(sex or "", "né ou née")


def number(value) -> str:
    return format_decimal(value, locale=LOCALE) if value is not None else ""


def register(app) -> None:
    app.jinja_env.filters.update(
        short_date=short_date,
        long_date=long_date,
        euros=euros,
        number=number,
        date_time=date_time,
        months_duration=months_duration,
    )
    app.jinja_env.globals.update(month_year=month_year, born=born)


def typed_date_example(day: date) -> str:
    """The hint of a date typed in three boxes (day, month, year): « Par exemple : 27 12 1982 »."""
    return f"Par exemple : {day:%d %m %Y}"
