"""Exact incident counts near polygons (hand values, brute-force check, monotone in radius)."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import schema
from geo.analysis.proximity import (
    FT_PER_M,
    count_points_within,
    in_window,
    incident_counts,
    local_days,
    nearest_distance_ft,
    point_polygon_distance,
    polygon_anchors,
    polygon_edges,
)
from geo.errors import CRSError
from tests.geo import town

PA = town.box(0, 200, 100, 300)


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.get_coordinates(frame.geometry.values)


@pytest.mark.parametrize(("radius_ft", "expected"), [
    (0.0, 3),      # I2, I7 (on the edge), I8
    (39.9, 3),
    (40.0, 4),     # + I3 at exactly 40 ft
    (94.0, 4),
    (94.34, 5),    # + I4 at sqrt(50^2 + 80^2) = 94.34 ft
    (150.0, 6),    # + I1 at 150 ft
])
def test_counts_around_parcel_a(radius_ft, expected):
    geoms = np.array([PA])
    got = count_points_within(geoms, polygon_anchors(geoms), _xy(town.incidents()), radius_ft=radius_ft)
    assert got.tolist() == [expected]


def test_incident_counts_by_radius_and_window():
    sites = town.sites().iloc[[0]]  # S1
    got = incident_counts(sites, town.incidents(), radii_m=(30.0, 250.0), windows_days=(30, 90, None),
                          as_of=town.AS_OF)
    assert got.index.equals(sites.index)
    # 30 m = 98.4 ft of S1: I1 (in), I2 (150 ft) no, I4 (53.9), I5 (150) no, I7 (150) no.
    # Windows ending 2026-03-10: 30 d = after 02-08 (I1 I2 I3 I8); 90 d adds I4; all adds I5; I7 is later.
    assert got.loc[0].to_dict() == {
        "incidents_30m_30d": 1, "incidents_250m_30d": 4, "incidents_30m_90d": 2, "incidents_250m_90d": 5,
        "incidents_30m_all": 2, "incidents_250m_all": 6,
    }


def test_local_dates_use_la_calendar():
    ts = pd.Series(pd.to_datetime(["2026-03-11T03:00:00Z", "2026-03-11T09:00:00Z"], utc=True))
    assert local_days(ts).astype(str).tolist() == ["2026-03-10", "2026-03-11"]
    mask = in_window(local_days(ts), as_of=dt.date(2026, 3, 10), days=1)
    assert mask.tolist() == [True, False]


def test_point_polygon_distance_with_hole_and_multipart():
    ring = shapely.Polygon([(0, 0), (100, 0), (100, 100), (0, 100)], [[(25, 25), (75, 25), (75, 75), (25, 75)]])
    multi = shapely.MultiPolygon([shapely.box(0, 0, 10, 10), shapely.box(20, 0, 30, 10)])
    geoms = np.array([ring, multi])
    edges = polygon_edges(geoms)
    pts = np.array([[50, 50], [10, 10], [15, 5], [25, 5], [50, 150]], dtype=float)
    for g in range(2):
        got = point_polygon_distance(edges, np.full(len(pts), g), pts)
        want = shapely.distance(geoms[g], shapely.points(pts))
        np.testing.assert_allclose(got, want)


def test_nearest_distance():
    sites = town.sites()
    got = nearest_distance_ft(sites.geometry.values, _xy(town.ramps()))
    assert got[0] == pytest.approx(1000.0)
    assert got[1] == pytest.approx(np.hypot(150, 1000))
    assert np.isinf(nearest_distance_ft(sites.geometry.values, np.zeros((0, 2)))).all()


def test_crs_checked():
    with pytest.raises(CRSError, match="incident_counts"):
        incident_counts(town.sites().to_crs(4326), town.incidents(), radii_m=(1.0,), windows_days=(None,),
                        as_of=town.AS_OF)


coord = st.floats(min_value=-500, max_value=1500, allow_nan=False)


@settings(max_examples=30, deadline=None)
@given(pts=st.lists(st.tuples(coord, coord), min_size=0, max_size=60),
       radii=st.lists(st.floats(min_value=0, max_value=800), min_size=2, max_size=4))
def test_counts_exact_and_never_fall_as_radius_grows(pts, radii):
    geoms = np.asarray(town.sites().geometry.values)
    xy = np.array(pts, dtype=float).reshape(-1, 2) + np.array(town.ORIGIN)
    anchors = polygon_anchors(geoms)
    previous = np.zeros(len(geoms), dtype=int)
    for r in sorted(radii):
        got = count_points_within(geoms, anchors, xy, radius_ft=r)
        brute = shapely.dwithin(geoms[:, None], shapely.points(xy)[None, :], r).sum(axis=1) if len(xy) else 0
        np.testing.assert_array_equal(got, brute)
        assert (got >= previous).all()
        previous = got


def test_metres_to_us_feet():
    assert pytest.approx(820.2083, abs=1e-4) == 250 * FT_PER_M
    assert schema.OCCURRED_AT == "occurred_at"
