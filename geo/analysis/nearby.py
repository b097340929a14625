"""Sites near a point (a liaison's phone location, or a place found by search), nearest first."""
from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.config import ANALYSIS_CRS
from geo.crs import lonlat_to_feet

DISTANCE_FT = "distance_ft"
_PAIR = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,; ]\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_lat_lon(text: str) -> tuple[float, float] | None:
    """Return (lat, lon) from ``"34.05, -118.24"`` (as phones and maps copy it); ``None`` if not a pair in LA range."""
    match = _PAIR.match(text or "")
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (32.0 <= lat <= 36.0 and -120.5 <= lon <= -116.0):  # Southern California, or the numbers are swapped
        return None
    return lat, lon


def nearest(sites: gpd.GeoDataFrame, lat: float, lon: float, *, limit: int = 5) -> pd.DataFrame:
    """Return up to ``limit`` of ``sites`` nearest the point, with ``distance_ft`` (0 inside a site), nearest first."""
    if not len(sites):
        return pd.DataFrame(sites.drop(columns="geometry")).assign(**{DISTANCE_FT: pd.Series(dtype=float)})
    x, y = lonlat_to_feet(np.array([lon]), np.array([lat]))
    here = shapely.Point(float(x[0]), float(y[0]))
    feet = shapely.distance(sites.geometry.to_crs(ANALYSIS_CRS).to_numpy(), here)
    out = pd.DataFrame(sites.drop(columns="geometry")).assign(**{DISTANCE_FT: np.round(feet, 0)})
    return out.sort_values(DISTANCE_FT, kind="stable").head(limit)
