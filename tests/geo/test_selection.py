"""Map-click translation: every shape of the st_folium event dict."""
from __future__ import annotations

import pytest
import shapely

from geo import schema
from geo.analysis.selection import clicked_lonlat, feature_at
from geo.errors import CRSError
from tests.conftest import canonical_frame

BIG = shapely.box(-118.26, 34.04, -118.24, 34.06)
SMALL = shapely.box(-118.251, 34.049, -118.249, 34.051)  # inside BIG


@pytest.fixture
def sites():
    return canonical_frame(schema.SITES, [BIG, SMALL], site_id=["BIG", "SMALL"])


@pytest.mark.parametrize(
    "event",
    [None, {}, {"last_object_clicked": None, "last_clicked": None}, {"last_clicked": {"lat": "x", "lng": 1}},
     {"last_clicked": {"lat": 95.0, "lng": -118.0}}, {"bounds": {}}],
    ids=["none", "empty", "nothing-clicked", "non-numeric", "out-of-range", "other-keys"],
)
def test_no_usable_click_gives_none(event, sites):
    assert clicked_lonlat(event) is None
    assert feature_at(event, sites, id_column=schema.SITE_ID) is None


def test_object_click_wins_over_map_click():
    event = {"last_object_clicked": {"lat": 34.05, "lng": -118.25}, "last_clicked": {"lat": 1.0, "lng": 2.0}}
    assert clicked_lonlat(event) == (-118.25, 34.05)


def test_click_inside_overlapping_polygons_picks_the_smallest(sites):
    assert feature_at({"last_clicked": {"lat": 34.05, "lng": -118.25}}, sites, id_column=schema.SITE_ID) == "SMALL"
    assert feature_at({"last_clicked": {"lat": 34.045, "lng": -118.255}}, sites, id_column=schema.SITE_ID) == "BIG"


def test_click_outside_every_site_is_none(sites):
    assert feature_at({"last_clicked": {"lat": 34.2, "lng": -118.5}}, sites, id_column=schema.SITE_ID) is None


def test_click_on_an_incident_marker_resolves_within_tolerance():
    pts = canonical_frame(schema.INCIDENTS, [shapely.Point(-118.25, 34.05), shapely.Point(-118.2, 34.1)],
                          incident_id=["A", "B"])
    near = {"last_object_clicked": {"lat": 34.05005, "lng": -118.25}}  # about 18 ft north of A
    assert feature_at(near, pts, id_column=schema.INCIDENT_ID, tolerance_ft=60) == "A"
    assert feature_at(near, pts, id_column=schema.INCIDENT_ID, tolerance_ft=10) is None


def test_projected_frames_are_refused():
    frame = canonical_frame(schema.SITES, [BIG], site_id=["BIG"]).to_crs(2229)
    with pytest.raises(CRSError, match="feature_at"):
        feature_at({"last_clicked": {"lat": 34.05, "lng": -118.25}}, frame, id_column=schema.SITE_ID)
