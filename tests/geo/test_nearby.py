"""Sites near me: a typed or browser location, nearest sites first with their distance."""
from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from geo import schema
from geo.analysis.nearby import DISTANCE_FT, nearest, parse_lat_lon


def test_parse_lat_lon_accepts_what_phones_copy_and_refuses_the_rest():
    assert parse_lat_lon("34.05, -118.24") == (34.05, -118.24)
    assert parse_lat_lon("34.05 -118.24") == (34.05, -118.24)
    assert parse_lat_lon("-118.24, 34.05") is None  # swapped: not in Los Angeles
    assert parse_lat_lon("Main St") is None and parse_lat_lon("") is None


def test_nearest_sites_first_and_inside_is_zero():
    sites = gpd.GeoDataFrame({schema.SITE_ID: ["far", "in", "near"]},
                             geometry=[box(-118.40, 34.10, -118.39, 34.11), box(-118.2405, 34.0495, -118.2395, 34.0505),
                                       box(-118.236, 34.05, -118.235, 34.051)], crs=4326)
    out = nearest(sites, 34.05, -118.24, limit=2)
    assert out[schema.SITE_ID].tolist() == ["in", "near"]
    assert out[DISTANCE_FT].iloc[0] == 0 and 1_000 < out[DISTANCE_FT].iloc[1] < 1_300  # ~0.004 deg lon = ~1,200 ft
    assert nearest(sites.iloc[:0], 34.05, -118.24).empty
