"""Synthetic enforcement incidents: repeat hot spots at big private retail lots and City lots, plus scatter."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.config import ANALYSIS_CRS, DISPLAY_CRS, LOCAL_TZ, SYNTHETIC_SOURCE
from geo.crs import feet_to_lonlat
from geo.io.outline import county_polygon_ft
from geo.synthetic.anchors import anchors, council_districts, districts_at, nearest_anchor
from geo.synthetic.boundaries import council_of_anchor
from geo.synthetic.randomness import categorical, exact_quota, hash64, integers, u01, uniform

LAYER = "incidents"
#: Occurrence window (local time): deliberately runs past the directive (2026-02-10) so that
#: monthly reports after it have data. Never derived from ``now()``.
FIRST_DAY, LAST_DAY = pd.Timestamp("2025-06-01"), pd.Timestamp("2026-10-31")
N_RETAIL_SPOTS = 6
SHARES = (0.40, 0.30)  # retail hot spots, City-lot hot spots; the rest scattered near anchors
RETAIL_CODES = ("1100", "1200", "2700")
BIG_LOT_SQFT = 40_000
#: Local hour weights: early-morning staging peak; hours 1 and 2 are skipped (DST gaps and repeats).
HOUR_WEIGHTS = (2, 0, 0, 2, 4, 9, 10, 10, 8, 6, 5, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2)
_TYPE_WEIGHTS = {  # staging, processing, operations base, arrest, detention, checkpoint, surveillance, other
    "retail": (0.50, 0.05, 0.15, 0.15, 0.05, 0.00, 0.05, 0.05),
    "city": (0.55, 0.10, 0.15, 0.05, 0.03, 0.00, 0.07, 0.05),
    "scatter": (0.08, 0.05, 0.04, 0.35, 0.15, 0.15, 0.08, 0.10),
}
#: Share of reports (not LAPD crime-data rows) that are suspected unlawful conduct by an agent (B.8).
SUSPECTED_SHARE = 0.32
#: Chance that each kind of conduct is observed in a suspected-unlawful-conduct report (several may apply).
CONDUCT_CHANCE = {"force": 0.35, "no_visible_id": 0.45, "masking": 0.5, "entry_without_warrant": 0.15,
                  "obstruction": 0.2, "other": 0.08}
_DESCRIPTIONS = {
    "staging_area": "SYNTHETIC: unmarked vehicles and personnel assembling before an operation",
    "processing_location": "SYNTHETIC: people reportedly held and processed on site",
    "operations_base": "SYNTHETIC: vehicles returning repeatedly between operations",
    "arrest": "SYNTHETIC: arrest reported by witnesses",
    "detention": "SYNTHETIC: people reportedly detained at the scene",
    "surveillance": "SYNTHETIC: agents reported watching the area",
    "checkpoint": "SYNTHETIC: vehicle checkpoint reported",
    "other": "SYNTHETIC: enforcement activity reported",
}
_PREMISES = {
    "retail": (("108 PARKING LOT", 0.7), ("404 DEPARTMENT STORE", 0.15), ("203 OTHER BUSINESS", 0.15)),
    "scatter": (("101 STREET", 0.45), ("102 SIDEWALK", 0.2), ("501 SINGLE FAMILY DWELLING", 0.15),
                ("502 MULTI-UNIT DWELLING (APARTMENT, DUPLEX, ETC)", 0.1), ("203 OTHER BUSINESS", 0.1)),
}
VERIFICATION_WEIGHTS = (0.55, 0.30, 0.15)
SOURCE_WEIGHTS = (0.10, 0.10, 0.15, 0.22, 0.30, 0.13)  # order of schema.SOURCE_TYPES
WARRANT_WEIGHTS = (0.07, 0.28, 0.65)  # yes, no, unknown


def build_incidents(n_incidents: int, *, parcels: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
                    districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``n_incidents`` canonical incident points (EPSG:4326), sorted by occurrence.

    About 40 % repeat at a few big private retail or parking parcels, 30 % on or next to City
    parking and vacant lots, and the rest scatter within a mile of the anchors.
    """
    k = np.arange(n_incidents)
    n_retail, n_city = round(SHARES[0] * n_incidents), round(SHARES[1] * n_incidents)
    kind = exact_quota(LAYER, "kind", n_incidents, [n_retail, n_city, n_incidents - n_retail - n_city])
    kinds = np.array(["retail", "city", "scatter"], dtype=object)[kind]
    x, y = np.empty(n_incidents), np.empty(n_incidents)
    spot = np.full(n_incidents, -1)
    city_boxes = _city_spots(sites)
    retail_boxes = _retail_spots(parcels)
    if not len(retail_boxes):  # tiny samples without retail parcels: City lots take their share
        retail_boxes = city_boxes
    for name, boxes, m in (("retail", retail_boxes, kind == 0), ("city", city_boxes, kind == 1)):
        sx, sy, spot[m] = _at_spots(name, boxes, k[m], adjacent=name == "city")
        x[m], y[m] = sx, sy
    x[kind == 2], y[kind == 2] = _scatter(k[kind == 2], districts)
    lon, lat = feet_to_lonlat(x, y)
    occurred, reported = _times(k)
    return _frame(k, kinds, spot, x, y, np.asarray(lon), np.asarray(lat), occurred, reported, districts)


def _retail_spots(parcels: gpd.GeoDataFrame) -> np.ndarray:
    """Return (x0, y0, x1, y1) feet boxes of the repeat-staging private parcels.

    Candidates are retail and parking parcels within 6,000 ft of an anchor; the biggest
    (40,000 sq ft and up first), one per anchor, win; ties are broken by a hash of the AIN row.
    """
    private = parcels[parcels[schema.OWNER_NAME].isna()]
    code = private[schema.USE_CODE].to_numpy(dtype=object)
    cx, cy = private[schema.CENTROID_X_FT].to_numpy(), private[schema.CENTROID_Y_FT].to_numpy()
    dist, near = _anchor_distance(cx, cy)
    cand = np.flatnonzero(np.isin(code, RETAIL_CODES) & (dist < 6_000))
    big = private[schema.LOT_SQFT].to_numpy()[cand] >= BIG_LOT_SQFT
    order = cand[np.lexsort((hash64(LAYER, "retail_rank", cand), ~big))]
    _, first = np.unique(near[order], return_index=True)
    chosen = order[np.sort(first)][:N_RETAIL_SPOTS]
    return _bounds_ft(private.geometry.values[chosen])


def _city_spots(sites: gpd.GeoDataFrame) -> np.ndarray:
    """Return feet boxes of City parking lots (4) and vacant lots (2) chosen by hash."""
    asset = sites[schema.ASSET_TYPE].to_numpy(dtype=object)
    rank = hash64(LAYER, "city_rank", len(sites))
    lots = np.flatnonzero(np.char.find(asset.astype(str), "parking lot") >= 0)
    vacant = np.flatnonzero(np.char.find(asset.astype(str), "vacant") >= 0)
    chosen = np.concatenate([lots[np.argsort(rank[lots])][:4], vacant[np.argsort(rank[vacant])][:2]])
    return _bounds_ft(sites.geometry.values[chosen])


def _at_spots(name: str, boxes: np.ndarray, k: np.ndarray, *, adjacent: bool) -> tuple[np.ndarray, ...]:
    """Return points inside (or, for half of City lots, just outside) hot-spot boxes, busiest first."""
    weights = np.linspace(2.0, 1.0, len(boxes))
    spot = categorical(LAYER, f"{name}_spot", k, weights.tolist())
    x0, y0, x1, y1 = boxes[spot].T
    cx, cy, hw, hh = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    x = cx + hw * uniform(LAYER, f"{name}_dx", k, -0.7, 0.7)
    y = cy + hh * uniform(LAYER, f"{name}_dy", k, -0.7, 0.7)
    if adjacent:
        out = u01(LAYER, f"{name}_outside", k) < 0.5
        side = integers(LAYER, f"{name}_side", k, 0, 4)
        gap = uniform(LAYER, f"{name}_gap", k, 30.0, 150.0)
        x = np.where(out & (side == 0), x1 + gap, np.where(out & (side == 1), x0 - gap, x))
        y = np.where(out & (side == 2), y1 + gap, np.where(out & (side == 3), y0 - gap, y))
    return x, y, spot


def _scatter(k: np.ndarray, districts: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return points 300-5,000 ft from a hashed anchor, retried until inside the County and a zone."""
    a = anchors()
    county = county_polygon_ft()
    x, y = np.full(len(k), np.nan), np.full(len(k), np.nan)
    todo = np.arange(len(k))
    for attempt in range(50):
        kk = k[todo]
        anc = integers(LAYER, f"scatter_anchor:attempt{attempt}", kk, 0, len(a))
        bearing = uniform(LAYER, f"scatter_bearing:attempt{attempt}", kk, 0.0, 2 * np.pi)
        dist = uniform(LAYER, f"scatter_distance:attempt{attempt}", kk, 300.0, 5_000.0)
        px, py = a.x[anc] + dist * np.cos(bearing), a.y[anc] + dist * np.sin(bearing)
        lon, lat = feet_to_lonlat(px, py)
        ok = shapely.contains_xy(county, px, py) & (districts_at(lon, lat, districts) > 0)
        x[todo[ok]], y[todo[ok]] = px[ok], py[ok]
        todo = todo[~ok]
        if not len(todo):
            break
    return x, y


def _times(k: np.ndarray) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """Return tz-aware UTC occurrence and report times; reports follow within minutes to days."""
    days = integers(LAYER, "day", k, 0, (LAST_DAY - FIRST_DAY).days + 1)
    hour = categorical(LAYER, "hour", k, HOUR_WEIGHTS)
    minute = integers(LAYER, "minute", k, 0, 60)
    local = FIRST_DAY + pd.to_timedelta(days, unit="D") + pd.to_timedelta(hour * 60 + minute, unit="min")
    occurred = pd.DatetimeIndex(local).tz_localize(LOCAL_TZ).tz_convert("UTC").as_unit("s")
    lag = np.select(
        [u01(LAYER, "lag_kind", k) < 0.6, u01(LAYER, "lag_kind", k) < 0.9],
        [integers(LAYER, "lag_short", k, 5, 180), integers(LAYER, "lag_day", k, 180, 2_880)],
        default=integers(LAYER, "lag_long", k, 2_880, 14_400),
    )
    return occurred, occurred + pd.to_timedelta(lag, unit="min")


def _frame(k: np.ndarray, kinds: np.ndarray, spot: np.ndarray, x: np.ndarray, y: np.ndarray, lon: np.ndarray,
           lat: np.ndarray, occurred: pd.DatetimeIndex, reported: pd.DatetimeIndex,
           districts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    a = anchors()
    near = nearest_anchor(x, y)
    area = a.lapd_area[near]
    types = np.empty(len(k), dtype=object)
    for kind, w in _TYPE_WEIGHTS.items():
        m = kinds == kind
        types[m] = np.array(schema.INCIDENT_TYPES, dtype=object)[categorical(LAYER, f"type_{kind}", k[m], w)]
    premise = _premises(k, kinds, spot, x, y)
    # Same hot spot -> same hundred block and reporting district; scatter -> per incident.
    key = np.where(spot >= 0, spot + 1000 * (kinds == "city"), 10_000 + k)
    block = integers(LAYER, "block", key, 1, 190) * 100
    rd = area * 100 + integers(LAYER, "rpt_dist", key, 1, 60)
    evidence = u01(LAYER, "evidence", k) < 0.45
    source = np.array(schema.SOURCE_TYPES, dtype=object)[categorical(LAYER, "source", k, SOURCE_WEIGHTS)]
    relevance, conduct = _relevance(k, source)
    types = np.where(relevance == schema.GENERAL_CRIME, "other", types).astype(object)
    frame = pd.DataFrame({
        schema.OCCURRED_AT: occurred, schema.REPORTED_AT: reported, schema.INCIDENT_TYPE: types,
        schema.VERIFICATION: np.array(schema.VERIFICATION_STATUSES, dtype=object)[categorical(LAYER, "verification", k, VERIFICATION_WEIGHTS)],
        schema.SOURCE_TYPE: source,
        schema.DESCRIPTION: _descriptions(types, relevance, conduct),
        schema.LOCATION_TEXT: [f"{b} BLOCK - SYNTHETIC" for b in block], schema.PREMISE_DESC: premise,
        schema.LAPD_AREA: area, schema.AREA_NAME: [schema.LAPD_AREA_NAMES[v] for v in area], schema.RPT_DIST_NO: rd,
        schema.COUNCIL_DISTRICT: council_districts(lon, lat, x, y, districts),
        schema.WARRANT_SHOWN: np.array(schema.WARRANT_VALUES, dtype=object)[categorical(LAYER, "warrant", k, WARRANT_WEIGHTS)],
        schema.EVIDENCE_REFS: [f"SYN-EV-{i + 1:05d}-photo" if e else None for i, e in zip(k, evidence)],
        schema.IS_SYNTHETIC: True, schema.SOURCE: SYNTHETIC_SOURCE, schema.SOURCE_URL: None, schema.FETCHED_AT: None,
        schema.RELEVANCE: relevance, schema.CONDUCT: conduct, schema.NEIGHBORHOOD_COUNCIL: council_of_anchor(near),
    })
    geom = shapely.points(np.round(lon * 1e7) / 1e7, np.round(lat * 1e7) / 1e7)
    gdf = gpd.GeoDataFrame(frame, geometry=geom, crs=DISPLAY_CRS)
    gdf = gdf.sort_values([schema.OCCURRED_AT, schema.REPORTED_AT], kind="stable").reset_index(drop=True)
    year = gdf[schema.OCCURRED_AT].dt.year
    seq = gdf.groupby(year).cumcount() + 1
    ids = [f"SYN-{yy}-{s:06d}" for yy, s in zip(year, seq)]
    gdf.insert(0, schema.INCIDENT_ID, ids)
    return gdf[[*schema.column_names(schema.INCIDENTS), "geometry"]]


def _relevance(k: np.ndarray, source: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each incident's relevance class and observed conduct (';'-joined, suspected unlawful conduct only).

    LAPD crime-data rows are general crime (context); about a third of the other reports are
    suspected unlawful conduct, each with one or more kinds of conduct observed.
    """
    suspected = (u01(LAYER, "suspected", k) < SUSPECTED_SHARE) & (source != "lapd_import")
    relevance = np.where(source == "lapd_import", schema.GENERAL_CRIME,
                         np.where(suspected, schema.SUSPECTED_UNLAWFUL_CONDUCT, schema.ENFORCEMENT)).astype(object)
    seen = np.column_stack([u01(LAYER, f"conduct_{c}", k) < p for c, p in CONDUCT_CHANCE.items()])
    seen[~seen.any(axis=1), -1] = True  # nothing drawn: 'other'
    names = np.array(list(CONDUCT_CHANCE), dtype=object)
    conduct = np.array([";".join(names[row]) if s else None for row, s in zip(seen, suspected)], dtype=object)
    return relevance, conduct


def _descriptions(types: np.ndarray, relevance: np.ndarray, conduct: np.ndarray) -> list[str]:
    labels = dict(schema.CONDUCT_LABELS)
    out = []
    for t, r, c in zip(types, relevance, conduct):
        if r == schema.GENERAL_CRIME:
            out.append("SYNTHETIC: general crime report (context, not an enforcement incident)")
        elif r == schema.SUSPECTED_UNLAWFUL_CONDUCT:
            seen = ", ".join(labels[x].lower() for x in str(c).split(";"))
            out.append(f"{_DESCRIPTIONS[t]}; observed: {seen}")
        else:
            out.append(_DESCRIPTIONS[t])
    return out


def _premises(k: np.ndarray, kinds: np.ndarray, spot: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    out = np.empty(len(k), dtype=object)
    for kind in ("retail", "scatter"):
        m = kinds == kind
        names, w = zip(*_PREMISES[kind])
        out[m] = np.array(names, dtype=object)[categorical(LAYER, f"premise_{kind}", k[m], w)]
    city = kinds == "city"
    inside = u01(LAYER, "city_outside", k) >= 0.5  # mirrors _at_spots' draw
    out[city] = np.where(inside[city] & (spot[city] < 4), "108 PARKING LOT", "101 STREET")
    return out


def _anchor_distance(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from geo.synthetic.anchors import anchor_tree

    dist, idx = anchor_tree().query(np.column_stack([x, y]))
    return np.asarray(dist), np.asarray(idx)


def _bounds_ft(geoms: np.ndarray) -> np.ndarray:
    return np.asarray(shapely.bounds(gpd.GeoSeries(geoms, crs=DISPLAY_CRS).to_crs(ANALYSIS_CRS).values))
