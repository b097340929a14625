"""Translate map events (the dict st_folium returns) into domain values, server-side."""
from __future__ import annotations

import json
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import lonlat_to_feet, require_crs

CLICK_KEYS = ("last_object_clicked", "last_clicked")


def clicked_lonlat(event: Mapping[str, object] | None) -> tuple[float, float] | None:
    """Return (lon, lat) of the latest click in an st_folium event, or ``None``.

    Prefers a click on an object (marker or polygon) over a click on the bare map; ignores
    malformed or out-of-range values rather than guessing.
    """
    if not event:
        return None
    for key in CLICK_KEYS:
        value = event.get(key)
        if isinstance(value, Mapping):
            lat, lng = value.get("lat"), value.get("lng")
            if isinstance(lat, int | float) and isinstance(lng, int | float) and -90 <= lat <= 90 and -180 <= lng <= 180:
                return float(lng), float(lat)
    return None


def feature_at(
    event: Mapping[str, object] | None,
    frame: gpd.GeoDataFrame,
    *,
    id_column: str,
    tolerance_ft: float = 0.0,
) -> str | None:
    """Return the id of the feature of ``frame`` (EPSG:4326) under the click, or ``None``.

    Polygons: the one containing the click (the smallest when they overlap). Points: the
    nearest within ``tolerance_ft``. Distances are measured in EPSG:2229 feet.
    """
    require_crs(frame, "EPSG:4326", op="feature_at")
    where = clicked_lonlat(event)
    if where is None or frame.empty:
        return None
    point = shapely.Point(where)
    hits = frame.sindex.query(point, predicate="intersects")
    if len(hits):
        if len(hits) > 1:
            # relative size only: degree areas order overlapping parcels the same way feet would
            hits = hits[np.argsort(shapely.area(np.asarray(frame.geometry.values[hits])), kind="stable")]
        return str(frame[id_column].iloc[int(hits[0])])
    if tolerance_ft <= 0:
        return None
    deg = tolerance_ft / 250_000  # generous degree window around the click (1 degree > 290,000 ft here)
    near = frame.sindex.query(point.buffer(deg))
    if not len(near):
        return None
    x, y = lonlat_to_feet(np.array([where[0]]), np.array([where[1]]))
    cand = np.asarray(frame.geometry.values[near])
    cx, cy = lonlat_to_feet(shapely.get_x(shapely.centroid(cand)), shapely.get_y(shapely.centroid(cand)))
    dist = np.hypot(cx - x[0], cy - y[0])
    best = int(np.argmin(dist))
    return str(frame[id_column].iloc[int(near[best])]) if dist[best] <= tolerance_ft else None


def latest_drawing(event: Mapping[str, object] | None) -> str | None:
    """Return the latest shape drawn on the map as GeoJSON text (keys sorted), or ``None``.

    Takes st_folium's ``last_active_drawing``, else the last of ``all_drawings``; the text is
    stable, so the same drawing returned on a later rerun compares equal.
    """
    if not event:
        return None
    drawing = event.get("last_active_drawing")
    if not isinstance(drawing, Mapping):
        every = event.get("all_drawings")
        drawing = every[-1] if isinstance(every, list) and every else None
    if not isinstance(drawing, Mapping) or not (drawing.get("geometry") or drawing.get("coordinates")):
        return None
    return json.dumps(drawing, sort_keys=True)
