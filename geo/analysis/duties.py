"""The Police Commission's view of Section B: duty compliance per month and LAPD division, and the B.8 cadence.

A scene record counts in the month (Los Angeles time) its incident occurred and in the LAPD
division it occurred in. For each duty of :data:`geo.duties.DUTIES`, ``scenes`` is the number of
scenes where it applies (every scene for B.1-B.4; scenes with an injury for B.5; scenes where a
public report was received for B.6), ``met`` those where it was met, and ``share`` = met / scenes
(``NaN`` when no scene applies). Only scenes of enforcement-related incidents count
(:func:`geo.analysis.relevance.enforcement_incidents`); general crime never does.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import duties, schema
from geo.analysis.relevance import enforcement_incidents
from geo.config import LOCAL_TZ
from geo.i18n import short_date, translator

NO_DIVISION = "Not located"
#: Columns of :func:`compliance`.
COMPLIANCE_COLUMNS = ["month", "division", "duty", "section", "label", "scenes", "met", "share"]


def scene_frame(scenes: pd.DataFrame, incidents: pd.DataFrame) -> pd.DataFrame:
    """Return one row per scene of an enforcement-related incident with its month, division and duty outcomes.

    ``incidents`` needs ``incident_id``, ``occurred_at`` (tz-aware), ``lapd_area`` and relevance
    columns. Each duty key becomes a column of ``True``/``False``/``None`` (does not apply).
    """
    inc = enforcement_incidents(incidents)
    keep = inc[[schema.INCIDENT_ID, schema.OCCURRED_AT, schema.LAPD_AREA]]
    merged = scenes.merge(pd.DataFrame(keep), left_on=duties.INCIDENT_ID, right_on=schema.INCIDENT_ID, how="inner")
    when = pd.to_datetime(merged[schema.OCCURRED_AT], utc=True).dt.tz_convert(LOCAL_TZ)
    area = pd.to_numeric(merged[schema.LAPD_AREA], errors="coerce")
    out = pd.DataFrame({
        "incident_id": merged[duties.INCIDENT_ID].astype(str).to_numpy(),
        "month": when.dt.strftime("%Y-%m").to_numpy(),
        "division": [NO_DIVISION if pd.isna(a) else schema.LAPD_AREA_NAMES.get(int(a), f"Area {int(a)}") for a in area],
    })
    records = merged.to_dict("records")
    for key, _, _ in duties.DUTIES:
        out[key] = pd.Series([duties.duty_met(key, r) for r in records], dtype=object)
    return out


def compliance(frame: pd.DataFrame, *, by: tuple[str, ...] = ("month", "division")) -> pd.DataFrame:
    """Return counts and shares of each duty per group of ``by`` (columns :data:`COMPLIANCE_COLUMNS`).

    ``frame`` comes from :func:`scene_frame`. A group column not in ``by`` reads ``All``.
    """
    rows: list[dict[str, object]] = []
    groups = frame.groupby(list(by), sort=True) if by and len(frame) else []
    for keys, part in groups:
        names = dict(zip(by, keys if isinstance(keys, tuple) else (keys,), strict=True))
        for key, label, section in duties.DUTIES:
            values = [v for v in part[key].tolist() if v is not None]
            met = int(sum(bool(v) for v in values))
            rows.append({"month": names.get("month", "All"), "division": names.get("division", "All"), "duty": key,
                         "section": section, "label": label, "scenes": len(values), "met": met,
                         "share": met / len(values) if values else np.nan})
    return pd.DataFrame(rows, columns=COMPLIANCE_COLUMNS)


def public_reports(frame: pd.DataFrame, scenes: pd.DataFrame) -> dict[str, int]:
    """Return how many public reports were received at scenes in ``frame`` and how many were taken (a number)."""
    ids = set(frame["incident_id"])
    rows = scenes[scenes[duties.INCIDENT_ID].astype(str).isin(ids)]
    received = [r for r in rows.to_dict("records") if duties.flag(r.get(duties.PUBLIC_REPORT)) is True]
    taken = [r for r in received if str(r.get(duties.REPORT_NUMBER) or "").strip()]
    return {"received": len(received), "taken": len(taken), "not_taken": len(received) - len(taken)}


def reports_not_taken(frame: pd.DataFrame, scenes: pd.DataFrame) -> list[str]:
    """Return the incidents of ``frame`` where a public report was received but no report number is on record."""
    ids = set(frame["incident_id"])
    rows = scenes[scenes[duties.INCIDENT_ID].astype(str).isin(ids)].to_dict("records")
    return sorted(str(r[duties.INCIDENT_ID]) for r in rows if duties.flag(r.get(duties.PUBLIC_REPORT)) is True
                  and not str(r.get(duties.REPORT_NUMBER) or "").strip())


def referrals_by_status(referrals: pd.DataFrame) -> pd.DataFrame:
    """Return referrals counted by recipient x status (every state as a column)."""
    if not len(referrals):
        return pd.DataFrame(0, index=pd.Index([], name="recipient"), columns=list(duties.REFERRAL_STATES))
    table = pd.crosstab(referrals[duties.RECIPIENT].map(duties.RECIPIENT_LABELS).rename("recipient"),
                        referrals[duties.REFERRAL_STATUS])
    return table.reindex(columns=list(duties.REFERRAL_STATES), fill_value=0)


@dataclass(frozen=True)
class Cadence:
    """The B.8 cadence as of one date: enforcement events in the 7 days to it, and whether reporting goes weekly."""

    as_of: dt.date
    events: int
    threshold: int
    window_start: dt.date

    @property
    def weekly(self) -> bool:
        """Whether reporting must go weekly (more than ``threshold`` events in the window)."""
        return self.events > self.threshold

    def sentence(self, lang: str = "en") -> str:
        """Return the rule and its outcome in one sentence, in ``lang``."""
        _ = translator(lang)
        rule = _("weekly when more than {n} enforcement events fall in the last 7 days").format(n=self.threshold)
        outcome = _("WEEKLY reporting required") if self.weekly else _("monthly reporting suffices")
        return _("Cadence ({rule}): {events} event(s) from {start} to {end}; {outcome}.").format(
            rule=rule, events=self.events, start=short_date(self.window_start, lang),
            end=short_date(self.as_of, lang), outcome=outcome)


def cadence(incidents: pd.DataFrame, *, as_of: dt.date, threshold: int = duties.WEEKLY_THRESHOLD) -> Cadence:
    """Count enforcement-related incidents that occurred in the 7 Los Angeles days ending on ``as_of``."""
    start = as_of - dt.timedelta(days=6)
    inc = enforcement_incidents(incidents)
    day = pd.to_datetime(inc[schema.OCCURRED_AT], utc=True).dt.tz_convert(LOCAL_TZ).dt.date
    events = int(((day >= start) & (day <= as_of)).sum())
    return Cadence(as_of, events, int(threshold), start)
