"""A search result on a map: the map flies (fits) to the place and a ring marks it."""
from __future__ import annotations

from collections.abc import Mapping

import folium

from layers.base import fit_to
from layers.escape import safe_text

FOUND_COLOR = "#6a1b9a"  # purple: used for nothing else on any map
MIN_SPAN_DEG = 0.004  # about 400 m: a point or a small lot is shown at street level, not at zoom 19


def mark_found(fmap: folium.Map, place: Mapping[str, object] | None) -> folium.Map:
    """Fit ``fmap`` to a search result (:func:`geo.analysis.search.find` row) and ring its point."""
    if not place:
        return fmap
    lon, lat = float(str(place["lon"])), float(str(place["lat"]))
    minx, miny, maxx, maxy = (float(str(place[k])) for k in ("minx", "miny", "maxx", "maxy"))
    pad_x, pad_y = max(0.0, (MIN_SPAN_DEG - (maxx - minx)) / 2), max(0.0, (MIN_SPAN_DEG - (maxy - miny)) / 2)
    fit_to(fmap, (minx - pad_x, miny - pad_y, maxx + pad_x, maxy + pad_y))
    folium.CircleMarker(location=(lat, lon), radius=14, color=FOUND_COLOR, weight=4, fill=False,
                        tooltip=safe_text(place.get("label", "")), class_name="stagemap-found").add_to(fmap)
    return fmap
