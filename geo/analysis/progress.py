"""Signs and barriers done over time, per department or council district, against the directive's deadlines.

Signs come from each candidate's ``sign_posted_on``; barriers from the versioned status history
itself (every saved version of every site's gate, with its time), so a gate that was closed and
locked and later found open counts down again on the day it was found. Pure: frames in, long
frames out (one row per group and day a count changed, plus the as-of day), ready for a chart.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import schema
from geo.analysis.control import SITE_UNIT, UNIT_KIND
from geo.analysis.gaps import BARRIER_APPLIES, CANDIDATE
from geo.config import LOCAL_TZ

DATE, GROUP, DONE, GOAL, MEASURE = "Date", "Group", "Done", "Goal", "Measure"
SIGNS, BARRIERS = "Signs posted", "Barriers closed and locked"
CITY = "City"
#: breakdown -> the unit column it groups by (``None``: the City as one group)
BREAKDOWNS: dict[str, str | None] = {"city": None, "department": schema.OWNING_DEPT,
                                     "district": schema.COUNCIL_DISTRICT}
LOCKED = "closed_locked"


def group_of(units: pd.DataFrame, by: str) -> pd.Series:
    """Return each unit's group name for breakdown ``by`` ("City", a department, or "District N")."""
    column = BREAKDOWNS[by]
    if column is None or column not in units.columns:
        return pd.Series(CITY, index=units.index, dtype=object)
    values = units[column]
    if column == schema.COUNCIL_DISTRICT:
        return values.map(lambda d: "District —" if pd.isna(d) else f"District {int(d)}").astype(object)
    return values.fillna("—").astype(object)


def _candidates(units: pd.DataFrame) -> pd.DataFrame:
    return units[units[CANDIDATE].fillna(False).astype(bool)] if CANDIDATE in units.columns else units


def _barrier_sites(units: pd.DataFrame) -> pd.DataFrame:
    """Candidate sites (not parts: the status history is per site) where a barrier applies."""
    cand = _candidates(units)
    sites = cand[cand[UNIT_KIND] == SITE_UNIT] if UNIT_KIND in cand.columns else cand
    return sites[sites[BARRIER_APPLIES].fillna(False).astype(bool)] if BARRIER_APPLIES in sites.columns else sites


def goals(units: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Return per group how many signs and barriers the directive asks for (candidates; barrier sites)."""
    signs = group_of(_candidates(units), by).value_counts()
    barriers = group_of(_barrier_sites(units), by).value_counts()
    frame = pd.DataFrame({SIGNS: signs, BARRIERS: barriers}).fillna(0).astype(int)
    frame.index.name = GROUP
    return frame.reset_index().melt(id_vars=GROUP, var_name=MEASURE, value_name=GOAL)


def _running(events: pd.DataFrame, *, as_of: dt.date, measure: str) -> pd.DataFrame:
    """Turn (group, date, delta) events into running totals per group, closed by a row on ``as_of``."""
    cols = [DATE, GROUP, DONE, MEASURE]
    if not len(events):
        return pd.DataFrame(columns=cols)
    daily = events.groupby([GROUP, DATE], sort=True)["delta"].sum().reset_index()
    daily[DONE] = daily.groupby(GROUP)["delta"].cumsum().astype(int)
    last = daily.groupby(GROUP, sort=True).tail(1)
    out = pd.concat([daily, last[last[DATE] < as_of].assign(**{DATE: as_of})]).sort_values([GROUP, DATE], kind="stable")
    return out.assign(**{DATE: [d.isoformat() for d in out[DATE]], MEASURE: measure})[cols].reset_index(drop=True)


def signs_done(units: pd.DataFrame, *, as_of: dt.date, by: str = "city") -> pd.DataFrame:
    """Return candidates with a sign posted, running per group and posting day up to ``as_of``.

    Columns: ``Date`` (ISO text), ``Group``, ``Done`` (running count), ``Measure`` ("Signs posted").
    """
    cand = _candidates(units)
    posted = pd.to_datetime(cand.get(schema.SIGN_POSTED_ON, pd.Series(dtype=object, index=cand.index)),
                            errors="coerce")
    keep = posted.notna() & (posted.dt.date <= as_of)
    events = pd.DataFrame({GROUP: group_of(cand, by)[keep], DATE: posted[keep].dt.date, "delta": 1})
    return _running(events, as_of=as_of, measure=SIGNS)


def barriers_done(history: pd.DataFrame, units: pd.DataFrame, *, as_of: dt.date, by: str = "city") -> pd.DataFrame:
    """Return barrier sites closed and locked, running per group and day, from the status history up to ``as_of``.

    ``history``: every saved status version (``site_id``, ``version``, ``gate_status``, ``updated_at`` in UTC),
    as :func:`geo.services.status.status_timeline` reads it. A site counts from the day a version
    set its gate closed and locked until a later version set it otherwise. Columns as :func:`signs_done`.
    """
    sites = _barrier_sites(units)
    groups = pd.Series(group_of(sites, by).to_numpy(), index=sites[schema.SITE_ID].to_numpy())
    hist = history[history[schema.SITE_ID].isin(groups.index)].sort_values([schema.SITE_ID, schema.VERSION])
    day = pd.to_datetime(hist[schema.UPDATED_AT], utc=True).dt.tz_convert(LOCAL_TZ).dt.date
    hist = hist.assign(_day=day)[day <= as_of]
    locked = (hist[schema.GATE_STATUS] == LOCKED).astype(int)
    delta = locked.groupby(hist[schema.SITE_ID]).diff().fillna(locked).astype(int)  # +1 locked, -1 unlocked
    change = delta != 0
    events = pd.DataFrame({GROUP: hist.loc[change, schema.SITE_ID].map(groups), DATE: hist.loc[change, "_day"],
                           "delta": delta[change]})
    return _running(events, as_of=as_of, measure=BARRIERS)
