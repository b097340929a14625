"""The base map: canvas rendering, configurable tiles, bounds fitted to the data, self-hosted assets."""
from __future__ import annotations

import os

import folium

from layers.assets import apply_asset_mode

LA_CENTER = (34.05, -118.35)
DEFAULT_TILES = "OpenStreetMap"
MAX_ZOOM = 19
TILES_ENV = "STAGEMAP_TILES"  # a tile URL template ({z}/{x}/{y}), a named provider, or "none"
TILES_ATTR_ENV = "STAGEMAP_TILES_ATTR"  # attribution for a URL template
DEFAULT_TILES_ATTR = "City of Los Angeles"
LEAFLET_LINKS = ("leaflet", "leaflet_css")


def configured_tiles() -> tuple[str | None, str | None]:
    """Return (tiles, attribution) from ``STAGEMAP_TILES``: OpenStreetMap when unset, ``None`` for "none"."""
    raw = (os.environ.get(TILES_ENV) or "").strip()
    if not raw:
        return DEFAULT_TILES, None
    if raw.lower() in ("none", "off", "no"):
        return None, None
    if "{z}" in raw:
        return raw, os.environ.get(TILES_ATTR_ENV) or DEFAULT_TILES_ATTR
    return raw, None


def base_map(
    *,
    bounds: tuple[float, float, float, float] | None = None,
    tiles: str | None = DEFAULT_TILES,
    zoom_start: int = 10,
) -> folium.Map:
    """Return a canvas-rendered map; ``bounds`` is (minx, miny, maxx, maxy) in EPSG:4326.

    ``tiles=None`` draws no basemap: the layers still show (for networks that block tiles).
    The default tiles follow ``STAGEMAP_TILES``; the map's scripts and styles follow
    ``STAGEMAP_ASSETS`` (self-hosted unless "cdn", see layers/assets.py).
    """
    attr = None
    if tiles == DEFAULT_TILES:
        tiles, attr = configured_tiles()
    apply_asset_mode()
    fmap = folium.Map(location=LA_CENTER, zoom_start=zoom_start, tiles=tiles, attr=attr, prefer_canvas=True,
                      max_zoom=MAX_ZOOM, control_scale=True)
    fmap.options["max_zoom"] = MAX_ZOOM  # on the map itself: with no tile layer MarkerCluster throws otherwise
    # Only Leaflet itself: no map of ours draws icon markers, so folium's Bootstrap, jQuery and
    # Font Awesome would cost ~0.5 s of first paint for nothing.
    fmap.default_js = [link for link in folium.Map.default_js if link[0] in LEAFLET_LINKS]
    fmap.default_css = [link for link in folium.Map.default_css if link[0] in LEAFLET_LINKS]
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap
