"""Geometry, envelope, AIN, date and duplicate checks; hypothesis properties for repair."""
from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import InvalidGeometryError
from geo.io import validate

SQUARE = shapely.box(0, 0, 10, 10)
BOWTIE = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
HOLE_OUTSIDE = shapely.Polygon(shapely.box(0, 0, 10, 10).exterior, [shapely.box(20, 20, 30, 30).exterior])
SLIVER = shapely.Polygon([(0, 0), (5, 0), (10, 0), (0, 0)])
with np.errstate(invalid="ignore"):
    NAN_VERTEX = shapely.Polygon([(0, 0), (np.nan, 5), (10, 10), (0, 0)])
ZOO = {
    "none": (None, "rejected", "null"),
    "empty": (shapely.Polygon(), "rejected", "empty"),
    "square": (SQUARE, "ok", None),
    "multipolygon": (shapely.MultiPolygon([SQUARE, shapely.box(20, 0, 30, 10)]), "ok", None),
    "with-hole": (shapely.Polygon(SQUARE.exterior, [shapely.box(2, 2, 4, 4).exterior]), "ok", None),
    "bowtie": (BOWTIE, "repaired", "Self-intersection"),
    "hole-outside-shell": (HOLE_OUTSIDE, "repaired", "Hole lies outside shell"),
    "zero-area-sliver": (SLIVER, "rejected", "cannot be repaired"),
    "nan-vertex": (NAN_VERTEX, "rejected", "not a finite number"),
}


@pytest.mark.parametrize("name", list(ZOO), ids=list(ZOO))
def test_geometry_zoo(name):
    geom, outcome, text = ZOO[name]
    check = validate.check_geometry(np.array([geom, SQUARE], dtype=object), family=validate.POLYGON)
    assert check.rejected.iat[1] is None and check.geometry[1] is SQUARE
    if outcome == "ok":
        assert check.rejected.iat[0] is None and check.repaired.iat[0] is None and check.geometry[0] is geom
    elif outcome == "repaired":
        assert text in check.repaired.iat[0] and check.rejected.iat[0] is None
        assert check.geometry[0].is_valid and check.geometry[0].geom_type in ("Polygon", "MultiPolygon")
    else:
        assert text in check.rejected.iat[0]


def test_bowtie_repair_keeps_area_and_reason_location():
    check = validate.check_geometry(np.array([BOWTIE], dtype=object), family=validate.POLYGON)
    assert check.repaired.iat[0] == "Self-intersection[5 5]"
    assert check.geometry[0].area == pytest.approx(50.0)


def test_mixed_and_wrong_types_raise():
    with pytest.raises(InvalidGeometryError, match=r"mixed geometry types \(1 Point, 1 Polygon"):
        validate.check_geometry(np.array([SQUARE, shapely.Point(1, 1)], dtype=object), family=validate.POLYGON, label="f")
    with pytest.raises(InvalidGeometryError, match=r"holds 1 Polygon geometry, but this import kind needs Point"):
        validate.check_geometry(np.array([SQUARE], dtype=object), family=validate.POINT, label="f")


def test_policies():
    with pytest.raises(InvalidGeometryError, match=r"1 of 2 geometries are invalid \(feature 1: Self-intersection"):
        validate.check_geometry(np.array([BOWTIE, SQUARE], dtype=object), family=validate.POLYGON, invalid="raise", label="f")
    dropped = validate.check_geometry(np.array([BOWTIE], dtype=object), family=validate.POLYGON, invalid="drop")
    assert "dropped by policy" in dropped.rejected.iat[0]
    with pytest.raises(ValueError, match="invalid must be one of"):
        validate.check_geometry(np.array([SQUARE], dtype=object), family=validate.POLYGON, invalid="ignore")


def test_envelope():
    pts = np.array([shapely.Point(-118.24, 34.05), shapely.Point(-122.4, 37.7), shapely.Point(34.05, -118.24), None],
                   dtype=object)
    reasons = validate.check_envelope(pts)
    assert reasons.iat[0] is None and reasons.iat[3] is None
    assert "outside LA County (lon -122.40000" in reasons.iat[1]
    assert "look swapped" in reasons.iat[2]


def test_real_ains():
    r = validate.check_real_ains(pd.Series(["5173012900", "9912345678", None, "12345678901"]), synthetic=False)
    assert r.iat[0] is None and "map book 99xx" in r.iat[1] and "no AIN" in r.iat[2] and "11 digits" in r.iat[3]
    assert validate.check_real_ains(pd.Series(["9912345678"]), synthetic=True).iat[0] is None


def test_dates():
    raw = pd.Series(["03/01/2025 12:00:00 AM", "2025-07-14T09:30", "soon", "2099-01-01", None])
    parsed = validate.parse_dates(raw, formats=("%m/%d/%Y %I:%M:%S %p",))
    assert parsed.iat[0] == pd.Timestamp("2025-03-01") and parsed.iat[1] == pd.Timestamp("2025-07-14 09:30")
    utc = parsed.dt.tz_localize("UTC")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    reasons = validate.check_dates(raw, utc, column="DATE OCC", now=now, required=True)
    assert reasons.iat[0] is None and reasons.iat[1] is None
    assert "'soon' is not a readable date" in reasons.iat[2]
    assert "is in the future" in reasons.iat[3] and "is missing" in reasons.iat[4]


def test_merge_duplicates_dissolves_stacked_condos():
    frame = gpd.GeoDataFrame({"ain": ["a", "b", "b", "c", "b"], "v": [1, 2, 3, 4, 5]},
                             geometry=[SQUARE, SQUARE, shapely.box(10, 0, 20, 10), SQUARE, SQUARE], crs=2229)
    merged, table = validate.merge_duplicates(frame, "ain")
    assert merged["ain"].tolist() == ["a", "b", "c"] and merged["merged_count"].tolist() == [1, 3, 1]
    b = merged.set_index("ain").loc["b"]
    assert b["v"] == 2 and b.geometry.area == pytest.approx(200.0)
    assert table.set_index("ain").loc["b", "count"] == 3 and table.set_index("ain").loc["b", "positions"] == [1, 2, 4]
    assert frame["ain"].tolist() == ["a", "b", "b", "c", "b"]  # input unchanged


coords = st.tuples(st.integers(-20, 20), st.integers(-20, 20))


@settings(max_examples=300, deadline=None)
@given(st.lists(coords, min_size=3, max_size=8), st.lists(st.lists(coords, min_size=3, max_size=5), max_size=1))
def test_any_polygon_passes_is_repaired_or_rejected(shell, holes):
    geom = shapely.Polygon(shell, holes)
    check = validate.check_geometry(np.array([geom], dtype=object), family=validate.POLYGON)
    out, rejected, repaired = check.geometry[0], check.rejected.iat[0], check.repaired.iat[0]
    if rejected is not None:
        assert isinstance(rejected, str) and rejected
    elif repaired is not None:
        assert out.is_valid and not out.is_empty and out.geom_type in ("Polygon", "MultiPolygon")
        assert not geom.is_valid
    else:
        assert geom.is_valid and out is geom  # a valid input is never changed


@settings(max_examples=200, deadline=None)
@given(st.floats(-5, 5), st.floats(-5, 5), st.floats(0.1, 50), st.floats(0.1, 50))
def test_repair_never_changes_valid_rectangles(x, y, w, h):
    geom = shapely.box(x, y, x + w, y + h)
    check = validate.check_geometry(np.array([geom], dtype=object), family=validate.POLYGON)
    assert check.geometry[0] is geom and check.rejected.iat[0] is None and check.repaired.iat[0] is None
