"""Dates for people, formatted by Babel in the reader's locale — the one place that does it.

Never ``strftime("%-d …")``: it is glibc-only and English-only. This module imports nothing from
Flask, so the pure core (deadline words) can use it; the web layer tells it the reader's locale
through ``use_locale_from``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from babel.dates import format_date, format_datetime, format_time

LONG_DATE = "d MMMM y"
SHORT_DATETIME = "d MMM y HH:mm"

_locale_of_reader: Callable[[], str | None] = lambda: None  # noqa: E731 - replaced by the web layer


def use_locale_from(getter: Callable[[], str | None]) -> None:
    """Where the reader's locale comes from (the web layer passes Flask-Babel's choice)."""
    global _locale_of_reader
    _locale_of_reader = getter


def current_locale() -> str:
    return _locale_of_reader() or "en"


def long_date(day: date, locale: str | None = None) -> str:
    """``20 October 2015`` (``20 octobre 2015`` in French)."""
    return format_date(day, LONG_DATE, locale=locale or current_locale())


def long_datetime(moment: datetime, locale: str | None = None) -> str:
    """``20 October 2015, 14:30``: the time as given (callers pass UTC or local time knowingly)."""
    loc = locale or current_locale()
    return f"{format_date(moment.date(), LONG_DATE, locale=loc)}, {format_time(moment.time(), 'HH:mm', locale=loc)}"


def short_datetime(moment: datetime, locale: str | None = None) -> str:
    """``20 Oct 2015 14:30``, for dense tables such as the audit log."""
    return format_datetime(moment, SHORT_DATETIME, tzinfo=moment.tzinfo, locale=locale or current_locale())


def day_range(start: date, end: date | None, locale: str | None = None) -> str:
    """``20 October 2015``, ``3–4 June 2015``, or ``30 June 2015 – 1 July 2015``."""
    loc = locale or current_locale()
    if end is None or end == start:
        return long_date(start, loc)
    if (start.year, start.month) == (end.year, end.month):
        return f"{format_date(start, 'd', locale=loc)}–{long_date(end, loc)}"
    return f"{long_date(start, loc)} – {long_date(end, loc)}"


def time_of_day(moment: time | datetime, locale: str | None = None) -> str:
    """``14:30``."""
    return format_time(moment, "HH:mm", locale=locale or current_locale())
