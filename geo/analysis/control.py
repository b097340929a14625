"""The A.1 determination and control of each site, and site parts, as analysis frames (pure).

A site never saved is *pending*, with the control basis its import listed. Parts (a park's
parking lot, a facility's yard) carry their own determination, sign and gate; a site with parts
stands for the rest of its area. Together, sites and active parts are the *units* the directive
counts: only candidate units need a sign, and a barrier only where one applies (A.2).
"""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.analysis.classify import FACILITY, OTHER, PARK, PARKING_GARAGE, PARKING_LOT, YARD
from geo.config import DISPLAY_CRS

CONTROL_VERSION = "control_version"
CONTROL_ENDED = "control_ended"
UNIT_ID, UNIT_KIND = "unit_id", "unit_kind"
SITE_UNIT, PART_UNIT = "site", "part"
#: Part type -> analysis category (A.2 barriers: lots, garages and non-public areas such as yards).
PART_CATEGORY = {"parking_lot": PARKING_LOT, "garage": PARKING_GARAGE, "yard": YARD,
                 "non_public_area": FACILITY, "field": PARK, "other": OTHER}
CONTROL_FIELDS = (schema.DETERMINATION, schema.DETERMINATION_REASON, schema.DETERMINED_BY, schema.DETERMINED_AT,
                  schema.CONTROL_BASIS, schema.CONTROL_START, schema.CONTROL_END, schema.CONTROL_DOC,
                  schema.BARRIER_APPROPRIATE)


def site_control(sites: pd.DataFrame, control: pd.DataFrame | None, *, as_of: dt.date) -> pd.DataFrame:
    """Return each site's determination and control, defaults for sites never saved, aligned to ``sites.index``.

    Defaults: ``pending``, the listed basis (``unknown`` when none), the listed dates and
    document, barrier ``unknown``, version 0. ``control_ended`` marks control that ended before
    ``as_of`` (a lease or permit that ran out): such a site is no longer the City's to sign.
    """
    ids = sites[schema.SITE_ID].astype(str).to_numpy()
    saved = control.drop_duplicates(schema.SITE_ID, keep="last").set_index(schema.SITE_ID) \
        if control is not None and len(control) else pd.DataFrame(columns=[*CONTROL_FIELDS, schema.VERSION])
    saved = saved.reindex(ids)

    def listed(col: str) -> pd.Series:
        return sites[col].astype(object) if col in sites else pd.Series(None, index=sites.index, dtype=object)

    basis = listed(schema.LISTED_BASIS).where(listed(schema.LISTED_BASIS).isin(schema.CONTROL_BASES), "unknown")
    has = saved[schema.VERSION].notna().to_numpy()
    out = pd.DataFrame(index=sites.index)
    defaults = {schema.DETERMINATION: schema.PENDING, schema.CONTROL_BASIS: basis,
                schema.CONTROL_START: listed(schema.LISTED_START), schema.CONTROL_END: listed(schema.LISTED_END),
                schema.CONTROL_DOC: listed(schema.LISTED_DOC), schema.BARRIER_APPROPRIATE: "unknown"}
    for col in CONTROL_FIELDS:
        mine = pd.Series(saved[col].to_numpy(dtype=object), index=sites.index).map(_text)
        fallback = defaults.get(col)
        base = fallback if isinstance(fallback, pd.Series) else pd.Series(fallback, index=sites.index, dtype=object)
        out[col] = np.where(has, mine, base.map(_text) if col != schema.DETERMINATION else base)
    out[CONTROL_VERSION] = np.where(has, pd.to_numeric(saved[schema.VERSION], errors="coerce").fillna(0), 0).astype(int)
    end = pd.to_datetime(pd.Series(out[schema.CONTROL_END], dtype=object), errors="coerce")
    out[CONTROL_ENDED] = (end < pd.Timestamp(as_of)).fillna(False).to_numpy(bool)
    return out


def active_parts(parts: pd.DataFrame | None, sites: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the parts that are not retired and whose site exists, with their site's department and district.

    Geometry comes from ``geometry_wkt`` (EPSG:4326); ``category`` from the part type.
    """
    cols = [c.name for c in schema.PART_COLUMNS]
    if parts is None or not len(parts):
        return gpd.GeoDataFrame({c: [] for c in [*cols, "category", schema.OWNING_DEPT, schema.COUNCIL_DISTRICT,
                                                 schema.NAME, schema.IS_SYNTHETIC]},
                                geometry=gpd.GeoSeries([], crs=DISPLAY_CRS))
    keep = parts[~parts[schema.RETIRED].fillna(False).astype(bool) & parts[schema.SITE_ID].isin(sites[schema.SITE_ID])]
    info = sites.drop_duplicates(schema.SITE_ID).set_index(schema.SITE_ID)
    extra = {c: keep[schema.SITE_ID].map(info[c]).to_numpy(dtype=object) if c in info else None
             for c in (schema.OWNING_DEPT, schema.COUNCIL_DISTRICT, schema.IS_SYNTHETIC)}
    extra[schema.NAME] = (keep[schema.SITE_ID].map(info[schema.NAME]).fillna(keep[schema.SITE_ID]).astype(str) + " - "
                          + keep[schema.PART_NAME].fillna(keep[schema.PART_TYPE].str.replace("_", " ")).astype(str)
                          ).to_numpy(dtype=object) if schema.NAME in info else keep[schema.PART_ID].to_numpy()
    geoms = shapely.from_wkt(keep[schema.GEOMETRY_WKT].to_numpy(dtype=object))
    frame = keep.assign(category=keep[schema.PART_TYPE].map(PART_CATEGORY).fillna(OTHER), **extra)
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=gpd.GeoSeries(geoms, crs=DISPLAY_CRS))


def _text(value: object) -> object:
    """Return ``value`` with missing values as ``None`` and dates as ISO text."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return value.isoformat()[:10]
    return value
