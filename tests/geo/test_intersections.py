"""Intersection search: two street names typed any common way find where their centrelines cross."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import schema
from geo.analysis.intersections import INTERSECTION, find_intersections, split_query, street_words
from geo.analysis.search import COLUMNS

X0, Y0 = 6_480_000.0, 1_840_000.0  # near City Hall, EPSG:2229 feet


def streets() -> gpd.GeoDataFrame:
    """A grid in feet: N Main St and S Main St (one line each side of 1st St), 1st St, Grand Ave, a lone Oak Ln."""
    lines = {
        "N MAIN ST": shapely.LineString([(X0, Y0), (X0, Y0 + 2_000)]),
        "S MAIN ST": shapely.LineString([(X0, Y0 - 2_000), (X0, Y0)]),
        "1ST ST": shapely.LineString([(X0 - 3_000, Y0 + 500), (X0 + 3_000, Y0 + 500)]),
        "W 1ST ST": shapely.LineString([(X0 - 3_000, Y0 - 500), (X0 - 1_000, Y0 - 500)]),
        "GRAND AVE": shapely.LineString([(X0 + 1_500, Y0 - 2_000), (X0 + 1_500, Y0 + 2_000)]),
        "OAK LN": shapely.LineString([(X0 + 9_000, Y0), (X0 + 9_500, Y0)]),
    }
    # block segments, as centreline files come: Main St in two pieces meeting at 1st St
    names = [*lines, "N MAIN ST"]
    geoms = [*lines.values(), shapely.LineString([(X0, Y0 + 500), (X0, Y0 + 900)])]
    return gpd.GeoDataFrame({schema.STREET_ID: [f"S{i}" for i in range(len(names))], schema.STREET_NAME: names},
                            geometry=geoms, crs=2229)


def _feet(found) -> np.ndarray:
    pts = gpd.GeoSeries(gpd.points_from_xy(found["lon"], found["lat"]), crs=4326).to_crs(2229)
    return np.c_[pts.x, pts.y]


@pytest.mark.parametrize("query", ["Main St & 1st St", "main and 1st", "N Main Street @ First Street",
                                   "MAIN / 1ST", "north main st & 1st st", "Main at 1st"])
def test_typed_any_common_way_the_crossing_is_found(query):
    found = find_intersections(streets(), query)
    assert list(found.columns) == COLUMNS and (found["kind"] == INTERSECTION).all()
    assert len(found) == 1  # two Main St block segments meet at 1st St: one intersection, not two
    assert _feet(found)[0] == pytest.approx([X0, Y0 + 500], abs=0.5)
    assert found["label"].iloc[0] == "N MAIN ST & 1ST ST"
    assert (found["minx"] == found["maxx"]).all()  # a point: the map pads it to street level


def test_suffix_and_direction_narrow_when_typed():
    assert find_intersections(streets(), "Grand Avenue & 1st").shape[0] == 1
    assert find_intersections(streets(), "Grand St & 1st").empty  # Grand is an avenue, not a street
    assert find_intersections(streets(), "S Main & 1st").empty  # S Main St ends before 1st St
    both = find_intersections(streets(), "1st & Main")  # the order typed is kept in the label
    assert both["label"].tolist() == ["1ST ST & N MAIN ST"]


def test_no_crossing_or_no_pair_gives_nothing():
    assert find_intersections(streets(), "Oak Ln & Main St").empty
    assert find_intersections(streets(), "Nowhere Rd & Main").empty
    assert find_intersections(streets(), "200 N Main St").empty
    assert find_intersections(streets().iloc[:0], "Main & 1st").empty


def test_split_and_words():
    assert split_query("Main St & 1st St") == ("Main St", "1st St")
    assert split_query("Main and 1st") == ("Main", "1st")
    assert split_query("Main St") is None and split_query(" & 1st") is None
    assert street_words("North Main Street") == "N MAIN ST" == street_words("n. main st")
    assert street_words("First Avenue") == "1ST AVE"


def test_many_streets_are_crossed_in_one_bulk_query():
    # 400 east-west and 400 north-south streets (a lon/lat grid): 160,000 candidate pairs, one named crossing
    lons, lats = -118.5 + np.arange(400) * 0.001, 33.9 + np.arange(400) * 0.001
    ew = [shapely.LineString([(-118.501, lat), (-118.0, lat)]) for lat in lats]
    ns = [shapely.LineString([(lon, 33.899), (lon, 34.4)]) for lon in lons]
    names = [f"E {i} ST" for i in range(400)] + [f"N {i} AVE" for i in range(400)]
    grid = gpd.GeoDataFrame({schema.STREET_NAME: names}, geometry=ew + ns, crs=4326)
    found = find_intersections(grid, "E 17 St & N 250 Ave")
    assert len(found) == 1
    assert (found["lon"].iloc[0], found["lat"].iloc[0]) == pytest.approx((lons[250], lats[17]), abs=1e-9)
