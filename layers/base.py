"""The base map: canvas rendering, the configured basemap, bounds fitted to the data, self-hosted assets."""
from __future__ import annotations

import folium
from folium.map import FitBounds

from layers.assets import apply_asset_mode
from layers.basemap import Basemap, add_basemap, configured_basemap

LA_CENTER = (34.05, -118.35)
DEFAULT_TILES = "OpenStreetMap"
MAX_ZOOM = 19
LEAFLET_LINKS = ("leaflet", "leaflet_css")


def base_map(
    *,
    bounds: tuple[float, float, float, float] | None = None,
    tiles: str | None = DEFAULT_TILES,
    zoom_start: int = 10,
    synthetic: bool | None = None,
    lang: str = "en",
) -> folium.Map:
    """Return a canvas-rendered map; ``bounds`` is (minx, miny, maxx, maxy) in EPSG:4326.

    ``tiles`` left at its default draws the configured basemap for this store (see
    :mod:`layers.basemap`: none for real data unless a deployment sets one; public tiles only
    for the synthetic sample or when chosen). ``tiles=None`` draws no basemap; any other value
    is an XYZ URL template or a folium provider name (``stagemap map --tiles``). The map's
    scripts and styles follow ``STAGEMAP_ASSETS`` (self-hosted unless "cdn", see layers/assets.py).
    ``lang`` is the language of the basemap's notices.
    """
    apply_asset_mode()
    fmap = folium.Map(location=LA_CENTER, zoom_start=zoom_start, tiles=None, prefer_canvas=True,
                      max_zoom=MAX_ZOOM, control_scale=True)
    fmap.options["max_zoom"] = MAX_ZOOM  # on the map itself: with no tile layer MarkerCluster throws otherwise
    # Only Leaflet itself: no map of ours draws icon markers, so folium's Bootstrap, jQuery and
    # Font Awesome would cost ~0.5 s of first paint for nothing.
    fmap.default_js = [link for link in folium.Map.default_js if link[0] in LEAFLET_LINKS]
    fmap.default_css = [link for link in folium.Map.default_css if link[0] in LEAFLET_LINKS]
    if tiles == DEFAULT_TILES:
        add_basemap(fmap, configured_basemap(synthetic=synthetic), lang=lang)
    elif tiles is not None:
        add_basemap(fmap, Basemap("xyz", url=tiles, attribution="") if "{z}" in tiles else
                    Basemap("osm", attribution="&copy; OpenStreetMap contributors"), lang=lang)
    if bounds is not None:
        minx, miny, maxx, maxy = bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def fit_to(fmap: folium.Map, bounds: tuple[float, float, float, float] | None) -> folium.Map:
    """Zoom ``fmap`` to ``bounds`` (minx, miny, maxx, maxy in EPSG:4326) when given; return the map.

    The new view replaces any earlier one: Leaflet ignores a second fit while the first is still
    animating, so a map carries one fit only (the last asked for).
    """
    if bounds is not None:
        for name, child in list(fmap._children.items()):
            if isinstance(child, FitBounds):
                del fmap._children[name]
        minx, miny, maxx, maxy = bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap
