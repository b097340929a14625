"""The two CRSs and the edges where frames move between them."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.config import (
    ANALYSIS_CRS,
    COUNTY_LAT,
    COUNTY_LON,
    COUNTY_X_FT,
    COUNTY_Y_FT,
    DISPLAY_CRS,
)
from geo.errors import CRSError
from geo.messages import M

if TYPE_CHECKING:
    import geopandas as gpd

_TO_FEET = Transformer.from_crs(DISPLAY_CRS, ANALYSIS_CRS, always_xy=True)
_TO_DEGREES = Transformer.from_crs(ANALYSIS_CRS, DISPLAY_CRS, always_xy=True)
WEB_MERCATOR_X = (-1.325e7, -1.309e7)


def require_crs(gdf: gpd.GeoDataFrame, expected: str, *, op: str) -> None:
    """Raise :class:`CRSError` unless ``gdf`` is in ``expected``.

    Raises
    ------
    CRSError
        Naming the operation, both CRSs and the fix.
    """
    if gdf.crs is None or CRS.from_user_input(gdf.crs) != CRS.from_user_input(expected):
        raise CRSError(M("{op}: expected CRS {expected}, got {got}. Load the frame through geo.io, or call "
                         ".to_crs() before this step.", op=op, expected=expected,
                         got=gdf.crs.to_string() if gdf.crs else None))


def to_analysis(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` in EPSG:2229 (US feet) for measurement."""
    if gdf.crs is None:
        raise CRSError(M("{op}: the frame has no CRS. Set it with .set_crs() from the file's metadata.",
                         op="to_analysis"))
    return gdf.to_crs(ANALYSIS_CRS)


def to_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` in EPSG:4326 with coordinates snapped to 1e-7 degrees."""
    if gdf.crs is None:
        raise CRSError(M("{op}: the frame has no CRS. Set it with .set_crs() from the file's metadata.",
                         op="to_display"))
    out = gdf.to_crs(DISPLAY_CRS)
    return out.set_geometry(shapely.set_precision(out.geometry.values, 1e-7))


def lonlat_to_feet(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project longitude/latitude arrays (EPSG:4326) to EPSG:2229 x/y in US feet."""
    return _TO_FEET.transform(np.asarray(lon, float), np.asarray(lat, float))


def feet_to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project EPSG:2229 x/y (US feet) to longitude/latitude (EPSG:4326)."""
    return _TO_DEGREES.transform(np.asarray(x, float), np.asarray(y, float))


def infer_crs_from_bounds(bounds: tuple[float, float, float, float]) -> str | None:
    """Guess EPSG:4326, EPSG:2229 or EPSG:3857 from a bounding box inside LA County.

    Returns ``None`` when the box fits none of them; callers must then ask the user.
    """
    minx, miny, maxx, maxy = bounds
    if COUNTY_LON[0] <= minx and maxx <= COUNTY_LON[1] and COUNTY_LAT[0] <= miny and maxy <= COUNTY_LAT[1]:
        return DISPLAY_CRS
    if COUNTY_X_FT[0] <= minx and maxx <= COUNTY_X_FT[1] and COUNTY_Y_FT[0] <= miny and maxy <= COUNTY_Y_FT[1]:
        return ANALYSIS_CRS
    if WEB_MERCATOR_X[0] <= minx and maxx <= WEB_MERCATOR_X[1]:
        return "EPSG:3857"
    return None
