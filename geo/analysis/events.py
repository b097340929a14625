"""One event, many reports: propose which reports describe the same event, and count events, not reports.

Community trackers, contractors and officers often report the same event. Two reports are
*linked* when they lie within ``distance_ft`` of each other (measured in EPSG:2229), happened
within ``window_hours`` of each other, and have compatible types (the same type, or types of one
group: the A.1 uses staging area / processing location / operations base; arrest / detention;
``other`` is compatible with any). Linked reports form a proposed event (transitively, one
bulk STRtree query and a union-find). A records user confirms a proposal or splits a report out
(audited, ``incident_events``); only confirmed merges change counts.

:func:`collapse_to_events` turns reports into events: one row per event, at its best-verified
report (``lapd_confirmed`` > ``corroborated`` > ``unverified``; earliest on a tie), with
``event_id``, ``n_reports`` (the corroborating reports) and the best tier. Every count, map,
B.8 table and risk factor downstream of it counts events.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import ANALYSIS_CRS

EVENT_ID, N_REPORTS, PROPOSED = "event_id", "n_reports", "proposed_event"
#: Types that may describe one event even when reporters chose differently.
TYPE_GROUPS = (frozenset({"staging_area", "processing_location", "operations_base"}),
               frozenset({"arrest", "detention"}))
TIER_RANK = {v: i for i, v in enumerate(schema.VERIFICATION_STATUSES)}  # higher is better


@dataclass(frozen=True)
class EventRules:
    """When two reports are proposed as one event."""

    distance_ft: float = 500.0
    window_hours: float = 2.0


def compatible(a: str, b: str) -> bool:
    """Return whether report types ``a`` and ``b`` may describe one event."""
    return a == b or "other" in (a, b) or any(a in g and b in g for g in TYPE_GROUPS)


def event_key(incident_ids: list[str]) -> str:
    """Return the stable id of an event made of ``incident_ids``."""
    return "EV-" + hashlib.sha256("\x1f".join(sorted(incident_ids)).encode()).hexdigest()[:12]


def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = int(parent[i])
    return i


def propose_events(incidents: gpd.GeoDataFrame, rules: EventRules = EventRules()) -> pd.DataFrame:
    """Return ``incident_id`` -> ``proposed_event`` for every report in a proposed group of two or more."""
    empty = pd.DataFrame(columns=[schema.INCIDENT_ID, PROPOSED])
    if len(incidents) < 2:
        return empty
    feet = incidents.to_crs(ANALYSIS_CRS)
    geoms = np.asarray(feet.geometry.values, dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=rules.distance_ft)
    keep = left < right
    left, right = left[keep], right[keep]
    times = pd.to_datetime(incidents[schema.OCCURRED_AT], utc=True).to_numpy()
    close = np.abs(times[left] - times[right]) <= np.timedelta64(int(rules.window_hours * 3600), "s")
    types = incidents[schema.INCIDENT_TYPE].astype(str).to_numpy()
    left, right = left[close], right[close]
    ok = np.fromiter((compatible(types[a], types[b]) for a, b in zip(left, right, strict=True)), bool, len(left))
    parent = np.arange(len(incidents))
    for a, b in zip(left[ok], right[ok], strict=True):
        ra, rb = _find(parent, int(a)), _find(parent, int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([_find(parent, i) for i in range(len(incidents))])
    ids = incidents[schema.INCIDENT_ID].astype(str).to_numpy()
    frame = pd.DataFrame({schema.INCIDENT_ID: ids, "_root": roots})
    sizes = frame.groupby("_root")[schema.INCIDENT_ID].transform("size")
    grouped = frame[sizes > 1]
    if not len(grouped):
        return empty
    keys = grouped.groupby("_root")[schema.INCIDENT_ID].agg(lambda s: event_key(list(s)))
    return pd.DataFrame({schema.INCIDENT_ID: grouped[schema.INCIDENT_ID].to_numpy(),
                         PROPOSED: grouped["_root"].map(keys).to_numpy()}).reset_index(drop=True)


def collapse_to_events(incidents: gpd.GeoDataFrame, links: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return one row per event: confirmed merges collapse to their best-verified report.

    ``links`` holds the stored decisions (``incident_id``, ``event_id``, ``decision``); reports
    without a confirmed link are their own event. Adds ``event_id`` and ``n_reports``.
    """
    if not len(incidents):
        return incidents.assign(**{EVENT_ID: pd.Series(dtype=object), N_REPORTS: pd.Series(dtype="int64")})
    ids = incidents[schema.INCIDENT_ID].astype(str)
    confirmed = links[links["decision"] == "confirmed"] if len(links) else pd.DataFrame(columns=["incident_id", "event_id"])
    event_of = dict(zip(confirmed["incident_id"].astype(str), confirmed["event_id"].astype(str), strict=True))
    event = ids.map(lambda i: event_of.get(i, i))
    rank = incidents[schema.VERIFICATION].map(TIER_RANK).fillna(-1)
    when = pd.to_datetime(incidents[schema.OCCURRED_AT], utc=True)
    order = pd.DataFrame({"event": event, "rank": -rank, "when": when, "id": ids}).sort_values(["event", "rank", "when", "id"])
    best = order.drop_duplicates("event").index
    counts = event.value_counts()
    out = incidents.loc[best].copy()
    out[EVENT_ID] = event.loc[best].to_numpy()
    out[N_REPORTS] = out[EVENT_ID].map(counts).astype("int64").to_numpy()
    return out.sort_index()
