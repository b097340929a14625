"""The one as-of date: every relative window ("this month", "last N days", days overdue) ends on it.

The app keeps one as-of date per session (the sidebar's, today in Los Angeles by default); the
CLI takes ``--as-of`` (same default). Nothing counts from the latest incident any more: when the
store's data end earlier than the as-of date, :func:`data_end_note` says so beside the date.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import schema
from geo.analysis.relevance import enforcement_incidents
from geo.analysis.timefmt import today_local
from geo.config import LOCAL_TZ
from geo.errors import SchemaError
from geo.i18n import short_date, translator
from geo.messages import M


def parse_as_of(value: str | dt.date | None) -> dt.date:
    """Return ``value`` as a date; ``None`` or '' is today in Los Angeles.

    Raises
    ------
    SchemaError
        When ``value`` is not written YYYY-MM-DD.
    """
    if isinstance(value, dt.date):
        return value
    if not value:
        return today_local()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise SchemaError(M("--as-of {value} is not a date; write it as YYYY-MM-DD, e.g. 2026-03-10.",
                            value=repr(value))) from exc


def data_end(incidents: pd.DataFrame) -> dt.date | None:
    """Return the Los Angeles date of the latest enforcement incident (``None`` when there is none)."""
    counted = enforcement_incidents(incidents) if len(incidents) else incidents
    if not len(counted):
        return None
    latest = pd.to_datetime(counted[schema.OCCURRED_AT], utc=True).max()
    return None if pd.isna(latest) else latest.tz_convert(LOCAL_TZ).date()


def data_end_note(latest: dt.date | None, as_of: dt.date, lang: str = "en") -> str | None:
    """Return what to say beside the as-of date about where the data end, in ``lang`` (``None``: nothing to say)."""
    _ = translator(lang)
    if latest is None:
        return _("The store holds no enforcement incidents: incident counts are zero for any date.")
    if latest < as_of:
        days = (as_of - latest).days
        template = _("The data end earlier: the latest incident is {date}, {n} day before the as-of date, so windows "
                     "after it count no incidents.") if days == 1 else \
            _("The data end earlier: the latest incident is {date}, {n} days before the as-of date, so windows "
              "after it count no incidents.")
        return template.format(date=short_date(latest, lang), n=f"{days:,}")
    if latest > as_of:
        return _("Incidents after the as-of date (the latest is {date}) are not counted.").format(
            date=short_date(latest, lang))
    return None


def month_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Return 'this month' for ``as_of``: its first day through ``as_of`` itself."""
    return as_of.replace(day=1), as_of


def last_days_window(as_of: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """Return the ``days`` calendar days ending on ``as_of`` (inclusive).

    Raises
    ------
    SchemaError
        When ``days`` is below 1.
    """
    if days < 1:
        raise SchemaError(M("last N days must be at least 1, got {days}.", days=days))
    return as_of - dt.timedelta(days=days - 1), as_of


def count_in_window(incidents: pd.DataFrame, first: dt.date, last: dt.date) -> int:
    """Return how many enforcement incidents occurred between ``first`` and ``last`` (LA dates, inclusive)."""
    counted = enforcement_incidents(incidents)
    if not len(counted):
        return 0
    days = pd.to_datetime(counted[schema.OCCURRED_AT], utc=True).dt.tz_convert(LOCAL_TZ).dt.date
    return int(((days >= first) & (days <= last)).sum())
