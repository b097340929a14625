"""Level of detail: event parsing, snapping, and the aggregate / view / all decision."""
from __future__ import annotations

import pytest
import shapely

from geo import schema
from geo.analysis.lod import (
    AGGREGATE,
    ALL,
    VIEW,
    MapView,
    choose_detail,
    rows_in_view,
    snap_bounds,
    view_from_event,
)
from tests.conftest import canonical_frame

EVENT = {"zoom": 16, "bounds": {"_southWest": {"lat": 34.0501, "lng": -118.2501},
                                "_northEast": {"lat": 34.0549, "lng": -118.2449}}}


def test_view_from_event_snaps_bounds_outward():
    view = view_from_event(EVENT)
    assert view == MapView(16, (-118.2525, 34.05, -118.2425, 34.055))
    lat, lon = view.center
    assert lat == pytest.approx(34.0525) and lon == pytest.approx(-118.2475)


@pytest.mark.parametrize(
    "event",
    [None, {}, {"zoom": 16}, {"zoom": None, "bounds": EVENT["bounds"]},
     {"zoom": 16, "bounds": {"_southWest": {"lat": 34.1, "lng": -118.2}, "_northEast": {"lat": 34.0, "lng": -118.3}}},
     {"zoom": 16, "bounds": {"_southWest": {"lat": "nan", "lng": -118.2}, "_northEast": {"lat": 34.0, "lng": -118.1}}}],
    ids=["none", "empty", "no-bounds", "no-zoom", "inverted", "nan"],
)
def test_malformed_events_give_no_view(event):
    assert view_from_event(event) is None


def test_small_pans_share_one_snapped_key():
    a = snap_bounds((-118.2501, 34.0501, -118.2449, 34.0549))
    b = snap_bounds((-118.2502, 34.0502, -118.2448, 34.0548))
    assert a == b


def test_choose_detail():
    street = MapView(15, (0, 0, 1, 1))
    assert choose_detail(10, view=None, n_in_view=None, cap=100) == ALL
    assert choose_detail(1000, view=None, n_in_view=None, cap=100) == AGGREGATE
    assert choose_detail(1000, view=MapView(14, (0, 0, 1, 1)), n_in_view=10, cap=100) == AGGREGATE
    assert choose_detail(1000, view=street, n_in_view=100, cap=100) == VIEW
    assert choose_detail(1000, view=street, n_in_view=101, cap=100) == AGGREGATE  # never truncated silently


def test_rows_in_view_uses_the_index():
    frame = canonical_frame(schema.PARCELS, [shapely.box(-118.25 + i * 0.01, 34.05, -118.249 + i * 0.01, 34.051)
                                        for i in range(5)], ain=[str(i) for i in range(5)])
    view = MapView(16, (-118.2525, 34.0475, -118.2275, 34.0525))
    assert rows_in_view(frame, view).tolist() == [0, 1, 2]
