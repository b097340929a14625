"""A map event's new point: a bare-map click, or a pin dropped elsewhere, each used once."""
from __future__ import annotations

from geo.analysis.pin import event_marks, new_point


def test_a_new_bare_map_click_gives_its_point_once():
    event = {"last_clicked": {"lat": 34.05, "lng": -118.25}, "last_object_clicked": None}
    point, seen = new_point(event, None)
    assert point == (-118.25, 34.05)
    assert new_point(event, seen) == (None, seen)  # the same event on a rerun is not a new click


def test_a_dropped_pin_wins_and_a_second_drop_at_the_same_place_still_counts():
    first = {"last_clicked": {"lat": 34.0, "lng": -118.0},
             "last_object_clicked": {"lat": 34.1, "lng": -118.1}, "last_object_clicked_count": 1}
    point, seen = new_point(first, event_marks({"last_clicked": {"lat": 34.0, "lng": -118.0}}))
    assert point == (-118.1, 34.1)
    again = dict(first, last_object_clicked_count=2)  # dragged away and back: a new count
    assert new_point(again, seen)[0] == (-118.1, 34.1)
    later = dict(again, last_clicked={"lat": 34.2, "lng": -118.2})  # then a click on the bare map
    assert new_point(later, new_point(again, seen)[1])[0] == (-118.2, 34.2)


def test_malformed_or_out_of_range_events_give_nothing():
    for event in (None, {}, {"last_clicked": {"lat": 95, "lng": 0}}, {"last_clicked": {"lat": "34", "lng": 1}},
                  {"last_clicked": {"lat": True, "lng": 1.0}}, {"last_object_clicked": [34, -118]}):
        assert new_point(event, None)[0] is None
