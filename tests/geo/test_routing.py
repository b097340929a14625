"""A.3 routing: points on or within 150 ft (EPSG:2229) of a City site, matched in one STRtree query."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo import schema
from geo.crs import feet_to_lonlat, lonlat_to_feet
from geo.errors import SchemaError
from geo.intake.routing import SiteIndex
from geo.services.admin import load_liaisons
from tests.actors import ADMIN


def _sites_ft(boxes: list[tuple[float, float, float, float]], depts: list[str]) -> gpd.GeoDataFrame:
    """Sites given as boxes in EPSG:2229 feet, stored in EPSG:4326 like the store's layer."""
    frame = gpd.GeoDataFrame({schema.SITE_ID: [f"S{i}" for i in range(len(boxes))], schema.OWNING_DEPT: depts},
                             geometry=[shapely.box(*b) for b in boxes], crs="EPSG:2229")
    return frame.to_crs("EPSG:4326")


X0, Y0 = 6_480_000.0, 1_840_000.0  # downtown LA in feet


def _pt(dx: float, dy: float = 50.0) -> tuple[float, float]:
    lon, lat = feet_to_lonlat(np.array([X0 + dx]), np.array([Y0 + dy]))
    return float(lon[0]), float(lat[0])


@pytest.fixture
def index() -> SiteIndex:
    # S0: 100 x 100 ft; S1 starts 400 ft east of S0's east edge.
    return SiteIndex(_sites_ft([(X0, Y0, X0 + 100, Y0 + 100), (X0 + 500, Y0, X0 + 600, Y0 + 100)],
                               ["Transportation (LADOT)", "General Services (GSD)"]))


def test_points_inside_near_and_beyond_150_ft(index):
    cases = [(50, "S0", 0.0), (240, "S0", 140.0), (260, None, None), (380, "S1", 120.0), (-149, "S0", 149.0)]
    lon, lat = zip(*[_pt(dx) for dx, _, _ in cases])
    got = index.match(lon, lat)
    for (dx, site, dist), m in zip(cases, got):
        if site is None:
            assert m is None, dx
        else:
            assert m.site_id == site and m.distance_ft == pytest.approx(dist, abs=0.5), dx
    assert got[0].relation == "on site" and got[1].relation == "adjacent"


def test_inside_wins_over_a_nearer_neighbour_and_nearest_wins_otherwise():
    idx = SiteIndex(_sites_ft([(X0, Y0, X0 + 100, Y0 + 100), (X0 + 150, Y0, X0 + 250, Y0 + 100)], ["A", "B"]))
    lon, lat = zip(_pt(99), _pt(140), _pt(110))
    a, b, c = idx.match(lon, lat)
    assert (a.site_id, a.distance_ft) == ("S0", 0.0)
    assert (b.site_id, b.distance_ft) == ("S1", 10.0)
    assert (c.site_id, c.distance_ft) == ("S0", 10.0)


def test_bulk_query_of_many_points_matches_a_brute_force_check(index):
    rng = np.random.default_rng(7)
    dx, dy = rng.uniform(-300, 900, 2000), rng.uniform(-300, 400, 2000)
    lon, lat = feet_to_lonlat(X0 + dx, Y0 + dy)
    got = index.match(lon, lat)
    x, y = lonlat_to_feet(lon, lat)
    d = np.stack([shapely.distance(shapely.points(x, y), g) for g in index.geoms])
    want = np.where(d.min(axis=0) <= 150, d.argmin(axis=0), -1)
    assert [(-1 if m is None else int(m.site_id[1:])) for m in got] == want.tolist()


def test_no_sites_matches_nothing():
    idx = SiteIndex(_sites_ft([], []))
    assert idx.match([-118.25], [34.05]) == [None]


def test_liaison_csv_load_and_validation(store, tmp_path):
    good = tmp_path / "l.csv"
    good.write_text("Department,Liaison_Name,Liaison_Email\nGeneral Services (GSD),Lee Park,lee@example.invalid\n")
    assert load_liaisons(store, ADMIN, good) == 1
    assert store.liaison_for("General Services (GSD)") == ("Lee Park", "lee@example.invalid")
    for text, message in [("dept,name\nx,y\n", "no department, liaison_name column"),
                          ("department,liaison_name,liaison_email\nGSD,,\n", "row 2: department and liaison_name"),
                          ("department,liaison_name,liaison_email\nGSD,Lee,lee-at-example\n", "not an email")]:
        bad = tmp_path / "bad.csv"
        bad.write_text(text)
        with pytest.raises(SchemaError, match=message):
            load_liaisons(store, ADMIN, bad)
    assert store.verify_audit()[1] is None
