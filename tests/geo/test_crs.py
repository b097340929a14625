"""CRS edges: City Hall position, EPSG:2229 <-> EPSG:4326 round trip, bbox inference."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.crs import (
    feet_to_lonlat,
    infer_crs_from_bounds,
    lonlat_to_feet,
    require_crs,
    to_analysis,
    to_display,
)
from geo.errors import CRSError

US_FOOT_M = 1200 / 3937


def test_city_hall_lands_on_its_published_state_plane_coordinates():
    x, y = lonlat_to_feet([-118.2427], [34.0537])
    assert x[0] == pytest.approx(6_488_151, abs=1)
    assert y[0] == pytest.approx(1_842_013, abs=1)


@settings(max_examples=1000, deadline=None)
@given(lon=st.floats(-118.95, -117.64), lat=st.floats(32.8, 34.83))
def test_round_trip_within_one_centimetre(lon, lat):
    x, y = lonlat_to_feet([lon], [lat])
    lon2, lat2 = feet_to_lonlat(x, y)
    x2, y2 = lonlat_to_feet(lon2, lat2)
    assert np.hypot(x2 - x, y2 - y)[0] * US_FOOT_M < 0.01
    # and in degrees: 1 cm is about 9e-8 degrees of latitude
    assert abs(lat2[0] - lat) < 1e-7 and abs(lon2[0] - lon) < 1e-7


def test_frame_round_trip_and_display_precision():
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(-118.2427, 34.0537)], crs="EPSG:4326")
    back = to_display(to_analysis(gdf))
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].distance(gdf.geometry.iloc[0]) < 1e-7


@pytest.mark.parametrize("crs", [None, "EPSG:3857", "EPSG:4326"], ids=["naive", "mercator", "geographic"])
def test_require_crs_names_both_and_the_fix(crs):
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs=crs)
    with pytest.raises(CRSError, match=r"expected CRS EPSG:2229, got .*call \.to_crs\(\)"):
        require_crs(gdf, "EPSG:2229", op="count_incidents")


def test_naive_frames_cannot_be_projected():
    with pytest.raises(CRSError, match="no CRS"):
        to_analysis(gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)]))


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        ((-118.3, 34.0, -118.2, 34.1), "EPSG:4326"),
        ((6_480_000, 1_830_000, 6_490_000, 1_850_000), "EPSG:2229"),
        ((-13_170_000, 4_030_000, -13_160_000, 4_040_000), "EPSG:3857"),
        ((34.0, -118.3, 34.1, -118.2), None),  # swapped axes
        ((2.3, 48.8, 2.4, 48.9), None),  # Paris
    ],
    ids=["lonlat", "feet", "web-mercator", "swapped", "elsewhere"],
)
def test_infer_crs_from_bounds(bounds, expected):
    assert infer_crs_from_bounds(bounds) == expected
