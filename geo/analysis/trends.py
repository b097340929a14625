"""Change over time: incidents per month, signs posted against the deadline, KPIs against last month."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from geo import schema
from geo.analysis.asof import count_in_window
from geo.analysis.labels import label
from geo.config import LOCAL_TZ

MONTH, COUNT, DATE, SIGNED_TOTAL = "Month", "Incidents", "Date", "Signs posted"


def incidents_per_month(incidents: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Return incidents up to ``as_of`` counted per Los Angeles month, relevance and verification (long form).

    Columns: ``Month`` (first day, text ``YYYY-MM``), ``Relevance``, ``Verification``, ``Incidents``.
    General crime is kept as its own relevance ("General crime (context)") so a chart can leave it out.
    """
    cols = [MONTH, "Relevance", "Verification", COUNT]
    if not len(incidents):
        return pd.DataFrame(columns=cols)
    local = pd.to_datetime(incidents[schema.OCCURRED_AT], utc=True).dt.tz_convert(LOCAL_TZ)
    keep = (local.dt.date <= as_of).to_numpy(bool)
    frame = pd.DataFrame({MONTH: local[keep].dt.strftime("%Y-%m"),
                          "Relevance": incidents.loc[keep, schema.RELEVANCE].map(label),
                          "Verification": incidents.loc[keep, schema.VERIFICATION].map(label)})
    return frame.groupby(cols[:3], observed=True).size().rename(COUNT).reset_index()


def signs_over_time(units: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Return the running count of candidates with a sign posted, one row per posting date up to ``as_of``.

    Columns: ``Date`` (ISO text) and ``Signs posted`` (cumulative), from the units' ``sign_posted_on``.
    """
    cand = units[units["candidate"].fillna(False).astype(bool)] if "candidate" in units.columns else units
    posted = pd.to_datetime(cand.get(schema.SIGN_POSTED_ON, pd.Series(dtype=object)), errors="coerce").dropna()
    posted = posted[posted.dt.date <= as_of].dt.date
    if not len(posted):
        return pd.DataFrame(columns=[DATE, SIGNED_TOTAL])
    daily = posted.value_counts().sort_index().cumsum()
    return pd.DataFrame({DATE: [d.isoformat() for d in daily.index], SIGNED_TOTAL: daily.to_numpy()})


@dataclass(frozen=True)
class MonthChange:
    """A headline number now and at the same point of the previous month."""

    now: int
    before: int

    @property
    def delta(self) -> int:
        """Return the change (now minus before)."""
        return self.now - self.before


def _previous_month(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Return the previous month, from its first day to the same day-of-month as ``as_of`` (or its last day)."""
    last_of_prev = as_of.replace(day=1) - dt.timedelta(days=1)
    return last_of_prev.replace(day=1), last_of_prev.replace(day=min(as_of.day, last_of_prev.day))


def incidents_month_change(incidents: pd.DataFrame, *, as_of: dt.date) -> MonthChange:
    """Return enforcement incidents this month to date against the previous month to the same day."""
    first, last = _previous_month(as_of)
    return MonthChange(now=count_in_window(incidents, as_of.replace(day=1), as_of),
                       before=count_in_window(incidents, first, last))


def signed_month_change(units: pd.DataFrame, *, as_of: dt.date) -> MonthChange:
    """Return candidates signed by ``as_of`` against those signed by the same day last month."""
    running = signs_over_time(units, as_of=as_of)
    _, last = _previous_month(as_of)
    dates = pd.to_datetime(running[DATE]).dt.date if len(running) else pd.Series(dtype=object)
    before = running.loc[(dates <= last).to_numpy(bool), SIGNED_TOTAL] if len(running) else pd.Series(dtype=int)
    now = int(running[SIGNED_TOTAL].iloc[-1]) if len(running) else 0
    return MonthChange(now=now, before=int(before.iloc[-1]) if len(before) else 0)
