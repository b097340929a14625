"""The session's chosen council district as a view: its outline's bounds and the rows inside it."""
from __future__ import annotations

from typing import TypeVar

import geopandas as gpd
import pandas as pd

from geo import schema

Bounds = tuple[float, float, float, float]
Frame = TypeVar("Frame", pd.DataFrame, gpd.GeoDataFrame)


def district_bounds(districts: gpd.GeoDataFrame, district: int | None) -> Bounds | None:
    """Return (minx, miny, maxx, maxy) of ``district``'s outline in EPSG:4326, ``None`` when all or unknown."""
    if district is None or not len(districts):
        return None
    hit = districts[pd.to_numeric(districts[schema.DISTRICT], errors="coerce") == int(district)]
    if not len(hit):
        return None
    minx, miny, maxx, maxy = (float(v) for v in hit.to_crs(4326).total_bounds)
    return minx, miny, maxx, maxy


def in_district(frame: Frame, district: int | None, *, column: str = schema.COUNCIL_DISTRICT) -> Frame:
    """Return the rows of ``frame`` in ``district`` (every row when ``district`` is ``None``)."""
    if district is None or column not in frame.columns:
        return frame
    keep = pd.to_numeric(frame[column], errors="coerce") == int(district)
    return frame[keep.fillna(False).to_numpy(bool)]
