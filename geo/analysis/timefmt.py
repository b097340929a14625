"""Times as people read them: Los Angeles local time with its UTC offset, for screens and exports.

Every time is stored in UTC; every time shown or exported is converted here, so
``2026-10-09 00:08 UTC`` reads ``2026-10-08 17:08 PDT (-07:00)`` on screen and
``2026-10-08T17:08:00-07:00`` in a file (ISO 8601, the offset kept, so it still means one instant).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from geo.config import LOCAL_TZ

ZONE = ZoneInfo(LOCAL_TZ)


def local_iso(times: pd.Series) -> pd.Series:
    """Return tz-aware times as ISO 8601 text in Los Angeles time with the offset (``None`` where missing).

    Naive values are taken as UTC. Aligned to ``times.index``.
    """
    ts = pd.to_datetime(times, utc=True).dt.tz_convert(LOCAL_TZ)
    return pd.Series([None if pd.isna(t) else t.isoformat() for t in ts], index=times.index, dtype=object,
                     name=times.name)


def local_text(value: object) -> str:
    """Return one time as ``YYYY-MM-DD HH:MM PDT (-07:00)`` in Los Angeles time ('' when missing).

    Accepts a ``datetime``, a ``pandas.Timestamp`` or ISO 8601 text; naive values are taken as UTC.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    when: dt.datetime = ts.tz_convert(LOCAL_TZ).to_pydatetime()
    offset = when.strftime("%z")
    return f"{when:%Y-%m-%d %H:%M} {when.tzname()} ({offset[:3]}:{offset[3:]})"


def today_local() -> dt.date:
    """Return today's date in Los Angeles (the default as-of date)."""
    return dt.datetime.now(ZONE).date()


def localise_times(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every tz-aware datetime column as Los Angeles ISO 8601 text (for exports)."""
    out = {c: local_iso(frame[c]) for c in frame.columns
           if isinstance(frame[c].dtype, pd.DatetimeTZDtype)}
    return frame.assign(**out) if out else frame
