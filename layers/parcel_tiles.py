"""Every parcel from the PMTiles archive, drawn in Leaflet by StageMap's own lean canvas tile layer.

The archive is read with HTTP range requests by the pinned ``pmtiles`` package; each vector tile
is gunzipped, decoded straight into typed arrays (no object per vertex or per parcel) and drawn
a few parcels per canvas fill, one owner-class colour at a time, on the page or (``workers``) in
Web Workers (the script: :mod:`layers.parcel_tiles_js`); a tile drawn before is copied when the
map comes back to it. Below :data:`RASTER_BELOW` (zoom 13, every parcel a few pixels, no click)
a tile is decoded straight into pixels instead (:mod:`layers.parcel_tiles_raster_js`). Tiles
carry owner class, use category, use type and code and council district (the AIN from data zoom
13, where a click reads it), never risk or status. The review filter is applied in the browser
with the same rules as on the server. A click on a tiled parcel at zoom >= 14 (where no live
feature took it) is resolved in the decoded tile (point in polygon) and handed to
streamlit-folium as a click with the tooltip ``Parcel AIN …``; the page resolves that AIN on the
server into the detail panel.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import branca.element
from folium.elements import JSCSSMixin

from layers import palette
from layers.basemap import PMTILES_JS
from layers.parcel_tiles_js import LAYER_JS

OWNER_COLORS = {k: v for k, v in palette.colours(palette.OWNER).items() if k != "repeat"}  # the one palette
CLICK_PREFIX = "Parcel AIN "  # geo.analysis.lod.TILE_CLICK_PREFIX reads it back
OUTLINE_ZOOM = 16  # outlines cost a second canvas pass: drawn only when parcels are large on screen
#: below this display zoom (where no click reads a tile) a tile is decoded straight into pixels by the layer's own
#: rasteriser (layers.parcel_tiles_raster_js), not recorded into canvas paths: the z13 paint's CPU. From it up the
#: canvas draws as before, pixel for pixel.
RASTER_BELOW = 14
#: Web Workers fetching, decoding and drawing tiles (at most the browser's cores); 0: all on the page. Off: on the
#: 2 shared cores of the bench machine (load 4-5) the z13 paint took 1.5 s with 2 workers against 1.15 s on the page
#: (a worker starts only when the page's script yields, then reads the header itself; OffscreenCanvas rasterises
#: slower than the page's canvas). BENCHMARKS.md "Parcel vector tiles" has the runs.
DECODE_WORKERS = 0


@dataclass(frozen=True)
class ParcelTiles:
    """The archive a map draws its parcels from, and the filter it applies."""

    url: str
    max_data_zoom: int = 13  # geo.tiles.TileRules.max_zoom
    level_diff: int = 1
    every_parcel_from: int = 13
    filter_rules: Mapping[str, object] = field(default_factory=dict)


_TEMPLATE = """
{% macro script(this, kwargs) %}
""" + LAYER_JS + """
(function() {
  var map = {{ this._parent.get_name() }};
  var cfg = {{ this.config_json }};
  var layer = new window.stagemapParcelLayer(cfg);
  layer.addTo(map);
  window.stagemapParcelTiles = layer;
  map.on("click", function(e) {
    if (e.originalEvent && e.originalEvent._stopped) { return; }  // a live feature took the click
    if (map.getZoom() < cfg.clickZoom) { return; }
    var ain = null;
    layer.queryTileFeaturesDebug(e.latlng.lng, e.latlng.lat).forEach(function(hits) {
      hits.forEach(function(h) {
        var a = String(h.feature.props.ain || "");
        if (h.layerName === cfg.layer && layer.visible(h.feature.props) && /^[0-9A-Za-z-]{1,32}$/.test(a)) { ain = a; }
      });
    });
    if (!ain) { return; }
    var probe = L.circleMarker(e.latlng, {radius: 0, interactive: false});
    probe.bindTooltip(cfg.clickPrefix + ain);
    window.stagemapParcelClicked = ain;
    layer.fire("click", {latlng: e.latlng, sourceTarget: probe});
  });
})();
{% endmacro %}
"""


class ParcelTilesLayer(JSCSSMixin, branca.element.MacroElement):  # type: ignore[misc]  # folium is untyped
    """The parcel archive at ``url`` as a Leaflet layer, coloured by owner class and filtered like the review table."""

    _template = branca.element.Template(_TEMPLATE)
    default_js = [("pmtiles", PMTILES_JS)]  # noqa: RUF012 - folium reads it

    def __init__(self, url: str, *, layer: str = "parcels", max_data_zoom: int = 13, level_diff: int = 1,
                 filter_rules: Mapping[str, object] | None = None, click_zoom: int = 14,
                 opacity: float = 0.55, attribution: str = "Assessor parcels", workers: int = DECODE_WORKERS) -> None:
        super().__init__()
        self._name = "ParcelTilesLayer"
        rules = {"categories": [], "districts": [], "use_code": "", "owner_classes": [], "none": False,
                 **(filter_rules or {})}
        self.config_json = json.dumps({
            "url": url, "layer": layer, "maxDataZoom": max_data_zoom, "levelDiff": level_diff, "filter": rules,
            "colors": OWNER_COLORS, "otherColor": "#7f8c8d", "opacity": opacity, "stroke": "#4d5656",
            "outlineZoom": OUTLINE_ZOOM, "rasterBelow": min(RASTER_BELOW, click_zoom), "clickZoom": click_zoom,
            "clickPrefix": CLICK_PREFIX, "attribution": attribution, "workers": workers,
        }).replace("</", "<\\/")
