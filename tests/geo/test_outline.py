"""The committed LA County outline: provenance hash, shape, area, and that LA lies inside it."""
from __future__ import annotations

import hashlib

import numpy as np
import shapely

from geo.config import COUNTY_OUTLINE_PATH
from geo.crs import lonlat_to_feet
from geo.io.outline import ATTRIBUTION, county_polygon_deg, county_polygon_ft, load_county_outline
from geo.synthetic.anchors import ANCHORS, CITY_HALL_LATLON

#: SHA-256 of data/la_county_outline.geojson as written by data/make_county_outline.py.
OUTLINE_SHA256 = "121d8fb8a66249123b2a0192be1719d2826a7e1b3c9409acc14596eacc489a53"
SQ_FT_PER_SQ_MI = 27_878_400


def test_outline_file_hash_is_pinned():
    assert hashlib.sha256(COUNTY_OUTLINE_PATH.read_bytes()).hexdigest() == OUTLINE_SHA256


def test_outline_fields_crs_and_parts():
    gdf = load_county_outline()
    assert list(gdf.columns) == ["GEOID", "NAME", "source", "geometry"]
    assert gdf.crs.to_epsg() == 4326
    row = gdf.iloc[0]
    assert (row["GEOID"], row["NAME"], row["source"]) == ("06037", "Los Angeles", ATTRIBUTION)
    assert row.geometry.geom_type == "MultiPolygon"
    assert len(row.geometry.geoms) == 3
    assert shapely.get_num_coordinates(row.geometry) == 823


def test_outline_area_in_feet_is_about_4101_sq_mi():
    area_sq_mi = county_polygon_ft().area / SQ_FT_PER_SQ_MI
    assert abs(area_sq_mi - 4_101) / 4_101 < 0.02


def test_county_polygon_ft_is_cached():
    assert county_polygon_ft() is county_polygon_ft()


def test_city_hall_and_every_anchor_inside_outline():
    lat = np.array([CITY_HALL_LATLON[0], *(a[2] for a in ANCHORS)])
    lon = np.array([CITY_HALL_LATLON[1], *(a[3] for a in ANCHORS)])
    assert shapely.contains_xy(county_polygon_deg(), lon, lat).all()
    x, y = lonlat_to_feet(lon, lat)
    assert shapely.contains_xy(county_polygon_ft(), x, y).all()


def test_point_in_the_ocean_is_outside():
    assert not shapely.contains_xy(county_polygon_deg(), -118.60, 33.90)  # Santa Monica Bay
