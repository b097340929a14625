"""Which point a map event newly gives: a click on the bare map, or a pin dropped (or clicked) somewhere.

st_folium returns its latest values on every rerun, so a page must tell a new click from the one it
already used. :func:`event_marks` reduces an event to what identifies its clicks; :func:`new_point`
returns the point of whichever click changed since the ``seen`` marks (the object click wins when both
changed: a click on an outline reports both at the same place).
"""
from __future__ import annotations

from collections.abc import Mapping

Marks = tuple[tuple[float, float] | None, tuple[float, float] | None, int]


def _lonlat(value: object) -> tuple[float, float] | None:
    if not isinstance(value, Mapping):
        return None
    lat, lng = value.get("lat"), value.get("lng")
    if isinstance(lat, bool) or isinstance(lng, bool) or not isinstance(lat, int | float) \
            or not isinstance(lng, int | float) or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    return float(lng), float(lat)


def event_marks(event: Mapping[str, object] | None) -> Marks:
    """Return (map click, object click, object click count) of an st_folium event; (None, None, 0) if none."""
    if not event:
        return None, None, 0
    count = event.get("last_object_clicked_count")
    return (_lonlat(event.get("last_clicked")), _lonlat(event.get("last_object_clicked")),
            int(count) if isinstance(count, int) and not isinstance(count, bool) else 0)


def new_point(event: Mapping[str, object] | None, seen: Marks | None) -> tuple[tuple[float, float] | None, Marks]:
    """Return ((lon, lat) of the click that is new since ``seen``, or ``None``; the event's marks to keep).

    A drag of a pin comes back as a new object click (a new count, or a new place); a click on the
    bare map as a new map click. Out-of-range or malformed values are ignored, never guessed at.
    """
    marks = event_marks(event)
    before = seen or (None, None, 0)
    if marks[1] is not None and (marks[1] != before[1] or marks[2] != before[2]):
        return marks[1], marks
    if marks[0] is not None and marks[0] != before[0]:
        return marks[0], marks
    return None, marks
