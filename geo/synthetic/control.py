"""Synthetic A.1 determinations, site control, park parking-lot parts, places of concern and freeway ramps.

All invented and labelled synthetic (DEMO names, ``SYN-`` ids), deterministic like the rest of
the sample. Determinations follow what a department would plausibly decide: lots, garages and
vacant lots are candidates; some facilities (enclosed buildings) and most open parkland are
not, while many parks have a parking lot drawn as a candidate part; a few sites are still
pending. A few sites are leased, permitted or shared under an MOU.
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import ANALYSIS_CRS, DISPLAY_CRS, SYNTHETIC_SOURCE
from geo.io.outline import county_polygon_ft
from geo.synthetic.anchors import anchors
from geo.synthetic.randomness import categorical, integers, u01, uniform

LAYER = "control"
#: Share of sites per category that are candidates (the rest not, with a reason), and pending overall.
CANDIDATE_SHARE = {"parking_lot": 0.96, "parking_garage": 0.94, "vacant_lot": 0.92, "facility": 0.65, "park": 0.25}
NOT_REASONS = {
    "parking_lot": "DEMO: lot inside a secured compound, staff access only",
    "parking_garage": "DEMO: garage closed to vehicles pending demolition",
    "vacant_lot": "DEMO: steep slope, no vehicle access",
    "facility": "DEMO: enclosed building with no yard or lot",
    "park": "DEMO: open parkland with no vehicle access",
}
PENDING_SHARE = 0.08
PARK_LOT_SHARE = 0.45  # parks whose parking lot is drawn as a part
BASES = ("owned", "leased_in", "permit", "mou_joint_use")
BASIS_WEIGHTS = (0.90, 0.05, 0.03, 0.02)
PLACES_PER_CD, RAMPS_PER_CD = 4, 5
PLACE_WEIGHTS = {"home_improvement": 0.25, "big_box_store": 0.2, "day_labor_site": 0.15, "car_wash": 0.2,
                 "swap_meet": 0.05, "courthouse": 0.05, "transit_hub": 0.1}
FIRST_DAY = dt.date(2026, 2, 11)
MAX_ATTEMPTS = 20


def build_control(sites: gpd.GeoDataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Return ``site_control`` rows for every site except the pending ones (version 1 when stored)."""
    k = np.arange(len(sites))
    cat = plan["category"].to_numpy(dtype=object)
    share = np.array([CANDIDATE_SHARE[c] for c in cat])
    candidate = u01(LAYER, "candidate", k) < share
    pending = u01(LAYER, "pending", k) < PENDING_SHARE
    basis = np.array(BASES, dtype=object)[categorical(LAYER, "basis", k, BASIS_WEIGHTS)]
    start = [dt.date(2015, 1, 1) + dt.timedelta(days=int(d)) for d in integers(LAYER, "start", k, 0, 3650)]
    years = integers(LAYER, "years", k, 2, 12)
    day = [FIRST_DAY + dt.timedelta(days=int(d)) for d in integers(LAYER, "day", k, 0, 22)]
    short = [d.split("(")[-1].rstrip(")") for d in sites[schema.OWNING_DEPT]]
    barrier = np.where(np.isin(cat, ["park"]), "unknown", np.where(u01(LAYER, "barrier", k) < 0.8, "yes", "unknown"))
    rows = []
    for i in np.flatnonzero(~pending):
        leased = basis[i] != "owned"
        rows.append({
            schema.SITE_ID: sites[schema.SITE_ID].iat[i],
            schema.DETERMINATION: schema.CANDIDATE if candidate[i] else schema.NOT_CANDIDATE,
            schema.DETERMINATION_REASON: None if candidate[i] else NOT_REASONS[cat[i]],
            schema.DETERMINED_BY: f"SYNTHETIC {short[i]} liaison", schema.DETERMINED_AT: f"{day[i].isoformat()}T17:00:00+00:00",
            schema.CONTROL_BASIS: basis[i], schema.CONTROL_START: start[i].isoformat() if leased else None,
            schema.CONTROL_END: start[i].replace(year=start[i].year + int(years[i])).isoformat() if leased else None,
            schema.CONTROL_DOC: f"SYN-{basis[i].upper()}-{i + 1:04d}" if leased else None,
            schema.BARRIER_APPROPRIATE: barrier[i],
            schema.UPDATED_BY: f"SYNTHETIC {short[i]} liaison", schema.UPDATED_AT: f"{day[i].isoformat()}T17:00:00+00:00",
        })
    return pd.DataFrame(rows)


def build_parts(sites: gpd.GeoDataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """Return a parking-lot part for some parks: their north-east corner, about a seventh of the park."""
    k = np.arange(len(sites))
    chosen = np.flatnonzero((plan["kind"].to_numpy() == "park") & (u01(LAYER, "park_lot", k) < PARK_LOT_SHARE))
    feet = gpd.GeoSeries(sites.geometry.values[chosen], crs=DISPLAY_CRS).to_crs(ANALYSIS_CRS).to_numpy()
    signed = u01(LAYER, "part_sign", chosen) < 0.6
    locked = u01(LAYER, "part_gate", chosen) < 0.5
    posted = [dt.date(2026, 2, 20) + dt.timedelta(days=int(d)) for d in integers(LAYER, "part_day", chosen, 0, 30)]
    rows = []
    for n, (i, g) in enumerate(zip(chosen, feet, strict=True)):
        x0, y0, x1, y1 = shapely.bounds(g)
        corner = shapely.box(x1 - 0.4 * (x1 - x0), y1 - 0.35 * (y1 - y0), x1, y1)  # the north-east corner
        lot = shapely.intersection(g, corner)
        wkt_geom = gpd.GeoSeries([lot], crs=ANALYSIS_CRS).to_crs(DISPLAY_CRS).iloc[0]
        rows.append({
            schema.PART_ID: f"{sites[schema.SITE_ID].iat[i]}-P01", schema.SITE_ID: sites[schema.SITE_ID].iat[i],
            schema.PART_TYPE: "parking_lot", schema.PART_NAME: f"DEMO park parking lot {n + 1:02d} (synthetic)",
            schema.GEOMETRY_WKT: shapely.to_wkt(shapely.set_precision(wkt_geom, 1e-7), rounding_precision=7),
            schema.AREA_SQFT: round(float(shapely.area(lot)), 1), schema.DETERMINATION: schema.CANDIDATE,
            schema.BARRIER_APPROPRIATE: "yes", schema.SIGN_STATUS: "posted" if signed[n] else "none",
            schema.SIGN_POSTED_ON: posted[n].isoformat() if signed[n] else None,
            schema.GATE_STATUS: "closed_locked" if locked[n] else "open",
        })
    return pd.DataFrame(rows)


def build_places() -> gpd.GeoDataFrame:
    """Return invented places of concern near each demo zone's anchors (home improvement stores, car washes...)."""
    return _points(schema.PLACES, PLACES_PER_CD, 800.0, 4_500.0, _place_attributes)


def build_ramps() -> gpd.GeoDataFrame:
    """Return invented freeway ramps near each demo zone's anchors."""
    return _points(schema.RAMPS, RAMPS_PER_CD, 1_200.0, 7_000.0, _ramp_attributes)


def _points(layer: str, per_cd: int, near_ft: float, far_ft: float, attributes: object) -> gpd.GeoDataFrame:
    a = anchors()
    cds = np.unique(a.cd)
    n = per_cd * len(cds)
    k = np.arange(n)
    cd = np.repeat(cds, per_cd)
    which = np.array([np.flatnonzero(a.cd == c)[j % int((a.cd == c).sum())] for c, j in zip(cd, k, strict=True)])
    county = county_polygon_ft()
    pts = np.full(n, None, dtype=object)
    todo = k
    for attempt in range(MAX_ATTEMPTS):  # a point that leaves the County (the ocean off San Pedro) is redrawn
        dist = uniform(layer, f"dist:attempt{attempt}", todo, near_ft, far_ft)
        angle = uniform(layer, f"bearing:attempt{attempt}", todo, 0.0, 2 * np.pi)
        x, y = a.x[which[todo]] + dist * np.cos(angle), a.y[which[todo]] + dist * np.sin(angle)
        inside = shapely.contains_xy(county, x, y)
        pts[todo[inside]] = shapely.points(x[inside], y[inside])
        todo = todo[~inside]
        if not len(todo):
            break
        near_ft, far_ft = near_ft * 0.7, far_ft * 0.7
    pts[todo] = shapely.points(a.x[which[todo]], a.y[which[todo]])  # the anchor itself lies inside
    geoms = gpd.GeoSeries(pts, crs=ANALYSIS_CRS).to_crs(DISPLAY_CRS).set_precision(1e-7)
    attrs = attributes(k, cd) if callable(attributes) else {}
    frame = pd.DataFrame({**attrs, schema.IS_SYNTHETIC: True, schema.SOURCE: SYNTHETIC_SOURCE, schema.SOURCE_URL: None,
                          schema.FETCHED_AT: None})
    for col in schema.column_names(layer):
        if col not in frame:
            frame[col] = None
    return gpd.GeoDataFrame(frame[schema.column_names(layer)], geometry=geoms.to_numpy(), crs=DISPLAY_CRS)


def _place_attributes(k: np.ndarray, cd: np.ndarray) -> dict[str, object]:
    kinds = np.array(list(PLACE_WEIGHTS), dtype=object)[categorical(schema.PLACES, "type", k, list(PLACE_WEIGHTS.values()))]
    return {schema.PLACE_ID: [f"SYN-PLACE-{i + 1:04d}" for i in k], schema.PLACE_TYPE: kinds,
            schema.PLACE_NAME: [f"DEMO {t.replace('_', ' ')} {i + 1:03d} (synthetic)" for t, i in zip(kinds, k, strict=True)],
            schema.COUNCIL_DISTRICT: pd.array(cd, dtype="Int64")}


def _ramp_attributes(k: np.ndarray, cd: np.ndarray) -> dict[str, object]:
    kinds = np.array(["on", "off", "on_off"], dtype=object)[categorical(schema.RAMPS, "type", k, (0.4, 0.4, 0.2))]
    return {schema.RAMP_ID: [f"SYN-RAMP-{i + 1:04d}" for i in k], schema.RAMP_TYPE: kinds,
            schema.ROUTE: [f"SYN-FWY-{c:02d}" for c in cd]}
