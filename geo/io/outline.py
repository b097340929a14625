"""The real LA County outline committed under ``data/`` (Census 2016, via plotly-geo; DATA.md section 6)."""
from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.config import ANALYSIS_CRS, COUNTY_OUTLINE_PATH, DISPLAY_CRS
from geo.errors import GeoDataError
from geo.messages import M

COUNTY_GEOID = "06037"
ATTRIBUTION = (
    "County outline: U.S. Census Bureau, 2016 Cartographic Boundary File (1:500,000), "
    "public domain; via plotly-geo 1.0.0."
)


def load_county_outline() -> gpd.GeoDataFrame:
    """Return the County outline: one MultiPolygon row with ``GEOID``, ``NAME``, ``source``, EPSG:4326.

    Raises
    ------
    GeoDataError
        When the committed file is missing; rebuild it with ``data/make_county_outline.py``.
    """
    if not COUNTY_OUTLINE_PATH.exists():
        raise GeoDataError(M(
            "County outline {path} is missing. Restore it from git or rebuild it with "
            "`.venv/bin/python data/make_county_outline.py` (needs plotly-geo).", path=str(COUNTY_OUTLINE_PATH)))
    gdf = gpd.read_file(COUNTY_OUTLINE_PATH)
    if gdf.crs is None:
        gdf = gdf.set_crs(DISPLAY_CRS)
    return gdf.to_crs(DISPLAY_CRS)[["GEOID", "NAME", "source", "geometry"]]


@lru_cache(maxsize=1)
def county_polygon_ft() -> BaseGeometry:
    """Return the County outline as one prepared shapely geometry in EPSG:2229 (US feet), cached."""
    geom = load_county_outline().to_crs(ANALYSIS_CRS).geometry.union_all()
    shapely.prepare(geom)
    return geom


@lru_cache(maxsize=1)
def county_polygon_deg() -> BaseGeometry:
    """Return the County outline as one prepared shapely geometry in EPSG:4326, cached."""
    geom = load_county_outline().geometry.union_all()
    shapely.prepare(geom)
    return geom
