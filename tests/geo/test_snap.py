"""Incident snapping on the hand-made town, plus properties (one parcel at most, translation)."""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import schema
from geo.analysis.snap import (
    SnapRules,
    district_of_points,
    owner_class_of_parcels,
    recipient_for,
    snap_incidents,
)
from geo.errors import CRSError, SchemaError
from tests.geo import town

EXPECTED = {
    # id: (kind, distance, site_id, ain, owner_class, dept)
    "I1": ("on_site", 0.0, "S1", None, "city_site", "Transportation (LADOT)"),
    "I2": ("on_site", 0.0, None, "9900000001", "private", None),
    "I3": ("adjacent", 40.0, None, "9900000001", "private", None),
    "I4": ("adjacent", math.hypot(50, 20), "S1", None, "city_site", "Transportation (LADOT)"),
    "I5": ("adjacent", 50.0, None, "9900000003", "other_public", None),
    "I6": ("none", float("nan"), None, None, None, None),
    "I7": ("on_site", 0.0, None, "9900000001", "private", None),
    "I8": ("on_site", 0.0, None, "9900000001", "private", None),
}


def _snap(**kw):
    return snap_incidents(town.incidents(**kw), sites=town.sites(**kw), parcels=town.parcels(**kw))


def test_town_snapping_matches_hand_values():
    inc = town.incidents()
    out = _snap()
    assert out.index.equals(inc.index)
    for iid, (kind, dist, site, ain, owner, dept) in EXPECTED.items():
        row = out[inc[schema.INCIDENT_ID] == iid].iloc[0]
        assert row["snap_kind"] == kind, iid
        if math.isnan(dist):
            assert math.isnan(row["snap_distance_ft"])
        else:
            assert row["snap_distance_ft"] == pytest.approx(dist, abs=1e-6), iid
        got = tuple(None if pd.isna(v) else v for v in row[[schema.SITE_ID, schema.AIN, "owner_class", schema.OWNING_DEPT]])
        assert got == (site, ain, owner, dept), iid


def test_a3_recipient_is_the_departments_liaison():
    out = _snap().set_index(town.incidents()[schema.INCIDENT_ID])
    assert out.loc["I1", "recipient"] == "Transportation (LADOT) Immigrant Affairs Liaison"
    assert out.loc["I4", "recipient"] == "Transportation (LADOT) Immigrant Affairs Liaison"
    assert out["recipient"].drop(["I1", "I4"]).isna().all()
    unassigned = recipient_for(pd.Series([schema.UNASSIGNED, None]))
    assert unassigned.iloc[0].endswith("(owning department not yet assigned)") and pd.isna(unassigned.iloc[1])


def test_district_and_area_come_from_the_property_then_districts():
    out = _snap().set_index(town.incidents()[schema.INCIDENT_ID])
    assert out.loc["I1", schema.COUNCIL_DISTRICT] == 1 and out.loc["I5", schema.COUNCIL_DISTRICT] == 2
    assert pd.isna(out.loc["I6", schema.COUNCIL_DISTRICT])
    districts = gpd.GeoDataFrame({schema.DISTRICT: [9]}, geometry=[town.box(4000, 4000, 6000, 6000)], crs=town.CRS)
    out = snap_incidents(town.incidents(), sites=town.sites(), parcels=town.parcels(), districts=districts)
    assert out[schema.COUNCIL_DISTRICT].iloc[5] == 9


def test_distance_threshold_is_configurable():
    out = snap_incidents(town.incidents(), sites=town.sites(), parcels=town.parcels(),
                         rules=SnapRules(max_adjacent_ft=45.0))
    kinds = dict(zip(town.incidents()[schema.INCIDENT_ID], out["snap_kind"]))
    assert kinds["I3"] == "adjacent" and kinds["I4"] == "none" and kinds["I5"] == "none"


def test_owner_class_of_parcels():
    got = owner_class_of_parcels(town.parcels(), town.sites())
    assert got["owner_class"].tolist() == ["private", "private", "other_public", "city_site"]
    assert got[schema.SITE_ID].tolist()[3] == "S1"


def test_errors():
    with pytest.raises(CRSError, match=r"snap_incidents\(incidents\)"):
        snap_incidents(town.incidents().to_crs(4326), sites=town.sites(), parcels=town.parcels())
    bad = town.incidents().set_geometry([town.box(0, 0, 1, 1)] * 8, crs=town.CRS)
    with pytest.raises(SchemaError, match="are not points"):
        snap_incidents(bad, sites=town.sites(), parcels=town.parcels())


def test_inputs_unchanged_and_empty():
    inc, sites, parcels = town.incidents(), town.sites(), town.parcels()
    before = inc.copy()
    snap_incidents(inc, sites=sites, parcels=parcels)
    pd.testing.assert_frame_equal(inc, before)
    out = snap_incidents(inc.iloc[:0], sites=sites, parcels=parcels)
    assert out.empty
    out = snap_incidents(inc, sites=sites.iloc[:0], parcels=parcels.iloc[:0])
    assert (out["snap_kind"] == "none").all()


def test_district_of_points():
    d = gpd.GeoDataFrame({schema.DISTRICT: [1, 2]}, geometry=[town.box(0, 0, 10, 10), town.box(10, 0, 20, 10)],
                         crs=town.CRS)
    got = district_of_points(np.array([town.point(5, 5), town.point(15, 5), town.point(50, 50)]), d)
    assert got.tolist() == [1, 2, None]


coord = st.integers(min_value=-400, max_value=1400)


@settings(max_examples=40, deadline=None)
@given(xs=st.lists(st.tuples(coord, coord), min_size=1, max_size=20),
       shift=st.tuples(st.integers(-5000, 5000), st.integers(-5000, 5000)))
def test_translation_leaves_snapping_unchanged(xs, shift):
    dx, dy = shift
    base = gpd.GeoDataFrame({schema.INCIDENT_ID: [f"P{i}" for i in range(len(xs))]},
                            geometry=[town.point(x, y) for x, y in xs], crs=town.CRS)
    moved = base.set_geometry([town.point(x, y, dx=dx, dy=dy) for x, y in xs], crs=town.CRS)
    a = snap_incidents(base, sites=town.sites(), parcels=town.parcels())
    b = snap_incidents(moved, sites=town.sites(dx=dx, dy=dy), parcels=town.parcels(dx=dx, dy=dy))
    cols = ["snap_kind", schema.SITE_ID, schema.AIN, "owner_class"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    np.testing.assert_allclose(a["snap_distance_ft"], b["snap_distance_ft"], atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(xs=st.lists(st.tuples(coord, coord), min_size=1, max_size=20))
def test_at_most_one_on_site_parcel(xs):
    pts = gpd.GeoDataFrame(geometry=[town.point(x, y) for x, y in xs], crs=town.CRS)
    out = snap_incidents(pts, sites=town.sites().iloc[:0], parcels=town.parcels())
    assert len(out) == len(pts)  # one row, so at most one parcel, per incident
    parcels = town.parcels().set_index(schema.AIN)
    on = (out["snap_kind"] == "on_site").to_numpy()
    chosen = parcels.geometry.loc[out.loc[on, schema.AIN]].to_numpy()
    assert shapely.intersects(chosen, pts.geometry.to_numpy()[on]).all()
    touching = shapely.STRtree(parcels.geometry.to_numpy()).query(pts.geometry.to_numpy(), predicate="intersects")[0]
    assert set(np.flatnonzero(on)) == set(touching)
