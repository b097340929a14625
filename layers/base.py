"""The base map: canvas rendering, configurable tiles, bounds fitted to the data."""
from __future__ import annotations

import folium

LA_CENTER = (34.05, -118.35)
DEFAULT_TILES = "OpenStreetMap"


def base_map(
    *,
    bounds: tuple[float, float, float, float] | None = None,
    tiles: str | None = DEFAULT_TILES,
    zoom_start: int = 10,
) -> folium.Map:
    """Return a canvas-rendered map; ``bounds`` is (minx, miny, maxx, maxy) in EPSG:4326.

    ``tiles=None`` draws no basemap: the layers still show (for networks that block tiles).
    """
    fmap = folium.Map(location=LA_CENTER, zoom_start=zoom_start, tiles=tiles, prefer_canvas=True,
                      max_zoom=19, control_scale=True)
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap
